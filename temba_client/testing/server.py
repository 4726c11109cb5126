"""The HTTP side of the local server: sockets, authentication, throttling, faults and JSON."""

from __future__ import annotations

import email.parser
import html
import json
import secrets
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Set, Tuple
from urllib.parse import parse_qs, urlsplit

from . import api
from .archives import DEFAULT_URL_TTL
from .faults import Fault, FaultInjector
from .filters import ServerBug
from .recording import DEFAULT_KEEP, Callback, Hooks, RecordedRequest, RequestLog
from .store import ApiError, Workspace
from .throttle import Throttle, throttled_detail
from .views import SPECIAL, VIEWS, scope_of, served
from .writes import create_media

SERVER_ERROR = b"Server Error. Site administrators have been notified."
NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <title>Page not found at %s</title>
  <meta name="robots" content="NONE,NOARCHIVE">
</head>
<body>
  <h1>Page not found <span>(404)</span></h1>
  <p>The current path, <code>%s</code>, didn't match any of the URL patterns.</p>
</body>
</html>
"""
API_ROOT = "/api/v2"
SPECIAL_ALLOW = {name: "POST, OPTIONS" if name.endswith("_actions") else "GET, HEAD, OPTIONS" for name in SPECIAL}
VERSIONS = ("26.3", "9")


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
        headers = {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in self.headers.items()}
        record = RecordedRequest(self.command, parts.path, params, headers, raw, endpoint=endpoint)
        owner.requests.append(record)
        try:
            self._route(record, parts.path, params, raw)
        finally:
            if record.status is None:
                record.status = 0

    def _route(self, record: RecordedRequest, path: str, params: Dict[str, List[str]], raw: bytes) -> None:
        owner = self.server.owner
        if self.command == "GET" and path.startswith("/media/"):
            data = owner.workspace.media_bytes.get(path.split("/")[2])
            self._reply(record, 200 if data is not None else 404, data or b"", "application/octet-stream")
            return
        if self.command == "GET" and path.startswith("/storage/archives/"):
            name = path[len("/storage/archives/") :]
            status, data, content_type = owner.workspace.storage.fetch(name, params, self.headers.get("Authorization"))
            self._reply(record, status, data, content_type)
            return
        if path in (API_ROOT, API_ROOT + "/") and self.command == "GET":
            index = {name: "%s%s/%s.json" % (owner.url, API_ROOT, name) for name in owner.endpoints()}
            self._reply(record, 200, json.dumps(index, indent=2).encode(), "application/json")
            return
        listing = self._listing_without_suffix(path)
        if (record.endpoint is None and listing is None) or (
            record.endpoint is not None and not served(record.endpoint, owner.server_version)
        ):
            page = NOT_FOUND_PAGE % (html.escape(path), html.escape(path.lstrip("/")))
            self._reply(record, 404, page.encode(), "text/html; charset=utf-8")
            return

        fault = owner.faults.next_fault(record.endpoint or listing or "")
        if fault is not None and self._inject(fault):
            record.status = fault.status or 0
            return

        extra: Dict[str, str] = {}
        body: Any
        try:
            if listing is not None:  # a list endpoint without .json: no data, as the server does
                self._authenticate()
                status, body = 200, {"next": None, "previous": None, "results": []}
            else:
                assert record.endpoint is not None
                view = VIEWS.get(record.endpoint)
                extra["Allow"] = view.allow if view is not None else SPECIAL_ALLOW.get(record.endpoint, "")
                status, body = self._answer(record.endpoint, path, params, raw)
        except ApiError as error:
            status, body = error.status, error.body
            if status == 429:
                extra["Retry-After"] = str(body.pop("_retry_after"))
        except Exception:  # a bug of the local server, or a request the real one fails on: answer 500
            if owner.verbose and not isinstance(sys.exc_info()[1], ServerBug):
                raise
            self._reply(record, 500, SERVER_ERROR, "text/html")
            return
        if record.endpoint == "workspace":  # the rates it applies, for clients that pace themselves
            extra.update(owner.throttle.policy_headers())
        payload = json.dumps(body).encode() if body is not None else b""
        self._reply(record, status, payload, "application/json", extra)

    def _listing_without_suffix(self, path: str) -> Optional[str]:
        """The endpoint of ``/api/v2/contacts`` (a GET without ``.json``), or None."""
        name = path[len(API_ROOT) + 1 :].rstrip("/") if path.startswith(API_ROOT + "/") else ""
        owner = self.server.owner
        return name if self.command == "GET" and name in VIEWS and served(name, owner.server_version) else None

    def _reply(
        self,
        record: RecordedRequest,
        status: int,
        payload: bytes,
        content_type: str,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        """Runs the after-request hooks, then sends the answer."""
        record.status = status
        owner = self.server.owner
        with owner.workspace.lock:
            owner.hooks.run(record)
        self._send(status, payload, content_type, headers)

    def _answer(self, endpoint: str, path: str, params: Dict[str, List[str]], raw: bytes) -> Tuple[int, Any]:
        owner = self.server.owner
        self._authenticate()
        wait = owner.throttle.wait_needed(scope_of(endpoint, owner.server_version))
        if wait:
            raise ApiError(429, {"detail": throttled_detail(wait), "_retry_after": wait})

        url = "%s%s" % (owner.url, path)
        workspace = owner.workspace
        with workspace.lock:
            try:
                if endpoint == "media" and self.command == "POST":
                    return 201, workspace.render("media", create_media(workspace, self._upload(raw)))
                return api.handle(workspace, self.command, endpoint, params, self._json(raw), url)
            finally:
                if self.command != "GET":
                    workspace.changed()

    def _authenticate(self) -> None:
        """Refuses a request without a valid token, as the server does on every API endpoint."""
        token = self._token()
        if token is None:
            raise ApiError(403, {"detail": "Authentication credentials were not provided."})
        if token not in self.server.owner.tokens:
            raise ApiError(403, {"detail": "Invalid token"})

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
                body = {"detail": throttled_detail(fault.retry_after or 1)}
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
    :param host: the address to listen on
    :param token: the API token to accept (default: a random one)
    :param rates: throttling rates by scope, e.g. ``{"v2.contacts": "10/minute"}`` (default: none);
        scopes ``v2``, ``v2.contacts``, ``v2.messages``, ``v2.runs`` (and ``v2.broadcasts`` on "9")
    :param verbose: log requests and raise the server's own errors instead of answering 500
    :param server_version: ``"26.3"`` (default) or ``"9"``: an older server, with ``classifiers``,
        ``templates`` and ``optins``, without ``statistics`` and the fields and filters new in 26.x
    :param keep_requests: how many recent requests ``requests`` keeps (None: all)
    :param archive_url_ttl: seconds an archive's ``download_url`` stays valid (default 24 hours)
    :param page_size: the most objects per page (default 250, as the real server; smaller pages let a
        test walk many pages over little data)
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
        server_version: str = "26.3",
        keep_requests: Optional[int] = DEFAULT_KEEP,
        archive_url_ttl: float = DEFAULT_URL_TTL,
        page_size: int = 250,
    ) -> None:
        if server_version not in VERSIONS:
            raise ValueError("server_version must be one of %s, not %r" % (", ".join(VERSIONS), server_version))
        self.server_version: str = server_version
        self.token: str = token or secrets.token_hex(20)
        self.tokens: Set[str] = {self.token}
        self.throttle: Throttle = Throttle(rates)
        self.workspace: Workspace = Workspace()
        self.workspace.server_version = server_version
        self.workspace.storage.url_ttl = archive_url_ttl
        if page_size < 1:
            raise ValueError("page_size must be at least 1, not %r" % (page_size,))
        self.workspace.page_size = page_size
        if seed is not None:
            from .seed import populate

            populate(self.workspace, seed)
        self.faults: FaultInjector = FaultInjector()
        self.verbose: bool = verbose
        #: the most recent requests (:class:`~temba_client.testing.recording.RecordedRequest`), oldest first
        self.requests: RequestLog = RequestLog(keep_requests)
        self.hooks: Hooks = Hooks()
        self.connections: int = 0
        self._count_lock = threading.Lock()
        self._host, self._port = host, port
        self._httpd: Optional[_HTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    def after_request(self, callback: Callback, *, endpoint: Optional[str] = None, nth: Optional[int] = None) -> None:
        """Runs ``callback(request)`` after requests are answered, before the answer is sent, e.g. to
        change the data while a client pages through an export::

            server.after_request(lambda request: server.workspace.modify("runs", run_id), endpoint="runs", nth=2)

        :param callback: called with the :class:`~temba_client.testing.recording.RecordedRequest`
        :param endpoint: only requests of this endpoint (e.g. ``"runs"``); None: any request
        :param nth: only the n-th matching request (1 = the first); None: every one
        """
        self.hooks.add(callback, endpoint, nth)

    def endpoints(self) -> List[str]:
        """The endpoints this server version serves, sorted."""
        names = set(VIEWS) | set(SPECIAL)
        return sorted(name for name in names if served(name, self.server_version))

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
        """Starts serving in a background thread; returns the server.

        Raises OSError when the port cannot be bound (e.g. it is taken).
        """
        if self._httpd is None:
            self._httpd = _HTTPServer((self._host, self._port), _Handler)
            self._httpd.owner = self
            self.workspace.storage.base_url = self.url
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
