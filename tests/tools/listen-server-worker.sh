#!/bin/bash
# udg-listen -E COMMAND: one worker answers every request, first in first
# out; record boundaries cannot be forged; a worker that dies, hangs or
# stops reading costs replies, never a wrong one, and never memory.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# --- usage -----------------------------------------------------------------
for combo in "-E cat --echo" "-E cat -j 2" "-E cat -e cat"; do
	# shellcheck disable=SC2086 # the words are the options
	"$LISTEN" $combo "$S" 2>"$T/err"
	status "$combo: usage error" 64 $?
done
like "-E with -e: says why" "*-E cannot be combined with -e*" \
    "$(cat "$T/err" /dev/null)"
"$LISTEN" -E '' "$S" 2>"$T/err"
status "-E '': usage error" 64 $?
true_that "usage errors bind nothing" [ ! -e "$S" ]
"$LISTEN" -h >"$T/o"
like "--help lists -E" "*-E command*" "$(cat "$T/o")"

# --- one worker, many requests ---------------------------------------------
export PIDS=$T/pids
# shellcheck disable=SC2016
listen -c 3 -E 'echo $$ >> "$PIDS"; exec cat'
printf 'one\ntwo\nthree\n' | tmo "$SEND" -r "$S" >"$T/o" 2>"$T/err"
status "-E cat: udg-send -r exits 0" 0 $?
is "-E cat: each request answered" "$(printf 'one\ntwo\nthree')" \
    "$(cat "$T/o")"
finish_listen
is "-E: the worker was started once for 3 requests" 1 "$(wc -l < "$PIDS")"
is "-E: the records are written as usual" "$(printf 'one\ntwo\nthree')" \
    "$(cat "$T/out")"

# --- first in, first out; each reply to its own sender ----------------------
# Two senders' requests interleaved in the worker's input: each gets back
# exactly its own, in its order.  Each sends all its requests before it
# reads a reply, so it sends no more than its own queue (10) holds: else
# its replies wait for room while it waits to send, and after a second
# the listener drops them (see udg-listen(1)).
listen -c 20 -E cat
pyclient a 10 $(seq -f 'a%g' 1 10) >"$T/oa" &
apid=$!
pyclient b 10 $(seq -f 'b%g' 1 10) >"$T/ob"
wait "$apid"
is "-E: sender a gets its 10 replies in order" "$(seq -f 'a%g' 1 10)" \
    "$(cat "$T/oa")"
is "-E: sender b gets its 10 replies in order" "$(seq -f 'b%g' 1 10)" \
    "$(cat "$T/ob")"
finish_listen

# --- a newline cannot split a request into two ----------------------------
# The worker would read "x" and "injected" as two requests and its second
# line would answer the next sender.
listen -v -c 2 -E cat
pyclient n 1 "$(printf 'x\ninjected')" >"$T/o"
is "-E: a request holding a newline gets no reply" timeout "$(cat "$T/o")"
tmo "$SEND" -r -t 5 "$S" next >"$T/o" 2>"$T/err"
is "-E: the next request gets its own reply" next "$(cat "$T/o")"
finish_listen
like "-E: the refusal is reported with the sender" \
    "*request from $T/n refused*newline*" "$(cat "$T/lerr")"
is "-E: -v counts it" 1 "$(grep -o 'refused [0-9]*' "$T/lerr" |
    grep -o '[0-9]*')"

# --- -0: records end in NUL; a newline is data, a NUL is refused -------------
listen -0 -c 3 -E cat
pyclient z 1 "$(printf 'two\nlines')" >"$T/o"
is "-0 -E: a newline is part of the request and its reply" \
    "$(printf 'two\nlines')" "$(cat "$T/o")"
tmo "$PY" - "$S" "$T/z0" >"$T/o" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.settimeout(2)
s.sendto(b"nul\0injected", sys.argv[1])
try:
    print(s.recv(1000))
except socket.timeout:
    print("timeout")
s.sendto(b"clean", sys.argv[1])
print(s.recv(1000))
os.unlink(sys.argv[2])
EOF
is "-0 -E: a request holding a NUL is refused, the next answered" \
    "$(printf "timeout\nb'clean'")" "$(cat "$T/o")"
finish_listen
like "-0 -E: the refusal says NUL" "*refused*NUL*" "$(cat "$T/lerr")"

# --- -C: "pid uid gid " before each request; no UDG_* per request ------------
export UDG_PEER=inherited
# shellcheck disable=SC2016
listen -C -c 1 -E 'while read -r line; do
	printf "%s|%s\n" "$line" \
	    "$(env | grep -cE "^UDG_(PID|UID|GID|PEER)=")"; done'
