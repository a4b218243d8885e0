"""A logging JSON-RPC proxy: what a node operator sees of a command.

`logging_proxy(upstream)` starts a small threaded HTTP server on 127.0.0.1 that forwards
every POST body unchanged to `upstream` (e.g. anvil) and returns its answer, recording each
request. Point a command at `proxy.url` with `--rpc-url` and inspect `proxy.requests` (the
JSON-RPC calls, batches flattened) for what it told the node.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoggingProxy:
    url: str
    bodies: list[bytes] = field(default_factory=list)
    """Every request body, as received."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every JSON-RPC call received ({"method", "params", ...}), batches flattened."""
        out: list[dict[str, Any]] = []
        with self.lock:
            bodies = list(self.bodies)
        for body in bodies:
            data = json.loads(body)
            out.extend(data if isinstance(data, list) else [data])
        return out

    def clear(self) -> None:
        with self.lock:
            self.bodies.clear()


@contextmanager
def logging_proxy(upstream: str) -> Iterator[LoggingProxy]:
    """A proxy to the JSON-RPC node at `upstream`, stopped on exit."""
    proxy = LoggingProxy("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with proxy.lock:
                proxy.bodies.append(body)
            request = urllib.request.Request(
                upstream, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            with urllib.request.urlopen(request, timeout=120) as answer:
                status, payload = answer.status, answer.read()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
