"""Who is asking: the API key of a request, and the admin key in front of ``/__mock/``.

One job: decide whether a request's key may call at all (401 for a missing, unknown or expired
key; 403 for a read token that writes). Which entities a token reaches is the behaviour step's
(``behaviour/scope.py``): only there the entities a request names are known.

May import: ``validation``, ``behaviour``, ``platform``, ``state``, ``spec`` (in practice: ``spec``
for problem bodies, ``state`` for references).

Which file for which change:
- the tokens file format, the built-in dev tokens: ``tokens.py``
- the 401/403 rules of the key check: ``access.py``
- who may open the admin routes and the console: ``admin_guard.py``
"""
