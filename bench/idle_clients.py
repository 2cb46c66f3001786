#!/usr/bin/env python3
"""Holds COUNT keep-alive HTTP/1.1 connections to HOST:PORT, mostly idle: each sends a GET, reads the answer, then
waits INTERVAL seconds (jittered) before the next one, so no keep-alive timeout closes it. Prints 'open N' once all
are open (and 'failed N' for those that could not be), then runs until SIGTERM and prints what it saw."""
import asyncio, random, signal, sys

host, port, count, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
stats = {"open": 0, "requests": 0, "errors": 0, "closed": 0}


async def one_request(reader, writer):
    writer.write(f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    if not head.startswith(b"HTTP/1.1 200"):
        stats["errors"] += 1
    stats["requests"] += 1


async def client(opened):
    try:
        reader, writer = await asyncio.open_connection(host, port)
        await one_request(reader, writer)
    except Exception:
        stats["errors"] += 1
        opened.release()
        return
    stats["open"] += 1
    opened.release()
    try:
        while True:
            await asyncio.sleep(interval * random.uniform(0.5, 1.0))
            await one_request(reader, writer)
    except asyncio.CancelledError:
        writer.close()
    except Exception:
        stats["closed"] += 1


async def main():
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    opened = asyncio.Semaphore(0)
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(client(opened)))
        if i % 200 == 199:  # in batches, so the listen backlog never overflows
            for _ in range(200):
                await opened.acquire()
    for _ in range(count % 200):
        await opened.acquire()
    print(f"open {stats['open']} failed {count - stats['open']}", flush=True)
    await stop.wait()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"requests {stats['requests']} errors {stats['errors']} closed-by-peer {stats['closed']}", flush=True)


asyncio.run(main())
