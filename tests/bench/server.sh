# shellcheck shell=bash
# tests/bench/server.sh - the server section of the benchmark: requests/s
# of 64-byte request/reply through udg-listen -e, -e -j 8 and -E, socat's
# forking server and a raw C echo server, all measured by one C client
# (tests/bench/reqrep), with one request in flight and with 8 clients.
#
# Sourced by scripts/bench, or run as a script with the same arguments:
#
#   bench_server BUILD SCRATCH [ROUNDS [SECONDS]]
#
# BUILD is a build tree where "make bench-progs" has run (it needs
# src/udg-listen and tests/bench/reqrep), SCRATCH an existing directory
# with a short path (sockets go there), ROUNDS the rounds of every figure
# (default 3), SECONDS how long each figure is measured (default 1).
# Socat is measured when it is installed.  It prints the section on
# standard output: a heading, then rows in the shape of scripts/bench's
# table (label, median, unit, median ratio [min - max] over the rounds,
# target with PASS/MISS), the listener's peak RSS, and notes; progress goes
# to standard error.  It returns 1 when a program fails or a reply is
# wrong or missing, 0 otherwise: a missed target is reported, never fatal,
# and so is a peer's failure (socat's forking server can lose a reply to
# a race of its own), which is said under its rows.
# Its own helpers and variables all begin with bs_.

# bs_real FILE: FILE, or the program behind a libtool wrapper (and then
# bs_libpath is set so that it finds libudg).
bs_real() {
	local f=$1
	if grep -q 'temporary wrapper script' "$f" 2>/dev/null; then
		bs_libpath=$(dirname "$f")/.libs
		f=$(dirname "$f")/.libs/$(basename "$f")
	fi
	[ -x "$f" ] || { echo "bench_server: $f is not built" >&2; return 1; }
	printf '%s\n' "$f"
}

# bs_wait_sock PID PATH: until PID has bound PATH (10 s at most).
bs_wait_sock() {
	local i
	for ((i = 0; i < 1000; i++)); do
		[ -S "$2" ] && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.01
	done
	echo "bench_server: the server for $2 did not start" >&2
	return 1
}

# bs_stop PID: SIGTERM our background server, wait for it.
bs_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# bs_measure NAME SERVER...: start SERVER on $bs_sock, measure with 1 and
# with 8 clients, append requests/s to $bs_res/NAME.1 and NAME.8 and the
# server's peak RSS (KiB, /proc VmHWM) to $bs_res/NAME.rss.
bs_measure() {
	local name=$1 pid r c r1
	shift
	rm -f "$bs_sock"
	LD_LIBRARY_PATH=$bs_libpath "$@" </dev/null >/dev/null 2>"$bs_tmp/err" &
	pid=$!
	bs_wait_sock "$pid" "$bs_sock" || { bs_stop "$pid"; return 1; }
	for c in 1 8; do
		rm -rf "$bs_tmp/c"
		mkdir "$bs_tmp/c"
		if ! r=$("$bs_reqrep" -c "$c" -s "$bs_secs" "$bs_sock" \
		    "$bs_tmp/c"); then
			echo "bench_server: $name with $c clients failed" >&2
			sed 's/^/  /' "$bs_tmp/err" >&2
			bs_stop "$pid"
			return 1
		fi
		if [ "$c" -eq 1 ]; then
			r1=${r%% *}
		fi
	done
	echo "$r1" >>"$bs_res/$name.1"
	echo "${r%% *}" >>"$bs_res/$name.8"
	awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" >>"$bs_res/$name.rss"
	bs_stop "$pid"
}

# bs_measure_peer NAME SERVER...: bs_measure for a peer, whose failure
# is its own and not the bench's: the round is marked "-" in NAME.1 and
# NAME.8 (and left out of its figures) and counted in NAME.lost.
bs_measure_peer() {
	bs_measure "$@" && return 0
	echo - >>"$bs_res/$1.1"
	echo - >>"$bs_res/$1.8"
	echo "$round" >>"$bs_res/$1.lost"
	echo "bench_server: $1 failed in round $round; that round is left" \
	    "out of its rows" >&2
}

