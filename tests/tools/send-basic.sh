#!/bin/bash
# udg-send: records, exit codes, replies, waiting, its own socket.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s
CLI=$T/udg	# where automatic client sockets are made

# end_listen: send END, wait for the listener (which must stop at END,
# by -c) and check it exited 0.
end_listen() {
	tmo "$SEND" "$S" END
	reap "$LASTPID"
	status "listener exit" 0 "$RC"
	true_that "listener removed its socket" [ ! -e "$S" ]
}

# client_running: an automatic client socket exists.
# shellcheck disable=SC2317 # called through wait_for
client_running() {
	[ "$(sockets_in "$CLI")" -ge 1 ]
}


# --- operands: joined by single spaces into one datagram ---------------
listen -R -c 2
tmo "$SEND" "$S" one "two  three" "" four 2>"$T/err"
status "operands: exit 0" 0 $?
end_listen
is "operands: one datagram, joined by single spaces" \
    "$(printf 'one two  three  four\nEND')" "$(cat "$T/out")"

# --- stdin: one datagram per line ----------------------------------------
listen -R -c 5
printf 'a\n\nb c\nlast' | tmo "$SEND" "$S" 2>"$T/err"
status "lines: exit 0" 0 $?
end_listen
is "lines: one datagram each, empty line kept, final line without newline" \
    "$(printf 'a\n\nb c\nlast\nEND')" "$(cat "$T/out")"

listen -R -c 3
printf 'x\ny\n' | tmo "$SEND" "$S"
end_listen
is "lines: no extra empty datagram after the final newline" \
    "$(printf 'x\ny\nEND')" "$(cat "$T/out")"

listen -R -c 1
tmo "$SEND" "$S" </dev/null 2>"$T/err"
status "empty stdin: exit 0" 0 $?
end_listen
is "empty stdin: nothing sent" END "$(cat "$T/out")"

# Many lines: batches must keep every line, in order.
seq 1 5000 > "$T/seq"
listen -R -c 5001
tmo "$SEND" "$S" < "$T/seq"
end_listen
echo END >> "$T/seq"
same "lines: 5000 lines, all there, in order" "$T/seq" "$T/out"

# --- -0: NUL-ended records ------------------------------------------------
listen -0 -c 5
printf 'x y\0\0z\nw\0tail' | tmo "$SEND" -0 "$S" 2>"$T/err"
status "-0: exit 0" 0 $?
end_listen
printf 'x y\0\0z\nw\0tail\0END\0' > "$T/want"
same "-0: one datagram per record, newline kept, final record sent" \
    "$T/want" "$T/out"

listen -0 -c 3
printf 'p\0q\0' | tmo "$SEND" --null "$S"
end_listen
printf 'p\0q\0END\0' > "$T/want"
same "--null: no extra empty datagram after the final NUL" \
    "$T/want" "$T/out"

# --- -a: all of stdin, one datagram, binary-safe ---------------------------
"$PY" -c '
import os, sys
b = bytes(range(256)) * 40 + b"\0\n\0\r\n" + os.urandom(100000 - 10245) + b"\n"
sys.stdout.buffer.write(b)' > "$T/blob"
listen -0 -v -c 1
tmo "$SEND" -a "$S" < "$T/blob" 2>"$T/err"
status "-a: exit 0" 0 $?
reap "$LASTPID"
{ cat "$T/blob"; printf '\0'; } > "$T/want"
same "-a: 100000 bytes with NULs and newlines arrive as they were" \
    "$T/want" "$T/out"
is "-a: exactly one datagram" 1 "$(vcount received "$T/lerr")"

listen -J -c 1
printf 'a\0b\nc\0' | tmo "$SEND" --all "$S"
reap "$LASTPID"
"$PY" -c '
import base64, json, sys
r = json.loads(open(sys.argv[1]).read())
d = r["data"].encode() if "data" in r else base64.b64decode(r["data_base64"])
print(r["len"], repr(d))' "$T/out" > "$T/got" 2>&1
is "--all: NULs kept, trailing NUL kept" "6 b'a\\x00b\\nc\\x00'" "$(cat "$T/got")"

