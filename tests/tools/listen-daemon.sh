#!/bin/bash
# udg-listen's socket file and start-up: -m MODE, -d, -p PIDFILE, a live,
# stale or foreign file at the path, NOTIFY_SOCKET readiness.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s


# --- -m MODE: exact, whatever the umask ---------------------------------------
for m in 600 0660 666 0640; do
	for um in 022 077 000; do
		(umask "$um" && exec "$LISTEN" -m "$m" -c 1 -o "$T/out" "$S") &
		LASTPID=$!
		BGPIDS="$BGPIDS $LASTPID"
		wait_for_socket "$S"
		is "-m $m, umask $um: mode" "$(printf %o $((8#$m)))" \
		    "$(stat -c %a "$S")"
		tmo "$SEND" "$S" x
		finish_listen
	done
done
(umask 027 && exec "$LISTEN" --mode 0606 -c 1 -o "$T/out" "$S") &
LASTPID=$!
BGPIDS="$BGPIDS $LASTPID"
wait_for_socket "$S"
is "--mode 0606: mode" 606 "$(stat -c %a "$S")"
tmo "$SEND" "$S" x
finish_listen
(umask 027 && exec "$LISTEN" -c 1 -o "$T/out" "$S") &
LASTPID=$!
BGPIDS="$BGPIDS $LASTPID"
wait_for_socket "$S"
is "no -m: the umask decides (027)" 750 "$(stat -c %a "$S")"
tmo "$SEND" "$S" x
finish_listen

for m in 999 abc 8 -1 "" 077777 u+rw; do
	tmo "$LISTEN" -m "$m" -c 1 "$S" 2>"$T/err"
	status "-m '$m': 64" 64 $?
	true_that "-m '$m': nothing bound" [ ! -e "$S" ]
done

# --- a second listener on a live path fails and does not steal it -------------
listen -R -c 2
lpid=$LASTPID
tmo "$LISTEN" -c 1 -o "$T/out2" "$S" 2>"$T/err"
rc=$?
true_that "second listener on a live path: fails ($rc)" [ "$rc" -ne 0 ]
status "second listener on a live path: 73" 73 "$rc"
like "second listener: says why" "*$S*" "$(cat "$T/err")"
true_that "second listener: the path is still a socket" [ -S "$S" ]
tmo "$SEND" "$S" to the first
tmo "$SEND" "$S" again
LASTPID=$lpid
finish_listen
is "second listener: the first still gets everything" \
    "$(printf 'to the first\nagain')" "$(cat "$T/out")"
true_that "second listener: wrote nothing" [ ! -s "$T/out2" ]

# Same with -d: the parent reports the failure.
listen -R -c 1
lpid=$LASTPID
tmo "$LISTEN" -d -c 1 -o "$T/out2" "$S" 2>"$T/err"
rc=$?
true_that "-d on a live path: the parent fails ($rc)" [ "$rc" -ne 0 ]
tmo "$SEND" "$S" still mine
LASTPID=$lpid
finish_listen
is "-d on a live path: the first listener keeps it" "still mine" \
    "$(cat "$T/out")"

# --- a stale socket (its listener was killed) is reused ----------------------------
listen -R -t 60
kill -KILL "$LASTPID"
reap "$LASTPID"
true_that "kill -9 leaves the socket file" [ -S "$S" ]
spawn "$LISTEN" -R -c 1 -o "$T/out" "$S" 2>"$T/lerr"
lpid=$LASTPID
# The file is there already: wait until it answers.
wait_for tmo "$SEND" "$S" after the stale one 2>/dev/null
LASTPID=$lpid
finish_listen
is "stale socket: reused by the next listener" "after the stale one" \
    "$(cat "$T/out")"

