#!/bin/bash
# udg-listen --echo and -e COMMAND: replies, the environment, no shell
# injection from payloads or peer paths.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# --- --echo ------------------------------------------------------------------
listen --echo -c 4
tmo "$SEND" -r "$S" echo me >"$T/o" 2>"$T/err"
status "--echo: udg-send -r exits 0" 0 $?
is "--echo: the datagram comes back" "echo me" "$(cat "$T/o")"
printf 'bin\0\377\033' | tmo "$SEND" -r -a "$S" >"$T/o" 2>"$T/err"
printf 'bin\0\377\033\n' > "$T/want"
same "--echo: binary comes back verbatim" "$T/want" "$T/o"
# An unbound sender cannot be answered; the listener goes on.
tmo "$PY" - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"unbound", sys.argv[1])
EOF
tmo "$SEND" -r "$S" still there >"$T/o" 2>"$T/err"
is "--echo: goes on after an unbound sender" "still there" "$(cat "$T/o")"
finish_listen
is "--echo: every datagram is also written" 4 "$(wc -l < "$T/out")"

# --- --echo: a peer that never reads its replies --------------------------------
# A sender connected to the listener that leaves its replies unread fills
# the listener's send buffer (the queue limit does not apply to a peer
# connected back to us).  The listener waits once for room, then drops
# replies without waiting until one goes out again: it must not slow
# down to one datagram a second (2000 would take half an hour).
listen --echo -c 2001
# (tmo: a listener that waits for room on every reply blocks the sends)
tmo "$PY" - "$S" "$T/hog" "$T/out" <<'EOF' >"$T/err" 2>&1
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.connect(sys.argv[1])
for i in range(2000):
    s.send(b"hog %d" % i)
def written():
    with open(sys.argv[3], "rb") as f:
        return f.read().count(b"\n")
end = time.time() + 20
while time.time() < end and written() < 2000:
    time.sleep(0.05)
if written() < 2000:
    print("only %d of 2000 written in 20 s" % written())
    sys.exit(1)
EOF
status "--echo, a peer that never reads: all 2000 written while it lives" \
    0 $?
is "--echo, a peer that never reads: what the check said" "" \
    "$(cat "$T/err")"
# Its unread replies went with it: the next sender is answered again.
tmo "$SEND" -r "$S" answered again >"$T/o" 2>"$T/err"
status "--echo, after it is gone: udg-send -r exits 0" 0 $?
is "--echo, after it is gone: the reply comes" "answered again" \
    "$(cat "$T/o")"
finish_listen
is "--echo, a peer that never reads: every datagram written" 2001 \
    "$(wc -l < "$T/out")"
like "--echo, a peer that never reads: the dropped replies are reported" \
    "*reply to $T/hog dropped*" "$(cat "$T/lerr")"

# --- --echo: one peer's full queue does not slow the others ---------------------
# A sender that is not connected has the kernel's queue limit: its replies
# fill its own queue, not our buffer.  Once one reply to it was dropped,
# the next ones to it are dropped without the wait, whatever replies to
# others go out in between (they used to set the wait again each time).
listen --echo
"$PY" - "$S" "$T/hog2" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
end = time.time() + 8
while time.time() < end:
    s.sendto(b"x", sys.argv[1])
    time.sleep(0.001)
EOF
hpid=$!
BGPIDS="$BGPIDS $hpid"
sleep 1.5
t0=$EPOCHREALTIME
n=0
for i in 1 2 3 4 5; do
	[ "$(tmo "$SEND" -r -t 5 "$S" "hi $i")" = "hi $i" ] && n=$((n + 1))
done
ms=$(elapsed_ms "$t0")
is "--echo beside a peer whose queue is full: 5 of 5 answered" 5 "$n"
true_that "--echo beside a peer whose queue is full: in < 3 s ($ms ms)" \
    [ "$ms" -lt 3000 ]
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
kill -TERM "$LASTPID"
reap "$LASTPID"
rm -f "$T/hog2"

# --- -e: payload on stdin, UDG_* in the environment, stdout is the reply -------
# shellcheck disable=SC2016 # expanded by the command's shell
listen -c 1 -e 'printf "%s|%s|%s|%s|" "$UDG_PID" "$UDG_UID" "$UDG_GID" "$UDG_PEER"; cat'
with_id "$T/id" \
    "$SEND" -r -b "$T/cli" "$S" the payload >"$T/o" 2>"$T/err"
status "-e: udg-send -r exits 0" 0 $?
is "-e: UDG_PID UDG_UID UDG_GID UDG_PEER, then the payload from stdin" \
    "$(tr ' ' '|' < "$T/id")|$T/cli|the payload" "$(cat "$T/o")"
finish_listen
is "-e: the datagram is also written" "the payload" "$(cat "$T/out")"