# bs_stats FILE: "median min max" of the numbers in FILE ("-": none).
bs_stats() {
	grep -v '^-$' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", m, v[1], v[NR]
	}'
}

# bs_ratio A B: stats of A/B, round by round.
bs_ratio() {
	paste -d ' ' "$1" "$2" |
	    awk '$1 != "-" && $2 != "-" { printf "%.6f\n", $1 / $2 }' \
	    >"$bs_tmp/ratio"
	bs_stats "$bs_tmp/ratio"
}

# bs_verdict A B LIMIT TEXT: "TEXT: x.xx PASS|MISS", x = median A/B.
bs_verdict() {
	local m
	if [ ! -s "$1" ] || [ ! -s "$2" ]; then
		echo "$4: n/a"
		return
	fi
	read -r m _ _ < <(bs_ratio "$1" "$2")
	awk -v m="$m" -v l="$3" -v t="$4" 'BEGIN {
		printf "%s: %.2f %s\n", t, m, (m >= l ? "PASS" : "MISS") }'
}

# bs_row LABEL FILE BASE SCALE UNIT [TARGET]: one line of the table.
bs_row() {
	local label=$1 f=$2 base=$3 scale=$4 unit=$5 target=${6:-}
	local med rmed rmin rmax
	if ! grep -q '^[0-9]' "$f" 2>/dev/null; then
		printf '  %-46s %12s\n' "$label" "not run"
		return
	fi
	read -r med _ _ < <(bs_stats "$f")
	read -r rmed rmin rmax < <(bs_ratio "$f" "$base")
	printf '  %-46s %8.3g %-3s %6.2f  [%.2f - %.2f]  %s\n' "$label" \
	    "$(awk -v v="$med" -v s="$scale" 'BEGIN { print v / s }')" "$unit" \
	    "$rmed" "$rmin" "$rmax" "$target"
}

# bs_more TARGET: a further target under the row above.
bs_more() {
	printf '  %-46s %8s %-3s %6s  %-13s  %s\n' "" "" "" "" "" "$1"
}

# bs_why VERDICT TEXT: TEXT under the row, folded, if VERDICT is a MISS.
bs_why() {
	case $1 in
	*MISS*) printf '%s\n' "$2" | fold -s -w 72 |
	    sed 's/^/      why: /; 2,$s/^      why: /           /' ;;
	esac
}

# bs_med FILE: the median of FILE's figures.
bs_med() {
	local m
	read -r m _ _ < <(bs_stats "$1")
	echo "$m"
}

