#!/bin/bash
# udg-listen on several sockets at once: each record names the socket it
# came in on, replies leave through that socket, every socket has its own
# lock and goes on exit, a start that cannot bind them all binds none,
# and passed sockets are matched to the operands by their bound path.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
A=$T/a
B=$T/b

# multi ARGS...: a udg-listen on $A and $B writing to $T/out, in the
# background, once both sockets are there.
multi() {
	rm -f "$T/out" "$T/lerr"
	spawn "$LISTEN" "$@" -o "$T/out" "$A" "$B" 2>"$T/lerr"
	wait_for_socket "$A"
	wait_for_socket "$B"
}

# gone PATH...: none of PATHs exists; there PATH...: all do; sockets
# PATH...: all are sockets.
# shellcheck disable=SC2317 # called through true_that
gone() {
	local p
	for p; do [ ! -e "$p" ] || return 1; done
}
# shellcheck disable=SC2317 # called through true_that
there() {
	local p
	for p; do [ -e "$p" ] || return 1; done
}
# shellcheck disable=SC2317 # called through true_that
sockets() {
	local p
	for p; do [ -S "$p" ] || return 1; done
}

# finish_multi LABEL: the listener exits 0 by itself, both sockets and
# both locks gone.
finish_multi() {
	reap "$LASTPID"
	status "$1: listener exits 0" 0 "$RC"
	true_that "$1: both sockets removed" gone "$A" "$B"
	true_that "$1: both locks removed" gone "$A.lock" "$B.lock"
}

# ask SOCKET MESSAGE: send MESSAGE from a bound client socket and print
# the address the reply came from, a tab, and the reply.
ask() {
	tmo "$PY" - "$1" "$2" "$T/cli" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.path.exists(sys.argv[3]):
    os.unlink(sys.argv[3])
s.bind(sys.argv[3])
s.settimeout(10)
s.sendto(sys.argv[2].encode(), sys.argv[1])
data, addr = s.recvfrom(65536)
print("%s\t%s" % (addr, data.decode()))
s.close()
os.unlink(sys.argv[3])
EOF
}

# --- records name their socket -----------------------------------------------
multi -J -c 2
tmo "$SEND" "$A" to a
tmo "$SEND" "$B" to b
finish_multi "-J, two sockets"
is "-J: each record's socket is the one it was sent to" \
    "$(printf '%s\tto a\n%s\tto b' "$A" "$B")" \
    "$(jget "$T/out" socket data | sort)"

S=$A
listen -J -c 1
tmo "$SEND" "$A" alone
finish_listen
is "-J, one socket: no socket member" "MISSING	alone" \
    "$(jget "$T/out" socket data)"

multi --peer -c 2
tmo "$SEND" -b "$T/c1" "$B" one
tmo "$SEND" -b "$T/c2" "$A" two
finish_multi "--peer, two sockets"
is "--peer: the socket, then the sender" \
    "$(printf '%s %s two\n%s %s one' "$A" "$T/c2" "$B" "$T/c1")" \
    "$(sort "$T/out")"

# --- replies leave through the socket the request came in on -----------------
multi --echo -c 2
is "--echo on b: the reply comes from b" "$B	via b" "$(ask "$B" "via b")"
is "--echo on a: the reply comes from a" "$A	via a" "$(ask "$A" "via a")"
finish_multi "--echo, two sockets"

# A sender that reads its replies late: the replies that found its queue
# full are held and sent again later, still from the socket it wrote to.
multi --echo -c 30
tmo "$PY" - "$B" "$T/late" <<'EOF' >"$T/o" 2>&1
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
for i in range(30):
    s.sendto(b"late %d" % i, sys.argv[1])
time.sleep(0.2)
s.settimeout(5)
got, froms = 0, set()
try:
    while got < 30:
        data, addr = s.recvfrom(65536)
        got += 1
        froms.add(addr)
except socket.timeout:
    pass
