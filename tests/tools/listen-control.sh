#!/bin/bash
# udg-listen stays in control: SIGTERM ends it promptly whatever it waits
# for (a command, a reader that does not read, a FIFO nobody opened), -T
# limits commands, -t counts idle time only, a stop drains the queue, a
# closed output ends it at once, a failed fork skips one request, and a
# full disk never tears a record.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# term_within DESC SECONDS: SIGTERM the last listener; it must end within
# SECONDS (a generous bound) and remove its socket.
term_within() {
	kill -TERM "$LASTPID"
	reap "$LASTPID" "$2"
	true_that "$1: ended after SIGTERM ($RC)" [ "$RC" -ne 124 ]
	true_that "$1: socket file removed" [ ! -e "$S" ]
	true_that "$1: lock file removed" [ ! -e "$S.lock" ]
}

# --- SIGTERM while a command runs ---------------------------------------------
export CMDPID=$T/cmdpid
# shellcheck disable=SC2016
listen -e 'echo $$ > "$CMDPID"; exec sleep 60'
lpid=$LASTPID
spawn tmo "$SEND" -r -t 30 "$S" hang
wait_for test -s "$CMDPID"
LASTPID=$lpid
term_within "SIGTERM during -e" 5
status "SIGTERM during -e: exit 0" 0 "$RC"
true_that "SIGTERM during -e: the command was killed" \
    wait_gone "$(cat "$CMDPID")" 5
like "SIGTERM during -e: says it gave no reply" \
    "*command for*stopped*no reply*" "$(cat "$T/lerr")"

# --- SIGTERM while stdout is a pipe nobody reads -------------------------------
mkfifo "$T/fifo"
sleep 60 < "$T/fifo" &
BGPIDS="$BGPIDS $!"
spawn "$LISTEN" -R "$S" > "$T/fifo" 2>"$T/lerr"
wait_for_socket "$S"
head -c 1000 /dev/zero | tr '\0' x > "$T/line"
for _ in $(seq 200); do cat "$T/line"; echo; done > "$T/lines"
tmo "$SEND" "$S" < "$T/lines"
status "stalled stdout: the sender is not blocked for long" 0 $?
term_within "stalled stdout" 5
status "stalled stdout: exit 74, records were lost" 74 "$RC"
like "stalled stdout: says how many were not written" \
    "*records received but not written*" "$(cat "$T/lerr")"
rm -f "$T/fifo"

# --- SIGTERM, stdout stalled: even what is still queued is counted -----------
mkfifo "$T/fifo"
sleep 60 < "$T/fifo" &
BGPIDS="$BGPIDS $!"
spawn "$LISTEN" -v -R "$S" > "$T/fifo" 2>"$T/lerr"
wait_for_socket "$S"
# as many as the queue takes: the listener stops reading once its
# buffer is full, and the kernel queues some more
n=$(tmo "$PY" - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.settimeout(1)
n = 0
try:
    for i in range(500):
        s.sendto(b"x" * 1000, sys.argv[1])
        n += 1
except OSError:
    pass
print(n)
EOF
)
kill -TERM "$LASTPID"
reap "$LASTPID" 10
status "stalled, SIGTERM: exit 74" 74 "$RC"
r=$(vcount received "$T/lerr")
w=$(vcount written "$T/lerr")
l=$(vcount lost "$T/lerr")
is "stalled, SIGTERM: every datagram sent was received (-v)" "$n" "$r"
is "stalled, SIGTERM: each one written or lost (-v)" "$n" "$((w + l))"
like "stalled, SIGTERM: the loss is said" \
    "*stdout: $l records received but not written*" "$(cat "$T/lerr")"
rm -f "$T/fifo"

