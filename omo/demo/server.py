"""The demo's local API server: 127.0.0.1 on a free port, one handler per URL prefix.

Each sample source (Hub, GitHub, price list, OpenRouter, quality boards) mounts a handler under
its own prefix, e.g. `/sample/hub`; a handler gets the rest of the path and the query and answers
with a Response shaped like the real API's (status, headers such as Link or X-RateLimit-*, body).
A request carrying credentials (an Authorization header) gets 401: the demo sends no token.

Responses go out as one write over HTTP/1.1 keep-alive with TCP_NODELAY: the collectors' clients
reuse their connection, and no request waits on delayed ACKs (a status line, headers and body
written separately cost ~40 ms a request on Linux).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qsl, urlsplit

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": JSON_TYPE})

    def serialise(self) -> bytes:
        head = [f"HTTP/1.1 {self.status} {HTTPStatus(self.status).phrase}"]
        head += [f"{name}: {value}" for name, value in self.headers.items()]
        head.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + self.body


def json_response(data, status: int = 200, **headers: str) -> Response:
    body = json.dumps(data, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": JSON_TYPE, **headers})


NOT_FOUND = json_response({"error": "not found on the omo demo's sample server"}, 404)
# The demo runs without tokens; a request that carries one is a bug, answered as one.
NO_CREDENTIALS = json_response({"message": "the omo demo's sample server takes no credentials"}, 401)

# (path below the prefix, query pairs in order) -> Response
Handler = Callable[[str, list[tuple[str, str]]], Response]


class SampleServer:
    """Serve the mounted handlers on 127.0.0.1:<free port> until closed (a context manager)."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                try:
                    if self.headers.get("Authorization"):
                        response = NO_CREDENTIALS
                    else:
                        response = server.answer(self.path)
                except Exception as exc:  # noqa: BLE001 - a bug in a sample: say so, don't hang up
                    response = json_response({"error": f"omo demo sample server: {type(exc).__name__}: {exc}"}, 500)
                self.wfile.write(response.serialise())

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def mount(self, prefix: str, handler: Handler) -> str:
        """Answer every path under prefix with handler; returns the prefix's URL."""
        self.handlers[prefix.rstrip("/")] = handler
        return self.base_url + prefix.rstrip("/")

    def answer(self, raw_path: str) -> Response:
        split = urlsplit(raw_path)
        for prefix, handler in self.handlers.items():
            if split.path == prefix or split.path.startswith(prefix + "/"):
                return handler(split.path[len(prefix):] or "/", parse_qsl(split.query, keep_blank_values=True))
        return NOT_FOUND

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
