#!/bin/bash
# udg-listen's contract with its user: every exit status in EXIT STATUS
# (a table of cases), --help against the manual page, messages that name
# the cause and the path, option rules, replies only to answerable
# senders, -e results that are never mistaken for success, lossless JSON
# peers.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s
MAN=$top_srcdir/man/udg-listen.1

# --- exit statuses, one row per case ----------------------------------------
long=$T/$(printf 'p%.0s' $(seq 300))
mkdir -p "$T/ro" "$T/adir"
ro=
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k,ro tmpfs "$T/ro" \
    2>/dev/null; then
	ro=$T/ro
else
	echo "SKIP: read-only file system rows (need root to mount a tmpfs)"
fi
touch "$T/regular"
# The socket's lock file, PATH.lock, in the way (the loop removes $S.lock).
mkdir "$T/lk" "$T/lk/dir.lock"
ln -s /nonexistent "$T/lk/sym.lock"
# Each row: expected status | description | arguments (eval'ed) | what
# the message must match (a shell pattern, eval'ed; empty: anything).
while IFS='|' read -r want desc args msg; do
	[ -n "$want" ] || continue
	case $args in *'$ro'*) [ -n "$ro" ] || continue;; esac
	rm -f "$S" "$S.lock"
	eval "set -- $args"
	tmo "$LISTEN" "$@" 2>"$T/err" </dev/null >/dev/null
	status "exit $want: $desc" "$want" $?
	[ "$want" = 0 ] || true_that "exit $want: $desc: says why" [ -s "$T/err" ]
	[ -z "$msg" ] || like "exit $want: $desc: the message" "$(eval \
	    "echo \"$msg\"")" "$(cat "$T/err")"
done <<'ROWS'
64|a bad option|--bogus "$S"
64|an argument to an option that takes none|--refuse-fds=1 "$S"|*option --refuse-fds takes no argument*
64|an argument to a long form of a short option|--creds=1 "$S"|*option --creds takes no argument*
64|no socket|-c 1
64|the same socket twice|"$S" "$S"|*$S given twice*
64|an option after the socket|"$S" -J
64|a path longer than sun_path|"$T/$(printf 'x%.0s' $(seq 120))"
64|-J with -R|-J -R "$S"
73|-p in a missing directory|-t 0 -p "$T/nodir/pid" "$S"
73|-p is a directory|-t 0 -p "$T/adir" "$S"|*$T/adir: pid file: Is a directory*
73|-p on a read-only file system|-t 0 -p "$ro/pid" "$S"
73|-p with a name too long|-t 0 -p "$long/pid" "$S"
73|the socket on a read-only file system|-t 0 "$ro/s"
73|-o on a read-only file system|-t 0 -o "$ro/out" "$S"
73|the socket's directory is missing|-t 0 "$T/nodir/s"|*$T/nodir/s: its directory does not exist*
73|a directory that takes no new files|-t 0 /proc/udg-test-s|*/proc/udg-test-s: its directory does not let files be made in it*
73|a regular file at the socket path|-t 0 "$T/regular"|*$T/regular: not a socket (a regular file)*
73|a directory at the socket path|-t 0 "$T/adir"|*$T/adir: not a socket (a directory)*
73|a file as the socket's directory|-t 0 "$T/regular/s"|*part of the path is not a directory*
73|a symlink as the lock file|-t 0 "$T/lk/sym"|*$T/lk/sym.lock: the lock file is a symbolic link, left as it is
73|a directory as the lock file|-t 0 "$T/lk/dir"|*$T/lk/dir.lock: the lock file is not a regular file (a directory), left as it is
73|-o in a missing directory|-t 0 -o "$T/nodir/out" "$S"
0|-t with no traffic|-t 0 "$S"
ROWS
# 74 needs a record: the /dev/full row above has none, so send one.
rm -f "$S" "$S.lock"
spawn "$LISTEN" -c 1 -o /dev/full "$S" 2>"$T/err"
wait_for_socket "$S"
tmo "$SEND" "$S" x
reap "$LASTPID"
status "exit 74: writing the output failed" 74 "$RC"
[ -n "$ro" ] && umount "$T/ro"
# Every status the tests reach is listed in EXIT STATUS.
for code in 0 64 71 73 74 77; do
	true_that "EXIT STATUS lists $code" \
	    grep -qE "^\.It $code( |$)" "$MAN"