# --- stdout a terminal that stopped (^S): still in control ---------------------
# The listener writes a terminal without blocking through an open of its
# own: the shell's open of the same terminal keeps its flags.
tmo "$PY" - "$LISTEN" "$S" >"$T/tty" 2>&1 <<'EOF'
import fcntl, os, select, signal, socket, subprocess, sys, termios, time
listen, sock = sys.argv[1], sys.argv[2]
m, s = os.openpty()
p = subprocess.Popen([listen, sock], stdout=s, stdin=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
while not os.path.exists(sock):
    time.sleep(0.01)
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.settimeout(1)
c.sendto(b"hello", sock)
got = b""
while b"\n" not in got and select.select([m], [], [], 5)[0]:
    got += os.read(m, 100)
print("record:", got.strip().decode())
print("shared flags blocking:", not fcntl.fcntl(s, fcntl.F_GETFL) & os.O_NONBLOCK)
termios.tcflow(s, termios.TCOOFF)
try:
    for i in range(500):
        c.sendto(b"y" * 1000, sock)
except OSError:
    pass
t = time.time()
p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(timeout=5)
    print("stopped: %d within 5 s" % rc)
except subprocess.TimeoutExpired:
    print("still running 5 s after SIGTERM")
    termios.tcflow(s, termios.TCOON)
    while p.poll() is None:
        if select.select([m], [], [], 0.2)[0]:
            os.read(m, 65536)
EOF
is "stdout a terminal: the record arrives" "record: hello" \
    "$(sed -n 1p "$T/tty")"
is "stdout a terminal: its shared open stays blocking" \
    "shared flags blocking: True" "$(sed -n 2p "$T/tty")"
is "stdout a terminal stopped by ^S: SIGTERM ends it, records lost (74)" \
    "stopped: 74 within 5 s" "$(sed -n 3p "$T/tty")"
true_that "stdout a terminal: socket file removed" [ ! -e "$S" ]

# --- the reader of a stalled pipe leaves: what it left is counted lost ----------
mkfifo "$T/fifo"
sleep 60 < "$T/fifo" &
rpid=$!
BGPIDS="$BGPIDS $rpid"
spawn "$LISTEN" -v -R "$S" > "$T/fifo" 2>"$T/lerr"
wait_for_socket "$S"
# 150: the pipe (64 KiB) takes some 65 of them, and the rest fit in the
# listener's buffer (128 KiB), so that it takes them all in
head -n 150 "$T/lines" > "$T/lines150"
tmo "$SEND" "$S" < "$T/lines150"
# shellcheck disable=SC2317
received_all() {
	kill -USR1 "$LASTPID" && sleep 0.1 &&
	    [ "$(vcount received "$T/lerr")" = 150 ]
}
true_that "reader leaves: all 150 were received first" wait_for received_all
kill -TERM "$rpid"
reap "$LASTPID" 10
status "reader leaves: exit 0, like a filter" 0 "$RC"
w=$(vcount written "$T/lerr")
l=$(vcount lost "$T/lerr")
# at most 65 of the 1001-byte lines went into the pipe
true_that "reader leaves: -v counts what waited as lost ($w written, $l lost)" \
    awk -v w="$w" -v l="$l" 'BEGIN { exit !(w + l == 150 && l >= 85) }'
rm -f "$T/fifo"

# --- stopping with a record written in part: it is finished, not cut -----------
# A stalled pipe took part of a record; the reader comes back during the
# second the listener gives that record after its stop.
mkfifo "$T/fifo"
rm -f "$T/go"
tmo "$PY" - "$T/fifo" "$T/go" "$T/got" <<'EOF' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
with open(sys.argv[3], "wb") as out:
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        out.write(b)
EOF
rpid=$!
BGPIDS="$BGPIDS $rpid"
spawn "$LISTEN" -v -R "$S" > "$T/fifo" 2>"$T/lerr"
wait_for_socket "$S"
tmo "$PY" - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.settimeout(1)
try:
    for i in range(300):
        s.sendto(b"z" * 999, sys.argv[1])
except OSError:
    pass
EOF
kill -TERM "$LASTPID"
sleep 1.4
touch "$T/go"
reap "$LASTPID" 10
wait "$rpid"
status "stopped with a record in part: exit 74 (the rest was lost)" 74 "$RC"
cut=$(awk 'length($0) != 999 { n++ } END { print n + 0 }' "$T/got")
last=$(tail -c 1 "$T/got" | od -An -tx1 | tr -d ' ')
is "stopped with a record in part: the reader got whole lines only" \
    "0 0a" "$cut $last"
true_that "stopped with a record in part: the pipe's worth arrived" \
    [ "$(wc -l < "$T/got")" -ge 60 ]
rm -f "$T/fifo"

# --- -o FIFO with no reader ------------------------------------------------
mkfifo "$T/ofifo"
spawn "$LISTEN" -o "$T/ofifo" "$S" 2>"$T/lerr"
true_that "-o FIFO, no reader: the socket is bound meanwhile" \
    wait_for_socket "$S"
term_within "-o FIFO, no reader" 5
status "-o FIFO, no reader: exit 0" 0 "$RC"
spawn "$LISTEN" -c 1 -o "$T/ofifo" "$S" 2>"$T/lerr"
wait_for_socket "$S"
tmo "$SEND" "$S" "through the fifo"
tmo cat "$T/ofifo" > "$T/got"
reap "$LASTPID"
status "-o FIFO, reader comes later: exit 0" 0 "$RC"
is "-o FIFO, reader comes later: the record arrives" "through the fifo" \
    "$(cat "$T/got")"

# --- -T: a command past its time limit ---------------------------------------
listen -v -c 2 -T 0.5 -e 'read -r x; [ "$x" = slow ] && exec sleep 60; echo quick'
tmo "$SEND" -r -t 10 -b "$T/slow" "$S" slow >"$T/o" 2>"$T/err"
status "-T 0.5: the client gets no reply (75)" 75 $?
tmo "$SEND" -r -t 10 "$S" next >"$T/o" 2>"$T/err"
is "-T 0.5: the next request is answered" "quick" "$(cat "$T/o")"
finish_listen
like "-T 0.5: the kill is logged with the sender" \
    "*command for $T/slow timed out*no reply*" "$(cat "$T/lerr")"
is "-T 0.5: -v counts the failed command" 1 "$(vcount 'failed' "$T/lerr")"
tmo "$LISTEN" -T x "$S" 2>"$T/err"
status "-T x: 64" 64 $?

# --- -t counts idle time only -----------------------------------------------
# A command longer than -t: the wait for the next datagram starts when it
# ends, so a datagram sent right after the reply still finds the listener.
listen -t 1.5 -e 'sleep 2; echo done'
tmo "$SEND" -r -t 10 "$S" first >"$T/o" 2>"$T/err"
is "-t shorter than a command: the reply comes" "done" "$(cat "$T/o")"
tmo "$SEND" "$S" second 2>"$T/err"
status "-t: still listening right after the command" 0 $?
finish_listen
is "-t: both records written" 2 "$(wc -l < "$T/out")"
# Idle for -t, it exits then: the stop's grace (a second) is for what is
# left to write, and nothing is.
t0=$EPOCHREALTIME
tmo "$LISTEN" -t 0.1 -o "$T/out" "$S"
status "-t 0.1, nothing sent: exit 0" 0 $?
ms=$(elapsed_ms "$t0")
true_that "-t 0.1: exits in less than 1.1 s, not after a grace ($ms ms)" \
    [ "$ms" -lt 1100 ]

# --- SIGTERM drains what is queued ------------------------------------------
listen -v
kill -STOP "$LASTPID"
for i in 1 2 3 4 5; do tmo "$SEND" "$S" "queued $i"; done
kill -TERM "$LASTPID"
kill -CONT "$LASTPID"
reap "$LASTPID" 10
status "SIGTERM with a queue: exit 0" 0 "$RC"
is "SIGTERM with a queue: all 5 written" 5 "$(wc -l < "$T/out")"

# --- a closed output is noticed at once ---------------------------------------
( "$LISTEN" "$S" 2>"$T/lerr"; echo $? > "$T/rc" ) | head -n 1 > "$T/o" &
BGPIDS="$BGPIDS $!"
wait_for_socket "$S"
tmo "$SEND" "$S" "only one"
true_that "| head -1: exits without another datagram" wait_for test -s "$T/rc"
is "| head -1: exit 0" 0 "$(cat "$T/rc" 2>/dev/null)"
is "| head -1: says nothing" "" "$(cat "$T/lerr")"
true_that "| head -1: socket file removed" [ ! -e "$S" ]
is "| head -1: head got the record" "only one" "$(cat "$T/o")"

# --- a command that cannot be started skips one request ----------------------
# Few enough fds for the listener, too few for a command's pipes.
n=0
for lim in 7 8 9 10 11 12; do
	rm -f "$T/lerr" "$T/out"
	( ulimit -n "$lim"; exec "$LISTEN" -e 'echo hi' -o "$T/out" "$S" ) \
	    2>"$T/lerr" &
	LASTPID=$!
	BGPIDS="$BGPIDS $LASTPID"
	if ! wait_for_socket "$S" 1 >/dev/null; then
		reap "$LASTPID" 2
		rm -f "$S" "$S.lock"
		continue
	fi
	tmo "$SEND" -r -t 1 "$S" one >"$T/o" 2>"$T/err"
	if grep -q "not started" "$T/lerr"; then
		n=$lim
		break
	fi
	term_within "ulimit -n $lim" 5 >/dev/null
done
if [ "$n" -gt 0 ]; then
	tmo "$SEND" "$S" two
	true_that "EMFILE for a command: the listener goes on" alive "$LASTPID"
	like "EMFILE for a command: the request is skipped with a message" \
	    "*command for*not started, request skipped*" "$(cat "$T/lerr")"
	term_within "EMFILE for a command" 5
	status "EMFILE for a command: exit 0" 0 "$RC"
	is "EMFILE for a command: both records written" 2 \
	    "$(wc -l < "$T/out")"
else
	bad "EMFILE for a command: no fd limit lets it start but not fork"
fi

# --- a full disk: whole records, back-pressure, retries -----------------------
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: full-disk test needs root (a small tmpfs)"
elif ! mkdir "$T/mnt" || ! mount -t tmpfs -o size=512k tmpfs "$T/mnt"; then
	echo "SKIP: full-disk test: cannot mount a tmpfs here"
else
	# Fill it, then free 24 KB: 24 of the 200 records fit.
	head -c 1000000 /dev/zero > "$T/mnt/filler" 2>/dev/null
	truncate -s -24000 "$T/mnt/filler"
	spawn "$LISTEN" -R -v -o "$T/mnt/log" "$S" 2>"$T/lerr"
	lpid=$LASTPID
	wait_for_socket "$S"
	head -c 999 /dev/zero | tr '\0' y > "$T/rec"
	for _ in $(seq 200); do cat "$T/rec"; echo; done > "$T/recs"
	spawn tmo "$SEND" "$S" < "$T/recs"
	spid=$LASTPID
	sleep 2
	size=$(stat -c %s "$T/mnt/log")
	is "full disk: only whole records in the file" 0 $((size % 1000))
	true_that "full disk: the sender waits (back-pressure)" alive "$spid"
	is "full disk: warned once" 1 "$(grep -c 'No space' "$T/lerr")"
	rm -f "$T/mnt/filler"
	reap "$spid" 20
	status "full disk, space again: the sender finishes" 0 "$RC"
	wait_for test "$(stat -c %s "$T/mnt/log")" -eq 200000
	is "full disk, space again: all 200 records" 200000 \
	    "$(stat -c %s "$T/mnt/log")"
	# Full again, then SIGTERM: it still stops and says what is lost.
	head -c 1000000 /dev/zero > "$T/mnt/filler" 2>/dev/null
	spawn tmo "$SEND" "$S" < "$T/recs"
	spid=$LASTPID
	sleep 1
	LASTPID=$lpid
	term_within "full disk" 5
	status "full disk, SIGTERM: exit 74" 74 "$RC"
	like "full disk, SIGTERM: reports the records not written" \
	    "*record* received but not written*" "$(cat "$T/lerr")"
	size=$(stat -c %s "$T/mnt/log")
	is "full disk, SIGTERM: still only whole records" 0 $((size % 1000))
	reap "$spid" 10
	umount "$T/mnt"
fi

done_testing
