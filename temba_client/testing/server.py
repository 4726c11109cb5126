"""The HTTP side of the local server: sockets, authentication, throttling, faults and JSON."""

from __future__ import annotations

import email.parser
import json
import math
import secrets
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Deque, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from . import api
from .faults import Fault, FaultInjector
from .store import ApiError, Workspace

SERVER_ERROR = b"Server Error. Site administrators have been notified."
_PERIODS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400}


def parse_rate(rate: str) -> Tuple[int, int]:
    """``"2500/hour"`` → (2500, 3600)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip().lower()]


class Throttle:
    """Requests allowed per scope in a sliding window, as the server's throttling does."""

    def __init__(self, rates: Optional[Dict[str, str]] = None) -> None:
        self.rates = {scope: parse_rate(rate) for scope, rate in (rates or {}).items()}
        self._history: Dict[str, Deque[float]] = {}
        self._lock = threading.Lock()

    def wait_needed(self, scope: str) -> int:
        """0 if a request in ``scope`` may go ahead now (and counts it), else the seconds to wait."""
        if scope not in self.rates:
            return 0
        limit, period = self.rates[scope]
        with self._lock:
            history = self._history.setdefault(scope, deque())
            moment = time.monotonic()
            while history and history[0] <= moment - period:
                history.popleft()
            if len(history) >= limit:
                return max(1, math.ceil(history[0] + period - moment))
            history.append(moment)
            return 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _serve(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=False)
        endpoint = _endpoint_of(parts.path)
        owner.requests.append({"method": self.command, "path": parts.path, "query": params, "body": raw})

        if parts.path.startswith("/media/") and self.command == "GET":
            data = owner.workspace.media_bytes.get(parts.path.split("/")[2])
            self._send(200 if data is not None else 404, data or b"", "application/octet-stream")
            return

        fault = owner.faults.next_fault(endpoint or "")
        if fault is not None and self._inject(fault):
            return

        try:
            status, body = self._answer(endpoint, parts.path, params, raw)
        except ApiError as error:
            status, body = error.status, error.body
        except Exception:  # a bug of the local server: answer as the real one does
            if owner.verbose:
                raise
            self._send(500, SERVER_ERROR, "text/plain")
            return
        headers = {}
        if status == 429:
            headers["Retry-After"] = str(body.pop("_retry_after"))
        payload = json.dumps(body).encode() if body is not None else b""
        self._send(status, payload, "application/json", headers)

    def _answer(self, endpoint: Optional[str], path: str, params: Dict[str, List[str]], raw: bytes) -> Tuple[int, Any]:
        owner = self.server.owner
        if endpoint is None:
            if path.startswith("/api/v2/") and self.command == "GET":
                return 200, {"next": None, "previous": None, "results": []}  # no .json: no data
            raise ApiError(404, {"detail": "Not found."})

        token = self._token()
        if token is None:
            raise ApiError(403, {"detail": "Authentication credentials were not provided."})
        if token not in owner.tokens:
            raise ApiError(403, {"detail": "Invalid token"})

        view = api.VIEWS.get(endpoint)
        wait = owner.throttle.wait_needed(view.scope if view else "v2")
        if wait:
            raise ApiError(
                429, {"detail": "Request was throttled. Expected available in %d seconds." % wait, "_retry_after": wait}
            )

        url = "%s%s" % (owner.url, path)
        workspace = owner.workspace
        with workspace.lock:
            try:
                if endpoint == "media" and self.command == "POST":
                    return 201, workspace.render("media", api.create_media(workspace, self._upload(raw)))
                return api.handle(workspace, self.command, endpoint, params, self._json(raw), url)
            finally:
                if self.command != "GET":
                    workspace.changed()

    def _token(self) -> Optional[str]:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "token" and value.strip() else None

    def _json(self, raw: bytes) -> Any:
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, {"detail": "JSON parse error - Expecting value"}) from None

    def _upload(self, raw: bytes) -> Dict[str, Any]:
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            raise ApiError(400, {"file": ["No file was submitted."]})
        message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        parts: List[Any] = message.get_payload() if message.is_multipart() else []  # type: ignore[assignment]
        for part in parts:
            if part.get_param("name", header="content-disposition") == "file":
                return {
                    "filename": part.get_filename() or "upload",
                    "content_type": part.get_content_type() if part.get("Content-Type") else "",
                    "data": part.get_payload(decode=True) or b"",
                    "base": self.server.owner.url,
                }
        raise ApiError(400, {"file": ["No file was submitted."]})

    def _inject(self, fault: Fault) -> bool:
        """Applies a fault; True when it replaced the answer."""
        if fault.delay:
            threading.Event().wait(fault.delay)
        if fault.drop:
            self._hang_up()
            return True
        if fault.truncate:
            payload = json.dumps({"next": None, "previous": None, "results": [{"uuid": "x" * 200}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self._hang_up()
            return True
        if fault.status is not None or fault.body is not None:
            status = fault.status or 200
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            if fault.body is not None:
                self._send(status, fault.body, "text/html", headers)
            elif status == 500:
                self._send(status, SERVER_ERROR, "text/plain", headers)
            else:
                body = {"detail": "Request was throttled. Expected available in %d seconds." % (fault.retry_after or 1)}
                if status != 429:
                    body = {"detail": "Injected error %d." % status}
                self._send(status, json.dumps(body).encode(), "application/json", headers)
            return True
        return False

    def _hang_up(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, status: int, payload: bytes, content_type: str, headers: Optional[Dict[str, str]] = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _endpoint_of(path: str) -> Optional[str]:
    """``/api/v2/contacts.json`` → ``contacts``; anything else → None."""
    if path.startswith("/api/v2/") and path.endswith(".json"):
        return path[len("/api/v2/") : -len(".json")]
    return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LocalRapidProServer

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.owner._count_lock:
            self.owner.connections += 1
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.owner.verbose:
            super().handle_error(request, client_address)


class LocalRapidProServer:
    """A RapidPro API v2 server on 127.0.0.1, with in-memory data, for tests and demos.

    ::

        with LocalRapidProServer(seed=100) as server:
            client = TembaClient(server.url, server.token)
            print(client.get_contacts().first())

    :param seed: the size of the generated workspace (about that many contacts), or None for an
        empty one; the same number always gives the same data
    :param port: the port to listen on (0: any free port)
    :param token: the API token to accept (default: a random one)
    :param rates: throttling rates by scope, e.g. ``{"v2.contacts": "10/minute"}`` (default: none)
    :param verbose: log requests and raise the server's own errors instead of answering 500
    """

    def __init__(
        self,
        seed: Optional[int] = 100,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        token: Optional[str] = None,
        rates: Optional[Dict[str, str]] = None,
        verbose: bool = False,
    ) -> None:
        self.token = token or secrets.token_hex(20)
        self.tokens = {self.token}
        self.workspace = Workspace()
        if seed is not None:
            from .seed import populate

            populate(self.workspace, seed)
        self.faults = FaultInjector()
        self.throttle = Throttle(rates)
        self.verbose = verbose
        self.requests: List[Dict[str, Any]] = []
        self.connections = 0
        self._count_lock = threading.Lock()
        self._host, self._port = host, port
        self._httpd: Optional[_HTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """The server's base URL, e.g. ``http://127.0.0.1:54321`` (the client appends ``/api/v2``)."""
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        host, port = self._httpd.server_address[:2]
        return "http://%s:%d" % (str(host), port)

    @property
    def api_url(self) -> str:
        """The root of the API, e.g. ``http://127.0.0.1:54321/api/v2``."""
        return self.url + "/api/v2"

    def start(self) -> LocalRapidProServer:
        """Starts serving in a background thread; returns the server."""
        if self._httpd is None:
            self._httpd = _HTTPServer((self._host, self._port), _Handler)
            self._httpd.owner = self
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving and closes the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def serve_forever(self) -> None:
        """Serves in the calling thread until interrupted."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> LocalRapidProServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self._httpd else "stopped"
        return "<LocalRapidProServer %s>" % state
