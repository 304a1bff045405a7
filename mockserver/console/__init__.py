"""The developer console at ``/__mock/console``: operations, live request log, state, jobs and tokens.

Plain HTML, CSS and JavaScript in ``static/`` (no build step), Swagger UI from the
``swagger-ui-bundle`` package; everything is served by the mock itself, so the console works
without a network. It reads the admin endpoints (``/__mock/requests``, ``/__mock/state``,
``/__mock/tokens``, ``/__mock/jobs``) and never touches the ``/api/...`` hot path.
"""

from mockserver.console.blueprint import console_blueprint

__all__ = ["console_blueprint"]
