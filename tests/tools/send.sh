#!/bin/bash
# udg-send: records, operands, exit codes, replies, waiting (issue 3).
. "$(dirname "$0")/lib.sh"
S=$T/s

# Operands are one datagram, joined by spaces; -R shows it verbatim.
bg "$LISTEN" -R -c 1 -o "$T/out" "$S"; wait_sock "$S"
"$SEND" "$S" hello   big world; check "operands exit" 0 $?
wait_pid "$LASTPID"
check "operands joined" "hello big world" "$(cat "$T/out")"

# stdin: one datagram per line, last line without newline, no extra empty.
rm -f "$T/out"
bg "$LISTEN" -v -t 1 -o "$T/out" "$S"; wait_sock "$S"
printf 'a\n\nb c\nlast' | "$SEND" "$S"; check "lines exit" 0 $?
wait_pid "$LASTPID"
check "lines" "$(printf 'a\n\nb c\nlast')" "$(cat "$T/out")"
check "line count" 4 "$(wc -l < "$T/out")"

# -0: NUL-terminated records, final one without NUL.
rm -f "$T/out"
bg "$LISTEN" -c 3 -o "$T/out" "$S"; wait_sock "$S"
printf 'x y\0z\0tail' | "$SEND" -0 "$S"
wait_pid "$LASTPID"
check "-0 records" "$(printf 'x y\nz\ntail')" "$(cat "$T/out")"

# -a: all of stdin, binary-safe, 100 KB with NULs and newlines.
head -c 100000 /dev/urandom > "$T/blob"
rm -f "$T/out"
bg "$LISTEN" -0 -c 1 -o "$T/out" "$S"; wait_sock "$S"
"$SEND" -a "$S" < "$T/blob"; check "-a exit" 0 $?
wait_pid "$LASTPID"
head -c 100000 "$T/out" > "$T/out1"
cmp -s "$T/blob" "$T/out1"; check "-a binary-safe" 0 $?
check "-a one datagram" 100001 "$(wc -c < "$T/out")"

# Usage errors: exit 64, nothing bound, nothing sent.
rm -f "$T/out"
bg "$LISTEN" -v -t 1 -o "$T/out" "$S"; wait_sock "$S"
before=$(ls "$T/udg" 2>/dev/null | wc -l)
for args in "-t x -r $S m" "-W -1 $S m" "--bogus $S m" "" "-t 1e9999 -r $S m"; do
	# shellcheck disable=SC2086
	"$SEND" $args 2>/dev/null; check "usage: '$args'" 64 $?
done
"$SEND" "$(printf 'x%.0s' $(seq 1 120))" m 2>/dev/null
check "path too long" 64 $?
wait_pid "$LASTPID"
check "usage errors sent nothing" 0 "$(wc -c < "$T/out")"
check "usage errors bound nothing" "$before" "$(ls "$T/udg" 2>/dev/null | wc -l)"
check "client sockets removed" 0 "$(find "$T/udg" -type s 2>/dev/null | wc -l)"

# Nobody to send to: 69, for a missing path and a stale socket.
"$SEND" "$T/none" m 2>/dev/null; check "no socket: 69" 69 $?
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(sys.argv[1])' "$T/stale" 2>/dev/null ||
	need python3
"$SEND" "$T/stale" m 2>/dev/null; check "stale socket: 69" 69 $?
: > "$T/file"
"$SEND" "$T/file" m 2>/dev/null; check "regular file: 69" 69 $?

# -b in a directory that does not exist: the path cannot be made, 73.
"$SEND" -b "$T/nodir/me" "$T/none" m 2>/dev/null; check "-b missing dir: 73" 73 $?

# Too long: 65 with the limit named; earlier lines still sent.
rm -f "$T/out"
bg "$LISTEN" -c 1 -o "$T/out" "$S"; wait_sock "$S"
{ echo first; head -c 300000 /dev/zero | tr '\0' x; echo; } > "$T/long"
msg=$("$SEND" "$S" < "$T/long" 2>&1); rc=$?
check "too long: 65" 65 "$rc"
case $msg in *limit*) ok "too long names the limit";; *) bad "message: $msg";; esac
wait_pid "$LASTPID"
check "line before the long one sent" first "$(cat "$T/out")"