unset UDG_PEER
with_id "$T/id" "$SEND" -r -b "$T/cc" "$S" 'the payload' >"$T/o" 2>"$T/err"
status "-C -E: udg-send -r exits 0" 0 $?
is "-C -E: the record is 'pid uid gid payload'; no UDG_* variable" \
    "$(cat "$T/id") the payload|0" "$(cat "$T/o")"
finish_listen

# --- a worker that dies: its unanswered requests get none, it restarts -------
# This worker answers one request and exits with the next unanswered.
# shellcheck disable=SC2016 # for the command's shell
listen -c 3 -E 'read -r l; echo "$l"; read -r l; exit 3'
tmo "$SEND" -r -t 5 -b "$T/d1" "$S" first >"$T/o1" 2>&1
tmo "$SEND" -r -t 3 -b "$T/d2" "$S" second >"$T/o2" 2>&1
st2=$?
tmo "$SEND" -r -t 5 -b "$T/d3" "$S" third >"$T/o3" 2>&1
st3=$?
is "dying worker: the first request is answered" first "$(cat "$T/o1")"
true_that "dying worker: the request it died with gets no reply (exit $st2)" \
    [ "$st2" -ne 0 ]
is "dying worker: after the restart the next is answered" third \
    "$(cat "$T/o3")"
status "dying worker: ... udg-send exit 0" 0 "$st3"
finish_listen
like "dying worker: the lost request is logged with its sender" \
    "*no reply to $T/d2: the worker exited*" "$(cat "$T/lerr")"
like "dying worker: how it ended and the restart are logged" \
    "*worker exited 3*restarting in 100 ms*" "$(cat "$T/lerr")"

# --- a worker that keeps dying at start: exit 69 after 5 tries ----------------
t0=$EPOCHREALTIME
tmo "$LISTEN" -E 'exit 1' -o "$T/out" "$S" 2>"$T/lerr"
st=$?
ms=$(elapsed_ms "$t0")
status "a worker that keeps dying: udg-listen exits 69" 69 "$st"
like "... with a message that says so" \
    "*worker exit 1: it ended within 1000 ms of its start 5 times*" \
    "$(cat "$T/lerr")"
is "... after 5 starts" 5 "$(grep -c 'worker exited 1' "$T/lerr")"
true_that "... backing off 0.1+0.2+0.4+0.8 s: 1.5 s, not at once ($ms ms)" \
    [ "$ms" -ge 1400 ]
true_that "... socket file removed" [ ! -e "$S" ]
# -v: the counters are written on this exit too
tmo "$LISTEN" -v -E 'exit 1' -o "$T/out" "$S" 2>"$T/lerr"
status "-v, a worker that keeps dying: exits 69" 69 $?
is "-v: the counters are written" 0 "$(vcount received "$T/lerr")"
like "-v: and the worker's" "*worker: refused 0, unanswered 0*" \
    "$(cat "$T/lerr")"

# --- -T: a request unanswered past it restarts the worker --------------------
: >"$PIDS"
# shellcheck disable=SC2016
listen -T 0.5 -E 'echo $$ >> "$PIDS"; while read -r l; do
	case $l in slow) sleep 30;; esac; echo "$l"; done'
tmo "$SEND" -r -t 3 -b "$T/s1" "$S" slow >"$T/o" 2>&1
st=$?
true_that "-T 0.5: the slow request gets no reply (exit $st)" [ "$st" -ne 0 ]
like "-T 0.5: ... the listener says so" \
    "*no reply to $T/s1: no reply within the time limit*" "$(cat "$T/lerr")"
tmo "$SEND" -r -t 10 -b "$T/s2" "$S" quick >"$T/o" 2>"$T/err"
is "-T 0.5: the restarted worker answers the next" quick "$(cat "$T/o")"
is "-T 0.5: two workers were started" 2 "$(wc -l < "$PIDS")"
first=$(head -n 1 "$PIDS")
true_that "-T 0.5: the first worker is gone" [ ! -e "/proc/$first" ]
kill -TERM "$LASTPID"
reap "$LASTPID" 5
status "-T: SIGTERM, exit 0" 0 "$RC"

# --- a reply longer than a datagram is never cut ------------------------------
# shellcheck disable=SC2016
listen -c 2 -E 'while read -r l; do case $l in
	big) head -c 300000 /dev/zero | tr "\0" x; echo;;
	*) echo "$l";; esac; done'
pyclient g 2 big small >"$T/o"
is "-E: a 300000-byte reply is not sent; the next is" \
    "$(printf 'small\ntimeout')" "$(cat "$T/o")"
finish_listen
like "-E: the long reply is reported" "*no reply to $T/g: *longer*" \
    "$(cat "$T/lerr")"

# --- output nobody asked for goes to nobody --------------------------------
listen -c 1 -E 'echo unasked; exec cat'
sleep 0.3
tmo "$SEND" -r -t 5 "$S" mine >"$T/o" 2>"$T/err"
is "-E: a record before any request is not the next sender's reply" mine \
    "$(cat "$T/o")"
