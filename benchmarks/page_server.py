"""Serves pre-encoded API pages on 127.0.0.1, in a process of its own, counting TCP connections.

``python page_server.py RECORDS`` prints its port, then serves ``/api/v2/<kind>.json?cursor=N`` for
contacts, messages and runs; ``/stats`` answers the connections accepted since the last ``/reset``.
"""

from __future__ import annotations

import json
import sys
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlsplit

from data import KINDS, pages


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/stats":
            self._send(json.dumps({"connections": self.server.connections}).encode())
        elif parts.path == "/reset":
            self.server.connections = 0
            self._send(b"{}")
        else:
            kind = parts.path.rsplit("/", 1)[-1].replace(".json", "")
            cursor = int(parse_qs(parts.query).get("cursor", ["0"])[0])
            self._send(self.server.pages[kind][cursor])

    def _send(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: Dict[str, List[bytes]]
    connections = 0
    lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)


def next_url(root: str, kind: str, cursor: int) -> str:
    """The absolute URL of a page, as the server's ``next`` links are."""
    return "%s/%s.json?cursor=%d" % (root, kind, cursor)


def main() -> None:
    records = int(sys.argv[1])
    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    root = "http://127.0.0.1:%d/api/v2" % port
    server.pages = {kind: pages(kind, records, partial(next_url, root, kind)) for kind in KINDS}
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
