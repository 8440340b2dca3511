# SPDX-License-Identifier: MIT
"""Run a command under the hostile-input limits of cebgate (issue 8: an answer
within 2 s and 256 MiB):  python3 guard.py SECONDS MIB CMD [ARG...]

Exit status: the command's own; 124 when it ran past SECONDS (it is killed);
125 when its peak resident memory passed MIB (told on stderr). With a
sanitizer or valgrind build the limits are scaled by the caller."""
import os
import resource
import signal
import subprocess
import sys

secs, mib = float(sys.argv[1]), int(sys.argv[2])
p = subprocess.Popen(sys.argv[3:])
try:
    rc = p.wait(timeout=secs)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    sys.stderr.write("guard: still running after %g s: killed\n" % secs)
    sys.exit(124)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
if peak > mib:
    sys.stderr.write("guard: peak RSS %d MiB, over %d MiB\n" % (peak, mib))
    sys.exit(125)
if rc < 0:
    sys.exit(128 - rc)
sys.exit(rc)
