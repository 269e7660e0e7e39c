#!/bin/bash
# udg-listen's times are the kernel's arrival times: JSON "time" and the
# --timestamp prefix (utc, local, mono) of a datagram sent while the
# listener was stopped are the send time, not the later read.  Also the
# --peer field, and the options' combinations that make no sense.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# stopped_send PAYLOAD: with the listener ($LASTPID) stopped, send
# PAYLOAD from $T/py.sock, keeping "t0 t1 m0 m1" (realtime and monotonic
# clocks just before and after) in $T/when; wait 1 s; let it go on.
stopped_send() {
	kill -STOP "$LASTPID"
	rm -f "$T/py.sock"
	"$PY" - "$S" "$T/py.sock" "$1" > "$T/when" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
t0, m0 = time.time(), time.monotonic()
s.sendto(sys.argv[3].encode(), sys.argv[1])
t1, m1 = time.time(), time.monotonic()
print("%.6f %.6f %.6f %.6f" % (t0, t1, m0, m1))
EOF
	sleep 1
	kill -CONT "$LASTPID"
}

# near STAMP LOW HIGH: LOW - 0.05 <= STAMP <= HIGH + 0.5 (seconds; the
# read came at least a second after HIGH).  Called through true_that.
# shellcheck disable=SC2317
near() {
	"$PY" -c 'import sys; v, lo, hi = map(float, sys.argv[1:4]);
sys.exit(0 if lo - 0.05 <= v <= hi + 0.5 else 1)' "$@"
}

# epoch RFC3339: seconds since the epoch, with the fraction.
epoch() {
	"$PY" -c 'import datetime, sys
s = sys.argv[1].replace("Z", "+00:00")
print("%.6f" % datetime.datetime.fromisoformat(s).timestamp())' "$1"
}

# ---- -J: time is the arrival ---------------------------------------------
listen -J -c 1
stopped_send "late read"
finish_listen
read -r t0 t1 m0 m1 < "$T/when"
IFS=$'\t' read -r time data <<EOF
$(jget "$T/out" time data)
EOF
is "-J: the datagram" "late read" "$data"
like "-J: time is RFC 3339 UTC with microseconds" \
    "20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z" \
    "$time"
true_that "-J: time ($time) is when it was sent ($t0), not read (1 s later)" \
    near "$(epoch "$time")" "$t0" "$t1"

# ---- --timestamp ---------------------------------------------------------
for how in "" "=utc"; do
	listen "--timestamp$how" -c 1
	stopped_send "stamped"
	finish_listen
	read -r t0 t1 m0 m1 < "$T/when"
	read -r stamp rest < "$T/out"
	is "--timestamp$how: the record follows the stamp" "stamped" "$rest"
	like "--timestamp$how: RFC 3339 UTC, microseconds" \
	    "20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z" \
	    "$stamp"
	true_that "--timestamp$how: the send time" near "$(epoch "$stamp")" \
	    "$t0" "$t1"
done

# A fixed POSIX zone: no time zone database needed.
TZ=XST-5:30 listen --timestamp=local -C -c 1
stopped_send "local"
finish_listen
read -r t0 t1 m0 m1 < "$T/when"
read -r stamp _ uid gid rest < "$T/out"
like "--timestamp=local: RFC 3339 with the zone's offset" \
    "20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]+05:30" \
    "$stamp"
true_that "--timestamp=local: the send time" near "$(epoch "$stamp")" \
    "$t0" "$t1"
is "--timestamp=local: then -C's credentials" "$(id -u) $(id -g) local" \
    "$uid $gid $rest"

listen --timestamp=mono -c 1
stopped_send "mono"
finish_listen
read -r t0 t1 m0 m1 < "$T/when"
read -r stamp rest < "$T/out"
like "--timestamp=mono: seconds.microseconds" "[0-9]*.[0-9][0-9][0-9][0-9][0-9][0-9]" \
    "$stamp"
true_that "--timestamp=mono: the send time on the monotonic clock" \
    near "$stamp" "$m0" "$m1"

# ---- --peer --------------------------------------------------------------
listen --peer -C -c 2
tmo "$SEND" -b "$T/a b.sock" "$S" "bound"
tmo "$SEND" "$S" "auto"
finish_listen
like "--peer: the path after the credentials, escaped" \
    "[1-9]* $(id -u) $(id -g) $T/a"'\\040b.sock bound' "$(sed -n 1p "$T/out")"
like "--peer: an automatic client path" \
    "[1-9]* $(id -u) $(id -g) $T/udg/* auto" "$(sed -n 2p "$T/out")"
listen --peer -c 1
"$PY" - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"unbound", sys.argv[1])
EOF
finish_listen
is "--peer: an unbound sender is \"-\"" "- unbound" "$(cat "$T/out")"

# ---- what does not go together -------------------------------------------
for bad in "--timestamp=gmt" "-J --timestamp" "-J --peer"; do
	# shellcheck disable=SC2086 # the options, split
	tmo "$LISTEN" $bad "$S" 2>"$T/err"
	status "$bad: usage error" 64 "$?"
	like "$bad: says why" "udg-listen: *" "$(cat "$T/err")"
	true_that "$bad: no socket left" [ ! -e "$S" ]
done

done_testing
