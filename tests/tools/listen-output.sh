#!/bin/bash
# udg-listen: output formats, credentials, -s, -c, -t, -o with SIGHUP,
# signals, -v, and fds that ride along.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# lines_are FILE N: FILE has N lines.
# shellcheck disable=SC2317 # called through wait_for
lines_are() {
	[ "$(wc -l < "$1" 2>/dev/null)" = "$2" ]
}

# sendraw BYTES: one datagram with exactly the bytes of printf BYTES.
sendraw() {
	# shellcheck disable=SC2059
	printf "$1" | tmo "$SEND" -a "$S"
}

# --- default text: vis(3) escaping, one line per datagram ------------------
listen -c 8
sendraw 'a\nb\033[2Jc\0d'
sendraw '\033]52;c;aGk=\007'
sendraw '\377\376 bad utf8 \300\200'
sendraw 'tab\there\r back\\slash'
sendraw '\0001'
sendraw '\23331m C1 CSI'
sendraw ''
sendraw 'plain text'
finish_listen
is "text: one line per datagram" 8 "$(wc -l < "$T/out")"
is "text: no raw ESC" 0 "$(tr -cd '\033' < "$T/out" | wc -c)"
is "text: no raw NUL, BEL or CR" 0 "$(tr -cd '\000\007\r' < "$T/out" | wc -c)"
is "text: no byte outside printable ASCII but the newlines" 0 \
    "$(tr -d '\n\040-\176' < "$T/out" | wc -c)"
cat > "$T/want" <<'EOF'
a\nb\033[2Jc\0d
\033]52;c;aGk=\a
\377\376 bad utf8 \300\200
tab\there\r back\\slash
\0001
\23331m C1 CSI

plain text
EOF
same "text: escaped by vis(3) rules (C style, octal)" "$T/want" "$T/out"

# --- a UTF-8 locale: printable UTF-8 passes, controls and tricks do not ---
if LC_ALL=C.UTF-8 locale charmap 2>/dev/null | grep -qx UTF-8; then
	LC_ALL=C.UTF-8 listen -c 5
	sendraw 'h\303\251llo \344\270\226\347\225\214'
	sendraw 'bidi \342\200\256evil\342\200\254 iso \342\201\246x\342\201\251'
	sendraw 'c1 \302\205 \302\233 del \177'
	sendraw 'overlong \300\200 \340\200\257 cut \303'
	sendraw 'esc \033[2J'
	finish_listen
	cat > "$T/want" <<'EOF'
