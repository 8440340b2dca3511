# SPDX-License-Identifier: MIT
# Sourced by the service benches: soak.sh and upload_hostile.sh (cebgated
# started on $DB and its memory sampled while the bench runs), service_cpu.sh,
# service_idle.sh and service_threads.sh (cebgated on a copy of a set's registry).
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

# bench_start_set NAME: for the scripts that post a set of bench/service_ingest.sh
# (service_cpu.sh, service_idle.sh, service_threads.sh): cebgated of $BIN on a
# fresh copy of $WORK's registry in a new directory DB, with its defaults (SQLite
# on disk, synchronous=FULL, group commit, every check) plus CEBGATED_ARGS; sets
# DB, pid and port. Needs SRC, WORK, BIN and SET.
bench_start_set() {
	[ -x "$BIN/cebgated" ] && [ -s "$WORK/set-$SET/list" ] ||
		{ echo "$1: run SETS_ONLY=1 bench/service_ingest.sh first (no $WORK/set-$SET)" >&2; exit 2; }
	export LD_LIBRARY_PATH="$BIN" CEBGATE_DATADIR="$SRC"
	DB=$(mktemp -d "$WORK/$1.XXXXXX")
	cp "$WORK/registry.db" "$DB/s.db"
	"$BIN/cebgated" --db "$DB/s.db" --port 0 --port-file "$DB/port" --per-ip-limit 128 \
		--random-rate 0 ${CEBGATED_ARGS:-} 2>"$DB/log" &
	pid=$!
	_i=0
	while [ ! -s "$DB/port" ] && [ $_i -lt 600 ]; do sleep 0.1; _i=$((_i + 1)); done
	port=$(cat "$DB/port")
}