print(got >= 11, " ".join(sorted(froms)))
EOF
is "--echo, replies read late: all from the socket written to" \
    "True $B" "$(cat "$T/o")"
finish_multi "--echo, replies read late"

multi -c 2 -e 'tr a-z A-Z'
is "-e on b: the reply comes from b" "$B	UPPER B" "$(ask "$B" "upper b")"
is "-e on a: the reply comes from a" "$A	UPPER A" "$(ask "$A" "upper a")"
finish_multi "-e, two sockets"

# shellcheck disable=SC2016 # for the command's shell
multi -c 2 -e 'printf %s "$UDG_SOCKET"'
is "-e: UDG_SOCKET names b" "$B	$B" "$(ask "$B" x)"
is "-e: UDG_SOCKET names a" "$A	$A" "$(ask "$A" x)"
finish_multi "-e, UDG_SOCKET"

# -j and -E: requests that wait (for a free job, the worker) keep theirs.
multi -c 4 -j 2 -e 'tr a-z A-Z'
is "-e -j on b: the reply comes from b" "$B	JOB B" "$(ask "$B" "job b")"
is "-e -j on a: the reply comes from a" "$A	JOB A" "$(ask "$A" "job a")"
is "-e -j on b again: from b" "$B	AGAIN B" "$(ask "$B" "again b")"
is "-e -j on a again: from a" "$A	AGAIN A" "$(ask "$A" "again a")"
finish_multi "-e -j, two sockets"

# One sender's second request waits for its first: kept, then answered
# from the socket it came in on.
multi -c 2 -j 2 -e 'sleep 0.2; tr a-z A-Z'
tmo "$PY" - "$A" "$B" "$T/cli" <<'EOF' >"$T/o" 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[3])
s.settimeout(10)
s.sendto(b"first a", sys.argv[1])
s.sendto(b"then b", sys.argv[2])
for i in range(2):
    data, addr = s.recvfrom(65536)
    print("%s\t%s" % (addr, data.decode()))
EOF
rm -f "$T/cli"
is "-e -j, a kept request: each reply from its own socket" \
    "$(printf '%s\tFIRST A\n%s\tTHEN B' "$A" "$B")" "$(cat "$T/o")"
finish_multi "-e -j, a kept request"

# shellcheck disable=SC2016 # for the worker's shell
multi -c 2 -E 'while read -r l; do echo "w $l"; done'
is "-E on b: the reply comes from b" "$B	w to b" "$(ask "$B" "to b")"
is "-E on a: the reply comes from a" "$A	w to a" "$(ask "$A" "to a")"
finish_multi "-E, two sockets"

# --- -m applies to every socket ----------------------------------------------
multi -m 600 -g "$(id -g)" -c 1
is "-m 600: the first socket's mode" 600 "$(stat -c %a "$A")"
is "-m 600: the second socket's mode" 600 "$(stat -c %a "$B")"
is "-g: the second socket's group" "$(id -g)" "$(stat -c %g "$B")"
true_that "two sockets: each has its lock while it runs" \
    there "$A.lock" "$B.lock"
tmo "$SEND" "$B" last
finish_multi "-m, two sockets"

# --- -u applies to every socket ----------------------------------------------
multi -v -t 1 -u 4242
tmo "$SEND" "$A" refused
tmo "$SEND" "$B" refused
finish_multi "-u, two sockets"
is "-u: what either socket got was refused" 2 \
    "$(vcount "not allowed" "$T/lerr")"
is "-u: nothing written" 0 "$(wc -c < "$T/out")"

# --- a start that cannot bind every socket binds none ------------------------
spawn "$LISTEN" -o /dev/null "$B" 2>"$T/berr"
bpid=$LASTPID
wait_for_socket "$B"
tmo "$LISTEN" "$A" "$B" 2>"$T/err"
status "second socket held by a live listener: 73" 73 $?
like "held by a live listener: names that socket" "*$B: in use*" \
    "$(cat "$T/err")"
