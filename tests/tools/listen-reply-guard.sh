#!/bin/bash
# Replies go to the socket that asked and nowhere else: udg-listen
# (--echo, -e, -E) does not answer a socket of another user at the
# asker's address, whatever the asker did to the directories on the way
# (a confused deputy: our reply carries our credentials), nor a symlink
# put where the asker's socket was.  Needs root, to ask as nobody.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to ask as another user"
need setpriv util-linux
S=$T/s
NOBODY=65534
getent passwd "$NOBODY" >/dev/null || skip "no user $NOBODY (nobody)"
chmod 0711 "$T"
# a python3 that nobody may run (not one under root's home)
NPY=/usr/bin/python3
[ -x "$NPY" ] || skip "$NPY not installed (Debian package python3)"
PY=$NPY

# as_nobody CMD...: run CMD as uid/gid 65534 with no extra groups.
as_nobody() {
	tmo setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups "$@"
}

# --- a reply reaches the asker's own socket, never one of another user -----
# The asker owns the directories on its socket's path: after asking, or
# even before, it can rename one and put a symlink to somebody else's
# directory in its place.  The reply must not go to the socket that is
# then at the asker's address: it would carry our bytes and credentials
# where nobody may write.  Root's socket sits in a directory of its own.
mkdir -m 0700 "$T/vroot"
mkdir "$T/nb"
chown "$NOBODY" "$T/nb"
# victim: print whatever reaches root's 0600 socket within 3 seconds
victim() {
	rm -f "$T/vroot/c.sock"
	"$PY" - "$T/vroot/c.sock" >"$T/victim" <<'PY' &
import os, socket, sys
v = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
v.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o600)
v.settimeout(3)
try:
    print(v.recv(999).decode())
except socket.timeout:
    print("nothing")
PY
	VPID=$!
	wait_for_socket "$T/vroot/c.sock"
}
# swap WHEN: as nobody, bind nb/d/c.sock and ask; WHEN (before or after
# the request) replace nb/d by a symlink to root's directory.
swap() {
	rm -rf "$T/nb/d" "$T/nb/old"
	as_nobody "$PY" - "$T/nb" "$S" "$1" <<'PY'
import os, socket, sys, time
nb, srv, when = sys.argv[1:]
os.mkdir(nb + "/d")
a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a.bind(nb + "/d/c.sock")
def turn():
    os.rename(nb + "/d", nb + "/old")
    os.symlink(os.path.dirname(os.environ["VROOT"]), nb + "/d")
if when == "before":
    turn()
a.sendto(b"<13>from nobody", srv)
if when == "after":
    time.sleep(0.2)
    turn()
PY
}
export VROOT=$T/vroot/c.sock
for mode in "--echo:before" "-e:after" "-E:after"; do
	when=${mode#*:} mode=${mode%:*}
	case $mode in
	-e) set -- -e 'sleep 1; cat' ;;
	-E) set -- -E 'while read -r l; do sleep 1; echo "$l"; done' ;;
	*) set -- --echo ;;
	esac
	victim
	listen -m 0666 -v -c 1 "$@"
	swap "$when"
	wait "$VPID"
	is "$mode, directory swapped $when asking: root's socket got nothing" \
	    nothing "$(cat "$T/victim")"
	finish_listen
	like "$mode: says why the reply was refused" \
	    "*reply to $T/nb/d/c.sock refused*another user*" "$(cat "$T/lerr")"
	is "$mode: the reply is counted as failed" 1 \
	    "$(vcount unsent "$T/lerr")"
done

# A symlink put at the asker's address, even to the asker's own other
# socket, is not the socket that asked.
listen -m 0666 -v -c 1 -e 'sleep 1; cat'
rm -rf "$T/nb/d" "$T/nb/old"
as_nobody "$PY" - "$T/nb" "$S" >"$T/other" <<'PY'
import os, socket, sys
nb, srv = sys.argv[1:]
os.mkdir(nb + "/d")
a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a.bind(nb + "/d/c.sock")
b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
b.bind(nb + "/d/other.sock")
a.sendto(b"ask", srv)
os.unlink(nb + "/d/c.sock")
os.symlink("other.sock", nb + "/d/c.sock")
b.settimeout(3)
try:
    print(b.recv(999).decode())
except socket.timeout:
    print("nothing")
PY
is "a symlink at the asker's address: nothing reached its target" \
    nothing "$(cat "$T/other")"
finish_listen
like "... the listener says why" \
    "*reply to $T/nb/d/c.sock refused: it is no longer a socket*" \
    "$(cat "$T/lerr")"

# A path of all 108 bytes comes without a NUL: answered all the same.
listen -m 0666 -c 1 --echo
as_nobody "$PY" - "$T/nb" "$S" >"$T/o" <<'PY'
import ctypes, os, socket, struct, sys
nb, srv = sys.argv[1:]
p = nb + "/" + "l" * (107 - len(nb))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
# python's bind() wants room for a NUL; the kernel does not
addr = struct.pack("H", socket.AF_UNIX) + p.encode()
libc = ctypes.CDLL(None, use_errno=True)
if libc.bind(s.fileno(), ctypes.c_char_p(addr), len(addr)) != 0:
    raise OSError(ctypes.get_errno(), "bind")
s.settimeout(5)
s.sendto(b"long", srv)
try:
    print(s.recv(99).decode(), len(p))
except socket.timeout:
    print("nothing")
os.unlink(p)
PY
finish_listen
is "a 108-byte path: answered" "long 108" "$(cat "$T/o")"

# ... while nobody's own socket is answered, wherever it is
listen -m 0666 -c 1 --echo
as_nobody env -u XDG_RUNTIME_DIR "$SEND" -r -t 5 "$S" "nobody asks" \
    >"$T/o" 2>"$T/err"
status "--echo: nobody's own socket is answered" 0 $?
is "--echo: nobody gets its reply" "nobody asks" "$(cat "$T/o")"
finish_listen

# An abstract name has no owner and no time it was bound: once its asker
# is gone anyone may take it.  A late reply (-e) to another user's goes
# nowhere; --echo's, in the turn its request came, still goes out.
listen -m 0666 -v -c 1 -e 'sleep 1; echo "for uid $UDG_UID"'
tmo setpriv --reuid=daemon --regid=daemon --clear-groups "$PY" - "$S" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(b"\0udg-guard-$$")
s.sendto(b"q", sys.argv[1])
PY
as_nobody "$PY" - <<'PY' >"$T/o"
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(b"\0udg-guard-$$")
s.settimeout(3)
try:
    print(s.recv(99).decode().strip())
except socket.timeout:
    print("nothing")
PY
is "-e, another user's abstract name taken over: it got nothing" \
    nothing "$(cat "$T/o")"
finish_listen
like "-e, another user's abstract name: says why" \
    "*reply to @udg-guard-*refused: a late reply to another user's abstract*" \
    "$(cat "$T/lerr")"
listen -m 0666 -c 1 --echo
as_nobody "$PY" - "$S" <<'PY' >"$T/o"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(b"\0udg-guard-echo")
s.settimeout(5)
s.sendto(b"echoed", sys.argv[1])
try:
    print(s.recv(99).decode())
except socket.timeout:
    print("nothing")
PY
finish_listen
is "--echo to nobody's abstract name: answered" echoed "$(cat "$T/o")"

done_testing
