#!/bin/bash
# udg-listen: output formats, escaping, signals, access, readiness (issue 3).
. "$(dirname "$0")/lib.sh"
need python3
S=$T/s

# Text: hostile bytes become one escaped line; no raw ESC reaches output.
bg "$LISTEN" -c 4 -o "$T/out" "$S"; wait_sock "$S"
printf 'a\nb\033[2Jc\000d' | "$SEND" -a "$S"
printf '\033]52;c;aGk=\007' | "$SEND" -a "$S"
printf '\377\376 bad utf8' | "$SEND" -a "$S"
"$SEND" -a "$S" < /dev/null
wait_pid "$LASTPID"
check "escaped lines" 4 "$(wc -l < "$T/out")"
check "no raw ESC" 0 "$(grep -c "$(printf '\033')" "$T/out")"
check "escape forms" 'a\nb\033[2Jc\0d' "$(head -n 1 "$T/out")"
check "empty datagram is an empty line" "" "$(sed -n 4p "$T/out")"

# -J: valid JSON per line, with the sender's real credentials.
rm -f "$T/out"
bg "$LISTEN" -J -c 3 -o "$T/out" "$S"; wait_sock "$S"
"$SEND" -b "$T/c" "$S" 'plain "quoted" é'
printf '\377\000x' | "$SEND" -a "$S"
python3 - "$S" > "$T/py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"unbound", sys.argv[1])
print(os.getpid(), os.getuid(), os.getgid())
PY
wait_pid "$LASTPID"
python3 - "$T/out" "$T/c" "$(cat "$T/py")" <<'PY'
import base64, json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
pid, uid, gid = map(int, sys.argv[3].split())
def t(c, m):
    print(("ok - " if c else "FAIL - ") + m)
    if not c: sys.exit(1)
t(len(recs) == 3, "three JSON records")
for r in recs:
    t(all(k in r for k in ("time", "pid", "uid", "gid", "peer", "len", "truncated")), "fields present")
    t(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", r["time"]) is not None, "RFC 3339 time")
t(recs[0]["data"] == 'plain "quoted" é' and recs[0]["peer"] == sys.argv[2], "utf-8 data and peer path")
t(base64.b64decode(recs[1]["data_base64"]) == b"\xff\x00x" and recs[1]["len"] == 3, "binary as data_base64")
t(recs[2]["peer"] is None, "unbound sender: peer null")
t((recs[2]["pid"], recs[2]["uid"], recs[2]["gid"]) == (pid, uid, gid), "python sender's pid/uid/gid")
t(recs[0]["truncated"] is False, "truncated false")
PY
check "json checks" 0 $?

# -C prefix, -R raw, -0 NUL.
rm -f "$T/out"
bg "$LISTEN" -C -c 1 -o "$T/out" "$S"; wait_sock "$S"
sh -c 'echo "$$ $(id -u) $(id -g) hi" > "$0"; exec "$1" "$2" hi' "$T/want" "$SEND" "$S"
wait_pid "$LASTPID"
check "-C prefix" "$(cat "$T/want")" "$(cat "$T/out")"
rm -f "$T/out"
bg "$LISTEN" -0 -c 2 -o "$T/out" "$S"; wait_sock "$S"
"$SEND" "$S" 'x y'; "$SEND" "$S" z
wait_pid "$LASTPID"
check "-0" "$(printf 'x y\0z\0' | od -c)" "$(od -c < "$T/out")"

# -t: exits 0 after an idle period.
"$LISTEN" -t 0.2 -o /dev/null "$S"; check "-t idle exit 0" 0 $?
[ ! -e "$S" ] && [ ! -e "$S.lock" ]; check "socket and lock removed" 0 $?

# SIGTERM mid-flood: received count (-v) equals whole lines written.
rm -f "$T/out"
bg "$LISTEN" -v -o "$T/out" "$S" 2> "$T/err"; wait_sock "$S"; lp=$LASTPID
seq 1 300000 | "$SEND" "$S" 2>/dev/null & sp=$!
sleep 0.3; kill -TERM "$lp"; wait "$lp"; check "SIGTERM exit 0" 0 $?
wait "$sp" 2>/dev/null
n=$(sed -n 's/.*received \([0-9]*\),.*/\1/p' "$T/err")
check "SIGTERM: received == lines" "$n" "$(wc -l < "$T/out")"
check "SIGTERM: last line whole" "$n" "$(tail -n 1 "$T/out")"

# SIGHUP with the file renamed away: old + new hold every line once.
rm -f "$T/out"*
bg "$LISTEN" -c 200000 -o "$T/out" "$S"; wait_sock "$S"; lp=$LASTPID
seq 1 200000 | "$SEND" "$S" & sp=$!
sleep 0.2; mv "$T/out" "$T/out.1"; kill -HUP "$lp"
wait "$sp"; wait_pid "$lp"; check "after SIGHUP exit 0" 0 $?
cat "$T/out.1" "$T/out" > "$T/all"
seq 1 200000 | cmp -s - "$T/all"; check "SIGHUP: every line once, in order" 0 $?

# Paths: a live socket is never stolen, a non-socket never removed,
# a stale socket (owner killed with SIGKILL) is reused.
bg "$LISTEN" -o /dev/null "$S"; wait_sock "$S"; lp=$LASTPID
"$LISTEN" -c 1 "$S" 2>/dev/null; check "live path: 73" 73 $?
[ -S "$S" ]; check "live socket untouched" 0 $?
kill -KILL "$lp"; wait "$lp" 2>/dev/null
[ -S "$S" ]; check "SIGKILL leaves the socket" 0 $?
rm -f "$T/out"
bg "$LISTEN" -c 1 -o "$T/out" "$S"; wait_sock "$S"
"$SEND" -W 5 "$S" again; wait_pid "$LASTPID"
check "stale socket reused" again "$(cat "$T/out")"
echo data > "$T/file"
"$LISTEN" -c 1 "$T/file" 2>/dev/null; check "regular file: 73" 73 $?
check "regular file untouched" data "$(cat "$T/file")"
ln -s "$T/file" "$T/link"
"$LISTEN" -c 1 "$T/link" 2>/dev/null; check "symlink: 73" 73 $?
[ -L "$T/link" ]; check "symlink untouched" 0 $?

# -m: exact mode; -e: payload on stdin, UDG_* set, $(...) stays text.
bg "$LISTEN" -m 0600 -c 2 -e 'printf "%s|%s|%s|" "$UDG_PID" "$UDG_UID" "$UDG_PEER"; cat' -o /dev/null "$S"
wait_sock "$S"; lp=$LASTPID
check "-m 0600" 600 "$(stat -c %a "$S")"
got=$("$SEND" -b "$T/c2" -r "$S" 'payload $(touch '"$T"'/pwned)')
case $got in *"|0|$T/c2|payload \$(touch $T/pwned)") ok "-e env and stdin";; *) bad "-e got: $got";; esac
"$SEND" -r "$S" '`touch '"$T"'/pwned2`; touch '"$T"'/pwned3' > /dev/null
wait_pid "$lp"
[ ! -e "$T/pwned" ] && [ ! -e "$T/pwned2" ] && [ ! -e "$T/pwned3" ]
check "payload never run by a shell" 0 $?

