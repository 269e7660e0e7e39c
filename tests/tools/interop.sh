#!/bin/bash
# Interop with real programs nobody here wrote (issue 3); .ci/run
# installs them, a missing one is a visible SKIP.
. "$(dirname "$0")/lib.sh"
for p in logger socat nc python3 systemd-notify; do need "$p"; done
S=$T/s

# logger --socket → udg-listen -s: facility.severity and the message.
bg "$LISTEN" -s -c 1 -o "$T/out" "$S"; wait_sock "$S"
logger --socket "$S" -t mytag 'hello from logger'; check "logger exit" 0 $?
wait_pid "$LASTPID"
case $(cat "$T/out") in
user.notice:*mytag*'hello from logger') ok "logger → -s";;
*) bad "logger → -s: $(cat "$T/out")";;
esac
rm -f "$T/out"
bg "$LISTEN" -s -J -c 1 -o "$T/out" "$S"; wait_sock "$S"
logger --socket "$S" --rfc5424 -p local3.err -t t2 'five four two four'
wait_pid "$LASTPID"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["facility"]=="local3" and r["severity"]=="err" and r["message"].endswith("five four two four"), r' "$T/out"
check "logger rfc5424 → -s -J" 0 $?

# socat → udg-listen; udg-send → socat.
rm -f "$T/out"
bg "$LISTEN" -c 1 -o "$T/out" "$S"; wait_sock "$S"
echo 'via socat' | socat -u - "UNIX-SENDTO:$S"; check "socat send exit" 0 $?
wait_pid "$LASTPID"
check "socat → udg-listen" 'via socat\n' "$(cat "$T/out")"
timeout 10 socat -u "UNIX-RECV:$T/r" - > "$T/sout" & sp=$!
wait_sock "$T/r"
"$SEND" "$T/r" 'to socat'; check "udg-send → socat exit" 0 $?
for i in $(seq 1 200); do [ -s "$T/sout" ] && break; sleep 0.01; done
kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null
check "udg-send → socat" 'to socat' "$(cat "$T/sout")"

# nc -Uu → udg-listen --echo, and nc gets the echo back.
bg "$LISTEN" --echo -c 1 -o "$T/out" "$S"; wait_sock "$S"
got=$( (echo 'ping via nc'; sleep 1) | timeout 5 nc -Uu -s "$T/nc.sock" "$S")
wait_pid "$LASTPID"
check "nc receives the echo" 'ping via nc' "$(printf '%s' "$got" | tr -d '\n')"

# python3 as client: request/reply with the listener's -e, and the
# credentials the listener reports are the python process's.
rm -f "$T/out"
bg "$LISTEN" -J -c 1 -o "$T/out" -e 'tr a-z A-Z' "$S"; wait_sock "$S"
python3 - "$S" "$T/py.sock" > "$T/py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2]); s.settimeout(5)
s.sendto(b"request", sys.argv[1])
print(s.recv(100).decode(), os.getpid(), os.getuid(), os.getgid())
PY
wait_pid "$LASTPID"
read -r rep ppid puid pgid < "$T/py"
check "python client gets the reply" REQUEST "$rep"
check "listener reports python's creds" "$ppid $puid $pgid" \
	"$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["pid"], r["uid"], r["gid"])' "$T/out")"

# python3 as server: udg-send -r gets its answer.
python3 - "$T/pysrv" <<'PY' & sp=$!
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(10)
data, peer = s.recvfrom(1000)
s.sendto(b"pong:" + data, peer)
PY
wait_sock "$T/pysrv"
check "udg-send -r against python" "pong:ping" "$("$SEND" -r "$T/pysrv" ping)"
wait "$sp"

# systemd-notify --ready → READY=1 with its pid; its barrier fd is closed.
rm -f "$T/out"
bg "$LISTEN" -J -v -t 3 -o "$T/out" "$S" 2>/dev/null; wait_sock "$S"; lp=$LASTPID
NOTIFY_SOCKET=$S systemd-notify --ready; check "systemd-notify exits 0" 0 $?
fds=$(ls /proc/"$lp"/fd | wc -l)
NOTIFY_SOCKET=$S systemd-notify --ready
check "listener fd count unchanged" "$fds" "$(ls /proc/"$lp"/fd | wc -l)"
wait_pid "$lp"
python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert any(r.get("data", "").startswith("READY=1") and r["pid"] > 0 for r in rs), rs' "$T/out"
check "READY=1 with a pid" 0 $?

finish