listen -c 2 --exec 'tr a-z A-Z; echo; echo second line'
printf 'up\nper\n' | tmo "$SEND" -r "$S" >"$T/o" 2>"$T/err"
status "--exec: two requests, exit 0" 0 $?
# Each reply is the command's stdout verbatim (ending in a newline), and
# udg-send adds one after each reply.
printf 'UP\nsecond line\n\nPER\nsecond line\n\n' > "$T/want"
same "--exec: multi-line stdout is one reply each, verbatim" "$T/want" "$T/o"
finish_listen

# Binary both ways: a python client compares bytes.
listen -c 1 -e 'cat'
tmo "$PY" - "$S" "$T/pycli" > "$T/res" 2>&1 <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.settimeout(10)
msg = bytes(range(256)) * 200 + b"\0"
s.sendto(msg, sys.argv[1])
print("same" if s.recv(1 << 20) == msg else "different")
os.unlink(sys.argv[2])
EOF
is "-e cat: 51201 binary bytes come back unchanged" same "$(cat "$T/res")"
finish_listen

# A command that exits 0 is answered, also with empty output.  One that
# exits non-zero is not: its output is no answer, and the asker must not
# take it for one.  The listener names the sender and the reason.
# shellcheck disable=SC2016
listen -c 3 -e 'test "$(cat)" = ok || exit 3'
tmo "$SEND" -r "$S" ok >"$T/o" 2>"$T/err"
status "-e, exit 0 with no output: udg-send -r exits 0" 0 $?
is "-e, exit 0 with no output: an empty reply" "" "$(cat "$T/o")"
tmo "$SEND" -r -t 1 -b "$T/asker" "$S" x >"$T/o" 2>"$T/err"
status "-e 'exit 3': no reply, udg-send -r times out (75)" 75 $?
is "-e 'exit 3': nothing printed" "" "$(cat "$T/o")"
tmo "$SEND" -r "$S" ok >"$T/o" 2>"$T/err"
status "-e 'exit 3': the listener goes on" 0 $?
finish_listen
like "-e 'exit 3': the listener names the sender and the reason" \
    "*command for $T/asker exited 3: no reply*" "$(cat "$T/lerr")"

# An unbound sender: the command runs, nobody is answered.
export UNBOUND_OUT=$T/unbound
# shellcheck disable=SC2016
listen -c 1 -e 'cat > "$UNBOUND_OUT"; echo "[$UDG_PEER]" >> "$UNBOUND_OUT"'
tmo "$PY" - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"no path", sys.argv[1])
EOF
finish_listen
got=$(cat "$T/unbound" 2>/dev/null || echo missing)
is "-e with an unbound sender: runs, UDG_PEER empty" \
    "$(printf 'no path[]')" "$got"

