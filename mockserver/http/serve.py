"""Serve a WSGI app with waitress: in the foreground for the ``mock`` command, or in a background thread.

Why not ``waitress.serve``: it cannot be stopped from another thread and ignores SIGTERM. Here the
event loop runs one poll at a time and checks a stop flag, so SIGINT, SIGTERM or ``stop()`` end it
cleanly: the listening sockets close, running requests finish, the threads exit.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from contracts.errors import ContractsError
from mockserver.http.connection_guard import ConnectionGuard
from mockserver.http.inline import InlineDispatcher, Quick
from mockserver.http.memory import limit_arenas

DEFAULT_THREADS = 16
"""Worker threads. Requests are CPU-bound Python under the GIL, yet measured with wrk at 50 connections
on two cores, 16 threads gave 1.3-2x the throughput of 4 or 8 and a lower p99 (32: no further gain):
while the event-loop thread waits for the GIL, more requests are already parsed and queued."""

DEFAULT_CONNECTION_LIMIT = 500
"""Open connections at most (``--connection-limit``): 200+ concurrent clients are accepted at once,
and the connection guard keeps idle and slow ones from holding the slots."""

WAITRESS_SETTINGS: dict[str, Any] = {
    "backlog": 2048,
    "asyncore_use_poll": True,  # poll() instead of select(): no 1024 file-descriptor ceiling
    "asyncore_loop_timeout": 1,
    "channel_timeout": 30,  # an idle keep-alive connection is closed after 30 s without a byte
    "cleanup_interval": 5,
    "clear_untrusted_proxy_headers": False,  # no proxy in front of the mock: skip that per-request layer
    "ident": "madaster-mock",
    "expose_tracebacks": False,
}


def _answering_parser() -> type:
    """waitress's parser, minus a hang: ``Expect: 100-continue`` on a request without a body.

    waitress sends the 100 and then waits for a body that is not coming (the request is marked
    incomplete again), so the client never gets an answer. A request with nothing to send has
    nothing to wait for: it is answered at once.
    """
    from waitress.parser import HTTPRequestParser

    class AnsweringParser(HTTPRequestParser):
        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            if self.expect_continue and not self.chunked and not self.content_length:
                self.expect_continue = False

    return AnsweringParser


def _answering_channel() -> type:
    from waitress.channel import HTTPChannel

    class AnsweringChannel(HTTPChannel):
        parser_class = _answering_parser()

    return AnsweringChannel


class RunningServer(NamedTuple):
    """What ``serve_in_thread`` yields: unpack as ``base_url, stop = running``."""

    base_url: str
    stop: Callable[[], None]


class MockServer:
    """A bound waitress server (the port is taken when this object is created) with a clean stop."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        threads: int = DEFAULT_THREADS,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        ident: str | None = None,
        inline: Quick | None = None,
    ):
        """``ident`` names the server in ``Server`` (or ``Via`` when the app sets ``Server``);
        requests ``inline`` says yes to are answered in the event-loop thread (``http.inline``)."""
        from waitress.server import create_server
        from waitress.task import ThreadedTaskDispatcher

        if not 0 <= port <= 65535:
            raise ContractsError(f"--port {port}: must be between 0 and 65535")
        if not 10 <= connection_limit <= 100_000:
            raise ContractsError(f"--connection-limit {connection_limit}: must be between 10 and 100000")
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under load
        self.guard = ConnectionGuard(connection_limit)
        limit_arenas()  # before waitress starts its worker threads
        self.inline: InlineDispatcher | None = None
        settings = {**WAITRESS_SETTINGS, **({"ident": ident} if ident else {})}
        if inline is not None:
            self.inline = InlineDispatcher(ThreadedTaskDispatcher(), inline)
            settings["_dispatcher"] = self.inline
        try:
            self._server = create_server(
                app, host=host, port=port, threads=threads, connection_limit=connection_limit, **settings
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ContractsError(f"cannot listen on {host}:{port}: the port is already in use") from None
            if isinstance(exc, socket.gaierror):
                raise ContractsError(
                    f"cannot listen on {host}:{port}: unknown host ({exc.strerror})"
                ) from None
            raise ContractsError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise ContractsError(f"cannot listen on {host}:{port}: {exc}") from None
        if self.inline is not None:  # waitress starts the threads only of a dispatcher it made
            self.inline.set_thread_count(threads)
        self._map: dict[int, Any] = getattr(self._server, "map", None) or self._server._map
        channel = _answering_channel()
        for dispatcher in [self._server, *self._map.values()]:  # one server per listen address
            if hasattr(dispatcher, "channel_class"):
                dispatcher.channel_class = channel
        self._stop_requested = threading.Event()
        self._stopped = threading.Event()
        self._started = threading.Event()
        self.threads = threads

    @property
    def listen(self) -> list[tuple[str, int]]:
        """Every (host, port) the server listens on (``localhost`` may give IPv4 and IPv6)."""
        if hasattr(self._server, "effective_listen"):
            return list(self._server.effective_listen)
        return [(self._server.effective_host, self._server.effective_port)]

    @property
    def port(self) -> int:
        return int(self.listen[0][1])

    @property
    def base_url(self) -> str:
        """The URL to show and to call; a wildcard address is shown as loopback."""
        host, port = self.listen[0]
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def serve(self) -> None:
        """Run the event loop until ``stop()``; then close sockets and let running requests finish."""
        from waitress import wasyncore

        adj = self._server.adj
        self._started.set()
        try:
            while not self._stop_requested.is_set() and self._map:
                wasyncore.loop(
                    timeout=adj.asyncore_loop_timeout, use_poll=adj.asyncore_use_poll, map=self._map, count=1
                )
                if self.inline is not None:
                    self.inline.run_pending()
                self.guard.sweep(self._map)
        finally:
            self._server.task_dispatcher.shutdown(timeout=5)
            wasyncore.close_all(self._map, ignore_all=True)
            self._stopped.set()

    def request_stop(self) -> None:
        """Ask the loop to stop and wake it up; safe in a signal handler (the loop thread never
        holds the event's lock, and pulling the trigger without a thunk takes no lock)."""
        from waitress.trigger import trigger

        self._stop_requested.set()
        for dispatcher in list(self._map.values()):
            if isinstance(dispatcher, trigger):
                with contextlib.suppress(OSError):  # already closed
                    dispatcher.pull_trigger()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and wait until the loop and the worker threads are done."""
        self.request_stop()
        if not self._started.is_set():  # never served: just release the port and the threads
            from waitress import wasyncore

            self._server.task_dispatcher.shutdown(timeout=0)
            wasyncore.close_all(self._map, ignore_all=True)
            self._stopped.set()
        self._stopped.wait(timeout)

    def serve_until_signal(self) -> None:
        """Serve in the foreground; SIGINT and SIGTERM stop the server cleanly."""
        handled = [signal.SIGINT, signal.SIGTERM]
        previous = {sig: signal.getsignal(sig) for sig in handled}

        def on_signal(signum: int, frame: Any) -> None:
            self.request_stop()

        for sig in handled:
            signal.signal(sig, on_signal)
        try:
            self.serve()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@contextmanager
def serve_in_thread(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    threads: int = DEFAULT_THREADS,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
    ident: str | None = None,
    inline: Quick | None = None,
) -> Iterator[RunningServer]:
    """Serve ``app`` with waitress in a daemon thread on a free port (for tests and the contract runner).

    Usage::

        with serve_in_thread(create_app(specs)) as (base_url, stop):
            requests.get(base_url + "/api/v3.0/account", headers={"X-API-Key": "dev-read"})
    """
    server = MockServer(
        app, host, port, threads=threads, connection_limit=connection_limit, ident=ident, inline=inline
    )
    thread = threading.Thread(target=server.serve, name=f"mock-server:{server.port}", daemon=True)
    thread.start()
    try:
        yield RunningServer(server.base_url, server.stop)
    finally:
        server.stop()
        thread.join(10)


def format_banner(
    *,
    base_url: str,
    specs: list[tuple[str, str | None, int, str]],
    tokens: Any,
    tokens_in_clear: bool,
    store: str,
    seed: int,
    admin: bool,
    faults: str,
    processing_delay: float = 1.0,
    threads: int,
    startup_seconds: float,
    inline: bool = False,
) -> str:
    """What the ``mock`` command prints: URL, versions, tokens (file tokens masked), settings."""
    lines = [
        f"Madaster API mock on {base_url}/ "
        f"(waitress, {threads} threads{', reads inline' if inline else ''}, "
        f"ready in {startup_seconds * 1000:.0f} ms)"
    ]
    lines.append("Versions:")
    for version, build, path_count, source in specs:
        build_text = (f"build {build}" if build.isdigit() else build) if build else "no build number"
        lines.append(f"  {version}  {build_text}, {path_count} paths  {base_url}/api/{version}/  ({source})")
    kind = "built-in dev tokens" if tokens_in_clear else "from the tokens file, keys masked"
    lines.append(f"Tokens (header X-API-Key, {kind}):")
    for token in tokens:
        key = token.key if tokens_in_clear else token.masked()
        expires = f", expires {token.expires.isoformat()}" if token.expires else ""
        lines.append(f"  {key:<14} {token.permission:<6} {token.scope}  ({token.name}{expires})")
    lines.append(f"Store: {store}   Seed: {seed}   Faults: {faults}")
    lines.append(f"Processing: {processing_delay:g} s per step of long-running work")
    keyed = any(getattr(token, "permission", "") == "admin" for token in tokens)
    guard = "local same-origin requests, admin token's X-API-Key" if keyed else "local same-origin requests"
    if admin:  # every URL printed is a page or an endpoint that answers
        lines.append(f"Console: {base_url}/__mock/console  (open it in a browser; {guard})")
        lines.append(
            f"Admin API: {base_url}/__mock/requests (.har), /__mock/stubs, /__mock/jobs, POST /__mock/reset"
        )
    else:
        lines.append("Admin: off (--no-admin)")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)
