#!/bin/bash
# udg-listen --forward: every accepted datagram also goes to another
# datagram socket, raw or as RFC 5424 with the sender's identity; a full
# target holds the listener back (nothing lost), a gone one costs a
# bounded wait and then counted drops, and forwarding resumes when the
# target is back.  The target here is a second udg-listen.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s
F=$T/target

# target: a udg-listen on $F writing to $T/fout; its pid is TPID.
target() {
	rm -f "$T/fout"
	spawn "$LISTEN" -o "$T/fout" "$F" 2>"$T/terr"
	TPID=$LASTPID
	wait_for_socket "$F"
}

# stop_target: SIGTERM to the target, and wait for it.
stop_target() {
	kill -TERM "$TPID"
	reap "$TPID"
}

# lines FILE N: FILE has N lines (for wait_for).
# shellcheck disable=SC2317 # called through wait_for
lines() {
	[ "$( { wc -l < "$1"; } 2>/dev/null || echo 0)" -eq "$2" ]
}

# --- raw: the payload, unchanged -------------------------------------------------
target
listen --forward "$F" -c 3
for m in one 'two words' three; do
	tmo "$SEND" "$S" "$m"
done
finish_listen
wait_for lines "$T/fout" 3
is "--forward raw: the target got each payload" \
    "$(printf 'one\ntwo words\nthree')" "$(cat "$T/fout")"
is "--forward raw: and they were written here too" \
    "$(printf 'one\ntwo words\nthree')" "$(cat "$T/out")"

# --- rfc5424: PRI and tag kept, the kernel's identity added -------------------------
: > "$T/fout"
listen -s --forward "$F" --forward-format rfc5424 -c 1
with_id "$T/id" "$SEND" "$S" '<14>app[1]: hello'
finish_listen
read -r pid uid gid < "$T/id"
wait_for lines "$T/fout" 1
like "--forward rfc5424: header, udg element, message" \
    "<14>1 20[0-9][0-9]-*Z * app $pid - \[udg@32473 pid=\"$pid\" uid=\"$uid\" gid=\"$gid\"] hello" \
    "$(cat "$T/fout")"
: > "$T/fout"
kver=$(uname -r | cut -d- -f1)
if [ "$(printf '6.5\n%s\n' "$kver" | sort -V | head -n 1)" = 6.5 ]; then
	listen -s -I --forward "$F" --forward-format rfc5424 -c 1
	# The sender stays alive until its datagram is surely read.
	{ printf '<14>app[1]: named\n'; sleep 1; } | tmo "$SEND" "$S"
	finish_listen
	wait_for lines "$T/fout" 1
	like "--forward rfc5424 -I: the pinned comm rides in the udg element" \
	    "*\[udg@32473 pid=\"*\" uid=\"$(id -u)\" gid=\"$(id -g)\" comm=\"udg-send\"*] named" \
	    "$(cat "$T/fout")"
	: > "$T/fout"
else
	skip "--forward rfc5424 -I: this kernel gives no pidfds (Linux 6.5)"
fi
: > "$T/fout"
listen --forward "$F" --forward-format rfc5424 --forward-sd-id site@99 -c 1
tmo "$SEND" "$S" plain
finish_listen
wait_for lines "$T/fout" 1
like "--forward-sd-id: the site's SD-ID, user.notice for no PRI" \
    "<13>1 * - [1-9]* - \[site@99 pid=*\] plain" "$(cat "$T/fout")"

# --- what is not accepted is not forwarded ---------------------------------------
: > "$T/fout"
listen --forward "$F" --rate-limit 2/60 -v
for i in 1 2 3 4 5; do
	tmo "$SEND" "$S" "r$i"
done
wait_for received_is 5
kill -TERM "$LASTPID"
reap "$LASTPID"
wait_for lines "$T/fout" 2
is "rate-limited datagrams are not forwarded" "$(printf 'r1\nr2')" \
    "$(cat "$T/fout")"
is "-v: forwarded 2" 2 "$(vcount forwarded "$T/lerr")"