listen -R -c 2
tmo "$SEND" -a "$S" </dev/null
end_listen
is "-a with empty stdin: one empty datagram" "$(printf '\nEND')" \
    "$(cat "$T/out")"

# --- usage errors: 64, nothing bound, nothing sent ---------------------------
listen -R -v -c 1
# shellcheck disable=SC2034 # used through eval
long=$T/$(printf 'x%.0s' $(seq 1 110))
i=0
while IFS= read -r line; do
	i=$((i + 1))
	eval "set -- $line"
	tmo "$SEND" "$@" >"$T/o" 2>"$T/err"
	status "usage error exits 64: $line" 64 $?
	like "usage error says why: $line" "?*" "$(cat "$T/err")"
	true_that "usage error binds nothing: $line" [ ! -e "$T/b$i" ]
	[ -s "$T/o" ] && bad "usage error wrote to stdout: $line"
done <<EOF
--bogus -b \$T/b\$i \$S m
-x -b \$T/b\$i \$S m
-b \$T/b\$i
-b \$T/b\$i -r -t abc \$S m
-b \$T/b\$i -r -t -1 \$S m
-b \$T/b\$i -r -t '' \$S m
-b \$T/b\$i -r -t 1e9999 \$S m
-b \$T/b\$i -r -t 99999999999 \$S m
-b \$T/b\$i -W x \$S m
-b \$T/b\$i -W -2 \$S m
-b \$T/b\$i -W
-b \$T/b\$i -a -0 \$S
-b \$T/b\$i -a \$S m
-b \$T/b\$i -0 \$S m
-b \$T/b\$i '' m
-b \$T/b\$i \$long m
-b '' \$S m
EOF
tmo "$SEND" >/dev/null 2>"$T/err"
status "no operands at all: 64" 64 $?
end_listen
is "usage errors: the listener got nothing but END" END "$(cat "$T/out")"
is "usage errors: no client socket was left or made" 0 "$(sockets_in "$CLI")"
is "usage errors: listener received only END" 1 "$(vcount received "$T/lerr")"

tmo "$SEND" -h >"$T/o" 2>"$T/err"
status "-h: exit 0" 0 $?
like "-h: usage on stdout" "*usage:*" "$(cat "$T/o")"
tmo "$SEND" --version >"$T/o" 2>"$T/err"
status "--version: exit 0" 0 $?
like "--version: name and version" "udg-send *[0-9]*" "$(cat "$T/o")"

# --- 69: nobody to send to -------------------------------------------------
tmo "$SEND" "$T/nope" m 2>"$T/err"
status "no such socket: 69" 69 $?
like "no such socket: names the path" "*$T/nope*" "$(cat "$T/err")"
printf 'm\n' | tmo "$SEND" "$T/nope" 2>"$T/err"
status "no such socket, stdin: 69" 69 $?
stale_socket "$T/stale"
tmo "$SEND" "$T/stale" m 2>"$T/err"
status "stale socket, nobody listening: 69" 69 $?
echo data > "$T/file"
tmo "$SEND" "$T/file" m 2>"$T/err"
status "regular file: 69" 69 $?
is "regular file: untouched" data "$(cat "$T/file")"
tmo "$SEND" -W 0.3 "$T/nope" m 2>"$T/err"
status "-W 0.3, nobody comes: 69" 69 $?
is "69 cases: no client socket left behind" 0 "$(sockets_in "$CLI")"

# The receiver goes away in the middle of a long stdin: 69, with a count.
listen -R -c 100
seq 1 100000 | tmo "$SEND" "$S" 2>"$T/err"
status "listener gone mid-send: 69" 69 $?
like "listener gone mid-send: says how many were sent" \
    "*sent [0-9]* datagram*" "$(cat "$T/err")"
