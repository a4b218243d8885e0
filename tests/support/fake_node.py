"""'JSON-RPC nodes' on 127.0.0.1 that give one fixed answer to every request, or one without
end: for tests of what the wallet does with a hostile or broken node's answers."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def answering(body: bytes, *, endless: bool = False) -> Iterator[str]:
    """The URL of a server that answers every GET and POST with `body` (or, `endless`, with
    `body` and then spaces until the client hangs up), for the `with` block: a node, or a
    relayer."""

    class Node(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if not endless:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            try:
                while endless:
                    self.wfile.write(b" " * (1 << 20))
            except OSError:  # the client hung up
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Node)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