héllo 世界
bidi \342\200\256evil\342\200\254 iso \342\201\246x\342\201\251
c1 \302\205 \302\233 del \177
overlong \300\200 \340\200\257 cut \303
esc \033[2J
EOF
	same "UTF-8 locale: printable UTF-8 unescaped, C1, DEL, bidi and bad sequences escaped" \
	    "$T/want" "$T/out"
	LC_ALL=C.UTF-8 tmo "$SEND" "$T/nonexistent-é-$(printf '\342\200\256')" x \
	    2>"$T/err"
	like "UTF-8 locale: messages pass printable UTF-8 and escape bidi" \
	    '*nonexistent-é-\\342\\200\\256*' "$(cat "$T/err")"
	tmo "$SEND" "$T/nonexistent-é" x 2>"$T/err"
	like "C locale: messages escape every non-ASCII byte" \
	    '*nonexistent-\\303\\251*' "$(cat "$T/err")"
else
	skip "UTF-8 locale: C.UTF-8 is not installed"
fi

# --- -R and -0: verbatim ----------------------------------------------------
listen -R -c 2
sendraw 'x\033y\0z'
sendraw 'two\nlines'
finish_listen
printf 'x\033y\0z\ntwo\nlines\n' > "$T/want"
same "-R: payload verbatim, then a newline" "$T/want" "$T/out"

listen -0 -c 2
sendraw 'x\033y\nz'
sendraw ''
finish_listen
printf 'x\033y\nz\0\0' > "$T/want"
same "-0: payload verbatim, then a NUL" "$T/want" "$T/out"

# --- -J: one valid JSON object per line, with the real credentials ----------
listen -J -c 6
with_id "$T/id1" \
    "$SEND" -b "$T/cli" "$S" 'plain "quoted" \back/slash é'
sendraw '\377\000x\n'
sendraw 'ctl\001\037\177\ttab\nnl'
sendraw ''
sendraw '\360\237\230\200 emoji'
tmo "$PY" - "$S" > "$T/id2" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"from python", sys.argv[1])
print(os.getpid(), os.getuid(), os.getgid())
EOF
finish_listen
"$PY" - "$T/out" "$T/id1" "$T/id2" "$T/cli" > "$T/check" 2>&1 <<'EOF'
import base64, json, re, sys
out, id1, id2, cli = sys.argv[1:]
want = [
    (id1, cli, b'plain "quoted" \\back/slash \xc3\xa9'),
    (None, None, b"\xff\x00x\n"),
    (None, None, b"ctl\x01\x1f\x7f\ttab\nnl"),
    (None, None, b""),
    (None, None, "\U0001F600 emoji".encode()),
    (id2, None, b"from python"),
]
lines = open(out, "rb").read().split(b"\n")
assert lines[-1] == b"", "output does not end with a newline"
lines = lines[:-1]
assert len(lines) == len(want), "%d lines for %d datagrams" % (len(lines), len(want))
tre = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|\+00:00)$")
for n, (line, (idf, peer, data)) in enumerate(zip(lines, want), 1):
    r = json.loads(line)
    for k in ("time", "pid", "uid", "gid", "peer", "len", "truncated"):
        assert k in r, "line %d: no %s: %r" % (n, k, r)
    assert tre.match(r["time"]), "line %d: time %r" % (n, r["time"])
    assert r["len"] == len(data), "line %d: len %r" % (n, r["len"])
    assert r["truncated"] is False, "line %d: truncated %r" % (n, r["truncated"])
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    if utf8:
        assert "data_base64" not in r, "line %d: base64 for UTF-8" % n
        assert r["data"].encode() == data, "line %d: data %r" % (n, r["data"])
    else:
        assert "data" not in r, "line %d: data for invalid UTF-8" % n
        assert base64.b64decode(r["data_base64"]) == data, \
            "line %d: data_base64 %r" % (n, r["data_base64"])
    if idf is not None:
        pid, uid, gid = map(int, open(idf).read().split())
        assert (r["pid"], r["uid"], r["gid"]) == (pid, uid, gid), \
            "line %d: creds %r, sender %r" % (n, (r["pid"], r["uid"], r["gid"]), (pid, uid, gid))
    if n >= 2:
        assert isinstance(r["pid"], int) and r["pid"] > 0, "line %d: pid %r" % (n, r["pid"])
    if peer is not None:
        assert r["peer"] == peer, "line %d: peer %r" % (n, r["peer"])
    if n == 6:
        assert r["peer"] is None, "line 6: unbound sender, peer %r" % r["peer"]
print("all good")
EOF
is "-J: every line valid JSON with the right fields and values" "all good" \
    "$(cat "$T/check")"
like "-J: automatic client sockets have a peer path" '*"peer":"'"$T"'/udg/*' \
    "$(sed -n 2p "$T/out")"
# udg-listen(1) shows the time as 2026-11-28T15:31:14.638390Z: UTC as "Z".
"$PY" - "$T/out" > "$T/check" 2>&1 <<'EOF'
import json, re, sys
tre = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
bad = [r["time"] for r in map(json.loads, open(sys.argv[1]))
       if not tre.fullmatch(r["time"])]
print("bad: %r" % bad if bad else "all Z")
EOF
is "-J: time in UTC with microseconds and Z, as documented" "all Z" \
    "$(cat "$T/check")"

# --- -C: text prefixed by the sender's pid uid gid ---------------------------
listen -C -c 2
with_id "$T/id1" \
    "$SEND" "$S" 'hello	creds'
tmo "$PY" - "$S" > "$T/id2" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"py\x1b[31m", sys.argv[1])
print(os.getpid(), os.getuid(), os.getgid())
EOF
finish_listen
is "-C: udg-send's pid uid gid, then the escaped text" \
    "$(cat "$T/id1") hello\\tcreds" "$(sed -n 1p "$T/out")"
