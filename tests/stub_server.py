"""A scripted HTTP/1.1 server on 127.0.0.1 for the client's tests.

Each test tells it what to answer (:meth:`StubServer.add`) and then reads what the client sent
(:attr:`StubServer.requests`). Everything goes over real sockets, so the tests exercise the whole
transport: headers, keep-alive, timeouts, dropped connections.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple, Union
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """A request the server received."""

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def param(self, name: str) -> Optional[str]:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    """What the server answers: a status with a JSON or raw body, or a fault."""

    status: int = 200
    json: Any = None
    body: Optional[bytes] = None
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    drop: bool = False  # close the connection without answering
    truncate: bool = False  # announce more bytes than are sent, then close
    trickle: float = 0.0  # seconds to wait between the bytes of the body (sent one by one)

    def encoded(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.json is None and self.status == 204:
            return b""
        return json.dumps(self.json).encode()


Responder = Union[Reply, Callable[[Recorded], Reply]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        recorded = Recorded(
            self.command, parts.path, parse_qs(parts.query, keep_blank_values=True), dict(self.headers), body
        )
        stub = self.server.stub
        reply = stub._reply_for(recorded)
        if reply.delay:  # not time.sleep, which tests replace
            threading.Event().wait(reply.delay)
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return

        payload = reply.encoded()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json"}
        headers.update(reply.headers)
        for name, value in headers.items():
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name in headers):  # a reply may announce its own
            self.send_header("Content-Length", str(len(payload) + (100 if reply.truncate else 0)))
        self.end_headers()
        if reply.trickle:
            self._trickle(payload, reply.trickle)
            return
        self.wfile.write(payload)
        if reply.truncate:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def _trickle(self, payload: bytes, pause: float) -> None:
        """Sends the body one byte at a time, until it is all sent or the client hangs up."""
        self.close_connection = True
        try:
            for index in range(len(payload)):
                self.wfile.write(payload[index : index + 1])
                self.wfile.flush()
                threading.Event().wait(pause)
        except OSError:
            pass

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: StubServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (a timeout test) breaks the pipe: not worth a traceback

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.stub._lock:
            self.stub.connections += 1
        super().process_request(request, client_address)


class StubServer:
    """A real HTTP server whose answers each test scripts.

    ``add("GET", "contacts", Reply(json=...))`` queues an answer for that method and endpoint (a
    path without a slash means ``/api/v2/<name>.json``); the last answer queued for a route is
    repeated once the others are used up. A route answers 500 ``{"detail": "no stub"}`` when
    nothing was queued for it.
    """

    token = "s3cr3t-t0ken-value"

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.stub = self
        self._lock = threading.Lock()
        self._routes: Dict[Tuple[str, str], Deque[Responder]] = defaultdict(deque)
        self.requests: List[Recorded] = []
        self.connections = 0
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return "http://%s:%d" % (host, port)

    def endpoint_url(self, name: str) -> str:
        return "%s/api/v2/%s.json" % (self.url, name)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @staticmethod
    def _path(path: str) -> str:
        return path if path.startswith("/") else "/api/v2/%s.json" % path

    def add(self, method: str, path: str, *replies: Responder) -> None:
        with self._lock:
            self._routes[(method.upper(), self._path(path))].extend(replies)

    def add_json(self, method: str, path: str, data: Any, status: int = 200, **headers: str) -> None:
        self.add(method, path, Reply(status=status, json=data, headers=headers))

    def _reply_for(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            queue = self._routes.get((recorded.method, recorded.path))
            if not queue:
                return Reply(status=500, json={"detail": "no stub for %s %s" % (recorded.method, recorded.path)})
            responder = queue.popleft() if len(queue) > 1 else queue[0]
        return responder(recorded) if callable(responder) else responder

    @property
    def last(self) -> Recorded:
        return self.requests[-1]


def page(results: List[Any], next: Optional[str] = None, previous: Optional[str] = None) -> Dict[str, Any]:
    """A page of results as the API sends it."""
    return {"next": next, "previous": previous, "results": results}
