#!/usr/bin/env python3
"""Summarises a `perf script` of sched:sched_switch events on one core for bench/sched.sh: for each task, how many
times it ran, for how long in all, and how long one run lasted (median, p99, longest); then every run longer than
LONG_MS. A proxy's tail latency follows from how long its event loop runs before the other tasks on the core (the
origin) get a turn, and from what else takes the core.

Usage: sched.py SWITCHES.txt [LONG_MS]"""
import collections
import re
import sys

path = sys.argv[1]
long_ms = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0

SWITCH = re.compile(r"\s*([\d.]+):\s+sched:sched_switch:\s+prev_comm=(.*?) prev_pid=\d+.*?prev_state=(\S+)"
                    r" ==> next_comm=(.*?) next_pid=\d+")

runs = []  # (start s, length s, task, state it left in: R = preempted, S/D = went to sleep)
current = None
for line in open(path):
    m = SWITCH.match(line)
    if not m:
        continue
    t, prev, state, nxt = float(m.group(1)), m.group(2), m.group(3), m.group(4)
    if current is not None:
        runs.append((current[0], t - current[0], current[1], state))
    current = (t, nxt)

if not runs:
    sys.exit("no sched_switch events in " + path)


def task(name):  # the idle task is one per CPU; threads keep their names
    return "<idle>" if name.startswith("swapper") else name


span = runs[-1][0] + runs[-1][1] - runs[0][0]
by_task = collections.defaultdict(list)
for run in runs:
    by_task[task(run[2])].append(run[1] * 1000)

print(f"{span:.2f} s of core time, {len(runs)} runs")
print(f"{'task':28s} {'runs':>7s} {'ms/s':>7s} {'run p50 ms':>11s} {'p99 ms':>8s} {'max ms':>8s}")
for name, lengths in sorted(by_task.items(), key=lambda item: -sum(item[1])):
    total = sum(lengths)
    if total / span < 1.0:  # under a millisecond a second: not worth a line
        continue
    lengths.sort()
    print(f"{name[:28]:28s} {len(lengths):7d} {total / span:7.1f} {lengths[len(lengths) // 2]:11.3f} "
          f"{lengths[int(len(lengths) * 0.99)]:8.3f} {lengths[-1]:8.3f}")

print(f"runs longer than {long_ms:g} ms (start s, ms, task, left as):")
for start, length, name, state in runs:
    if length * 1000 > long_ms:
        print(f"  {start:.3f} {length * 1000:7.2f} {task(name)} {state}")
