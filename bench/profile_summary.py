#!/usr/bin/env python3
"""Summarises async-profiler collapsed stacks for bench/profile.sh: CPU per request, the share of each layer
(each sample goes to the innermost frame that belongs to a known layer, so time in JDK collections counts for
the layer that called them), and the hottest Caravan and Camel methods including their callees.

Usage: profile_summary.py CPU.collapsed REQ_PER_SEC SECONDS [INTERVAL_US] [CPU_US_PER_REQUEST]

With CPU_US_PER_REQUEST (measured from /proc), the per-layer figures are scaled to it: sampling timers can fire
less often than asked, so the samples give the split and /proc the total."""
import collections
import sys

path, rps, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
interval_us = float(sys.argv[4]) if len(sys.argv) > 4 else 1000.0
measured_us = float(sys.argv[5]) if len(sys.argv) > 5 else None

SYSCALLS = ("writev", "write", "read", "recv", "recvfrom", "sendto", "epoll_wait", "epoll_pwait",
            "epoll_pwait2", "epoll_ctl", "accept4", "close", "futex", "__futex", "syscall")
LAYERS = [  # innermost match wins; order only breaks ties inside one frame
    ("Caravan: wire<->Camel binding", ("dev/caravan/http/HttpBinding", "dev/caravan/http/HeaderMap",
                                       "dev/caravan/http/MessageHeaders")),
    ("Caravan: forwarder", ("dev/caravan/forward/",)),
    ("Caravan: listener", ("dev/caravan/listen/",)),
    ("Caravan: request context/log", ("dev/caravan/http/",)),
    ("Caravan: balancing/health", ("dev/caravan/balance/", "dev/caravan/health/")),
    ("Caravan: other", ("dev/caravan/",)),
    ("Camel engine", ("org/apache/camel/",)),
    ("Netty HTTP codec", ("io/netty/handler/codec/",)),
    ("Netty TLS", ("io/netty/handler/ssl/",)),
    ("Netty transport/buffers", ("io/netty/",)),
    ("logging", ("ch/qos/", "org/slf4j/")),
]

total = 0
by_layer = collections.Counter()
inclusive = collections.Counter()
for line in open(path):
    stack, _, n = line.rstrip("\n").rpartition(" ")
    n = int(n)
    frames = stack.split(";")
    total += n
    root, leaf = frames[0], frames[-1]
    if "GCTaskThread" in stack or "G1" in root or "GangWorker" in stack or "WorkerThread::run" in stack \
            and "ConcurrentGC" in stack:
        layer = "JVM: GC"
    elif "CompileBroker" in stack or "C2Compiler" in stack or "C1Compiler" in stack:
        layer = "JVM: JIT compiler"
    elif leaf.startswith(SYSCALLS) or leaf.endswith("_[k]"):
        layer = "kernel: syscalls"
    else:
        layer = None
        for frame in reversed(frames):
            for name, prefixes in LAYERS:
                if frame.startswith(prefixes):
                    layer = name
                    break
            if layer:
                break
        layer = layer or ("JDK/JVM other" if root.startswith(("java/", "start_thread", "thread_native")) else "other")
    by_layer[layer] += n
    for frame in set(frames):
        if frame.startswith(("dev/caravan/", "org/apache/camel/")):
            inclusive[frame] += n

if total == 0:
    print("no samples")
    sys.exit(0)
per_request = total * interval_us / (rps * seconds) if rps > 0 else float("nan")
print(f"samples: {total} ({interval_us:.0f} us each); CPU per request from the samples: {per_request:.1f} us")
if measured_us is not None:
    print(f"per-layer figures scaled to the measured {measured_us:.1f} us per request")
    per_request = measured_us
print("share of CPU by layer (innermost known frame):")
for name, n in by_layer.most_common():
    print(f"  {100.0 * n / total:5.1f}%  {per_request * n / total:6.2f} us/req  {name}")
print("hottest Caravan/Camel methods, including callees:")
for frame, n in inclusive.most_common(25):
    print(f"  {100.0 * n / total:5.1f}%  {frame[:140]}")
