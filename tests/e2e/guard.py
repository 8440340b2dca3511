# SPDX-License-Identifier: MIT
"""Run a command under the hostile-input limits of cebgate (issue 8: an answer
within 2 s and 256 MiB):  python3 guard.py SECONDS MIB CMD [ARG...]

SECONDS is CPU time (user + system), not time on the clock: the tests run on
a loaded 2-core machine, where the clock says more about the neighbours than
about cebgate. A command that waits instead of working (a network read, a
lock) is caught by the clock after 30 x SECONDS (at least 60 s).

Exit status: the command's own; 124 when it used more than SECONDS of CPU or
ran past the clock's limit (it is killed); 125 when its peak resident memory
passed MIB (told on stderr). With a sanitizer or valgrind build the limits are
scaled by the caller."""
import math
import resource
import subprocess
import sys

secs, mib = float(sys.argv[1]), int(sys.argv[2])
wall = max(60.0, 30 * secs)


def cpu_limit():
    # The kernel stops a command that keeps working past the limit (SIGXCPU, then SIGKILL).
    n = math.ceil(secs) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (n, n + 1))


p = subprocess.Popen(sys.argv[3:], preexec_fn=cpu_limit)
try:
    rc = p.wait(timeout=wall)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    sys.stderr.write("guard: still running after %g s on the clock: killed\n" % wall)
    sys.exit(124)
use = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = use.ru_utime + use.ru_stime
if cpu > secs:
    sys.stderr.write("guard: %.2f s of CPU, over %g s\n" % (cpu, secs))
    sys.exit(124)
peak = use.ru_maxrss // 1024
if peak > mib:
    sys.stderr.write("guard: peak RSS %d MiB, over %d MiB\n" % (peak, mib))
    sys.exit(125)
if rc < 0:
    sys.exit(128 - rc)
sys.exit(rc)
