#!/bin/bash
# Interop with real programs nobody here wrote: logger
# (bsdutils), socat, netcat-openbsd, python3's socket module,
# systemd-notify (systemd).  A missing one is a SKIP, never a pass.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
need logger bsdutils
need socat socat
need nc netcat-openbsd
need systemd-notify systemd
nc -h 2>&1 | grep -q -- '-U' || skip "nc is not netcat-openbsd (no -U)"
S=$T/s

# size_is FILE N: FILE has N bytes.
# shellcheck disable=SC2317 # called through wait_for
size_is() {
	[ "$(stat -c %s "$1" 2>/dev/null)" = "$2" ]
}

# --- logger --socket / -u → udg-listen -s -------------------------------------
listen -s -c 1
tmo logger --socket "$S" -t mytag 'hello from logger' 2>"$T/err"
status "logger --socket: exit 0" 0 $?
finish_listen
like "logger → -s: user.notice, the tag and the message" \
    "user.notice: *mytag*: hello from logger" "$(cat "$T/out")"

listen -s -c 1
tmo logger -u "$S" -p local3.err -t t2 'five four two four' 2>"$T/err"
finish_listen
like "logger -u -p local3.err → -s: local3.err" \
    "local3.err: *t2*five four two four" "$(cat "$T/out")"

listen -s -J -c 1
tmo logger --socket "$S" --rfc5424 -p daemon.warning -t t3 'in 5424' \
    2>"$T/err"
finish_listen
"$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["facility"], r["severity"])
print(r["message"])' "$T/out" > "$T/got" 2>&1
is "logger --rfc5424 → -s -J: facility and severity" "daemon warning" \
    "$(head -n 1 "$T/got")"
like "logger --rfc5424 → -s -J: the message without <PRI>" \
    "[0-9]*-??-??T* t3 *in 5424" "$(sed -n 2p "$T/got")"

# A message with bytes that must not reach a terminal.
listen -s -c 1
tmo logger --socket "$S" -t esc "$(printf 'bell\007 esc\033[31m red')" 2>/dev/null
finish_listen
is "logger → -s: no raw ESC or BEL in the output" 0 \
    "$(tr -cd '\033\007' < "$T/out" | wc -c)"

# --- socat → udg-listen ------------------------------------------------------------
listen -C -c 1
echo 'via socat' | tmo socat -u - "UNIX-SENDTO:$S" 2>"$T/err"
status "socat UNIX-SENDTO: exit 0" 0 $?
finish_listen
# socat sends what it read in one block: the newline is part of the datagram.
like "socat → udg-listen: one datagram, escaped newline" \
    "[1-9]* $(id -u) $(id -g) via socat\\\\n" "$(cat "$T/out")"

listen -R -c 1
printf 'bin\0\377' | tmo socat -u - "UNIX-SENDTO:$S"
finish_listen
printf 'bin\0\377\n' > "$T/want"
same "socat → udg-listen -R: binary intact" "$T/want" "$T/out"

# --- udg-send → socat UNIX-RECV ------------------------------------------------------
R=$T/r
rm -f "$T/sout"
spawn tmo socat -u "UNIX-RECV:$R" "OPEN:$T/sout,creat,append"
spid=$LASTPID
wait_for_socket "$R"
tmo "$SEND" "$R" to socat 2>"$T/err"
status "udg-send → socat: exit 0" 0 $?
printf 'a\nb\n' | tmo "$SEND" "$R"
printf 'x\0y' | tmo "$SEND" -a "$R"
wait_for size_is "$T/sout" 13
kill -TERM "$spid"
reap "$spid"
printf 'to socatabx\0y' > "$T/want"
same "udg-send → socat UNIX-RECV: each datagram's bytes" "$T/want" "$T/sout"

# --- nc -Uu → udg-listen --echo, nc gets the echo ---------------------------------
listen --echo -C -c 1
printf 'ping from nc\n' |
    tmo nc -Uu -W 1 -w 5 -s "$T/nc.sock" "$S" > "$T/ncout" 2>"$T/err"
status "nc -Uu: exit 0" 0 $?
finish_listen
is "nc -Uu → --echo: nc receives the echo" "ping from nc" "$(cat "$T/ncout")"
like "nc -Uu → --echo: the listener wrote it with nc's creds" \
    "[1-9]* $(id -u) $(id -g) ping from nc\\\\n" "$(cat "$T/out")"

