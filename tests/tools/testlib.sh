# shellcheck shell=bash disable=SC2034 # RC, PY... are for the callers
# testlib.sh - helpers for the udg-send/udg-listen tests.
# Sourced by the tests/tools/*.sh scripts (bash).
#
# Every test gets a short private directory under /tmp ($T): sun_path is
# 108 bytes and distcheck builds deep, so no socket lives in the build
# tree.  Automatic client sockets go to $T/udg (XDG_RUNTIME_DIR), where a
# test can see whether anything was bound.  Background processes are
# registered with spawn and killed on exit; every wait is bounded; timeouts
# are only upper bounds against hangs, never assertions about speed.
#
# Exit status, as automake reads it: 0 pass, 1 fail, 77 skip, 99 error.

set -u

top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
SEND=$top_builddir/src/udg-send
LISTEN=$top_builddir/src/udg-listen
for _b in "$SEND" "$LISTEN"; do
	if [ ! -x "$_b" ]; then
		echo "ERROR: $_b not built" >&2
		exit 99
	fi
done
unset _b

export LC_ALL=C
umask 022
T=$(mktemp -d /tmp/udgt.XXXXXX) || exit 99
export XDG_RUNTIME_DIR=$T
export TMPDIR=$T
unset NOTIFY_SOCKET

nfail=0
npass=0
BGPIDS=		# what spawn started (the trap asks bash which still run)
DAEMONS=	# pids of processes that are not our children (-d)
LASTPID=

# Kill what the test left running, stopped ones too, by pid: our own
# children that are still running or stopped (a pid bash has seen exit may
# belong to someone else by now), and -d daemons that are still udg-listen.
cleanup_all() {
	local p pids
	pids="$(jobs -rp) $(jobs -sp)"
	for p in $DAEMONS; do
		case $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) in
		*udg-listen*) pids="$pids $p";;
		esac
	done
	for p in $pids; do
		kill -CONT "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup_all EXIT
trap 'exit 99' INT TERM HUP

# tmo CMD...: CMD with a hang guard (30 s, then killed; status 124).
tmo() {
	timeout -k 2 30 "$@"
}

# with_id FILE CMD...: run CMD (with tmo's guard) in a process that first
# writes its "pid uid gid" to FILE, then becomes CMD (same pid).
with_id() {
	local f=$1
	shift
	# shellcheck disable=SC2016 # the inner shell's $$ and $(id)
	timeout -k 2 30 sh -c 'echo "$$ $(id -u) $(id -g)" > "$1"; shift
	    exec "$@"' sh "$f" "$@"
}

# spawn CMD...: run CMD (a program, or tmo PROGRAM) in the background;
# LASTPID is its pid, so that signals reach it (not a subshell).  Its
# stdin is ours (a background command would get /dev/null).
spawn() {
	if [ "$1" = tmo ]; then
		shift
		timeout -k 2 30 "$@" <&0 &
	else
		"$@" <&0 &
	fi
	LASTPID=$!
	BGPIDS="$BGPIDS $LASTPID"
}

ok() {
	npass=$((npass + 1))
	echo "ok - $*"
}

bad() {
	nfail=$((nfail + 1))
	echo "FAIL - $*"
}

# skip REASON: the whole script is skipped (automake shows SKIP).
skip() {
	echo "SKIP: $*"
	exit 77
}

# need CMD PACKAGE: skip unless CMD is installed.
need() {
	command -v "$1" >/dev/null 2>&1 ||
	    skip "$1 not installed (Debian package $2)"
}

# show LABEL TEXT: print a value so that odd bytes are visible.
show() {
	printf '  %-9s ' "$1:"
	if [ -z "$2" ]; then
		echo "(empty)"
		return
	fi
	printf '%s' "$2" | od -An -c | sed 's/^ *//' | head -n 8 |
	    sed '2,$s/^/            /'
}

# is DESC EXPECTED ACTUAL: string equality.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		bad "$1"
		show expected "$2"
		show got "$3"
	fi
}

# like DESC GLOB ACTUAL: ACTUAL matches the shell pattern GLOB.
like() {
	# shellcheck disable=SC2053
	if [[ $3 == $2 ]]; then
		ok "$1"
	else
		bad "$1"
		echo "  expected a match for: $2"
		show got "$3"
	fi
}

# status DESC EXPECTED ACTUAL: an exit status, with stderr of the
# command (in $T/err, if the caller put it there) when it is wrong.
status() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		bad "$1"
		echo "  expected exit $2, got $3"
		if [ -s "$T/err" ]; then
			echo "  stderr:"
			sed 's/^/    /' "$T/err" | head -n 10
		fi
	fi
}

# same DESC EXPECTED-FILE ACTUAL-FILE: byte-for-byte equality.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		bad "$1"
		echo "  $(cmp "$2" "$3" 2>&1 | head -n 1)"
		echo "  expected $(wc -c < "$2") bytes, got" \
		    "$(wc -c < "$3" 2>/dev/null || echo no) bytes"
		echo "  expected:"
		head -c 120 "$2" | od -An -c | sed 's/^/   /' | head -n 8
		echo "  got:"
		head -c 120 "$3" 2>/dev/null | od -An -c | sed 's/^/   /' |
		    head -n 8
	fi
}

# true_that DESC CMD...: CMD succeeds.
true_that() {
	local d=$1
	shift
	if "$@"; then
		ok "$d"
	else
		bad "$d"
		echo "  failed: $*"
	fi
}

# between N LOW HIGH: LOW <= N <= HIGH (integers).
between() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

# wait_for_socket PATH [SECONDS]: until PATH is a socket (default 5 s).
wait_for_socket() {
	local i n=$(( ${2:-5} * 100 ))
	for ((i = 0; i < n; i++)); do
		[ -S "$1" ] && return 0
		sleep 0.01
	done
	echo "  (socket $1 did not appear in ${2:-5} s)"
	return 1
}

