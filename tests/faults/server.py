"""A 127.0.0.1 HTTP server for the fault tests: canned answers like tests/replay.py, plus the ones a
well-behaved server never gives.

Each route (path; the query is ignored unless the route names it) holds a queue of actions; the last
one repeats. An action is a tests.replay.Reply or one of:
- Stall(reply): hold the request open (the client is provably mid-page) until `release` is set;
  `entered` is set when the request arrives, so a test can act at exactly that moment.
- Reset(): read the request, then close the connection with a TCP RST instead of answering.
- Slow(reply, delay_s): answer, but only after delay_s (past the client's timeout).
- Truncated(reply, keep): send headers whose Content-Length is the whole body, then only `keep`
  bytes of it, and close.
- Echo(status): answer `status` with every request header echoed back, in a JSON body (the
  fields Hub, GitHub and OpenRouter put their error text in) and in X-Error-Message, as a careless
  or hostile server would, so a test can check that no credential sent travels any further.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.replay import Reply


@dataclass
class Stall:
    reply: Reply
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class Reset:
    pass


@dataclass
class Slow:
    reply: Reply
    delay_s: float


@dataclass
class Truncated:
    reply: Reply
    keep: int


@dataclass
class Echo:
    status: int


class FaultServer:
    def __init__(self) -> None:
        self.routes: dict[str, list] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.default = Reply(404, b'{"error":"not found"}')  # the answer to a path without a route
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._answer("GET")

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer("POST")

            def _answer(self, method: str) -> None:
                server.requests.append((method, self.path, dict(self.headers)))
                queue = server.routes.get(self.path) or server.routes.get(urlsplit(self.path).path)
                action = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else server.default
                try:
                    self._perform(action)
                except OSError:  # the client went away (killed, or gave up): nothing to answer
                    self.close_connection = True

            def _perform(self, action) -> None:
                if isinstance(action, Stall):
                    action.entered.set()
                    action.release.wait(timeout=120)
                    action = action.reply
                elif isinstance(action, Slow):
                    server.closing.wait(action.delay_s)
                    action = action.reply
                if isinstance(action, Reset):
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                elif isinstance(action, Truncated):
                    self._send(action.reply.status, action.reply.headers, action.reply.body,
                               sent=action.reply.body[: action.keep])
                    self.close_connection = True
                elif isinstance(action, Echo):
                    echoed = "; ".join(f"{name}={value}" for name, value in self.headers.items())
                    body = json.dumps({"error": echoed, "message": echoed, "errors": [{"message": echoed}],
                                       "documentation_url": echoed}).encode()
                    self._send(action.status, {"Content-Type": "application/json", "X-Error-Message": echoed,
                                               "Retry-After": "0"}, body)
                else:
                    self._send(action.status, action.headers, action.body)

            def _send(self, status: int, headers: dict[str, str], body: bytes, sent: bytes | None = None) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body if sent is None else sent)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, *actions) -> str:
        self.routes[path] = list(actions)
        return self.base_url + path

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing.set()
        for queue in self.routes.values():
            for action in queue:
                if isinstance(action, Stall):
                    action.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class Tarpit:
    """A 127.0.0.1 port that accepts no connection: its listen backlog is full, so the kernel drops
    further SYNs and a client's connect() times out, as behind a firewall that drops packets."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers: list[socket.socket] = []
        for _ in range(4):  # more than the backlog holds
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(filler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drops_connections(self, timeout_s: float = 0.3) -> bool:
        """True when a connect() here times out (Linux drops SYNs past a full backlog by default)."""
        with socket.socket() as probe:
            probe.settimeout(timeout_s)
            try:
                probe.connect(("127.0.0.1", self.port))
            except TimeoutError:
                return True
            except OSError:
                return False
            return False

    def __enter__(self) -> Tarpit:
        return self

    def __exit__(self, *exc) -> None:
        for sock in [*self.fillers, self.listener]:
            sock.close()
