"""A tiny local HTTP server that serves spec documents (or failures) by path, for capture/check tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class SpecServer:
    routes: dict[str, Route] = field(default_factory=dict)
    seen_headers: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""

    def serve(self, path: str, body: bytes, **kwargs) -> None:
        self.routes[path] = Route(body=body, **kwargs)


@contextmanager
def spec_server() -> Iterator[SpecServer]:
    state = SpecServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            state.seen_headers.append(dict(self.headers.items()))
            route = state.routes.get(self.path, Route(status=404, body=b'{"title": "Not Found"}'))
            if route.delay:
                time.sleep(route.delay)
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except OSError:  # the client gave up (timeout tests)
                pass

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
