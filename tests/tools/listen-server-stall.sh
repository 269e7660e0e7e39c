#!/bin/bash
# udg-listen servers beside senders that do not read their replies: a
# reply that waits for room costs neither the worker nor other senders.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# --- -E -T: a reply waiting for room is not the worker's delay ---------------
# A sender that never reads gets 14 requests' replies: its queue takes 10
# or 11, the next waits a second for room, and the worker's replies behind
# it stay in its pipe meanwhile.  The worker answered them all at once:
# a -T far shorter than that second must not end it.
listen -v -T 0.3 -E cat
tmo "$PY" - "$S" "$T/mute" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
for i in range(14):
    s.sendto(b"mute %d" % i, sys.argv[1])
time.sleep(2)
EOF
tmo "$SEND" -r -t 5 "$S" after >"$T/o" 2>"$T/err"
is "-E -T, replies held for a sender that does not read: next one answered" \
    after "$(cat "$T/o")"
kill -TERM "$LASTPID"
reap "$LASTPID"
status "-E -T, replies held: the listener exits 0" 0 "$RC"
like "-E -T, replies held: the dropped replies are reported" \
    "*reply to $T/mute dropped*" "$(cat "$T/lerr")"
is "-E -T, replies held: the worker was not ended" 0 \
    "$(grep -c 'waited past -T' "$T/lerr")"
is "-E -T, replies held: no request unanswered (-v)" 0 \
    "$(grep -o 'unanswered [0-9]*' "$T/lerr" | grep -o '[0-9]*')"

# round_trips PID WHAT: with the flood PID running for 4 s already, 8
# round trips to the listener must be answered, each in under 700 ms;
# then the flood and the listener are stopped.
round_trips() {
	local hpid=$1 what=$2 slow=0 n=0 i t0 ms
	BGPIDS="$BGPIDS $hpid"
	sleep 4
	for i in 1 2 3 4 5 6 7 8; do
		t0=$EPOCHREALTIME
		[ "$(tmo "$SEND" -r -t 5 "$S" "hi $i")" = "hi $i" ] &&
		    n=$((n + 1))
		ms=$(elapsed_ms "$t0")
		[ "$ms" -gt "$slow" ] && slow=$ms
	done
	is "$what: 8 of 8 answered" 8 "$n"
	true_that "$what: each in < 700 ms (slowest $slow ms)" \
	    [ "$slow" -lt 700 ]
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	kill -TERM "$LASTPID"
	reap "$LASTPID"
	status "$what: exit 0" 0 "$RC"
}

# --- --echo: many sockets of one user that do not read ---------------------
# A socket whose queue stays full costs a second's wait for room once; the
# listener remembers 16 of them, and waits for no socket of a user once
# two of its are remembered.  Twenty sockets of one user, sending all the
# time, must not make it wait again and again while nobody else is
# served: after the first two seconds, another sender's round trips stay
# short.
listen --echo
"$PY" - "$S" "$T/mutes" <<'EOF' &
import os, socket, sys, time
os.mkdir(sys.argv[2])
ss = []
for i in range(20):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("%s/%d" % (sys.argv[2], i))
    s.setblocking(False)
    ss.append(s)
end = time.time() + 12
k = 0
while time.time() < end:
    try:
        ss[k % 20].sendto(b"z", sys.argv[1])
    except BlockingIOError:
        time.sleep(0.001)
    k += 1
EOF
round_trips $! "--echo beside 20 sockets that do not read"
like "--echo beside 20 sockets that do not read: the drops are reported" \
    "*reply to $T/mutes/*dropped*" "$(cat "$T/lerr")"
rm -rf "$T/mutes"

# --- --echo: sockets of many users that do not read ---------------------
# More users than the listener remembers (16), one such socket each (root
# may hand out uids; so may a user with subordinate ones): once a reply
# waited its second in vain, replies do not wait for a while, so that
# they cannot take turns holding everyone up.
if [ "$(id -u)" -ne 0 ]; then
	echo "# SKIP --echo beside 20 users' sockets that do not read: needs root"
else
	chmod 711 "$T"
	listen --echo -m 666
	mkdir -m 1777 "$T/users"
	"$PY" - "$S" "$T/users" <<'EOF' &
import os, socket, sys, time
kids = []
for i in range(20):
    pid = os.fork()
    if pid == 0:
        os.setgid(20000 + i)
        os.setuid(20000 + i)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind("%s/%d" % (sys.argv[2], i))
        s.setblocking(False)
        end = time.time() + 12
        while time.time() < end:
            try:
                s.sendto(b"z", sys.argv[1])
            except BlockingIOError:
                time.sleep(0.001)
            time.sleep(0.005)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
EOF
	round_trips $! "--echo beside 20 users' sockets that do not read"
	like "--echo beside 20 users' sockets that do not read: drops reported" \
	    "*reply to $T/users/*dropped*" "$(cat "$T/lerr")"
	rm -rf "$T/users"
fi

done_testing
