#!/usr/bin/env python3
"""How much of a download piles up between a backend and a slow client (bench/README.md, seventeenth pass).

Usage: bench/slow_reader.py CARAVAN_PORT BACKEND_PORT
Starts a backend on 127.0.0.1:BACKEND_PORT that answers every request with 256 MiB as fast as it can write; start
Caravan first with a route that forwards everything to it. A client then asks Caravan for it three times and reads 64
KiB every 60 ms (about 1 MiB/s) for 5 s; printed is, per try, the most bytes the backend had sent that the client had
not yet read: kernel buffers on both connections plus what Caravan holds. Compare two Caravan settings with it.
"""
import socket
import sys
import threading
import time

caravan_port, backend_port = int(sys.argv[1]), int(sys.argv[2])
sent = [0]


def backend():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', backend_port))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        conn.recv(65536)
        total = 256 << 20
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % total)
        chunk = b"x" * 65536
        conn.settimeout(5)
        try:
            while sent[0] < total:
                sent[0] += conn.send(chunk)
        except OSError:
            pass  # the client went away, or stopped reading for 5 s


threading.Thread(target=backend, daemon=True).start()
time.sleep(0.5)
worst_per_try = []
for _ in range(3):
    sent[0] = 0
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    client.connect(('127.0.0.1', caravan_port))
    client.sendall(b"GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
    received, worst = 0, 0
    end = time.time() + 5
    while time.time() < end:
        received += len(client.recv(65536))
        worst = max(worst, sent[0] - received)
        time.sleep(0.06)
    worst_per_try.append(worst)
    client.close()
    time.sleep(6)
print("most bytes between backend and slow client (MiB):", [round(w / 2 ** 20, 2) for w in worst_per_try])
