#!/bin/bash
# udg-send -r: which datagram is a reply, how long it waits, where it
# writes, and asking a listener of another user.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# end_listen: send END (the listener stops at it by -c) and check its exit.
end_listen() {
	tmo "$SEND" "$S" END
	reap "$LASTPID"
	status "listener exit" 0 "$RC"
}

# --- -t: needs -r; 0 means no limit -------------------------------------
tmo "$SEND" -t 2 "$T/nope" m >/dev/null 2>"$T/err"
status "-t without -r: 64" 64 $?
like "-t without -r: says -t needs -r" "*-t needs -r*" "$(cat "$T/err")"

listen --echo -c 1
tmo "$SEND" -r -t 0 "$S" no limit >"$T/o" 2>"$T/err"
status "-r -t 0: exit 0" 0 $?
is "-r -t 0: waits without a limit and prints the reply" "no limit" \
    "$(cat "$T/o")"
reap "$LASTPID"

# The largest -t the page states is accepted, one more second is not.
listen --echo -c 1
tmo "$SEND" -r -t 2147483 "$S" largest >"$T/o" 2>"$T/err"
status "-t 2147483 (the largest): accepted" 0 $?
reap "$LASTPID"
tmo "$SEND" -r -t 2147484 "$S" m >/dev/null 2>"$T/err"
status "-t 2147484: 64" 64 $?
tmo "$SEND" -W 2147484 "$S" m >/dev/null 2>"$T/err"
status "-W 2147484: 64" 64 $?

# --- a listener that dies while we wait: 69 at once, not after -t --------
listen -R -c 5 -t 60
lpid=$LASTPID
spawn tmo "$SEND" -r -t 25 "$S" nobody answers >"$T/o" 2>"$T/err"
spid=$LASTPID
wait_for [ -s "$T/out" ]
kill -TERM "$lpid"
reap "$lpid"
reap "$spid" 20
status "listener gone while waiting: 69" 69 "$RC"
like "listener gone while waiting: says so, naming the socket" \
    "*$S*went away*" "$(cat "$T/err")"

listen -R -c 5 -t 60
lpid=$LASTPID
spawn tmo "$SEND" -r -t 25 "$S" killed >"$T/o" 2>"$T/err"
spid=$LASTPID
wait_for [ -s "$T/out" ]
kill -KILL "$lpid"
reap "$lpid"
reap "$spid" 20
status "listener killed (stale socket left) while waiting: 69" 69 "$RC"
rm -f "$S" "$S.lock"

# A listener that stays but does not answer is a timeout (75).
listen -R -c 2
tmo "$SEND" -r -t 0.5 "$S" ignored >"$T/o" 2>"$T/err"
status "no reply, listener alive: 75" 75 $?
like "75: names the socket" "*timed out waiting for a reply from $S*" \
    "$(cat "$T/err")"
end_listen

# --- a late answer on a reused -b path is not this request's reply --------
# The first request takes a second; its asker gives up after 0.2 s.  A new
# udg-send on the same -b path is connected to the server when the late
# answer comes, before it has sent: udg-send throws that answer away.  The
# server is a plain python one, which answers whoever asked, late or not.
if [ -n "$PY" ]; then
	rm -f "$S"
	"$PY" - "$S" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
for _ in range(2):
    data, peer = s.recvfrom(4096)
    if data == b"first":
        time.sleep(1)
    s.sendto(b"re:" + data, peer)
EOF
	pypid=$!
	wait_for_socket "$S"
	tmo "$SEND" -r -t 0.2 -b "$T/me" "$S" first >"$T/o1" 2>"$T/err"
	status "slow request: 75" 75 $?
	{ sleep 3.5; echo second; } |
	    tmo "$SEND" -r -v -t 10 -b "$T/me" "$S" >"$T/o" 2>"$T/err"
	status "reused -b path: exit 0" 0 $?
	is "reused -b path: only this request's reply is printed" "re:second" \
	    "$(cat "$T/o")"
	like "-v: counts the ignored datagram" "*ignored 1*" "$(cat "$T/err")"
	wait "$pypid"
	rm -f "$S"
else
	skip "late answer to a reused -b path: python3 not installed"
fi