bench_server() {
	local build=${1:?bench_server: no build directory} round rounds=${3:-3}
	local listen socat st=0 n v
	bs_tmp=${2:?bench_server: no scratch directory}/server
	bs_secs=${4:-1}
	bs_libpath=
	bs_res=$bs_tmp/res
	bs_sock=$bs_tmp/s
	rm -rf "$bs_tmp"
	mkdir -p "$bs_res" || return 1
	listen=$(bs_real "$build/src/udg-listen") || return 1
	bs_reqrep=$(bs_real "$build/tests/bench/reqrep") || return 1
	socat=$(command -v socat || true)

	for ((round = 1; round <= rounds; round++)); do
		echo "bench_server: round $round of $rounds" >&2
		bs_measure raw "$bs_reqrep" -S "$bs_sock" || st=1
		bs_measure e "$listen" -o /dev/null -e cat "$bs_sock" || st=1
		bs_measure j8 "$listen" -o /dev/null -e cat -j 8 "$bs_sock" ||
		    st=1
		bs_measure E "$listen" -o /dev/null -E cat "$bs_sock" || st=1
		if [ -n "$socat" ]; then
			bs_measure_peer socat "$socat" \
			    "UNIX-RECVFROM:$bs_sock,fork" EXEC:cat
		fi
		[ "$st" -eq 0 ] || return 1
	done

	n=$bs_res
	echo "server: 64-byte request -> reply, C client; k requests/s, higher" \
	    "is better ($rounds rounds of $bs_secs s)"
	echo " one request in flight"
	bs_row "raw C echo server: recvfrom/sendto" "$n/raw.1" "$n/raw.1" \
	    1e3 k/s "baseline"
	bs_row "udg-listen -e cat" "$n/e.1" "$n/raw.1" 1e3 k/s
	bs_row "udg-listen -e cat -j 8" "$n/j8.1" "$n/raw.1" 1e3 k/s
	bs_row "udg-listen -E cat" "$n/E.1" "$n/raw.1" 1e3 k/s \
	    "$(bs_verdict "$n/E.1" "$n/raw.1" 0.25 '>= 0.25x raw C')"
	v=$(bs_verdict "$n/E.1" "$n/e.1" 50 '>= 50x -e cat')
	bs_more "$v"
	[ ! -s "$n/e.1" ] || bs_why "$v" "$(awk -v e="$(bs_med "$n/e.1")" \
	    -v r="$(bs_med "$n/raw.1")" 'BEGIN { printf "50x -e cat is %.1f" \
	    " k/s here, %.2fx the raw C echo server, which has half the" \
	    " wake-ups a request: -E has four (client, listener, cat," \
	    " listener), and one request in flight waits for each.\n",
	    50 * e / 1e3, 50 * e / r }')"
	bs_row "socat UNIX-RECVFROM:S,fork EXEC:cat" "$n/socat.1" "$n/raw.1" \
	    1e3 k/s
	echo " 8 clients at once"
	bs_row "raw C echo server: recvfrom/sendto" "$n/raw.8" "$n/raw.8" \
	    1e3 k/s "baseline"
	bs_row "udg-listen -e cat" "$n/e.8" "$n/raw.8" 1e3 k/s
	v=$(bs_verdict "$n/j8.8" "$n/e.8" 3 '>= 3x -e cat, 8 clients')
	bs_row "udg-listen -e cat -j 8" "$n/j8.8" "$n/raw.8" 1e3 k/s "$v"
	bs_why "$v" "each -e request forks and executes /bin/sh, which runs cat:\
 CPU work, and $(nproc) CPUs run at most $(nproc) jobs at once."
	bs_row "udg-listen -E cat" "$n/E.8" "$n/raw.8" 1e3 k/s \
	    "$(bs_verdict "$n/E.8" "$n/e.8" 50 '>= 50x -e cat, 8 clients')"
	bs_row "socat UNIX-RECVFROM:S,fork EXEC:cat" "$n/socat.8" "$n/raw.8" \
	    1e3 k/s
	[ ! -s "$n/socat.lost" ] || bs_more "socat failed (a reply missing, or no start) in\
 $(wc -l <"$n/socat.lost") of $rounds rounds, left out above"
	echo " listener's peak RSS (VmHWM) after both runs; lower is better"
	bs_row "udg-listen -e cat (baseline)" "$n/e.rss" "$n/e.rss" 1024 MiB \
	    "baseline"
	bs_row "udg-listen -e cat -j 8" "$n/j8.rss" "$n/e.rss" 1024 MiB
	bs_row "udg-listen -E cat" "$n/E.rss" "$n/e.rss" 1024 MiB
	echo " notes: $(nproc) CPUs; -e runs /bin/sh -c cat per request, so" \
	    "-j 8 can gain at most"
	echo "  what the CPUs left over from the single job allow; -E and raw C" \
	    "are wake-up bound"
	echo "  (-E: client -> listener -> cat -> listener -> client, raw C:" \
	    "client -> server -> client)."
	return 0
}

# Run as a script: the function with the arguments.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	bench_server "$@"
fi
