#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cebgated's CPU samples per phase of a submission and per kind of thread, from perf.

    perf script -F tid,comm,ip,sym -i perf.data | perf_phases.py [CPU_MS_PER_MSG]

The phases are those of callgrind_phases.py (the same names, so the two tables
compare). Each sample goes to the innermost phase function on its call stack
(leaf first, inlined frames count), and to its thread's kind: a check worker
(worker_main on the stack), the group commit's writer (writer_main), a
libmicrohttpd pool thread (MHD-worker), or the main thread and the rest. With
the CPU milliseconds per message of the same run (bench/service_cpu.sh), each
share is also given in microseconds per message.
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind_phases import OTHER, PHASES  # noqa: E402

KINDS = ["check workers", "writer", "HTTP threads", "main and other"]


def kind_of(comm, frames):
    if "worker_main" in frames:
        return KINDS[0]
    if "writer_main" in frames:
        return KINDS[1]
    if comm.startswith("MHD"):
        return KINDS[2]
    return KINDS[3]


def phase_of(frames):
    for f in frames:
        for name, funcs in PHASES:
            if f in funcs:
                return name
    return OTHER


def main():
    cpu_ms = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    counts = collections.Counter()
    comm, frames = "", []
    total = 0

    def flush():
        nonlocal total
        if frames:
            counts[(phase_of(frames), kind_of(comm, frames))] += 1
            total += 1
        frames.clear()

    for line in sys.stdin:
        s = line.strip()
        if not s:
            flush()
            continue
        if not line.startswith(("\t", " ")):
            flush()
            comm = s.split()[0]
            continue
        parts = s.split(None, 1)
        if len(parts) == 2:
            sym = parts[1].rsplit(" (", 1)[0].split("+0x")[0].replace(" (inlined)", "")
            frames.append(sym)
    flush()
    if total == 0:
        sys.exit("perf_phases.py: no samples")
    unit = "us/msg" if cpu_ms else "%"

    def cell(n):
        return "%.0f" % (n / total * cpu_ms * 1000) if cpu_ms else "%.1f" % (100 * n / total)

    print("| phase (%s of cebgated's samples) | %s | all |" % (unit, " | ".join(KINDS)))
    print("|---|" + "---:|" * (len(KINDS) + 1))
    for p in [p for p, _ in PHASES] + [OTHER]:
        row = [counts[(p, k)] for k in KINDS]
        if sum(row):
            print("| %s | %s | %s |" % (p, " | ".join(cell(n) for n in row), cell(sum(row))))
    col = [sum(counts[(p, k)] for p, _ in PHASES + [(OTHER, None)]) for k in KINDS]
    print("| **total** (%d samples) | %s | %s |" % (total, " | ".join(cell(n) for n in col), cell(total)))


if __name__ == "__main__":
    main()
