"""A local HTTP server on 127.0.0.1 that replays canned responses, shaped like the real APIs.

Each route (path, query ignored unless given) holds a queue of responses; the last one repeats.
Bodies are pre-serialised bytes so the server never bounds what it is used to measure.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


class ReplayServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: list[bytes] = []  # request bodies of POSTs, in order
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - GraphQL: the body is kept, the route is the path
                length = int(self.headers.get("Content-Length") or 0)
                server.bodies.append(self.rfile.read(length))
                self._reply("POST")

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._reply("GET")

            def _reply(self, method: str) -> None:
                server.requests.append((method, self.path, dict(self.headers)))
                queue = server.routes.get(self.path) or server.routes.get(urlsplit(self.path).path)
                reply = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else Reply(404, b'{"error":"not found"}')
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.base_url + path

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