stale_socket "$S"
rm -f "$T/out"
spawn "$LISTEN" -R -c 1 -o "$T/out" "$S" 2>"$T/lerr"
lpid=$LASTPID
wait_for tmo "$SEND" "$S" python left it 2>/dev/null
LASTPID=$lpid
finish_listen
is "stale socket left by another program: reused" "python left it" \
    "$(cat "$T/out")"

# --- a regular file or a directory at the path is refused and untouched ------------
printf 'precious\n\0data' > "$S"
cp "$S" "$T/copy"
tmo "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/err"
rc=$?
true_that "regular file at the path: refused ($rc)" [ "$rc" -ne 0 ]
status "regular file at the path: 73" 73 "$rc"
like "regular file: says why" "*$S*" "$(cat "$T/err")"
true_that "regular file: still a regular file" [ -f "$S" ]
same "regular file: content untouched" "$T/copy" "$S"
tmo "$LISTEN" -d -c 1 -o "$T/out" "$S" 2>"$T/err"
rc=$?
true_that "regular file, -d: the parent fails ($rc)" [ "$rc" -ne 0 ]
same "regular file, -d: content untouched" "$T/copy" "$S"
rm -f "$S"
mkdir "$S"
tmo "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/err"
rc=$?
true_that "directory at the path: refused ($rc)" [ "$rc" -ne 0 ]
true_that "directory: still there" [ -d "$S" ]
rmdir "$S"
# A symbolic link (to a regular file) at the path: refused, left alone.
echo data > "$T/target"
ln -s "$T/target" "$S"
tmo "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/err"
status "symlink at the path: 73" 73 $?
true_that "symlink: still a symlink" [ -L "$S" ]
rm -f "$S"

# --- -d: returns once the socket exists; relative paths keep their meaning --------
mkdir "$T/d" "$T/elsewhere"
(cd "$T/d" && tmo "$LISTEN" -d -p daemon.pid -o out.log -R -t 60 sock) \
    >"$T/dout" 2>"$T/err"
status "-d: the parent exits 0" 0 $?
# No waiting here: the socket must exist when the parent returns.
true_that "-d: the socket exists when the parent returns" [ -S "$T/d/sock" ]
true_that "-d: the pidfile exists when the parent returns" \
    [ -s "$T/d/daemon.pid" ]
dpid=$(cat "$T/d/daemon.pid" 2>/dev/null)
dpid=${dpid:-0}
DAEMONS="$DAEMONS $dpid"
true_that "-p: the pidfile holds a live pid ($dpid)" kill -0 "$dpid"
like "-p: the pid is the daemon's udg-listen" "*udg-listen*" \
    "$(tr '\0' ' ' < "/proc/$dpid/cmdline" 2>/dev/null)"
true_that "-d: the daemon is not the parent we ran" [ "$dpid" != "$$" ]
true_that "-d: the socket is where the relative path said" \
    [ ! -e "$T/elsewhere/sock" ]
(cd "$T/elsewhere" && tmo "$SEND" ../d/sock to the daemon)
status "-d: reachable through the relative path" 0 $?
wait_for grep -qx 'to the daemon' "$T/d/out.log"
is "-d: relative -o is in the directory we started in" "to the daemon" \
    "$(cat "$T/d/out.log" 2>/dev/null)"
is "-d: nothing on the caller's stdout" "" "$(cat "$T/dout")"
# A second daemon with the same pidfile refuses.
(cd "$T/d" && tmo "$LISTEN" -d -p daemon.pid -t 60 sock2) 2>"$T/err"
rc=$?
true_that "-p: a second listener with a live pidfile fails ($rc)" \
    [ "$rc" -ne 0 ]
like "-p: a second listener names the first's pid" \
    "*daemon.pid: already running, pid $dpid*" "$(cat "$T/err")"
true_that "-p: the pidfile still names the first" \
    [ "$(cat "$T/d/daemon.pid")" = "$dpid" ]