is "-C: python's pid uid gid, then the escaped text" \
    "$(cat "$T/id2") py\\033[31m" "$(sed -n 2p "$T/out")"
listen --creds -R -c 1
with_id "$T/id1" \
    "$SEND" "$S" raw
finish_listen
is "--creds -R: the prefix with raw output" "$(cat "$T/id1") raw" \
    "$(cat "$T/out")"

# --- -s: syslog headers decoded ------------------------------------------------
listen -s -c 5
tmo "$SEND" "$S" '<13>Nov 28 17:18:01 tag: hello 3164'
tmo "$SEND" "$S" '<165>1 2003-10-11T22:14:15.003Z host app - ID47 - hi 5424'
tmo "$SEND" "$S" '<0>emergency'
tmo "$SEND" "$S" 'no header'
tmo "$SEND" "$S" '<999>not a priority'
finish_listen
like "-s: <13> is user.notice" "user.notice: *hello 3164" \
    "$(sed -n 1p "$T/out")"
like "-s: <165> RFC 5424 is local4.notice" "local4.notice: *hi 5424" \
    "$(sed -n 2p "$T/out")"
like "-s: <0> is kern.emerg" "kern.emerg: *emergency" "$(sed -n 3p "$T/out")"
is "-s: no header, printed as it is" "no header" "$(sed -n 4p "$T/out")"
like "-s: a bad header is not decoded" "*not a priority" \
    "$(sed -n 5p "$T/out")"
like "-s: a bad header is shown" "*999*" "$(sed -n 5p "$T/out")"

listen -s -J -c 1
tmo "$SEND" "$S" '<30>Nov 28 17:18:01 cron[1]: job'
finish_listen
"$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r.get("facility"), r.get("severity"))
print(r.get("message"))
print(r.get("data"))' "$T/out" > "$T/got" 2>&1
is "-s -J: facility and severity" "daemon info" "$(sed -n 1p "$T/got")"
is "-s -J: message is the payload without the header" \
    "Nov 28 17:18:01 cron[1]: job" "$(sed -n 2p "$T/got")"
is "-s -J: data is still the whole payload" \
    "<30>Nov 28 17:18:01 cron[1]: job" "$(sed -n 3p "$T/got")"

# --- -c N and -t SECONDS ----------------------------------------------------------
listen -c 2 -v
tmo "$SEND" "$S" one
tmo "$SEND" "$S" two
finish_listen
is "-c 2: two records" "$(printf 'one\ntwo')" "$(cat "$T/out")"
tmo "$SEND" "$S" three 2>/dev/null
status "-c 2: gone after the second (nobody listening: 69)" 69 $?

listen --count 3
printf 'a\nb\nc\nd\ne\n' | tmo "$SEND" -n "$S" 2>/dev/null
finish_listen
is "--count 3 with more queued: exactly three records" \
    "$(printf 'a\nb\nc')" "$(cat "$T/out")"

listen -t 0.5
finish_listen
is "-t 0.5, no traffic: nothing written" "" "$(cat "$T/out")"
true_that "-t 0.5: the lock file is removed too" [ ! -e "$S.lock" ]

listen --timeout 3
for i in 1 2 3; do tmo "$SEND" "$S" "t$i"; done
finish_listen
is "--timeout: what came before the idle time is written" \
    "$(printf 't1\nt2\nt3')" "$(cat "$T/out")"

# --- SIGTERM/SIGINT: everything written, socket removed, exit 0 --------------
for sig in TERM INT; do
	rm -f "$T/out" "$S"
	spawn env --default-signal=INT "$LISTEN" -t 60 -o "$T/out" "$S"
	lpid=$LASTPID
	wait_for_socket "$S"
	seq 1 300 | tmo "$SEND" "$S"
	# Datagrams still queued when the signal comes may be left unread;
	# what was received must be written, and the socket removed.
	wait_for lines_are "$T/out" 300
	kill "-$sig" "$lpid"
	reap "$lpid"
	status "SIG$sig: exit 0" 0 "$RC"
	seq 1 300 > "$T/want"
	same "SIG$sig: everything received is written" "$T/want" "$T/out"
	true_that "SIG$sig: socket file removed" [ ! -e "$S" ]
done