finish_listen
like "-E: ... it is reported" "*no request waiting*" "$(cat "$T/lerr")"

# --- a worker that stops reading: back-pressure, then everything answered -----
# It sleeps before it reads: 30 senders with a request of 10000 bytes each
# fill its pipe, the listener stops reading its socket and the senders
# wait; once the worker reads, every one is answered with its own.
listen -c 30 -E 'sleep 2; exec cat'
pids=()
for i in $(seq 10 39); do
	head -c 10000 /dev/zero | tr '\0' "${i:1:1}" | sed "s/^/$i/" >"$T/bq$i"
	"$SEND" -r -t 20 -b "$T/bp$i" "$S" "$(cat "$T/bq$i")" >"$T/bo$i" \
	    2>/dev/null &
	pids+=("$!")
done
sleep 1
taken=$(wc -l < "$T/out")
echo "  (while the worker slept, the listener took $taken of 30)"
true_that "stalled worker: the listener stops reading ($taken < 30)" \
    [ "$taken" -lt 30 ]
answered=0
for i in $(seq 10 39); do
	wait "${pids[$((i - 10))]}" && [ "$(cat "$T/bo$i")" = "$(cat "$T/bq$i")" ] &&
	    answered=$((answered + 1))
done
is "stalled worker: then all 30 get their own reply" 30 "$answered"
finish_listen
is "stalled worker: all 30 written" 30 "$(wc -l < "$T/out")"

# --- a sender slow to read its replies loses none of them ---------------------
# It sends 40 requests without reading; the worker holds its answers for
# half a second after the first, then writes them all at once, and the
# sender reads a little later.  Its queue takes about 11; the reply that
# finds no room waits, and so do the worker's later replies, in its pipe
# and in order, instead of being dropped.
# shellcheck disable=SC2016 # for the command's shell
listen -E 'read -r first; sleep 0.5; echo "$first"; exec cat'
lpid=$LASTPID
tmo "$PY" - "$S" "$T/slow" >"$T/o" <<'EOF'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.setblocking(False)
sent = []
for i in range(40):
    try:
        s.sendto(b"r%02d" % i, sys.argv[1])
        sent.append(b"r%02d" % i)
    except BlockingIOError:
        time.sleep(0.02)
time.sleep(0.7)
s.settimeout(5)
got = []
try:
    while len(got) < len(sent):
        got.append(s.recv(100))
except socket.timeout:
    pass
print("%d sent, %s" % (len(sent), "all back in order" if got == sent else
    "got %d: %r" % (len(got), got)))
os.unlink(sys.argv[2])
EOF
like "slow reader: every reply comes, in order" "* sent, all back in order" \
    "$(cat "$T/o")"
echo "  ($(cat "$T/o"))"
kill -TERM "$lpid"
reap "$lpid" 5
status "slow reader: SIGTERM, exit 0" 0 "$RC"

# --- a flood cannot grow the listener's memory -------------------------------
# A worker that reads everything and never answers: at most 1024 requests
# are kept unanswered, the rest wait in the kernel, so a non-blocking
# flood of 20000 finds the queue full early, and memory stays small.
listen -E 'while read -r l; do :; done'
lpid=$LASTPID
pyflood fl 20000 200 0.01 >"$T/o"
sent=$(cat "$T/o")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$lpid/status")
echo "  (the flood got $sent datagrams in; listener RSS $rss KiB)"
true_that "flood: held in the kernel, not in the listener ($sent < 2000)" \
    [ "${sent:-20000}" -lt 2000 ]
true_that "flood: listener RSS stays under 16 MiB ($rss KiB)" \
    [ "${rss:-999999}" -lt 16384 ]
t0=$EPOCHREALTIME
kill -TERM "$lpid"
reap "$lpid" 10
status "flood: SIGTERM, exit 0" 0 "$RC"
like "flood: the unanswered are counted" "*no reply to * more requests*" \
    "$(cat "$T/lerr")"

# --- SIGTERM stops a worker that ignores it --------------------------------
: >"$PIDS"
# shellcheck disable=SC2016
listen -E 'trap "" TERM; echo $$ >> "$PIDS"; while :; do sleep 1; done'
lpid=$LASTPID
one_started() {
	[ -s "$PIDS" ]
}
wait_for one_started
t0=$EPOCHREALTIME
kill -TERM "$lpid"
reap "$lpid" 10
ms=$(elapsed_ms "$t0")
status "SIGTERM, a worker that ignores it: exit 0" 0 "$RC"
true_that "... within 3 s ($ms ms)" [ "$ms" -lt 3000 ]
true_that "... the worker is gone" [ ! -e "/proc/$(cat "$PIDS")" ]
true_that "... socket file removed" [ ! -e "$S" ]

done_testing