# -W: a listener started later is waited for.
rm -f "$T/out"
( sleep 0.5; exec "$LISTEN" -c 1 -o "$T/out" "$S" ) &
bgpids="$bgpids $!"; late=$!
"$SEND" -W 5 "$S" late; check "-W exit" 0 $?
wait_pid "$late"
check "-W delivered" late "$(cat "$T/out")"
"$SEND" -W 0.3 "$T/never" m 2>/dev/null; check "-W timeout: 69" 69 $?

# -r with --echo: replies on stdout, one per datagram, in order.
bg "$LISTEN" --echo -c 3 -o /dev/null "$S"; wait_sock "$S"
got=$(printf 'one\ntwo\nthree\n' | "$SEND" -r "$S"); check "-r exit" 0 $?
wait_pid "$LASTPID"
check "-r replies" "$(printf 'one\ntwo\nthree')" "$got"

# -r without an answer: 75 after -t.
bg "$LISTEN" -c 1 -o /dev/null "$S"; wait_sock "$S"
"$SEND" -r -t 0.3 "$S" nobody-answers 2>/dev/null; check "-r timeout: 75" 75 $?
wait_pid "$LASTPID"

# -n against a stopped listener: the queue fills, exit 75, count said.
bg "$LISTEN" -o /dev/null "$S"; wait_sock "$S"; kill -STOP "$LASTPID"
msg=$(seq 1 100 | "$SEND" -n "$S" 2>&1); rc=$?
check "-n full queue: 75" 75 "$rc"
case $msg in *sent*) ok "-n says how many were sent";; *) bad "-n message: $msg";; esac
# Without -n nothing is lost: the sender waits until the listener runs.
kill -CONT "$LASTPID"; kill "$LASTPID"; wait "$LASTPID" 2>/dev/null
rm -f "$T/out"
bg "$LISTEN" -c 2000 -o "$T/out" "$S"; wait_sock "$S"; kill -STOP "$LASTPID"
seq 1 2000 > "$T/in"
"$SEND" "$S" < "$T/in" & sp=$!
sleep 0.3; kill -CONT "$LASTPID"
wait "$sp"; check "blocking sender exit" 0 $?
wait_pid "$LASTPID"
cmp -s "$T/in" "$T/out"; check "blocking: all 2000 in order" 0 $?

# The listener goes away in the middle of a long stdin: 69, with a count.
bg "$LISTEN" -c 100 -o /dev/null "$S"; wait_sock "$S"
msg=$(seq 1 100000 | "$SEND" "$S" 2>&1); rc=$?
check "listener gone mid-send: 69" 69 "$rc"
case $msg in *"sent "*datagram*) ok "says how many were sent";; *) bad "message: $msg";; esac

# -b PATH: the reply path is the chosen one; removed on exit and SIGTERM.
rm -f "$T/out"
bg "$LISTEN" -J -c 1 -o "$T/out" "$S"; wait_sock "$S"
"$SEND" -b "$T/me" "$S" hi
wait_pid "$LASTPID"
check "-b peer" "$T/me" "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["peer"])' "$T/out")"
[ ! -e "$T/me" ] && [ ! -e "$T/me.lock" ]; check "-b files removed" 0 $?
bg "$LISTEN" -o /dev/null "$S"; wait_sock "$S"; kill -STOP "$LASTPID"
seq 1 100 | "$SEND" -b "$T/me2" "$S" & sp=$!
wait_sock "$T/me2"; sleep 0.2
kill -TERM "$sp"; wait "$sp" 2>/dev/null
[ ! -e "$T/me2" ]; check "socket removed on SIGTERM" 0 $?
kill -CONT "$LASTPID"

finish
