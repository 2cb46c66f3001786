#!/usr/bin/env python3
"""Upload sink for bench/stream.sh: reads each request body in 1 MiB chunks (Content-Length or
chunked), discards it, and answers with the number of body bytes it read. GET answers "ok".

usage: upload_sink.py PORT [HOST]
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 20


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep quiet; errors still go to stderr via log_error
        pass

    def _read_exact(self, buf, remaining):
        view = memoryview(buf)
        total = 0
        while remaining > 0:
            n = self.rfile.readinto(view[: min(remaining, len(buf))])
            if not n:
                raise ConnectionError(f"body ended early, {remaining} bytes missing")
            total += n
            remaining -= n
        return total

    def _read_body(self):
        buf = bytearray(CHUNK)
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            total = 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("connection closed inside chunked body")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return total, "chunked"
                total += self._read_exact(buf, size)
                if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                    raise ValueError("missing CRLF after chunk")
        length = int(self.headers.get("Content-Length") or 0)
        return self._read_exact(buf, length), "content-length"

    def _reply(self, code, text, extra=()):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _upload(self):
        try:
            count, framing = self._read_body()
        except Exception as e:  # noqa: BLE001 - report anything to the client and stderr
            self.log_error("upload failed: %s", e)
            self.close_connection = True
            self._reply(400, f"error {e}\n")
            return
        self._reply(200, f"{count}\n", [("X-Body-Framing", framing)])

    do_PUT = _upload
    do_POST = _upload

    def do_GET(self):
        self._reply(200, "ok\n")


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer((host, port), Sink).serve_forever()


if __name__ == "__main__":
    main()