# --- payloads and peer paths stay strings --------------------------------------
# shellcheck disable=SC2016
for p in '$(touch '"$T"'/pwned1)' '`touch '"$T"'/pwned2`' \
    '; touch '"$T"'/pwned3' '" ; touch '"$T"'/pwned4 ; "' \
    "' ; touch $T/pwned5 ; '" '| touch '"$T"'/pwned6' \
    $'\n''touch '"$T"'/pwned7'; do
	listen -c 1 -e 'cat; printf "|%s" "$UDG_PEER"'
	printf '%s' "$p" | tmo "$SEND" -r -a "$S" >"$T/o" 2>"$T/err"
	is "-e: payload stays a string: $(printf %q "$p")" "$p|$T/udg/*" \
	    "$(sed "s|$T/udg/[^|]*\$|$T/udg/*|" "$T/o")"
	finish_listen
done
is "-e: no payload was run as a command" "" \
    "$(find "$T" -name 'pwned*')"

# A peer path with shell syntax in it.
mkdir "$T/d"
# shellcheck disable=SC2016
weird=$T/d/'$(touch pwned8);`touch pwned9`'
# shellcheck disable=SC2016
listen -c 1 -e 'printf "%s" "$UDG_PEER"'
(cd "$T/d" && tmo "$SEND" -r -b "$weird" "$S" m) >"$T/o" 2>"$T/err"
status "-e, odd peer path: exit 0" 0 $?
is "-e: UDG_PEER is the literal path" "$weird" "$(cat "$T/o")"
finish_listen
is "-e: the peer path was not run" "" "$(find "$T" -name 'pwned*')"

# --- usage errors ------------------------------------------------------------
tmo "$LISTEN" --echo -e cat "$S" 2>"$T/err"
status "--echo with -e: 64" 64 $?
tmo "$LISTEN" -e '' "$S" 2>"$T/err"
status "-e '': 64" 64 $?
true_that "usage errors: nothing bound" [ ! -e "$S" ]

# --- a slow consumer under a fast sender --------------------
# The command takes a few ms a datagram (a shell, a sleep, two appends);
# udg-send sends in batches, so the listener's queue (max_dgram_qlen,
# 10 by default) is full most of the time.
export SLOW_OUT=$T/slow
# shellcheck disable=SC2016 # expanded by the command's shell
slow='sleep 0.001; cat >> "$SLOW_OUT"; echo >> "$SLOW_OUT"'
qlen=$(cat /proc/sys/net/unix/max_dgram_qlen 2>/dev/null || echo unknown)
echo "# net.unix.max_dgram_qlen: $qlen"

# Blocking: every datagram reaches the command, in order, once.
# This once stalled: udg-send without -r never read the (empty) replies
# the -e command makes; once they filled the listener's send buffer
# (about 300 here), every further reply waited 1 s and was dropped.  Now
# udg-send shuts its socket for reading and the replies fail at once.
# The 20 s below is a hang guard, not a speed limit: 500 commands take
# about 3 s.
rm -f "$SLOW_OUT"
seq 1 500 > "$T/want"
listen -c 500 -e "$slow"
lpid=$LASTPID
# (reap's guard must reach udg-send itself, so no tmo here.)
spawn "$SEND" "$S" < "$T/want" 2>"$T/err"
spid=$LASTPID
reap "$spid" 20
status "slow -e, blocking, 500 lines: udg-send exits 0" 0 "$RC"
# The listener stops at -c 500 once it has them all; if the sender did
# not get them all out, stop it rather than wait.
[ "$RC" = 0 ] || kill -TERM "$lpid" 2>/dev/null
LASTPID=$lpid
finish_listen
same "slow -e, blocking: the command got every line once, in order" \
    "$T/want" "$SLOW_OUT"
# Even when cut short (the bug above), what came is 1..M: no gap, no
# repeat, no reordering.
m=$(wc -l < "$SLOW_OUT" 2>/dev/null || echo 0)
head -n "$m" "$T/want" > "$T/prefix"
same "slow -e, blocking: what the command got is lines 1..$m, in order" \
    "$T/prefix" "$SLOW_OUT"
same "slow -e, blocking: every datagram was written, in order" \
    "$T/want" "$T/out"
is "slow -e, blocking: no complaint on the listener's stderr" "" \
    "$(head -c 300 "$T/lerr")"

# The listener is told: with -v it says so, without it keeps quiet.
# (stdin stays open a while, so the sender is still there for the reply)
listen --echo -v -c 1
{ echo no reply wanted; sleep 1; } | tmo "$SEND" "$S" 2>"$T/err"
status "--echo, udg-send without -r: exit 0" 0 $?
finish_listen
like "--echo -v: says the sender reads no replies" "*reads no replies*" \
    "$(cat "$T/lerr")"

# -n: udg-send stops at the first full queue and says how many it sent;
# exactly those arrive, and nothing after them.
rm -f "$SLOW_OUT"
listen -e "$slow"
lpid=$LASTPID
seq 1 2000 | tmo "$SEND" -n "$S" 2>"$T/err"
status "slow -e, -n, 2000 lines: 75 (queue full)" 75 $?
msg=$(cat "$T/err")
like "slow -e, -n: the message says how many were sent" "*sent [0-9]*" \
    "$msg"
k=$(printf '%s\n' "$msg" | grep -Eo 'sent [0-9]+' | head -n 1 |
    grep -Eo '[0-9]+')
k=${k:-0}
true_that "slow -e, -n: some were sent (K=$k > 0)" [ "$k" -gt 0 ]
true_that "slow -e, -n: not all were sent (K=$k < 2000)" [ "$k" -lt 2000 ]
like "slow -e, -n: the message says what was not sent" "*not sent*" "$msg"
# The first record not sent is K+1 (looked for after the socket path,
# whose random name may hold digits).
true_that "slow -e, -n: the message names record K+1 = $((k + 1))" \
    grep -Eq "(^|[^0-9])$((k + 1))([^0-9]|\$)" <<<"${msg#*"$S"}"
# A blocking sentinel: once the command has it, it has had everything
# that was queued before it.
tmo "$SEND" "$S" SENTINEL 2>"$T/err"
status "slow -e, -n: the sentinel is sent" 0 $?
# Its command is done once the newline after it is there too (SIGTERM
# kills a command that still runs).
sentinel_done() {
	grep -qx SENTINEL "$SLOW_OUT" && [ -z "$(tail -c 1 "$SLOW_OUT")" ]
}
wait_for sentinel_done
kill -TERM "$lpid"
reap "$lpid"
status "slow -e, -n: listener exit 0 on SIGTERM" 0 "$RC"
true_that "slow -e, -n: socket file removed" [ ! -e "$S" ]
{ seq 1 "$k"; echo SENTINEL; } > "$T/want"
same "slow -e, -n: exactly lines 1..K arrived, in order, then the sentinel" \
    "$T/want" "$SLOW_OUT"
same "slow -e, -n: the records are the same" "$T/want" "$T/out"

done_testing
