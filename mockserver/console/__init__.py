"""The developer console at ``/__mock/console``: operations, live request log, state, jobs and tokens.

Plain HTML, CSS and JavaScript in ``static/`` (no build step), Swagger UI 5 from the
``flask-swagger-ui`` package's files; everything is served by the mock itself, so the console works
without a network. It reads the admin endpoints (``/__mock/requests``, ``/__mock/state``,
``/__mock/tokens``, ``/__mock/jobs``) and never touches the ``/api/...`` hot path.

On the top floor with ``create_app`` and the command (``screenshot`` builds a whole app): may
import every sub-package. A panel: ``static/``; the blueprint and its key check: ``blueprint.py``;
screenshots for the docs: ``screenshot.py`` (Chromium: ``browser.py``).
"""

from mockserver.console.blueprint import console_blueprint

__all__ = ["console_blueprint"]
