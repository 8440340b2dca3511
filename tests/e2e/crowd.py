# SPDX-License-Identifier: MIT
"""A crowd of slow clients against cebgated, for the connection-limit tests and
bench/slow_crowd.sh:

    python3 crowd.py PORT ADDRESSES PER-ADDRESS MODE DIR [X-FORWARDED-FOR]

ADDRESSES is one loopback address or a range (127.0.0.10-29); from each, in
turn, PER-ADDRESS connections are opened, one after the other. MODE:

  header  sends a request's headers one byte at a time and never ends them
  body    sends whole headers (POST, Content-Length: 60000, Expect: 100-continue)
          and drips the body; the next connection opens once the server has
          said "100 Continue" (it holds a request under way) or closed this one
  idle    sends nothing

Every 0.1 s each open connection is checked for its end (the server closed
it) and, every second, gets one more byte. After each pass DIR/state is
rewritten (atomically) as "passes=N open=N closed=N answered=N": a test
reads it back to know what the crowd sees. The crowd stops when DIR/stop
appears (or after 300 s, a guard), then prints one line per connection:
"ADDRESS closed after N bytes", "ADDRESS answered after N bytes" or
"ADDRESS open after N bytes"; in body mode, an answer instead of "100
Continue" is printed at once ("ADDRESS answered: HEAD" with its header lines)."""
import os
import socket
import sys
import time

port, spec, per, mode, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
xff = sys.argv[6] if len(sys.argv) > 6 else None


def addresses(s):
    head, _, last = s.rpartition(".")
    if "-" not in last:
        return [s]
    lo, hi = last.split("-")
    return ["%s.%d" % (head, i) for i in range(int(lo), int(hi) + 1)]


if mode == "body":
    first = b"POST /api/v1/submissions HTTP/1.1\r\nHost: cebgate\r\nContent-Type: application/xml\r\n"
    if xff:
        first += b"X-Forwarded-For: " + xff.encode() + b"\r\n"
    first += b"Expect: 100-continue\r\nContent-Length: 60000\r\n\r\n"
    drip = b"x"
elif mode == "header":
    first = b"GET /healthz HTTP/1.1\r\nHost: cebgate\r\nX-Slow: "
    drip = b"x"
else:
    first, drip = b"", b""

def continued(s):
    """The server's first answer: "continue", "closed", or the head of its answer."""
    s.settimeout(60)
    got = b""
    while b"\r\n\r\n" not in got:
        data = s.recv(4096)
        if not data:
            return "closed"
        got += data
    if got.startswith(b"HTTP/1.1 100"):
        return "continue"
    return " ".join(got.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n"))


conns = []  # [address, socket, bytes sent, state]
for addr in addresses(spec):
    for _ in range(per):
        s = socket.socket()
        s.bind((addr, 0))
        s.connect(("127.0.0.1", port))
        state, head = "open", ""
        try:
            if first:
                s.sendall(first)
            if mode == "body":
                head = continued(s)
                if head != "continue":
                    state = "closed" if head == "closed" else "answered"
        except OSError:
            state = "closed"
        s.setblocking(False)
        conns.append([addr, s, len(first), state])
        if state == "answered":
            print("%s answered: %s" % (addr, head), flush=True)


def write_state(passes):
    counts = {"open": 0, "closed": 0, "answered": 0}
    for c in conns:
        counts[c[3]] += 1
    tmp = os.path.join(out, "state.tmp")
    with open(tmp, "w") as f:
        f.write("passes=%d open=%d closed=%d answered=%d\n" % (passes, counts["open"], counts["closed"],
                                                            counts["answered"]))
    os.rename(tmp, os.path.join(out, "state"))


passes = 0
end = time.time() + 300
next_drip = time.time() + 1
while time.time() < end and not os.path.exists(os.path.join(out, "stop")):
    dripping = time.time() >= next_drip
    for c in conns:
        if c[3] != "open":
            continue
        try:
            data = c[1].recv(4096)
            c[3] = "answered" if data else "closed"
            continue
        except BlockingIOError:
            pass
        except OSError:
            c[3] = "closed"
            continue
        if dripping and drip:
            try:
                c[1].send(drip)
                c[2] += 1
            except BlockingIOError:
                pass
            except OSError:
                c[3] = "closed"
    if dripping:
        next_drip = time.time() + 1
    passes += 1
    write_state(passes)
    time.sleep(0.1)
for addr, s, sent, state in conns:
    print("%s %s after %d bytes" % (addr, state, sent))
    s.close()