# nc through -e.  (-s always: nc's default socket goes to /tmp/nc-XXXXXX,
# whatever TMPDIR says, and is left there.)
listen -c 1 -e 'tr a-z A-Z'
printf 'shout\n' |
    tmo nc -Uu -W 1 -w 5 -s "$T/nc2.sock" "$S" > "$T/ncout" 2>"$T/err"
finish_listen
is "nc -Uu → -e: nc receives the command's output" SHOUT "$(cat "$T/ncout")"

# --- python3 as a client: request/reply, with its credentials ---------------------
listen --echo -J -c 2
tmo "$PY" - "$S" "$T/py.sock" > "$T/py" 2>&1 <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.settimeout(10)
for msg in (b"request one", b"two \xff\x00 binary"):
    s.sendto(msg, sys.argv[1])
    data, addr = s.recvfrom(65536)
    print("reply ok" if data == msg else "reply %r" % data, addr == sys.argv[1])
print(os.getpid(), os.getuid(), os.getgid())
os.unlink(sys.argv[2])
EOF
finish_listen
is "python client → --echo: both replies, from the listener's path" \
    "$(printf 'reply ok True\nreply ok True')" "$(head -n 2 "$T/py")"
"$PY" - "$T/out" "$T/py" "$T/py.sock" > "$T/check" 2>&1 <<'EOF'
import base64, json, sys
out, py, peer = sys.argv[1:]
pid, uid, gid = map(int, open(py).read().split("\n")[2].split())
rs = [json.loads(l) for l in open(out)]
assert len(rs) == 2, rs
for r in rs:
    assert (r["pid"], r["uid"], r["gid"]) == (pid, uid, gid), \
        "creds %r, python %r" % ((r["pid"], r["uid"], r["gid"]), (pid, uid, gid))
    assert r["peer"] == peer, r["peer"]
assert rs[0]["data"] == "request one", rs[0]
assert base64.b64decode(rs[1]["data_base64"]) == b"two \xff\x00 binary", rs[1]
print("creds match")
EOF
is "python client: -J pid/uid/gid/peer are python's" "creds match" \
    "$(cat "$T/check")"

listen -C -c 1
tmo "$PY" - "$S" > "$T/py" 2>&1 <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"creds please", sys.argv[1])
print(os.getpid(), os.getuid(), os.getgid())
EOF
finish_listen
is "python client (unbound): -C prefix is python's pid uid gid" \
    "$(cat "$T/py") creds please" "$(cat "$T/out")"

# A shell's "echo '<PRI>...' | nc -Uu": the newline is not the message's.
listen -s -c 1
printf '<13>from a shell\n' |
    tmo nc -Uu -W 1 -w 5 -s "$T/nc3.sock" "$S" >/dev/null 2>"$T/err"
finish_listen
is "echo | nc -Uu → -s: the last newline is dropped, as rsyslogd does" \
    "user.notice: from a shell" "$(cat "$T/out")"

# --- python3's logging.handlers.SysLogHandler → -s --------------------------------
# It ends every message with a NUL (append_nul), which is not the message's.
listen -s -c 1
tmo "$PY" - "$S" 2>"$T/err" <<'EOF'
import logging, logging.handlers, sys
h = logging.handlers.SysLogHandler(address=sys.argv[1],
    facility=logging.handlers.SysLogHandler.LOG_LOCAL2)
h.setFormatter(logging.Formatter("app: %(message)s"))
log = logging.getLogger("t")
log.addHandler(h)
log.warning("from python")
EOF
finish_listen
is "SysLogHandler → -s: local2.warning, no trailing NUL" \
    "local2.warning: app: from python" "$(cat "$T/out")"
listen -s -J -c 1
tmo "$PY" - "$S" 2>"$T/err" <<'EOF'
import logging, logging.handlers, sys
log = logging.getLogger("t")
log.addHandler(logging.handlers.SysLogHandler(address=sys.argv[1]))
log.error("json too")
EOF
finish_listen
"$PY" -c 'import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["data"] == "<11>json too\0", r
assert r["message"] == "json too", r
print("ok")' "$T/out" > "$T/check" 2>&1
is "SysLogHandler → -s -J: data keeps the NUL, message does not" ok \
    "$(cat "$T/check")"