finish_listen

# --- 65: too long, with the limit named ------------------------------------
listen -J -c 2
head -c 300000 /dev/zero | tmo "$SEND" -a "$S" 2>"$T/err"
status "-a 300000 bytes: 65" 65 $?
like "too long: the message names a limit" "*limit*" "$(cat "$T/err")"
limit=$(grep -Eo 'limit[^0-9]*[0-9]+' "$T/err" | grep -Eo '[0-9]+$' |
    head -n 1)
limit=${limit:-0}
true_that "too long: the limit is a plausible size ($limit)" \
    between "$limit" 1000 300000
head -c "$limit" /dev/zero | tr '\0' x | tmo "$SEND" -a "$S" 2>"$T/err"
status "exactly the limit ($limit bytes): sent" 0 $?
head -c "$((limit + 1))" /dev/zero | tr '\0' x |
    tmo "$SEND" -a "$S" 2>"$T/err"
status "one byte over the limit: 65" 65 $?
{ head -c 150000 /dev/zero | tr '\0' y; echo; } > "$T/big"
tmo "$SEND" "$S" "$(head -c 100000 "$T/big")" "$(head -c 100000 "$T/big")" \
    "$(head -c 100000 "$T/big")" 2>"$T/err"
status "operands over the limit: 65" 65 $?
{ head -c 250000 /dev/zero | tr '\0' z; echo; } |
    tmo "$SEND" "$S" 2>"$T/err"
status "a line over the limit: 65" 65 $?
like "a line over the limit: names the limit" "*$limit*" "$(cat "$T/err")"
end_listen
"$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["len"], r.get("data", "?")[:5])' "$T/out" > "$T/got" 2>&1
is "too long: only the datagram at the limit and END arrived" \
    "$(printf '%s xxxxx\n3 END' "$limit")" "$(cat "$T/got")"
is "65 cases: no client socket left behind" 0 "$(sockets_in "$CLI")"

# Datagrams before the one too long have been sent (udg-send(1)).
listen -R -c 2
{ echo first; head -c 300000 /dev/zero | tr '\0' x; echo; } |
    tmo "$SEND" "$S" 2>"$T/err"
status "a line over the limit after a good one: 65" 65 $?
end_listen
is "a line over the limit: the line before it was sent" \
    "$(printf 'first\nEND')" "$(cat "$T/out")"

# --- -W: wait for a listener that starts later -----------------------------
rm -f "$S"
spawn tmo "$SEND" -W 20 "$S" waited for 2>"$T/werr"
wpid=$LASTPID
# Its client socket shows that it is running (and retrying).
wait_for client_running
# (not listen: the waiting sender may get its datagram in, and -c 1 end the
# listener, before wait_for_socket looks, which then waits 5 s for nothing)
rm -f "$T/out"
spawn "$LISTEN" -R -c 1 -o "$T/out" "$S" 2>"$T/lerr"
reap "$wpid"
status "-W: exit 0 once the listener is there" 0 "$RC"
reap "$LASTPID"
is "-W: delivered" "waited for" "$(cat "$T/out")"

stale_socket "$S"
printf 'l1\nl2\n' > "$T/in"
spawn tmo "$SEND" --wait 20 "$S" < "$T/in" 2>"$T/werr"
wpid=$LASTPID
wait_for client_running
rm -f "$T/out"
spawn "$LISTEN" -R -c 2 -o "$T/out" "$S"
reap "$wpid"
status "--wait on a stale socket: exit 0 once a listener took it" 0 "$RC"
reap "$LASTPID"
is "--wait on a stale socket: every line delivered" "$(printf 'l1\nl2')" \
    "$(cat "$T/out")"