# --- a full target is back-pressure: nothing is lost ------------------------------
# The target stops reading; its queue (about 11) and ours fill, the
# listener stops reading too, and the sender blocks.  Within the wait
# (FWD_WAIT_MS, 1 s) the target goes on, and every datagram arrives.
: > "$T/fout"
listen --forward "$F" -v
kill -STOP "$TPID"
"$PY" - "$S" 40 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"bp%d" % i, sys.argv[1])
EOF
spid=$!
BGPIDS="$BGPIDS $spid"
sleep 0.3
kill -CONT "$TPID"
reap "$spid"
status "back-pressure: the sender finished" 0 "$RC"
wait_for lines "$T/fout" 40
is "back-pressure: the target got all 40, in order" \
    "$(seq 0 39 | sed 's/^/bp/')" "$(cat "$T/fout")"
kill -TERM "$LASTPID"
reap "$LASTPID"
is "back-pressure: forwarded 40" 40 "$(vcount forwarded "$T/lerr")"
like "back-pressure: none dropped" "*forwarded 40, forward drops 0,*" \
    "$(cat "$T/lerr")"

# --- a gone target: a bounded wait, then counted drops; then it is back --------------
listen --forward "$F" -v
lpid=$LASTPID
stop_target
start=$(date +%s)
for i in 1 2 3; do
	tmo "$SEND" "$S" "lost $i"
done
wait_for lines "$T/out" 3
wait_for grep -q 'forward to.*dropped' "$T/lerr"
took=$(( $(date +%s) - start ))
true_that "gone target: the listener went on within a bounded wait (${took} s)" \
    [ "$took" -le 10 ]
like "gone target: the drop is reported, naming the target" \
    "*forward to $F*dropped*" "$(cat "$T/lerr")"
target
tmo "$SEND" "$S" back again
wait_for lines "$T/fout" 1
is "gone target: forwarding resumes when it is back" "back again" \
    "$(cat "$T/fout")"
kill -TERM "$lpid"
reap "$lpid"
is "gone target: every datagram was written here" \
    "$(printf 'lost 1\nlost 2\nlost 3\nback again')" "$(cat "$T/out")"
like "gone target: -v counts 1 forwarded, 3 dropped" \
    "*forwarded 1, forward drops 3,*" "$(cat "$T/lerr")"
is "gone target: every drop report says why" "" \
    "$(grep 'datagrams* dropped' "$T/lerr" | grep -v 'dropped: ')"
like "gone target: the counters come last" "*received*" \
    "$(tail -n 1 "$T/lerr")"

# --- bad values ------------------------------------------------------------------
for a in "--forward-format json --forward $F" "--forward-format rfc5424" \
    "--forward-sd-id a@b --forward $F" "--forward-sd-id x@1" "--forward ''" \
    "--forward-format rfc5424 --forward-sd-id origin --forward $F" \
    "--forward-sd-id a@1 --forward $F"; do
	eval "tmo \"\$LISTEN\" $a \"\$S\"" 2>"$T/err"
	status "$a: 64" 64 $?
done
like "an SD-ID without @: says it is IANA's" "*forward-sd-id origin:*IANA*" \
    "$(tmo "$LISTEN" --forward-format rfc5424 --forward-sd-id origin \
    --forward "$F" "$S" 2>&1)"
like "--forward-sd-id with raw: says it needs rfc5424" \
    "*--forward-sd-id needs --forward-format=rfc5424*" \
    "$(tmo "$LISTEN" --forward-sd-id a@1 --forward "$F" "$S" 2>&1)"
true_that "bad values: nothing bound" [ ! -e "$S" ]
tmo "$LISTEN" --forward "$S" -c 1 "$S" 2>"$T/err"
status "--forward to its own socket: 64" 64 $?
like "--forward to its own socket: says it would loop" "*would loop*" \
    "$(cat "$T/err")"
true_that "--forward to its own socket: the socket is removed" [ ! -e "$S" ]
stop_target

# A name for its own socket made after the start (a hard link): what
# comes back from its own forwarding is dropped, not recorded or sent on
# again (that would go round without end).
rm -f "$T/hl"
listen --forward "$T/hl" -v
ln "$S" "$T/hl"
tmo "$SEND" "$S" once
wait_for [ -s "$T/out" ]
sleep 0.5
kill -TERM "$LASTPID"
reap "$LASTPID"
status "forward to itself by a hard link: exit 0" 0 "$RC"
is "forward to itself by a hard link: recorded once" once "$(cat "$T/out")"
is "forward to itself by a hard link: forwarded once" 1 \
    "$(vcount forwarded "$T/lerr")"
like "forward to itself by a hard link: says it came back" \
    "*forward to $T/hl: a datagram came back from it*" "$(cat "$T/lerr")"
rm -f "$T/hl"

done_testing