done

# --- --help and the manual page agree -----------------------------------------
tmo "$LISTEN" --help >"$T/help" 2>"$T/err"
status "--help: exit 0" 0 $?
help_longs=$(grep -oE -- '--[a-z][a-z-]*' "$T/help" | sort -u)
man_longs=$(grep -E '^\.It Fl' "$MAN" | grep -oE 'Fl Fl [a-z][a-z-]*' |
    sed 's/Fl Fl /--/' | sort -u)
is "--help lists every long option of the manual page, and no other" \
    "$man_longs" "$help_longs"
help_order=$(grep -oE -- '^ +(-[A-Za-z0-9], )?--[a-z-]+' "$T/help" |
    sed 's/.*--//' | tr '\n' ' ')
man_order=$(grep -E '^\.It Fl' "$MAN" | grep -oE 'Fl Fl [a-z][a-z-]*' |
    sed 's/Fl Fl //' | tr '\n' ' ')
is "--help is in the manual page's order" "$man_order" "$help_order"
nodesc=$(grep -E -- '^ +(-[A-Za-z0-9], )?--[a-z-]+' "$T/help" |
    awk 'NF < 3' | head -n 1)
is "--help: every option has a description" "" "$nodesc"
for o in $(grep -oE -- '^  -[A-Za-z0-9],' "$T/help" | tr -d ' ,'); do
	true_that "--help's $o is in the manual page" \
	    grep -qE "^\.It Fl ${o#-}( |$)" "$MAN"
done

# --- options ---------------------------------------------------------------
listen -J -J -c 1
tmo "$SEND" "$S" twice
finish_listen
like "-J -J: a repeated flag is fine" '{"time":*"data":"twice"}' \
    "$(cat "$T/out")"
tmo "$LISTEN" -c 1 "$S" -J 2>"$T/err"
status "an option after the socket: 64" 64 $?
like "an option after the socket: says why" \
    "*-J after the socket: options must come first*" "$(cat "$T/err")"
like "an option after the socket: a usage line" "*usage:*" "$(cat "$T/err")"
true_that "an option after the socket: nothing bound" [ ! -e "$S" ]
tmo "$LISTEN" --exec 2>"$T/err"
status "--exec without its argument: 64" 64 $?
like "--exec without its argument: named as given" \
    "*option --exec needs an argument*" "$(cat "$T/err")"

# --- a socket file removed while its listener lives -------------------------
listen
first=$LASTPID
rm -f "$S"
true_that "socket file removed: the first listener lives on" alive "$first"
tmo "$LISTEN" -t 0 "$S" 2>"$T/err"
status "socket file removed, second listener: 73" 73 $?
like "socket file removed, second listener: names the lock" \
    "*held by a live listener, see $S.lock*" "$(cat "$T/err")"
[ -s "$T/lerr" ] && sed 's/^/  first listener: /' "$T/lerr"
kill -TERM "$first"
reap "$first"

# --- relative sender addresses are never answered --------------------------
# A reply to "rel.sock" would go to the listener's own directory, where
# somebody else's socket of that name may be.
mkdir -p "$T/lcwd" "$T/scwd"
"$PY" - "$T/lcwd/rel.sock" "$T/victim" <<'EOF' &
import socket, sys
v = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
v.bind(sys.argv[1])
v.settimeout(8)
open(sys.argv[2], "w").write("ready")
try:
    v.recv(100)
    open(sys.argv[2], "w").write("GOT A REPLY")
except socket.timeout:
    open(sys.argv[2], "w").write("nothing")