# --- blocking by default; -n: 75 when the queue is full ---------------------
listen -R -v -t 60
lpid=$LASTPID
kill -STOP "$lpid"
seq -f 'n%g' 1 200 | tmo "$SEND" -n "$S" 2>"$T/err"
status "-n, queue full: 75" 75 $?
like "-n: says the queue is full" "*full*" "$(cat "$T/err")"
nsent=$(grep -Eo 'sent [0-9]+' "$T/err" | grep -Eo '[0-9]+' | head -n 1)
like "-n: names the first record not sent" \
    "*not sent: record $((${nsent:-0} + 1)) and all after it*" \
    "$(cat "$T/err")"
tmo "$SEND" --nonblock "$S" one more 2>"$T/err"
status "--nonblock, operands, queue full: 75" 75 $?
like "--nonblock, operands: says the message was not sent" \
    "*queue is full*message not sent*" "$(cat "$T/err")"
seq -f 'b%g' 1 200 > "$T/bseq"
spawn tmo "$SEND" "$S" < "$T/bseq" 2>"$T/berr"
bpid=$LASTPID
sleep 0.5
true_that "blocking send waits while the queue is full" alive "$bpid"
kill -CONT "$lpid"
reap "$bpid"
status "blocking send: exit 0 once there is room" 0 "$RC"
# A sender stuck on a full queue still removes its socket on SIGTERM.
kill -STOP "$lpid"
for i in $(seq 1 30); do
	tmo "$SEND" -n "$S" fill 2>/dev/null || break
done
spawn tmo "$SEND" -b "$T/stuck" "$S" < "$T/bseq" 2>"$T/berr"
bpid=$LASTPID
wait_for_socket "$T/stuck"
sleep 0.2
kill -TERM "$bpid"
reap "$bpid"
true_that "blocked in send, SIGTERM: udg-send ends ($RC)" [ "$RC" -ne 124 ]
true_that "blocked in send, SIGTERM: -b socket file removed" \
    [ ! -e "$T/stuck" ]
kill -CONT "$lpid"
tmo "$SEND" "$S" END
wait_for grep -qx END "$T/out"
kill -TERM "$lpid"
reap "$lpid"
status "listener: exit 0 on SIGTERM" 0 "$RC"
grep '^b' "$T/out" | head -n 200 > "$T/got"
same "blocking send: nothing dropped, in order" "$T/bseq" "$T/got"
is "-n: as many n-lines arrived as it said it sent" "${nsent:-?}" \
    "$(grep -c '^n' "$T/out")"

# --- -r: replies; -t: 75 when one is missing ------------------------------------
listen --echo -c 4
printf 'q1\nq2 two\n' | tmo "$SEND" -r "$S" >"$T/o" 2>"$T/err"
status "-r lines: exit 0" 0 $?
is "-r lines: one reply per line, each with a newline" \
    "$(printf 'q1\nq2 two\nX')" "$(cat "$T/o"; echo X)"
tmo "$SEND" --reply "$S" hello world >"$T/o" 2>"$T/err"
status "--reply operands: exit 0" 0 $?
is "--reply operands: the reply" "$(printf 'hello world\nX')" \
    "$(cat "$T/o"; echo X)"
printf 'a\0b' | tmo "$SEND" -r -a "$S" >"$T/o" 2>"$T/err"
printf 'a\0b\n' > "$T/want"
same "-r -a: a binary reply, verbatim" "$T/want" "$T/o"
reap "$LASTPID"
status "echo listener: exit 0 after -c 4" 0 "$RC"

if [ -w /dev/full ]; then
	listen --echo -c 1
	tmo "$SEND" -r "$S" echoed >/dev/full 2>"$T/err"
	status "-r, stdout /dev/full: 74" 74 $?
	reap "$LASTPID"
fi

# (-c 2: a listener that exits after the request would be a listener
# that went away, 69)
listen -R -c 2
tmo "$SEND" -r -t 0.5 "$S" unanswered >"$T/o" 2>"$T/err"
status "-r -t 0.5 without a reply: 75" 75 $?
is "-r -t: nothing on stdout" "" "$(cat "$T/o")"
like "-r -t: the message says it timed out and names the socket" \
    "*timed out*$S*" "$(cat "$T/err")"
