"""The mock's own controls, on top of the pipeline: ``/__mock/`` endpoints, faults and replay.

One job: let a developer see and steer the mock (reset, request log, state, tokens, jobs) and test
a client against bad days (injected faults, a replayed recording). The console page on top of
these endpoints is ``mockserver/console/``.

May import: every package below it (``fixtures`` beside it, ``http``, ``auth``, ``validation``,
``behaviour``, ``platform``, ``state``, ``spec``), never the app factory or the command.

Which file for which change:
- an admin endpoint under ``/__mock/`` or the index page: ``endpoints.py``
- what ``GET /__mock/state`` shows: ``state_view.py``
- latency, 503s and the 429 rate limit: ``faults.py``
- ``--replay`` matching of recorded exchanges: ``replay.py``
"""
