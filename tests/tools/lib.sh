# shellcheck shell=bash disable=SC2034
# lib.sh - shared helpers for the tool tests (sourced, bash).
# Sockets live in a short mkdtemp dir under /tmp: sun_path is 108 bytes
# and distcheck builds deep.  Every wait is bounded; nothing may hang.
set -u

top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
SEND=$top_builddir/src/udg-send
LISTEN=$top_builddir/src/udg-listen
T=$(mktemp -d /tmp/udgt.XXXXXX)
export XDG_RUNTIME_DIR=$T	# private client dir inside the test dir
fails=0
passes=0
bgpids=

cleanup() {
	for p in $bgpids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

bg() {	# run a command in the background, remember it for cleanup
	"$@" &
	bgpids="$bgpids $!"
	LASTPID=$!
}

ok() { passes=$((passes + 1)); echo "ok - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }

check() {	# name expected actual
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		bad "$1"
		printf '  expected: %q\n  got:      %q\n' "$2" "$3"
	fi
}

need() {	# skip the whole script (exit 77: SKIP) when a peer is missing
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "SKIP: $1 not installed"
	exit 77
}

wait_sock() {	# path: wait up to 5 s for a socket to appear
	local i
	for i in $(seq 1 500); do
		[ -S "$1" ] && return 0
		sleep 0.01
	done
	echo "socket $1 never appeared"
	return 1
}

wait_pid() {	# pid: wait up to 10 s for it to exit; its status
	local i
	for i in $(seq 1 1000); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.01
	done
	wait "$1"
}

finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}