# SIGTERM in the middle of a flood: every datagram -v counts as received
# is written, and the last line is whole.
seq 1 300000 > "$T/flood"
listen -v -t 60
lpid=$LASTPID
spawn tmo "$SEND" "$S" < "$T/flood" 2>/dev/null
spid=$LASTPID
wait_for [ -s "$T/out" ]
kill -TERM "$lpid"
reap "$lpid"
status "SIGTERM mid-flood: exit 0" 0 "$RC"
reap "$spid"
n=$(vcount received "$T/lerr")
true_that "SIGTERM mid-flood: it came mid-flood ($n of 300000 received)" \
    between "${n/none/0}" 1 299999
is "SIGTERM mid-flood: -v received == lines written" "$n" \
    "$(wc -l < "$T/out")"
is "SIGTERM mid-flood: the last line is whole" "$n" "$(tail -n 1 "$T/out")"

# Output to stdout, through a pipe, then SIGTERM.
rm -f "$S"
"$LISTEN" -t 60 "$S" > "$T/stdout" 2>"$T/lerr" &
lpid=$!
BGPIDS="$BGPIDS $lpid"
wait_for_socket "$S"
tmo "$SEND" "$S" to stdout
kill -TERM "$lpid"
reap "$lpid"
status "stdout, SIGTERM: exit 0" 0 "$RC"
is "stdout: the record" "to stdout" "$(cat "$T/stdout")"

# --- -o FILE: append; SIGHUP reopens (logrotate), nothing lost or split ------
echo "old line" > "$T/log"
rm -f "$S"
spawn "$LISTEN" -R -t 60 -o "$T/log" "$S"
lpid=$LASTPID
wait_for_socket "$S"
tmo "$SEND" "$S" first
wait_for grep -qx first "$T/log"
is "-o: appends to what was there" "$(printf 'old line\nfirst')" \
    "$(cat "$T/log")"

# Rotate while a sender streams lines of different lengths: the listener
# is stopped, so the sender blocks on the full queue with most lines still
# to go; the file is moved and SIGHUP sent; then the listener goes on.
"$PY" -c '
for i in range(20000):
    print("%d %s" % (i, "x" * (i % 97)))' > "$T/stream"
kill -STOP "$lpid"
spawn tmo "$SEND" "$S" < "$T/stream"
spid=$LASTPID
sleep 0.2
mv "$T/log" "$T/log.1"
kill -HUP "$lpid"
kill -CONT "$lpid"
# The reopen makes a new file.
wait_for [ -e "$T/log" ]
reap "$spid"
status "-o rotation: the sender finished" 0 "$RC"
tmo "$SEND" "$S" after rotation
wait_for grep -qx 'after rotation' "$T/log"
kill -TERM "$lpid"
reap "$lpid"
status "-o rotation: listener exit 0" 0 "$RC"
{ echo "old line"; echo first; cat "$T/stream"; echo after rotation; } > "$T/want"
cat "$T/log.1" "$T/log" > "$T/got"
same "-o rotation: old + new file hold every line once, in order, unsplit" \
    "$T/want" "$T/got"
true_that "-o rotation: the new file got part of the stream" \
    grep -q '^19999 ' "$T/log"
like "-o rotation: the new file ends with the last line" "*after rotation" \
    "$(tail -n 1 "$T/log")"

# A second HUP with nothing moved: still the same file, nothing lost.
rm -f "$S"
spawn "$LISTEN" -R -c 2 --output "$T/log2" "$S"
lpid=$LASTPID
wait_for_socket "$S"
tmo "$SEND" "$S" before hup
wait_for grep -qx 'before hup' "$T/log2"
kill -HUP "$lpid"
tmo "$SEND" "$S" after hup
reap "$lpid"
status "--output, SIGHUP without a move: exit 0" 0 "$RC"
is "--output, SIGHUP without a move: both lines" \
    "$(printf 'before hup\nafter hup')" "$(cat "$T/log2")"

# -o that cannot be opened: fails before binding.
rm -f "$S"
tmo "$LISTEN" -c 1 -o "$T/no/such/dir/log" "$S" 2>"$T/err"
rc=$?
true_that "-o in a missing directory: fails ($rc)" [ "$rc" -ne 0 ]
like "-o in a missing directory: says so" "*$T/no/such/dir/log*" \
    "$(cat "$T/err")"