EOF
vpid=$!
BGPIDS="$BGPIDS $vpid"
wait_for test -s "$T/victim"
(cd "$T/lcwd" && exec "$LISTEN" -v -c 2 --echo -o "$T/out" "$S") \
    2>"$T/lerr" &
LASTPID=$!
BGPIDS="$BGPIDS $LASTPID"
wait_for_socket "$S"
cat > "$T/rel.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    os.unlink("rel.sock")
except FileNotFoundError:
    pass
s.bind("rel.sock")
s.sendto(b"from a relative address", sys.argv[1])
EOF
for _ in 1 2; do
	(cd "$T/scwd" && tmo "$PY" "$T/rel.py" "$S")
done
finish_listen
wait "$vpid" 2>/dev/null
is "relative sender: no reply reached the listener's rel.sock" "nothing" \
    "$(cat "$T/victim")"
is "relative sender: reported once" 1 \
    "$(grep -c 'relative socket address' "$T/lerr")"
is "relative sender: -v counts both" 2 "$(vcount unanswerable "$T/lerr")"
is "relative sender: the records are written" 2 "$(wc -l < "$T/out")"

# --- an unbound sender cannot be answered: reported once, counted ---------
listen -v -c 2 --echo
for _ in 1 2; do
	tmo "$PY" -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"x", sys.argv[1])' \
	    "$S"
done
finish_listen
is "unbound sender: reported once" 1 \
    "$(grep -c 'not answering an unbound socket' "$T/lerr")"
is "unbound sender: -v counts both" 2 "$(vcount unanswerable "$T/lerr")"

# --- -e results that are not a success get no reply -------------------------
listen -c 2 -e 'head -c 300000 /dev/zero'
tmo "$SEND" -r -t 2 -b "$T/big" "$S" x >"$T/o" 2>"$T/err"
status "-e output larger than a datagram: no reply (75)" 75 $?
is "-e output larger than a datagram: nothing printed" 0 \
    "$(wc -c < "$T/o")"
tmo "$SEND" "$S" y
finish_listen
like "-e output larger than a datagram: logged with the sender" \
    "*command for $T/big wrote 300000 bytes*no reply*" "$(cat "$T/lerr")"
# endless output: stopped by -T, and the log says both
listen -c 2 -T 0.5 -e 'yes'
tmo "$SEND" -r -t 2 -b "$T/big" "$S" x >"$T/o" 2>"$T/err"
status "-e endless output: no reply (75)" 75 $?
tmo "$SEND" "$S" y
finish_listen
like "-e endless output: the time limit and the overflow are logged" \
    "*command for $T/big timed out after*more than a datagram holds*" \
    "$(cat "$T/lerr")"
# shellcheck disable=SC2016
# -c 2: the listener stays while udg-send waits (a listener that leaves is 69).
listen -c 2 -e 'kill -9 $$'
tmo "$SEND" -r -t 2 -b "$T/k" "$S" x >"$T/o" 2>"$T/err"
status "-e killed by a signal: no reply (75)" 75 $?
tmo "$SEND" "$S" y
finish_listen
like "-e killed by a signal: logged" \
    "*command for $T/k killed by signal 9: no reply*" "$(cat "$T/lerr")"

# --- JSON peers are lossless ---------------------------------------------------
listen -J -c 1
cat > "$T/ff.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(os.fsencode(sys.argv[2]) + b"/\xffpeer")
s.sendto(b"hi", sys.argv[1])
EOF
tmo "$PY" "$T/ff.py" "$S" "$T"
finish_listen
got=$("$PY" -c '
import base64, json, sys
r = json.loads(open(sys.argv[1], "rb").read())
print(base64.b64decode(r["peer_base64"]) == sys.argv[2].encode() + b"/\xffpeer",
      "peer" in r)' "$T/out" "$T" 2>&1)
is "JSON: a peer path that is not UTF-8 comes whole as peer_base64" \
    "True False" "$got"

done_testing