true_that "held by a live listener: the first socket is gone" [ ! -e "$A" ]
true_that "held by a live listener: its lock is gone" [ ! -e "$A.lock" ]
true_that "held by a live listener: the other listener's socket stays" \
    [ -S "$B" ]
is "held by a live listener: the other listener still receives" "" \
    "$(tmo "$SEND" "$B" still mine 2>&1)"
kill -TERM "$bpid"
reap "$bpid"

tmo "$LISTEN" "$A" "$T/nodir/b" 2>"$T/err"
status "second socket in a missing directory: 73" 73 $?
like "missing directory: names that path" \
    "*$T/nodir/b: its directory does not exist*" "$(cat "$T/err")"
true_that "missing directory: the first socket is gone" [ ! -e "$A" ]
true_that "missing directory: its lock is gone" [ ! -e "$A.lock" ]

tmo "$LISTEN" "$A" "$B" "$A" 2>"$T/err"
status "a socket given twice: 64" 64 $?
like "a socket given twice: says which" "*$A given twice*" \
    "$(cat "$T/err")"
true_that "a socket given twice: nothing bound" gone "$A" "$B"

tmo "$LISTEN" "$A" "$T/./a" 2>"$T/err"
status "one socket spelled two ways: 64" 64 $?
like "one socket spelled two ways: names both" \
    "*$T/./a given twice (as $A)*" "$(cat "$T/err")"
true_that "one socket spelled two ways: nothing bound" gone "$A"

tmo "$LISTEN" --forward "$B" "$A" "$B" 2>"$T/err"
status "--forward to its second socket: 64" 64 $?
like "--forward to its second socket: says it would loop" "*would loop*" \
    "$(cat "$T/err")"
true_that "--forward to its second socket: both sockets gone" \
    gone "$A" "$B"

# --- SIGTERM removes every socket --------------------------------------------
multi
kill -TERM "$LASTPID"
finish_multi "SIGTERM"

# --- socket activation with two sockets --------------------------------------
# activate2 PATH1 PATH2 -- CMD...: bind datagram sockets at PATH1 and
# PATH2, put them at fds 3 and 4, set LISTEN_FDS=2 and LISTEN_PID to the
# process about to exec CMD, as systemd does.
activate2() {
	"$PY" - "$@" <<'EOF'
import fcntl, os, socket, sys
paths, cmd = sys.argv[1:3], sys.argv[4:]
# Out of the way first, so that placing one cannot close another.
high = []
for path in paths:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    high.append(fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 20))
    s.close()
for fd, h in enumerate(high, 3):
    os.dup2(h, fd)
    os.close(h)
os.environ["LISTEN_FDS"] = str(len(paths))
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(cmd[0], cmd)
EOF
}

rm -f "$T/out"
# The operands in the other order than the fds: matched by path.
activate2 "$A" "$B" -- "$LISTEN" -J -c 2 -o "$T/out" "$B" "$A" \
    2>"$T/lerr" &
lpid=$!
BGPIDS="$BGPIDS $lpid"
wait_for test -e "$T/out"
tmo "$SEND" "$A" passed a
tmo "$SEND" "$B" passed b
reap "$lpid"
status "activation, two sockets: exit 0" 0 "$RC"
is "activation, two sockets: each record names its socket" \
    "$(printf '%s\tpassed a\n%s\tpassed b' "$A" "$B")" \
    "$(jget "$T/out" socket data | sort)"
true_that "activation, two sockets: both files stay (their owner's)" \
    sockets "$A" "$B"
true_that "activation, two sockets: no lock made" \
    gone "$A.lock" "$B.lock"
rm -f "$A" "$B"

activate2 "$A" "$B" -- "$LISTEN" -c 1 "$A" "$T/c" 2>"$T/err"
status "activation, a passed socket no operand names: 78" 78 $?
like "activation, no operand names it: says which fd and path" \
    "*fd 4*bound to $B*" "$(cat "$T/err")"
rm -f "$A" "$B"

done_testing
