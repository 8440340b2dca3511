# SPDX-License-Identifier: MIT
# Sourced by the service benches (soak.sh, upload_hostile.sh): cebgated started
# on $DB and its memory sampled while the bench runs.
# shellcheck shell=sh

# bench_start_cebgated: cebgated on $DB with its defaults and no random
# selection, its log in $WORK/cebgated.log; sets pid, port and URL, and
# stops it when the bench exits.
bench_start_cebgated() {
	rm -f "$WORK/port"
	"$top_builddir/src/server/cebgated" --db "$DB" --port 0 --port-file "$WORK/port" --random-rate 0 \
		2>"$WORK/cebgated.log" &
	pid=$!
	trap 'kill "$pid" 2>/dev/null || true' EXIT INT TERM
	_i=0
	while [ ! -s "$WORK/port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	port=$(cat "$WORK/port")
	URL=http://127.0.0.1:$port
}

# bench_sample EVERY: until $end, every EVERY seconds, a line "time RSS-KiB open-fds"
# of cebgated in $WORK/rss.tsv (in the background; sets mon).
bench_sample() {
	(
		while [ "$(date +%s)" -lt "$end" ] && kill -0 "$pid" 2>/dev/null; do
			printf '%s\t%s\t%s\n' "$(date +%s)" "$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")" \
				"$(ls "/proc/$pid/fd" | wc -l)"
			sleep "$1"
		done
	) >"$WORK/rss.tsv" &
	mon=$!
}