true_that "-o in a missing directory: nothing bound" [ ! -e "$S" ]

# --- 74: the output cannot be written ------------------------------------------
if [ -w /dev/full ]; then
	spawn "$LISTEN" -c 1 -o /dev/full "$S" 2>"$T/lerr"
	wait_for_socket "$S"
	tmo "$SEND" "$S" lost
	reap "$LASTPID"
	status "-o /dev/full: 74" 74 "$RC"
	like "-o /dev/full: says why" "*/dev/full*" "$(cat "$T/lerr")"
	true_that "-o /dev/full: socket file removed" [ ! -e "$S" ]
else
	echo "# /dev/full not writable: the 74 check is not run"
fi

# --- -h, -V, usage errors ----------------------------------------------------------
tmo "$LISTEN" -h >"$T/o" 2>"$T/err"
status "-h: exit 0" 0 $?
like "-h: usage on stdout" "*usage:*" "$(cat "$T/o")"
tmo "$LISTEN" --help >"$T/o" 2>"$T/err"
status "--help: exit 0" 0 $?
tmo "$LISTEN" -V >"$T/o" 2>"$T/err"
status "-V: exit 0" 0 $?
like "-V: name and version" "udg-listen *[0-9]*" "$(cat "$T/o")"
while IFS= read -r line; do
	eval "set -- $line"
	tmo "$LISTEN" "$@" >"$T/o" 2>"$T/err"
	status "usage error exits 64: $line" 64 $?
	true_that "usage error binds nothing: $line" [ ! -e "$S" ]
	like "usage error says why: $line" "?*" "$(cat "$T/err")"
done <<EOF
--bogus \$S
-c 0 \$S
-c -1 \$S
-c x \$S
-t abc \$S
-t -1 \$S
-c 1 -R -J \$S
-c 1 -0 -R \$S
-c 1 -o '' \$S
-c 1 -p '' \$S
-c 1 ''
-c 1 \$S \$S
-c 1
EOF

# --- -v: counts on stderr at exit ------------------------------------------------
listen -v -c 3
for i in 1 2 3; do tmo "$SEND" "$S" "v$i"; done
finish_listen
is "-v: received 3" 3 "$(vcount received "$T/lerr")"
is "-v: written 3" 3 "$(vcount written "$T/lerr")"
is "-v: dropped 0" 0 "$(vcount dropped "$T/lerr")"
is "-v: truncated 0" 0 "$(vcount truncated "$T/lerr")"
listen -c 1
tmo "$SEND" "$S" quiet
finish_listen
is "without -v: nothing on stderr" "" "$(cat "$T/lerr")"

# --- file descriptors that ride along are closed, never leaked ------------------
listen -C -t 60
lpid=$LASTPID
tmo "$PY" - "$S" > "$T/fdres" 2>&1 <<'EOF'
import os, select, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
r, w = os.pipe()
s.sendmsg([b"with an fd"],
          [(socket.SOL_SOCKET, socket.SCM_RIGHTS, w.to_bytes(4, sys.byteorder))],
          0, sys.argv[1])
os.close(w)
# Once the listener closes its copy, the pipe has no writer: EOF.
ready, _, _ = select.select([r], [], [], 10)
print("closed" if ready and os.read(r, 1) == b"" else "leaked")
EOF
is "an fd sent along is closed by the listener" closed "$(cat "$T/fdres")"
true_that "the listener still runs after that" alive "$lpid"
fds=$(find "/proc/$lpid/fd" -mindepth 1 2>/dev/null | wc -l)
tmo "$PY" - "$S" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(100)]
for i in range(20):
    s.sendmsg([b"fds %d" % i], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
        b"".join(f.to_bytes(4, sys.byteorder) for f in fds))], 0, sys.argv[1])
EOF
tmo "$SEND" "$S" END
wait_for grep -q ' END$' "$T/out"
is "many fds sent along: the listener holds no more fds than before" \
    "$fds" "$(find "/proc/$lpid/fd" -mindepth 1 2>/dev/null | wc -l)"