# udg-listen itself does not send a late answer to a path bound anew since
# the request came, also when the new asker has already sent its own: the
# new udg-send, waiting behind the slow command, gets only its own reply.
listen -v -c 2 -e 'read -r x; case $x in first) sleep 1;; esac; echo "re:$x"'
tmo "$SEND" -r -t 0.2 -b "$T/me" "$S" first >"$T/o1" 2>"$T/err"
status "udg-listen, slow request: 75" 75 $?
tmo "$SEND" -r -t 10 -b "$T/me" "$S" second >"$T/o" 2>"$T/err"
status "udg-listen, reused -b path, already sent: exit 0" 0 $?
is "udg-listen, reused -b path, already sent: its own reply only" \
    "re:second" "$(cat "$T/o")"
finish_listen
like "udg-listen -v: says why the late answer was dropped" \
    "*reply to $T/me refused: its socket was bound anew*" "$(cat "$T/lerr")"

# --- stdout closed by its reader: quiet, dies of SIGPIPE ---------------------
listen --echo -t 1
seq 1 100000 | tmo "$SEND" -r "$S" 2>"$T/err" | head -n 1 >"$T/o"
rc=${PIPESTATUS[1]}
is "| head -n 1: head got the first reply" 1 "$(cat "$T/o")"
is "| head -n 1: no message" "" "$(cat "$T/err")"
status "| head -n 1: udg-send died of SIGPIPE (141)" 141 "$rc"
is "| head -n 1: no client socket left" 0 "$(sockets_in "$T/udg")"
finish_listen

# --- another user's listener (-m 0666) answers ---------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: replies between two users need root (su to nobody and" \
	    "a test user)"
	done_testing
fi
user=udgt$$
if ! useradd -M -N -r -s /usr/sbin/nologin "$user" 2>"$T/err"; then
	echo "SKIP: useradd $user failed: $(cat "$T/err")"
	done_testing
fi
uid2=$(id -u "$user")
trap 'userdel "$user" 2>/dev/null; rm -rf "/tmp/udg-$uid2" "/tmp/udg-65534"
    cleanup_all' EXIT
chmod 711 "$T"
mkdir "$T/shared" && chmod 1777 "$T/shared"

# cross LISTENER-USER CLIENT-USER: the listener's user runs an echo
# listener with -m 0666; the other asks it with -r.
cross() {
	local lu=$1 cu=$2 sock=$T/shared/$1.sock
	rm -f "$T/lerr"
	spawn tmo runuser -u "$lu" -- "$LISTEN" --echo -c 1 -m 0666 \
	    -o /dev/null "$sock" 2>"$T/lerr"
	local lp=$LASTPID
	wait_for_socket "$sock"
	tmo runuser -u "$cu" -- env -u XDG_RUNTIME_DIR "$SEND" -r -t 5 \
	    "$sock" "from $cu" >"$T/o" 2>"$T/err"
	status "$lu listens, $cu asks: exit 0" 0 $?
	is "$lu listens, $cu asks: the reply" "from $cu" "$(cat "$T/o")"
	reap "$lp"
	status "$lu's listener: exit 0" 0 "$RC"
}
cross nobody "$user"
cross "$user" nobody

# XDG_RUNTIME_DIR of its own (mode 0700, as pam_systemd makes it): the
# client still picks a directory the listener's user can enter.
mkdir "$T/xdg-$user" && chown "$user" "$T/xdg-$user" &&
    chmod 700 "$T/xdg-$user"
spawn tmo runuser -u nobody -- "$LISTEN" --echo -c 1 -m 0666 -o /dev/null \
    "$T/shared/x.sock" 2>"$T/lerr"
lp=$LASTPID
wait_for_socket "$T/shared/x.sock"
tmo runuser -u "$user" -- env XDG_RUNTIME_DIR="$T/xdg-$user" "$SEND" -r \
    -t 5 "$T/shared/x.sock" private runtime dir >"$T/o" 2>"$T/err"
status "client with a 0700 XDG_RUNTIME_DIR: exit 0" 0 $?
is "client with a 0700 XDG_RUNTIME_DIR: the reply" "private runtime dir" \
    "$(cat "$T/o")"
reap "$lp"

# The directory can be entered, not listed, and its sockets are closed to
# others until their owner, connected, opens one.
mode=$(stat -c %a "/tmp/udg-$uid2")
is "/tmp/udg-UID: mode 711" 711 "$mode"
runuser -u nobody -- ls "/tmp/udg-$uid2" >/dev/null 2>&1
true_that "/tmp/udg-UID: others cannot list it" [ $? -ne 0 ]

done_testing
