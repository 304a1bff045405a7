"""The mock inside a team's own tests: ``with running(...) as mock:`` serves it over HTTP on a free port.

Why over HTTP and not a Flask test client: the code under test is a team's own client (requests,
httpx, a generated client), which talks to a URL. The server runs in a daemon thread of this
process (waitress, as ``madaster-contracts mock`` serves it), so it starts in well under a second
and stops with the ``with`` block; pytest-xdist workers each get their own.

Every helper goes through the mock's admin endpoints (``/__mock/...``), the same ones a team
could call from any language, so what the helpers see is what the mock logged and stored::

    from mockserver.testing import running

    with running(processing_delay=0) as mock:
        my_client = MyClient(mock.url + "/api/v3.0", key=mock.key("write"))
        my_client.create_building(...)
        assert mock.count(method="POST", path="/api/v3.0/building") == 1
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError

ADMIN_TIMEOUT = 10.0
"""Seconds an admin call may take (a reset re-creates the fixtures of every version)."""


@dataclass(frozen=True)
class MockOptions:
    """What a served mock is built from; equal options share one server in the pytest fixture."""

    specs: tuple[str, ...] = ()
    """Spec files (JSON or YAML, one per version); none: the newest snapshot of each stored version."""
    specs_dir: str | None = None
    tokens: tuple[Any, ...] | str | None = None
    """``mockserver.tokens.Token`` objects, token mappings (``{key, name, permission, scope}``),
    or the path of a YAML tokens file; none: the dev tokens ``dev-read`` and ``dev-write``."""
    processing_delay: float = 1.0
    strict: bool = False
    seed: int = 0
    fixtures: str | None = None
    """A fixtures file (``--fixtures``), extending or replacing the generated fixtures."""
    stubs: str | None = None
    """A stubs file (``--stubs``), loaded at start and after every reset."""

    @classmethod
    def of(cls, **values: Any) -> MockOptions:
        """Options from keyword arguments as a team writes them (lists, paths, a single spec)."""
        unknown = sorted(set(values) - set(cls.__dataclass_fields__) - {"spec"})
        if unknown:
            raise ContractsError(
                f"unknown mock option {', '.join(unknown)}; known: {', '.join(cls.__dataclass_fields__)}"
            )
        specs = values.pop("specs", None) or values.pop("spec", None) or ()
        values.pop("spec", None)
        if isinstance(specs, str | Path):
            specs = (specs,)
        tokens = values.pop("tokens", None)
        if isinstance(tokens, Path):
            tokens = str(tokens)
        elif tokens is not None and not isinstance(tokens, str):
            tokens = tuple(_frozen(t) for t in tokens)
        for name in ("specs_dir", "fixtures", "stubs"):
            if values.get(name) is not None:
                values[name] = str(values[name])
        return cls(specs=tuple(str(s) for s in specs), tokens=tokens, **values)


def _frozen(token: Any) -> Any:
    """A token mapping as a hashable tuple of items, so options can key a cache."""
    return tuple(sorted(token.items())) if isinstance(token, Mapping) else token


def _tokens(value: tuple[Any, ...] | str | None) -> tuple[Any, ...]:
    from mockserver.auth.tokens import DEFAULT_TOKENS, Token, load_tokens_file, parse_tokens

    if value is None:
        return DEFAULT_TOKENS
    if isinstance(value, str):
        return tuple(load_tokens_file(Path(value)))
    if all(isinstance(t, Token) for t in value):
        return tuple(value)
    entries = [dict(t) if isinstance(t, tuple) else t for t in value]
    return tuple(parse_tokens({"tokens": entries}, "tokens"))


@dataclass
class RunningMock:
    """A served mock and the helpers a test asserts with; every helper is one admin call."""

    url: str
    """``http://127.0.0.1:<port>``; the API is under ``url + "/api/vX.Y"``."""
    tokens: tuple[Any, ...]
    versions: tuple[str, ...]
    _session: Any = field(repr=False, default=None)

    def api(self, version: str | None = None) -> str:
        """The base URL of one version's API (default: the newest served)."""
        version = version or self.versions[-1]
        if version not in self.versions:
            raise ContractsError(f"{version} is not served (served: {', '.join(self.versions)})")
        return f"{self.url}/api/{version}"

    def key(self, permission: str = "read", *, scope: str | None = None, name: str | None = None) -> str:
        """The key of a served token: by ``name``, else the first with ``permission`` (and ``scope``)."""
        for token in self.tokens:
            if name is not None:
                if token.name == name:
                    return str(token.key)
            elif token.permission == permission and (scope is None or token.scope == scope):
                return str(token.key)
        wanted = f"named {name!r}" if name is not None else f"with permission {permission!r}"
        raise ContractsError(f"no served token {wanted}{f' and scope {scope!r}' if scope else ''}")

    # --- state ---------------------------------------------------------------------------------
    def reset(self) -> dict[str, Any]:
        """Forget every entity, request and stub; re-create the fixtures (and the ``--stubs`` file)."""
        return self._admin("POST", "/__mock/reset")

    def state(self) -> dict[str, Any]:
        return self._admin("GET", "/__mock/state")

    # --- the request journal ---------------------------------------------------------------------
    def requests(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        status: int | None = None,
        since: int | None = None,
    ) -> list[dict[str, Any]]:
        """The logged requests matching every given filter, oldest first (``GET /__mock/requests``).

        ``path`` is an exact path (``/api/v3.0/building``), a template (``/api/v3.0/building/{id}``)
        or, starting with ``^``, a regular expression.
        """
        params = _without_none(method=method, path=path, status=status, since=since)
        return list(self._admin("GET", "/__mock/requests", params=params))

    def save_har(self, path: str | Path, method: str | None = None, url_path: str | None = None) -> Path:
        """Write the journal (filtered as ``requests``) to ``path`` as HAR 1.2, for
        ``madaster-contracts diff --usage FILE``: which changes of the API hit this client."""
        params = _without_none(method=method, path=url_path)
        response = self._session.get(self.url + "/__mock/requests.har", params=params, timeout=ADMIN_TIMEOUT)
        if response.status_code >= 400:
            raise ContractsError(f"GET /__mock/requests.har: {response.status_code} {response.text[:200]}")
        target = Path(path)
        target.write_bytes(response.content)
        return target

    def count(self, method: str | None = None, path: str | None = None, **match: Any) -> int:
        """How many logged requests match (``POST /__mock/requests/count``)."""
        body = _without_none(method=method, path=path, **match)
        return int(self._admin("POST", "/__mock/requests/count", json=body)["count"])

    # --- runtime stubs ---------------------------------------------------------------------------
    def stub(self, definition: Mapping[str, Any] | None = None, /, **fields: Any) -> dict[str, Any]:
        """Add a stub (``POST /__mock/stubs``): ``mock.stub(match={...}, answer={...})``; its id is in ``["id"]``."""
        body = {**(definition or {}), **fields}
        return self._admin("POST", "/__mock/stubs", json=body)

    def stubs(self) -> list[dict[str, Any]]:
        return list(self._admin("GET", "/__mock/stubs")["stubs"])

    def remove_stub(self, stub_id: str | None = None) -> None:
        """Remove one stub, or every stub when no id is given."""
        self._admin("DELETE", f"/__mock/stubs/{stub_id}" if stub_id else "/__mock/stubs")

    # --- long-running work -----------------------------------------------------------------------
    def jobs(self) -> list[dict[str, Any]]:
        return list(self._admin("GET", "/__mock/jobs")["jobs"])

    def finish_jobs(self) -> int:
        """Finish every running job now; returns how many there were."""
        return int(self._admin("POST", "/__mock/jobs/finish")["finished"])

    def fail_job(
        self, job_id: str | None = None, *, status: str | None = None, kind: str | None = None
    ) -> dict[str, Any]:
        """Force a failure state on a job: by id, else the newest running one (of ``kind``)."""
        if job_id is None:
            running = [
                j for j in self.jobs() if j["state"] == "running" and (kind is None or j["kind"] == kind)
            ]
            if not running:
                raise ContractsError(f"no running {kind + ' ' if kind else ''}job to fail")
            job_id = running[-1]["id"]
        return self._admin("POST", f"/__mock/jobs/{job_id}/fail", json=_without_none(status=status))

    # --- plumbing --------------------------------------------------------------------------------
    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._session.request(method, self.url + path, timeout=ADMIN_TIMEOUT, **kwargs)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail") or response.text
            except ValueError:
                detail = response.text
            raise ContractsError(f"{method} {path}: {response.status_code} {detail}")
        return response.json() if response.content else None