# --- python3 as a server: udg-send -r gets its replies ----------------------------
P=$T/pyserver
"$PY" - "$P" > "$T/pyserv" 2>&1 <<'EOF' &
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    for i in range(3):
        data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(12))
        pid, uid, gid = -1, -1, -1
        for level, typ, cd in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
                pid, uid, gid = struct.unpack("iII", cd[:12])
        print(pid, uid, gid, addr, flush=True)
        s.sendto(b"py:" + data.upper(), addr)
finally:
    os.unlink(sys.argv[1])
EOF
ppid=$!
BGPIDS="$BGPIDS $ppid"
wait_for_socket "$P"
with_id "$T/id" \
    "$SEND" -r -b "$T/cl" "$P" hello python >"$T/o" 2>"$T/err"
status "udg-send -r → python server: exit 0" 0 $?
is "udg-send -r → python server: the reply" "py:HELLO PYTHON" "$(cat "$T/o")"
printf 'one\ntwo\n' | tmo "$SEND" -r "$P" >"$T/o" 2>"$T/err"
status "udg-send -r, two lines → python: exit 0" 0 $?
is "udg-send -r, two lines → python: two replies" \
    "$(printf 'py:ONE\npy:TWO')" "$(cat "$T/o")"
reap "$ppid"
status "python server: exit 0" 0 "$RC"
is "python server: saw udg-send's pid uid gid and -b path" \
    "$(cat "$T/id") $T/cl" "$(head -n 1 "$T/pyserv")"
like "python server: automatic client paths are real paths" "* $T/udg/*" \
    "$(sed -n 2p "$T/pyserv")"

# --- systemd-notify → udg-listen ---------------------------------------------------
# Without --no-block, systemd-notify sends a BARRIER=1 datagram with a pipe
# fd and waits until that fd is closed: it exits 0 promptly only if the
# listener closes fds that ride along (else it times out and fails).
listen -C -t 60
lpid=$LASTPID
# shellcheck disable=SC2016 # the inner shell's $$
NOTIFY_SOCKET=$S tmo sh -c 'echo $$ $PPID > "$1"; exec systemd-notify --ready' \
    sh "$T/nspid" 2>"$T/err"
status "systemd-notify --ready: exit 0 (its barrier fd was closed)" 0 $?
true_that "systemd-notify: the listener still runs" alive "$lpid"
tmo "$SEND" "$S" END
wait_for grep -q ' END$' "$T/out"
kill -TERM "$lpid"
reap "$lpid"
status "systemd-notify: listener exit 0" 0 "$RC"
read -r nspid nsparent < "$T/nspid"
ready=$(grep 'READY=1' "$T/out")
# systemd-notify claims its parent's pid when it may (root), else its own.
rpid=${ready%% *}
case $rpid in
"$nspid"|"$nsparent") ok "systemd-notify: READY=1 with its pid or its parent's ($rpid)";;
*) bad "systemd-notify: READY=1 pid $rpid, systemd-notify $nspid, parent $nsparent";;
esac
like "systemd-notify: READY=1 with uid and gid" \
    "$rpid $(id -u) $(id -g) READY=1" "$ready"
if [ "$(id -u)" -eq 0 ]; then
	is "systemd-notify as root: the parent's pid (its default --pid)" \
	    "$nsparent" \
	    "$rpid"
fi
if grep -q BARRIER=1 "$T/out"; then
	is "systemd-notify: BARRIER=1 from systemd-notify itself" \
	    "$nspid $(id -u) $(id -g) BARRIER=1" "$(grep BARRIER=1 "$T/out")"
fi

listen -C -c 2
NOTIFY_SOCKET=$S tmo systemd-notify --pid="$$" --status=testing 2>"$T/err"
status "systemd-notify --pid --status: exit 0" 0 $?
finish_listen
like "systemd-notify --status: STATUS= arrives" "*STATUS=testing*" \
    "$(head -n 1 "$T/out")"
like "systemd-notify --pid: MAINPID= in the same datagram" "*MAINPID=$$*" \
    "$(head -n 1 "$T/out")"

done_testing