end_listen
is "-r -t: the request was delivered" "$(printf 'unanswered\nEND')" \
    "$(cat "$T/out")"

listen -R -c 2
tmo "$SEND" --reply "$S" default >"$T/o" 2>"$T/err"
status "-r with the default timeout (5 s), no reply: 75" 75 $?
end_listen
is "sockets left by -r runs" 0 "$(sockets_in "$CLI")"

# --- -b PATH: our own path; removed on exit and on signals -------------------
listen -J -c 1
tmo "$SEND" -b "$T/me" "$S" from me 2>"$T/err"
status "-b: exit 0" 0 $?
reap "$LASTPID"
peer=$(json_peer "$T/out")
is "-b: the receiver sees that path" "$T/me" "$peer"
true_that "-b: the socket file is removed at exit" [ ! -e "$T/me" ]
true_that "-b: the lock file is removed at exit" [ ! -e "$T/me.lock" ]

listen --echo -c 1
tmo "$SEND" --bind "$T/me2" -r "$S" ping >"$T/o" 2>"$T/err"
status "--bind -r: exit 0" 0 $?
is "--bind -r: the reply comes to that path" ping "$(cat "$T/o")"
reap "$LASTPID"

echo precious > "$T/reg"
tmo "$SEND" -b "$T/reg" "$S" m 2>"$T/err"
rc=$?
status "-b on a regular file: 73" 73 "$rc"
like "-b on a regular file: says it is not a socket" \
    "*-b $T/reg: not a socket (a regular file), left as it is*" \
    "$(cat "$T/err")"
mkdir "$T/bdir"
tmo "$SEND" -b "$T/bdir" "$S" m 2>"$T/err"
status "-b on a directory: 73" 73 $?
like "-b on a directory: says it is not a socket" \
    "*-b $T/bdir: not a socket (a directory), left as it is*" \
    "$(cat "$T/err")"
true_that "-b on a directory: still there" [ -d "$T/bdir" ]
is "-b on a regular file: untouched" precious "$(cat "$T/reg")"

listen -R -c 1
tmo "$SEND" -b "$S" "$S" m 2>"$T/err"
rc=$?
status "-b on a live socket: 73" 73 "$rc"
like "-b on a live socket: says it is in use" \
    "*-b $S: in use by a live socket*" "$(cat "$T/err")"
end_listen
is "-b on a live socket: its owner still gets datagrams" END "$(cat "$T/out")"

# -b in a directory that does not exist: the path cannot be made (73),
# whatever the target (here there is none).
tmo "$SEND" -b "$T/nodir/me" "$T/nope" m 2>"$T/err"
status "-b in a missing directory: 73" 73 $?

for sig in TERM INT HUP; do
	listen -R -c 2 -t 60
	lpid=$LASTPID
	spawn env --default-signal="$sig" "$SEND" -b "$T/sig$sig" -r -t 60 "$S" x \
	    2>"$T/err"
	spid=$LASTPID
	wait_for_socket "$T/sig$sig"
	# Only signal once the request is out, i.e. the client waits.
	wait_for [ -s "$T/out" ]
	kill "-$sig" "$spid"
	reap "$spid"
	true_that "SIG$sig: udg-send ends ($RC)" [ "$RC" -ne 124 ]
	true_that "SIG$sig: -b socket file removed" [ ! -e "$T/sig$sig" ]
	LASTPID=$lpid
	end_listen
done

listen -R -c 2 -t 60
lpid=$LASTPID
spawn "$SEND" -r -t 60 "$S" x 2>"$T/err"
spid=$LASTPID
wait_for [ -s "$T/out" ]
is "automatic socket exists while waiting" 1 "$(sockets_in "$CLI")"
kill -TERM "$spid"
reap "$spid"
is "SIGTERM: automatic socket file removed" 0 "$(sockets_in "$CLI")"
LASTPID=$lpid
end_listen

done_testing
