#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An enterprise's webhook endpoint for tests/e2e/webhooks.sh: HTTPS on a free
port of 127.0.0.1 (written to DIR/port), checking each delivery's signature
with the secret in DIR/secret as docs/webhooks.md says, and answering as
DIR/mode says at that moment:

  ok          200
  fail        500
  hold        wait until DIR/release exists, then answer as the mode says then
  holdnth C M hold the delivery of the M-th receipt after cursor C; answer the others 200
  slow        answer 200 after 3 seconds (longer than the test's timeout)

One line per request in DIR/log: "cursor=N sig=ok|bad answer=CODE|gone";
"hold N" when a delivery is held. The last delivery's body and headers are
kept in DIR/last.body and DIR/last.headers."""
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import threading
import time

DIR = sys.argv[1]
LOCK = threading.Lock()
SEEN = {}  # per holdnth mode: the cursors after C seen so far, in order


def read(name, default=""):
    try:
        with open(os.path.join(DIR, name), encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return default


def log(line):
    with LOCK, open(os.path.join(DIR, "log"), "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()


def signature_ok(secret, headers, body):
    """The recipe of docs/webhooks.md: HMAC-SHA256 of "TIMESTAMP.BODY", fresh timestamp."""
    ts = headers.get("Cebgate-Timestamp", "")
    sig = headers.get("Cebgate-Signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return False
    mac = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("v1=" + mac, sig)


def held(mode, cursor):
    """Whether this delivery is the one the mode holds."""
    if mode[0] == "hold":
        return True
    if mode[0] != "holdnth" or cursor <= int(mode[1]):
        return False
    with LOCK:
        seen = SEEN.setdefault(" ".join(mode), [])
        if cursor not in seen:
            seen.append(cursor)
        return len(seen) == int(mode[2]) and seen[-1] == cursor


def wait_release(limit=120):
    end = time.monotonic() + limit
    while not os.path.exists(os.path.join(DIR, "release")) and time.monotonic() < end:
        time.sleep(0.05)


class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        try:
            cursor = json.loads(body)["receipt"]["cursor"]
        except (ValueError, KeyError, TypeError):
            cursor = -1
        ok = signature_ok(read("secret"), self.headers, body)
        with LOCK:
            with open(os.path.join(DIR, "last.body"), "wb") as f:
                f.write(body)
            with open(os.path.join(DIR, "last.headers"), "w", encoding="utf-8") as f:
                for k in ("Cebgate-Timestamp", "Cebgate-Signature", "Cebgate-Delivery"):
                    f.write("%s: %s\n" % (k, self.headers.get(k, "")))
        mode = read("mode", "ok").split()
        if held(mode, cursor):
            log("hold %s" % cursor)
            wait_release()
            mode = read("mode", "ok").split()
        elif mode[0] == "slow":
            time.sleep(3)
        code = 200
        if not ok:
            code = 401
        elif mode[0] == "fail":
            code = 500
        try:
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            self.wfile.flush()
            answer = str(code)
        except OSError:
            answer = "gone"
        log("cursor=%s sig=%s answer=%s" % (cursor, "ok" if ok else "bad", answer))


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DIR, "server.crt"), os.path.join(DIR, "server.key"))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, os.path.join(DIR, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