true_that "-p: the second one left no socket" [ ! -e "$T/d/sock2" ]
kill -TERM "$dpid"
true_that "-d: SIGTERM ends the daemon" wait_gone "$dpid" 10
true_that "-d: socket removed at exit" [ ! -e "$T/d/sock" ]
true_that "-p: pidfile removed at exit" [ ! -e "$T/d/daemon.pid" ]

# -d with the socket in a missing directory: the parent fails, no daemon left.
tmo "$LISTEN" -d -p "$T/p2.pid" -t 60 "$T/no/such/dir/s" 2>"$T/err"
rc=$?
true_that "-d, cannot bind: the parent fails ($rc)" [ "$rc" -ne 0 ]
like "-d, cannot bind: says why" "*$T/no/such/dir/s*" "$(cat "$T/err")"
true_that "-d, cannot bind: no pidfile left" [ ! -s "$T/p2.pid" ]

# --daemon --pidfile, absolute paths, lifetime by -c.
tmo "$LISTEN" --daemon --pidfile "$T/p3.pid" -c 1 -o "$T/out3" "$S" \
    2>"$T/err"
status "--daemon --pidfile: exit 0" 0 $?
true_that "--daemon: socket there at once" [ -S "$S" ]
dpid=$(cat "$T/p3.pid" 2>/dev/null)
DAEMONS="$DAEMONS ${dpid:-}"
tmo "$SEND" "$S" just one
true_that "--daemon -c 1: gone after one" wait_gone "${dpid:-0}" 10
is "--daemon -c 1: written" "just one" "$(cat "$T/out3")"
true_that "--daemon -c 1: socket removed" [ ! -e "$S" ]
true_that "--daemon -c 1: pidfile removed" [ ! -e "$T/p3.pid" ]

# -p without -d: the listener's own pid.
listen -c 1 -p "$T/p4.pid"
wait_for [ -s "$T/p4.pid" ]
is "-p without -d: the listener's pid" "$LASTPID" "$(cat "$T/p4.pid")"
tmo "$SEND" "$S" x
finish_listen
true_that "-p without -d: pidfile removed at exit" [ ! -e "$T/p4.pid" ]

# A pid file is written only as itself: a symbolic link or a second hard
# link at the path (planted by whoever may write in its directory) would
# make the listener truncate the file behind it.
printf 'keep me\n' >"$T/victim"
ln -s "$T/victim" "$T/pl5.pid"
ln "$T/victim" "$T/pl6.pid"
for f in pl5 pl6; do
	tmo "$LISTEN" -p "$T/$f.pid" -c 1 "$S" 2>"$T/err"
	status "-p at a planted link ($f): 73" 73 $?
	like "-p at a planted link ($f): says why" "*$T/$f.pid: pid file: *" \
	    "$(cat "$T/err")"
	is "-p at a planted link ($f): the file behind it is untouched" \
	    "keep me" "$(cat "$T/victim")"
	true_that "-p at a planted link ($f): nothing bound" [ ! -e "$S" ]
done
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null; then
	printf '1\n' >"$T/pl7.pid"
	chown nobody "$T/pl7.pid"
	tmo "$LISTEN" -p "$T/pl7.pid" -c 1 "$S" 2>"$T/err"
	status "-p, a file of another user's: 73" 73 $?
	like "-p, a file of another user's: says so" \
	    "*pl7.pid: pid file: belongs to another user*" "$(cat "$T/err")"
else
	echo "SKIP: -p, a file of another user's: needs root and nobody"
fi

# On exit, only our own pid file is removed: one removed meanwhile and
# made anew (by a later instance, say) stays.
listen -c 1 -p "$T/pl8.pid"
wait_for [ -s "$T/pl8.pid" ]
rm -f "$T/pl8.pid"
echo 4242 >"$T/pl8.pid"
tmo "$SEND" "$S" x
finish_listen
is "-p: a pid file made anew meanwhile is not removed at exit" "4242" \
    "$(cat "$T/pl8.pid" 2>/dev/null)"