# wait_for CMD...: until CMD succeeds, at most 10 s.
wait_for() {
	local i
	for ((i = 0; i < 1000; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	echo "  (gave up waiting for: $*)"
	return 1
}

# wait_gone PID [SECONDS]: until PID (any process) is gone; 1 if not.
wait_gone() {
	local i n=$(( ${2:-10} * 100 ))
	for ((i = 0; i < n; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.01
	done
	return 1
}

# reap PID [SECONDS]: wait for our background child PID (default 20 s),
# kill it if it does not end, and set RC to its exit status (124 if it
# had to be killed).
reap() {
	if wait_gone "$1" "${2:-20}"; then
		wait "$1" 2>/dev/null
		RC=$?
	else
		echo "  (process $1 did not exit in ${2:-20} s; killed)"
		kill -CONT "$1" 2>/dev/null
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		RC=124
	fi
}

# alive PID: the process still exists and is not a zombie (no procps).
alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [[ $st != Z* ]]
}

# vcount WORD FILE: the number -v printed for WORD (received, written,
# dropped, truncated) in FILE, as "WORD N" or "N WORD"; "none" if absent.
vcount() {
	local n
	n=$(grep -Eo "$1[ :=]+[0-9]+|[0-9]+ $1" "$2" 2>/dev/null |
	    grep -Eo '[0-9]+' | tail -n 1)
	echo "${n:-none}"
}

# sockets_in DIR: how many sockets are in DIR (0 if there is no DIR).
sockets_in() {
	if [ -d "$1" ]; then
		find "$1" -type s | wc -l
	else
		echo 0
	fi
}

# stale_socket PATH: leave a socket file at PATH that nobody listens on.
stale_socket() {
	"$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.close()
EOF
}

# A python3 for helpers (stale sockets, JSON checks, raw peers).
PY=$(command -v python3 || true)
need_python() {
	[ -n "$PY" ] || skip "python3 not installed (Debian package python3)"
}

# done_testing: summary line and exit status.
done_testing() {
	echo "# $npass passed, $nfail failed"
	[ "$nfail" -eq 0 ] && exit 0
	exit 1
}

# listen ARGS...: a udg-listen on $S (set by the script) writing to
# $T/out, in the background.
listen() {
	if [ -e "$S" ]; then
		bad "$S left behind by the previous listener"
		rm -f "$S"
	fi
	rm -f "$T/out" "$T/lerr"
	spawn "$LISTEN" "$@" -o "$T/out" "$S" 2>"$T/lerr"
	wait_for_socket "$S"
}

# finish_listen: wait for the listener to stop by itself (-c/-t), exit 0,
# its socket file gone.
finish_listen() {
	reap "$LASTPID"
	status "listener: exit 0" 0 "$RC"
	true_that "listener: socket file removed" [ ! -e "$S" ]
}

# jget FILE KEY...: for each JSON record in FILE, the values of KEYs,
# tab-separated (null: "null", true/false as such; MISSING if absent).
jget() {
	"$PY" - "$@" <<'EOF'
import json, sys
keys = sys.argv[2:]
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    out = []
    for k in keys:
        v = r.get(k, "MISSING")
        out.append("null" if v is None else
                   str(v).lower() if isinstance(v, bool) else str(v))
    print("\t".join(out))
EOF
}

# received_is N: the listener (LASTPID, stderr in $T/lerr) says on SIGUSR1
# that it has received N datagrams, so nothing sent is left unread; for
# wait_for, before a SIGTERM that must not race the last datagram.
received_is() {
	kill -USR1 "$LASTPID"
	sleep 0.05
	[ "$(vcount received "$T/lerr")" = "$1" ]
}

# json_peer FILE: the "peer" of the one JSON record (udg-listen -J) in FILE.
json_peer() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["peer"])' \
	    "$1" 2>&1
}

# pyclient NAME N PAYLOAD...: a python client bound at $T/NAME sends every
# PAYLOAD to $S without waiting, then prints the N replies as they come,
# or "timeout" once one has not come within 5 s.
pyclient() {
	local name=$1
	shift
	tmo "$PY" - "$S" "$T/$name" "$@" <<'EOF'
import os, socket, sys
srv, me, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(me)
s.settimeout(5)
for p in sys.argv[4:]:
    s.sendto(p.encode(), srv)
try:
    for _ in range(n):
        print(s.recv(300000).decode())
except socket.timeout:
    print("timeout")
os.unlink(me)
EOF
}

# pyflood NAME N PAD [PAUSE]: from socket $T/NAME, without blocking, send
# $S up to N datagrams (each its number, then PAD bytes of "f") until the
# kernel's queue is full; with PAUSE, wait that many seconds at each full
# queue and go on while one more then fits.  Prints how many went in.
pyflood() {
	tmo "$PY" - "$S" "$T/$1" "$2" "$3" "${4:-}" <<'EOF'
import os, socket, sys, time
srv, me, n, pad = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pause = float(sys.argv[5]) if sys.argv[5] else None
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(me)
s.setblocking(False)
sent = 0
for i in range(n):
    try:
        s.sendto(b"%d" % i + b"f" * pad, srv)
        sent += 1
    except BlockingIOError:
        if pause is None:
            break
        time.sleep(pause)
        try:
            s.sendto(b"again", srv)
            sent += 1
        except BlockingIOError:
            break
print(sent)
os.unlink(me)
EOF
}

# elapsed_ms T0: milliseconds since $EPOCHREALTIME was T0.
elapsed_ms() {
	awk -v a="$1" -v b="$EPOCHREALTIME" \
	    'BEGIN { printf "%d", (b - a) * 1000 }'
}
