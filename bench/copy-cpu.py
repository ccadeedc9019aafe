#!/usr/bin/env python3
"""CPU time of `linksmith copy` for two or more binaries, alternately, on one tree.

    bench/copy-cpu.py SRC DST ROUNDS BINARY...

Copies SRC to DST (removed before each run and at the end) with each binary in turn, the order reversed every
round (ABBA), after one warm-up run each, and prints per binary the medians of CPU time (user +
sys, from the child's rusage), user, sys and wall time, and the CPU ratio to the first binary.
CPU time moves less than wall time when other work shares the machine, so it is the figure for a
busy machine. Put DST on the file system to measure (the destination's file system is part of
what is measured: on ext4 without the orphan_file feature an unnamed new file costs more).
"""
import os
import statistics
import subprocess
import sys
import time

src, dst, rounds, binaries = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
env = dict(os.environ, LINKSMITH_STATE_DIR=dst + ".state")
runs = {binary: [] for binary in binaries}


def run(binary):
    subprocess.run(["rm", "-rf", dst], check=True)
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    child = subprocess.Popen([binary, "copy", src, dst], stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.exit(f"{binary} copy exited with status {status}")
    return usage.ru_utime + usage.ru_stime, usage.ru_utime, usage.ru_stime, time.perf_counter() - start


for binary in binaries:
    run(binary)
for i in range(rounds):
    for binary in binaries if i % 2 == 0 else binaries[::-1]:
        runs[binary].append(run(binary))
subprocess.run(["rm", "-rf", dst, dst + ".state"], check=True)

base = statistics.median(r[0] for r in runs[binaries[0]])
for binary in binaries:
    cpu, user, system, wall = (statistics.median(r[k] for r in runs[binary]) for k in range(4))
    print(f"{binary}: cpu {cpu:.3f} s (user {user:.3f}, sys {system:.3f}), wall {wall:.3f} s, cpu ratio {cpu / base:.3f}")