# --- NOTIFY_SOCKET: READY=1 once bound --------------------------------------------
N=$T/notify
rm -f "$T/nout" "$T/out"
spawn "$LISTEN" -C -R -c 1 -o "$T/nout" "$N"
npid=$LASTPID
wait_for_socket "$N"
NOTIFY_SOCKET=$N "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/lerr" &
lpid=$!
BGPIDS="$BGPIDS $lpid"
reap "$npid"
status "NOTIFY_SOCKET: a notification came" 0 "$RC"
# The notification is sent once bound: the socket must be there now.
true_that "NOTIFY_SOCKET: the socket exists when READY=1 comes" [ -S "$S" ]
like "NOTIFY_SOCKET: READY=1 from the listener's pid" "$lpid $(id -u) $(id -g) READY=1*" \
    "$(head -n 1 "$T/nout")"
if grep -q MAINPID= "$T/nout"; then
	is "NOTIFY_SOCKET: MAINPID is the listener" "MAINPID=$lpid" \
	    "$(grep -o 'MAINPID=[0-9]*' "$T/nout")"
fi
tmo "$SEND" "$S" after ready
LASTPID=$lpid
finish_listen
is "NOTIFY_SOCKET: the listener works after notifying" "after ready" \
    "$(cat "$T/out")"

# With -d, READY=1 comes from the daemon (the pid that stays).
rm -f "$T/nout" "$T/out"
spawn "$LISTEN" -C -R -c 1 -o "$T/nout" "$N"
npid=$LASTPID
wait_for_socket "$N"
NOTIFY_SOCKET=$N tmo "$LISTEN" -d -p "$T/p5.pid" -c 1 -o "$T/out" "$S" \
    2>"$T/lerr"
status "NOTIFY_SOCKET with -d: the parent exits 0" 0 $?
dpid=$(cat "$T/p5.pid" 2>/dev/null)
DAEMONS="$DAEMONS ${dpid:-}"
reap "$npid"
like "NOTIFY_SOCKET with -d: READY=1 from the daemon's pid" \
    "${dpid:-none} * READY=1*" "$(head -n 1 "$T/nout")"
tmo "$SEND" "$S" x
true_that "NOTIFY_SOCKET with -d: the daemon ends after -c 1" \
    wait_gone "${dpid:-0}" 10

# A missing notify socket is not fatal.
rm -f "$T/out"
NOTIFY_SOCKET=$T/nobody-there "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/lerr" &
LASTPID=$!
BGPIDS="$BGPIDS $LASTPID"
wait_for_socket "$S"
tmo "$SEND" "$S" still works
finish_listen
is "NOTIFY_SOCKET gone: the listener works anyway" "still works" \
    "$(cat "$T/out")"

# A notify socket whose queue stays full (its reader is stopped) holds
# the listener back a second at most: it goes on without notifying.
rm -f "$T/out" "$N"
spawn "$LISTEN" -o /dev/null "$N"
npid=$LASTPID
wait_for_socket "$N"
kill -STOP "$npid"
"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setblocking(False)
try:
    while True:
        s.sendto(b"x", sys.argv[1])
except BlockingIOError:
    pass' "$N"
t0=$EPOCHREALTIME
NOTIFY_SOCKET=$N "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/lerr" &
LASTPID=$!
BGPIDS="$BGPIDS $LASTPID"
wait_for_socket "$S"
tmo "$SEND" "$S" not held
finish_listen
ms=$(elapsed_ms "$t0")
is "NOTIFY_SOCKET full: the listener works anyway" "not held" \
    "$(cat "$T/out")"
like "NOTIFY_SOCKET full: it says so" "*NOTIFY_SOCKET $N*full*" \
    "$(cat "$T/lerr")"
true_that "NOTIFY_SOCKET full: held back 5 s at most ($ms ms)" \
    [ "$ms" -lt 5000 ]
kill -CONT "$npid"
kill -TERM "$npid"
reap "$npid"

done_testing
