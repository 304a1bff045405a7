"""The mock on the wire: a request comes in, goes through the pipeline, and its answer goes out.

One job: turn HTTP into a ``Call`` for the steps below and their answer back into HTTP. ``pipeline``
is the WSGI callable in front of Flask (route -> auth -> validate -> behaviour -> response, one
request-log entry each); ``serve`` runs it on waitress with ``connection_guard`` bounding slow clients.

May import: ``auth``, ``validation``, ``behaviour``, ``platform``, ``state``, ``spec``.

Which file for which change:
- the order of the steps, a header every answer carries: ``pipeline.py``
- how a path finds its operation: ``router.py``
- threads, connection limits, the start-up banner: ``serve.py``, ``connection_guard.py``
- what ``/__mock/requests`` records of a request: ``request_log.py``
- memory given back after ``/__mock/reset``: ``memory.py``
"""
