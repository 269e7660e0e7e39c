#!/bin/bash
# udg-listen's flood control and counters: --rate-limit cuts a flooding
# sender to its limit while a quiet one loses nothing, the summaries add
# up (on stderr and, with -J, as records), and SIGUSR1 and -v print every
# counter without stopping the listener.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# flood PATH N: one process sends N datagrams "f0".."fN-1" as fast as the
# listener takes them (blocking), then prints the seconds it took.
flood() {
	"$PY" - "$1" "$2" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
t = time.monotonic()
for i in range(int(sys.argv[2])):
    s.sendto(b"f%d" % i, sys.argv[1])
print("%.3f" % (time.monotonic() - t))
EOF
}

# summed FILE: the sum of the "rate limit: N datagrams" lines in FILE.
summed() {
	sed -n 's/.*rate limit: \([0-9]*\) datagram.*/\1/p' "$1" |
	    awk '{ n += $1 } END { print n + 0 }'
}

# --- a flood beside a quiet sender (key pid) -----------------------------------
# 10/1 with a burst of 10: the flood gets at most its burst plus 10 per
# second it lasted (rounded up, and one token of slack); the quiet
# senders, each a process of its own, are never cut.
listen --rate-limit 10/1 --rate-key pid -v
secs=$(flood "$S" 400)
for i in 1 2 3 4 5; do
	tmo "$SEND" "$S" "quiet $i"
done
wait_for received_is 405
kill -TERM "$LASTPID"
reap "$LASTPID"
status "--rate-limit: exit 0" 0 "$RC"
got=$(grep -c '^f' "$T/out")
max=$(( 10 + 10 * (${secs%.*} + 1) + 1 ))
true_that "--rate-limit 10/1: the flood was cut ($got of 400, at most $max)" \
    between "$got" 10 "$max"
is "--rate-limit: every quiet datagram arrived" 5 "$(grep -c '^quiet' "$T/out")"
is "--rate-limit: the summaries add up to what was cut" $((400 - got)) \
    "$(summed "$T/lerr")"
is "--rate-limit: -v counts them as rate limited" $((400 - got)) \
    "$(vcount 'rate limited' "$T/lerr")"
like "--rate-limit: the summary names the sender" \
    "*rate limit: * from pid:[1-9]* suppressed in 1 s*" "$(cat "$T/lerr")"

# --- with -J the summary is a record of its own --------------------------------
listen --rate-limit 5/1 -J -v
flood "$S" 50 > /dev/null
wait_for received_is 50
kill -TERM "$LASTPID"
reap "$LASTPID"
"$PY" - "$T/out" <<'EOF' > "$T/check" 2>&1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
data = [r for r in recs if "data" in r]
summ = [r for r in recs if "suppressed" in r]
assert len(data) >= 5, data
assert summ, "no summary record"
for r in summ:
    assert set(r) == {"time", "suppressed", "key", "interval"}, r
    assert r["key"].startswith("uid:") and r["interval"] == 1, r
print(len(data) + sum(r["suppressed"] for r in summ))
EOF
is "-J: data records and summary records add up to the 50 sent" 50 \
    "$(cat "$T/check")"
is "-J -v: written counts the summary records too" \
    "$(wc -l < "$T/out" | tr -d ' ')" "$(vcount written "$T/lerr")"
is "-J -v: nothing lost" 0 "$(vcount lost "$T/lerr")"

# --- the key: uid by default; root and nobody are two senders ----------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
    command -v logger >/dev/null 2>&1; then
	listen --rate-limit 3/60 -c 6
	chmod 711 "$T"
	chmod 666 "$S"
	for i in 1 2 3 4 5; do
		tmo "$SEND" "$S" "root $i"
	done
	for i in 1 2 3; do
		tmo setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    logger --socket "$S" -t t "nobody $i"
	done
	finish_listen
	is "uid key: root's first 3" "$(printf 'root 1\nroot 2\nroot 3')" \
	    "$(grep '^root' "$T/out")"
	is "uid key: all of nobody's" 3 "$(grep -c 'nobody [123]$' "$T/out")"
else
	echo "SKIP: uid key with two users: needs root, setpriv and logger"