kill -TERM "$lpid"
reap "$lpid"
status "fds: listener exit 0" 0 "$RC"
is "fds: every datagram written" 22 "$(wc -l < "$T/out")"

# --- --refuse-fds: the kernel refuses fds, the sender is told -------------
kver=$(uname -r | cut -d- -f1)
if [ -z "$PY" ]; then
	skip "--refuse-fds: python3 not installed"
elif [ "$(printf '6.16\n%s\n' "$kver" | sort -V | head -n 1)" != 6.16 ]; then
	skip "--refuse-fds: Linux $kver cannot refuse fds (6.16)"
else
	listen --refuse-fds -c 1
	tmo "$PY" - "$S" >"$T/fdres" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
r, w = os.pipe()
try:
    s.sendmsg([b"with an fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
        w.to_bytes(4, sys.byteorder))], 0, sys.argv[1])
    print("sent")
except PermissionError:
    print("EPERM")
EOF
	is "--refuse-fds: a sender of fds gets EPERM" EPERM "$(cat "$T/fdres")"
	tmo "$SEND" "$S" plain
	finish_listen
	is "--refuse-fds: only the datagram without fds is written" plain \
	    "$(cat "$T/out")"
	is "--refuse-fds: no warning on this kernel" "" "$(cat "$T/lerr")"
fi
UDG_TEST_DISABLE=passrights listen --refuse-fds -c 1
tmo "$SEND" "$S" plain
finish_listen
like "--refuse-fds on a kernel that cannot: says so at start" \
    "*cannot refuse file descriptors*" "$(cat "$T/lerr")"

# --- hostile payloads at the size limit ----------------------
# The largest datagram is what udg-send names as the limit when one is too
# long.  At that size, text output is still one escaped line that decodes
# back to the payload, and -J output is still one valid JSON object.
listen -c 1
head -c 300000 /dev/zero | tmo "$SEND" -a "$S" 2>"$T/err"
status "limit: 300000 bytes are too long (65)" 65 $?
limit=$(grep -Eo 'limit[^0-9]*[0-9]+' "$T/err" | grep -Eo '[0-9]+$' |
    head -n 1)
limit=${limit:-0}
true_that "limit: udg-send names a plausible limit ($limit)" \
    between "$limit" 1000 300000
tmo "$SEND" "$S" END
finish_listen
is "limit: the one too long never came, END did" END "$(cat "$T/out")"

# hostile SIZE KIND FILE: SIZE reproducible bytes of terminal escapes,
# NULs (before digits too), newlines, backslashes, quotes, every byte
# value; KIND "bytes" has invalid UTF-8, "utf8" is valid UTF-8 (control
# characters, U+2028, astral characters).  The last byte is a NUL.
hostile() {
	"$PY" - "$@" <<'EOF'
import sys
size, kind, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
if kind == "bytes":
    unit = (b"plain text \x007\x008\0\0017 \\ \\\\0 \"'` \n\r\n\t\x07\x08\x0b\x0c "
            b"\x1b[2J\x1b[31m\x1b]52;c;aGk=\x07\x9b31m \xff\xfe\xc0\x80"
            b"\xed\xa0\x80 \xc3\xa9 \x7f" + bytes(range(256)))
    pad = b"x"
else:
    unit = ("plain text \x007\x008\0\x017 \\ \\\\0 \"'` \n\r\n\t\x07\x08\x0b\x0c "
            "\x1b[2J\x1b]52;c;aGk=\x07 \u2028\u2029 \u00e9 \U0001F600 "
            "\x7f\u0085\ufeff" + "".join(map(chr, range(128)))).encode()
    pad = b"y"
out = bytearray()
while len(out) + len(unit) < size - 1:
    out += unit
out += pad * (size - 1 - len(out)) + b"\0"
assert len(out) == size
open(path, "wb").write(out)
EOF
}

# Text: the payload at the limit, then one byte over (65, nothing sent),
# then END.
hostile "$limit" bytes "$T/big"
hostile "$((limit + 1))" bytes "$T/over"
listen -c 2
tmo "$SEND" -a "$S" < "$T/big" 2>"$T/err"
status "limit, text: $limit hostile bytes are sent" 0 $?
tmo "$SEND" -a "$S" < "$T/over" 2>"$T/err"
status "limit, text: one byte more is too long (65)" 65 $?
tmo "$SEND" "$S" END
finish_listen
is "limit, text: one line for each datagram that was sent" 2 \
    "$(wc -l < "$T/out")"