def _without_none(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _admin_session(tokens: Sequence[Any]) -> Any:
    """A requests session for the admin endpoints, carrying an admin token's key when there is one."""
    import requests

    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must not sit between a test and its mock
    admin = next((t for t in tokens if t.permission == "admin" and not t.is_expired()), None)
    if admin is not None:
        session.headers["X-API-Key"] = admin.key
    return session


def build(options: MockOptions) -> tuple[Any, tuple[Any, ...], tuple[str, ...]]:
    """The app for ``options``, with its tokens and served versions (every input checked first)."""
    from mockserver.served_specs import cancel_validation, load_specs

    tokens = _tokens(options.tokens)
    fixtures = None
    if options.fixtures is not None:
        from mockserver.fixtures.user import load_fixtures_file

        fixtures = load_fixtures_file(Path(options.fixtures))
    specs = load_specs(
        [Path(s) for s in options.specs],
        Path(options.specs_dir) if options.specs_dir else None,
        background=True,
    )
    try:
        app = _app_of(specs, tokens, options, fixtures)
    finally:
        cancel_validation(specs)  # a no-op once its verdict is in
    if options.stubs is not None:
        from mockserver.http.stubs import load_stubs_file

        load_stubs_file(app, Path(options.stubs))
    return app, tokens, tuple(s.version for s in specs)


def _app_of(specs: list[Any], tokens: tuple[Any, ...], options: MockOptions, fixtures: Any) -> Any:
    """The app, once the specs validated in the background are known to be valid."""
    from mockserver import create_app
    from mockserver.served_specs import await_validation

    try:
        app = create_app(
            [s.for_app() for s in specs],
            tokens=list(tokens),
            seed=options.seed,
            processing_delay=options.processing_delay,
            strict=options.strict,
            fixtures=fixtures,
        )
    except Exception:
        await_validation(specs)  # an invalid spec's own error first: the build may have failed on it
        raise
    await_validation(specs)
    return app


@contextlib.contextmanager
def running(
    options: MockOptions | None = None, /, *, threads: int = 4, **values: Any
) -> Iterator[RunningMock]:
    """Serve the mock on a free port of 127.0.0.1 for the ``with`` block.

    Keyword arguments are those of ``MockOptions`` (``specs``, ``tokens``, ``processing_delay``,
    ``strict``, ``seed``, ``fixtures``, ``stubs``, ``specs_dir``). A bad input raises
    ``ContractsError`` with one line before anything is served.
    """
    from mockserver.http.inline import reads_inline
    from mockserver.http.serve import serve_in_thread

    if options is None:
        options = MockOptions.of(**values)
    elif values:
        raise ContractsError("give either MockOptions or keyword options, not both")
    app, tokens, versions = build(options)
    served = serve_in_thread(app, threads=threads, ident="madaster-mock", inline=reads_inline(app))
    with served as (base_url, _stop):
        session = _admin_session(tokens)
        try:
            yield RunningMock(base_url, tokens, versions, session)
        finally:
            session.close()
