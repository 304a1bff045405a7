"""What an authenticated, valid request does to the mock's state: the step after validation.

One job: act on the stored entities as the spec's paths say (list, create, read, update, delete,
lookup, generated, action) and answer with a body that validates against the declared response.
The kind of each operation is derived from the spec (``state/resources.py``); the platform's
lifecycles answer the operations they own instead (``platform/``).

May import: ``state``, ``spec`` and the shared ground (``contracts.platform``). Never ``http``,
``auth`` or ``validation``: a ``Call`` brings everything they found out.

Which file for which change:
- which handler answers which kind: ``handlers.py``; a kind's own logic: ``reads.py``
  (list, read, lookup, generated), ``writes.py`` (create, update, delete), ``actions.py`` (verbs)
- how an entity is found, keyed, built and stored (shared by every kind): ``entities.py``
- a scoped token's reach (403): ``scope.py``; a body naming catalogue entries: ``catalogue_refs.py``
- what the mock precomputes per spec (schemas, generated values, the derived model): ``runtime.py``
- reference endpoints answered from the catalogue: ``reference.py`` (data: ``contracts/platform/data``)
- the request as handlers see it, and the 4xx they raise: ``call.py``
"""