is "limit, text: the second line is END (the one over never came)" END \
    "$(sed -n 2p "$T/out")"
is "limit, text: no byte outside printable ASCII but the newlines" 0 \
    "$(tr -d '\n\040-\176' < "$T/out" | wc -c)"
# Decode the escapes the man page lists (anything else is an error), and
# encode the payload by its rules: both must match.
head -n 1 "$T/out" > "$T/line"
"$PY" - "$T/line" "$T/big" > "$T/check" 2>&1 <<'EOF'
import sys
sys.excepthook = lambda t, e, tb: print("%s: %s" % (t.__name__, e))
line = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read()
assert line.endswith(b"\n"), "no newline at the end"
text = line[:-1]
assert b"\n" not in text, "a raw newline inside the record"
named = {b"n": 10, b"t": 9, b"r": 13, b"a": 7, b"b": 8, b"v": 11,
         b"f": 12, b"\\": 92}
octal = b"01234567"
got = bytearray()
i = 0
while i < len(text):
    c = text[i:i + 1]
    if c != b"\\":
        got += c
        i += 1
        continue
    e = text[i + 1:i + 2]
    three = text[i + 1:i + 4]
    if e in named:
        got.append(named[e])
        i += 2
    elif len(three) == 3 and all(d in octal for d in three):
        got.append(int(three, 8))
        i += 4
    elif e == b"0":
        got.append(0)
        i += 2
    else:
        raise SystemExit("unknown escape at %d: %r" % (i, text[i:i + 6]))
if bytes(got) != want:
    n = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]),
             min(len(got), len(want)))
    raise SystemExit("decoded %d bytes, want %d; first difference at %d: "
                     "%r for %r" % (len(got), len(want), n,
                                    bytes(got[n:n + 8]), want[n:n + 8]))
named_out = {10: b"\\n", 9: b"\\t", 13: b"\\r", 7: b"\\a", 8: b"\\b",
             11: b"\\v", 12: b"\\f", 92: b"\\\\"}
enc = bytearray()
for k, b in enumerate(want):
    if b in named_out:
        enc += named_out[b]
    elif 32 <= b <= 126:
        enc.append(b)
    elif b == 0:
        nxt = want[k + 1:k + 2]
        enc += b"\\000" if nxt and nxt in octal else b"\\0"
    else:
        enc += b"\\%03o" % b
if bytes(enc) != text:
    n = next((k for k in range(min(len(enc), len(text))) if enc[k] != text[k]),
             min(len(enc), len(text)))
    raise SystemExit("not escaped as documented at %d: %r, want %r"
                     % (n, text[n:n + 12], bytes(enc[n:n + 12])))
print("round trip")
EOF
is "limit, text: the line decodes back to the payload, escaped as documented" \
    "round trip" "$(cat "$T/check")"

# JSON: invalid UTF-8 at the limit (data_base64), valid UTF-8 at the limit
# (data), one byte over (65), then END.
hostile "$limit" utf8 "$T/big8"
hostile "$((limit + 1))" utf8 "$T/over8"
listen -J -c 3
tmo "$SEND" -a "$S" < "$T/big" 2>"$T/err"
status "limit, -J: $limit hostile bytes are sent" 0 $?
tmo "$SEND" -a "$S" < "$T/big8" 2>"$T/err"
status "limit, -J: $limit bytes of hostile UTF-8 are sent" 0 $?
tmo "$SEND" -a "$S" < "$T/over8" 2>"$T/err"
status "limit, -J: one byte more is too long (65)" 65 $?
tmo "$SEND" "$S" END
finish_listen
is "limit, -J: one line for each datagram that was sent" 3 \
    "$(wc -l < "$T/out")"
