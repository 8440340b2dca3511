# SPDX-License-Identifier: MIT
# Sourced by the hostile-input tests: start_listener starts a loopback TCP listener on an
# ephemeral port that appends a line to $tmp/hits for every connection, and sets `port`
# and `listener` (its pid; the caller's cleanup kills it). Needs `tmp` and python3.
# shellcheck shell=sh

start_listener() {
	python3 - "$tmp/port" "$tmp/hits" >/dev/null 2>"$tmp/listener.err" <<'PY' &
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
s.settimeout(0.2)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
end = time.time() + 300  # never outlive a forgotten test run for long
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
PY
	listener=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ "$i" -lt 200 ]; do
		sleep 0.05 2>/dev/null || sleep 1
		i=$((i + 1))
	done
	if [ ! -s "$tmp/port" ]; then
		echo "Bail out! loopback listener did not start"
		exit 1
	fi
	port=$(cat "$tmp/port")
}
