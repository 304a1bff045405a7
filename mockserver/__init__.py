"""Offline emulation of the Madaster API: ``create_app(specs, ...)`` builds the Flask app.

The sub-packages are the request pipeline, top to bottom; each imports only those below it
(``tests/test_import_graph.py`` keeps it so)::

    http        the wire: the WSGI pipeline, the router, waitress
    auth        the API key: tokens, 401/403, the admin guard
    validation  the request against its operation (and answers the mock did not build)
    behaviour   what the request does to the entities  |  platform  what the platform does in time
    state       where the entities live; what each path does to them
    spec        the spec compiled once: schemas, operations, generated values, problem answers

On top of them: ``fixtures`` (the starting state) and ``admin`` (``/__mock/``); at the top of the
package only ``app`` (``create_app``), ``command`` (``madaster-contracts mock``) and ``console``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.app import create_app as create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # imported lazily so ``mockserver.auth.tokens`` and the CLI stay light
    if name == "create_app":
        from mockserver.app import create_app

        return create_app
    raise AttributeError(name)