"$PY" - "$T/out" "$T/big" "$T/big8" > "$T/check" 2>&1 <<'EOF'
import base64, json, sys
sys.excepthook = lambda t, e, tb: print("%s: %s" % (t.__name__, e))
raw = open(sys.argv[1], "rb").read()
want = [open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read(), b"END"]
lines = raw.split(b"\n")
assert lines[-1] == b"", "output does not end with a newline"
lines = lines[:-1]
assert len(lines) == 3, "%d lines" % len(lines)
for n, (line, data) in enumerate(zip(lines, want), 1):
    # strict: the line must be UTF-8, with no raw control character
    try:
        r = json.loads(line.decode("utf-8"), strict=True)
    except ValueError as e:
        raise SystemExit("line %d: not valid JSON: %s" % (n, e))
    assert isinstance(r, dict), "line %d: not an object" % n
    assert r["len"] == len(data), "line %d: len %r, want %d" % (n, r["len"], len(data))
    assert r["truncated"] is False, "line %d: truncated %r" % (n, r["truncated"])
    if n == 1:
        assert "data" not in r, "line 1: data for invalid UTF-8"
        assert base64.b64decode(r["data_base64"], validate=True) == data, \
            "line 1: data_base64 does not decode to the payload"
    else:
        assert "data_base64" not in r, "line %d: base64 for UTF-8" % n
        assert r["data"].encode("utf-8") == data, \
            "line %d: data is not the payload" % n
    # what text mode escapes reaches a terminal as a \u escape here too
    for ch in "\u0085\u2028\u2029\ufeff":
        assert ch.encode() not in line, "line %d: raw U+%04X" % (n, ord(ch))
print("all good")
EOF
is "limit, -J: valid JSON, len is the limit, the data is the payload" \
    "all good" "$(cat "$T/check")"

# --- closed standard descriptors ---------------------------------------------
# With stdout and stderr closed, the -o file gets records only, not the
# diagnostics a sender can cause (here the rate limit's) nor -v's counts.
rm -f "$T/c.out"
"$LISTEN" -J -t 1 -v --rate-limit 1/10 -o "$T/c.out" "$S" >&- 2>&- &
LASTPID=$!
BGPIDS="$BGPIDS $LASTPID"
wait_for_socket "$S"
printf 'a\nb\nc\n' | tmo "$SEND" "$S"
reap "$LASTPID"
status "stdout and stderr closed, -o: exit 0" 0 "$RC"
true_that "stdout and stderr closed: the -o file holds records" \
    [ -s "$T/c.out" ]
is "stdout and stderr closed: ... only JSON records, no messages" \
    "$(wc -l < "$T/c.out")" "$(grep -c '^{"time":' "$T/c.out")"
# Records with nowhere to go: said at once, nothing bound.
tmo "$LISTEN" -c 1 "$S" >&- 2>"$T/lerr"
status "stdout closed, no -o: 74" 74 $?
like "stdout closed, no -o: says so" "*standard output is closed*" \
    "$(cat "$T/lerr")"
true_that "stdout closed, no -o: nothing bound" [ ! -e "$S" ]

# --- a path that begins with '@' never looks like an abstract name --------
# A relative path "@xN" is shown as "./@xN", the abstract name "xN" as
# "@xN": in JSON, in --peer and in -e's UDG_PEER.
mkdir -p "$T/at"
cat > "$T/at.py" <<'EOF'
import os, socket, sys
srv, kind, name = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(name if kind == "path" else b"\0" + name.encode())
s.sendto(kind.encode(), srv)
if kind == "path":
    os.unlink(name)
EOF
export PEERS=$T/peers
for fmt in -J --peer -e; do
	rm -f "$PEERS"
	case $fmt in
	# shellcheck disable=SC2016 # the command's own variable
	-e) listen -c 2 -e 'printf "%s\n" "$UDG_PEER" >> "$PEERS"' ;;
	*) listen -c 2 "$fmt" ;;
	esac
	(cd "$T/at" && tmo "$PY" "$T/at.py" "$S" path "@x$$")
	tmo "$PY" "$T/at.py" "$S" abstract "x$$"
	finish_listen
	case $fmt in
	-J) jget "$T/out" peer >"$PEERS" ;;
	--peer) cut -d' ' -f1 "$T/out" >"$PEERS" ;;
	esac
	is "$fmt: a relative '@' path and an abstract name differ" \
	    "./@x$$ @x$$" "$(tr '\n' ' ' < "$PEERS" | sed 's/ $//')"
done

done_testing