# -g: the socket's group and mode are exactly the requested ones.
if getent group nogroup >/dev/null; then
	bg "$LISTEN" -g nogroup -m 0660 -c 1 -o /dev/null "$S"; wait_sock "$S"
	check "-g group and mode" "nogroup 660" "$(stat -c '%G %a' "$S")"
	"$SEND" "$S" x; wait_pid "$LASTPID"
else
	echo "SKIP: -g test needs a group named nogroup"
fi

# -d and -p, relative paths keep their meaning after detaching.
( cd "$T" && "$LISTEN" -d -p rel.pid -c 1 -o rel.out rel.sock ); check "-d exit 0" 0 $?
[ -S "$T/rel.sock" ]; check "-d: bound before the parent exits" 0 $?
dp=$(cat "$T/rel.pid"); kill -0 "$dp"; check "-p pid is alive" 0 $?
"$SEND" "$T/rel.sock" daemon; wait_pid "$dp" 2>/dev/null
for i in $(seq 1 200); do [ -s "$T/rel.out" ] && break; sleep 0.01; done
check "-d relative -o" daemon "$(cat "$T/rel.out")"

# Access: -u drops other uids (counted, never printed or executed).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	rm -f "$T/out"; chmod 755 "$T"
	bg "$LISTEN" -v -u root -c 1 -m 0666 -o "$T/out" -e 'cat; touch '"$T"'/ran' "$S" 2> "$T/err"
	wait_sock "$S"
	env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid=65534 --clear-groups "$SEND" "$S" from-nobody
	"$SEND" "$S" from-root > /dev/null
	wait_pid "$LASTPID"
	check "-u: only root's datagram" from-root "$(cat "$T/out")"
	grep -q 'dropped 1' "$T/err"; check "-u: drop counted" 0 $?
	[ "$(find "$T" -name ran | wc -l)" -le 1 ]; check "-u: dropped not executed" 0 $?
	bg "$LISTEN" -m 0600 -c 1 -o /dev/null "$S"; wait_sock "$S"
	env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid=65534 --clear-groups "$SEND" "$S" x 2>/dev/null
	check "-m 0600 refuses nobody: 77" 77 $?
	"$SEND" "$S" done; wait_pid "$LASTPID"
else
	echo "SKIP: access tests need root and setpriv"
fi

finish