fi

# --- bad values ----------------------------------------------------------------
for v in 0/1 10 10/0 10/1:0 1/3601 x/1 "10/1 " 1000001/1; do
	tmo "$LISTEN" --rate-limit "$v" "$S" 2>"$T/err"
	status "--rate-limit '$v': 64" 64 $?
done
tmo "$LISTEN" --rate-limit 1/1 --rate-key gid "$S" 2>"$T/err"
status "--rate-key gid: 64" 64 $?
tmo "$LISTEN" --rate-key pid "$S" 2>"$T/err"
status "--rate-key without --rate-limit: 64" 64 $?
true_that "bad values: nothing bound" [ ! -e "$S" ]

# --- SIGUSR1: every counter, and the listener goes on ----------------------------
listen --echo -v
"$PY" - "$S" "$T/peer" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.settimeout(5)
for m in (b"one", b"two", b"three"):
    s.sendto(m, sys.argv[1])
    s.recv(100)
EOF
kill -USR1 "$LASTPID"
wait_for grep -q received "$T/lerr"
true_that "SIGUSR1: the listener goes on" alive "$LASTPID"
for w in received written; do
	is "SIGUSR1: $w 3" 3 "$(vcount "$w" "$T/lerr")"
done
is "SIGUSR1: replies 3" 3 "$(vcount replies "$T/lerr")"
is "SIGUSR1: bytes 11" 11 "$(vcount bytes "$T/lerr")"
for w in lost dropped 'not allowed' 'rate limited' 'bad identity' \
    truncated unanswerable 'fds closed' unsent forwarded 'forward drops' \
    commands failed 'timed out' skipped spins slept 'kernel drops'; do
	like "SIGUSR1: names '$w'" "*$w [0-9]*" "$(cat "$T/lerr")"
done
tmo "$SEND" "$S" four
wait_for grep -q four "$T/out"
kill -TERM "$LASTPID"
reap "$LASTPID"
status "SIGUSR1, then SIGTERM: exit 0" 0 "$RC"
is "-v at exit: received 4" 4 "$(vcount received "$T/lerr")"
is "-v at exit: the 4th was written" four "$(tail -n 1 "$T/out")"

# --- -e counts: run, failed, timed out ------------------------------------------
# shellcheck disable=SC2016 # for the command's shell
listen -e 'read x; [ "$x" = ok ]' -v -c 3
for m in ok bad ok; do
	tmo "$SEND" "$S" "$m"
done
finish_listen
is "-e: commands 3" 3 "$(vcount commands "$T/lerr")"
like "-e: one failed" "*commands 3 (failed 1, timed out 0, skipped 0)*" \
    "$(cat "$T/lerr")"

# --- large datagrams: their memory comes back when the listener idles -------
# The listener is stopped while 200 KiB datagrams queue (the kernel's
# queue holds 10 or 11), so that one batch takes them all: 2 MiB of
# receive buffers.  They stay resident while datagrams keep coming; a
# second after the last, all but 16 KiB of each is given back.
rss_kib() {
	awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}
listen
base=$(rss_kib "$LASTPID")
kill -STOP "$LASTPID"
# the first ten go in at once; the eleventh waits for the listener
"$PY" - "$S" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
for i in range(11):
    s.sendto(b"%08d " % i + b"x" * (200 * 1024 - 9), sys.argv[1])
EOF
spid=$!
sleep 0.5
kill -CONT "$LASTPID"
wait "$spid"
status "large datagrams: the sender" 0 "$?"
wait_for received_is 11
sleep 1.5
idle=$(rss_kib "$LASTPID")
echo "  (RSS $base KiB at start, $idle KiB idle after 11 x 200 KiB)"
true_that "large datagrams: idle, the listener gives their buffers back" \
    [ "$idle" -le $((base + 1024)) ]
kill -TERM "$LASTPID"
reap "$LASTPID"
status "large datagrams: exit 0" 0 "$RC"
is "large datagrams: every one written whole" "11 11" \
    "$(awk '{ n++; if (length($0) == 204800) w++ } END { print n, w }' \
    "$T/out")"

done_testing
