# SPDX-License-Identifier: MIT
"""Clients that hold connections to cebgated, for tests/e2e/service_limits.sh:

    python3 slowclient.py drip|idle PORT SOURCE-ADDRESS COUNT READY-FILE

opens COUNT connections from SOURCE-ADDRESS (any 127.x.y.z is local), creates
READY-FILE once all are open, then either drips a 200-byte request one byte a
second on each (drip) or sends nothing (idle), until the server has closed
every connection (or 120 s pass). Prints one line per connection:
"closed after N of 200 bytes at T" (T: the Unix time it was seen closed) or
"still open after 120 s"."""
import os
import socket
import sys
import time

mode, port, src, count, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
req = b"POST /api/v1/submissions HTTP/1.1\r\nHost: cebgate\r\nContent-Length: 10\r\nX-Slow: " + b"x" * 200
req = req[:200]
conns = []
for _ in range(count):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    conns.append([s, 0, None])  # socket, bytes sent, time it was seen closed
open(ready, "w").close()
end = time.time() + 120
while time.time() < end and any(c[2] is None for c in conns):
    for c in conns:
        if c[2] is not None:
            continue
        s = c[0]
        try:
            if s.recv(4096) == b"":
                c[2] = time.time()
                continue
        except BlockingIOError:
            pass
        except OSError:
            c[2] = time.time()
            continue
        if mode == "drip" and c[1] < len(req):
            try:
                s.send(req[c[1]:c[1] + 1])
                c[1] += 1
            except OSError:
                c[2] = time.time()
    time.sleep(1 if mode == "drip" else 0.1)
for s, sent, closed in conns:
    print("closed after %d of %d bytes at %.3f" % (sent, len(req), closed) if closed else "still open after 120 s")
    s.close()
