#!/bin/bash
# udg-listen names its senders (-I), stamps records with the kernel's
# arrival time (-J, --timestamp), shows the sender's address (--peer) and
# admits senders by pinned identity (--allow-exe, --allow-unit).  The
# senders are real processes: copies of udg-send under other names, some
# alive when their datagram is read, some gone, one whose pid was given to
# another process.  A name is that sender's or unknown, never another's.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s
B=$T/bin
mkdir "$B"

# The sender copies must be programs, not libtool wrapper scripts: their
# file name becomes their comm.
real_send=$SEND
if grep -q 'temporary wrapper script' "$SEND" 2>/dev/null; then
	real_send=$(dirname "$SEND")/.libs/$(basename "$SEND")
	export LD_LIBRARY_PATH=$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
B=$(cd "$B" && pwd -P)

# sender NAME: a copy of udg-send called NAME, in $B.
sender() {
	[ -x "$B/$1" ] || cp "$real_send" "$B/$1"
}

# linger NAME PAYLOAD: NAME sends PAYLOAD, then stays alive (its stdin
# open) until $T/release exists; in the background, pid in LASTPID.
linger() {
	sender "$1"
	# shellcheck disable=SC2016
	spawn tmo sh -c '{ echo "$1"; while [ ! -e "$2" ]; do sleep 0.02; done; } |
	    exec "$3" "$4"' sh "$2" "$T/release" "$B/$1" "$S"
}

# sockopt PID LEVEL OPT: the value of a socket option on the one socket
# PID holds, read through pidfd_getfd(2); "none" if that cannot be done.
sockopt() {
	"$PY" - "$@" <<'EOF' 2>/dev/null || echo none
import ctypes, os, socket, sys
pid, level, opt = (int(a) for a in sys.argv[1:4])
fds = [int(f) for f in os.listdir("/proc/%d/fd" % pid)
       if os.readlink("/proc/%d/fd/%s" % (pid, f)).startswith("socket:")]
libc = ctypes.CDLL(None, use_errno=True)
pfd = os.pidfd_open(pid)
fd = libc.syscall(438, pfd, fds[0], 0)
if len(fds) != 1 or fd < 0:
    sys.exit(1)
s = socket.socket(fileno=fd)
print(int.from_bytes(s.getsockopt(level, opt, 4), "little"))
EOF
}

release() {
	touch "$T/release"
}

# ---- -J -I: an identified sender -----------------------------------------
rm -f "$T/release"
listen -J -I -c 1
lpid=$LASTPID
linger id-alive "named"
spid=$LASTPID
LASTPID=$lpid
finish_listen
release
reap "$spid"
IFS=$'\t' read -r comm exe cmdline pinned cgroup unit data pid <<EOF
$(jget "$T/out" comm exe cmdline pid_pinned cgroup unit data pid)
EOF
is "-I: comm is the sender's" "id-alive" "$comm"
is "-I: exe is the sender's file" "$B/id-alive" "$exe"
is "-I: cmdline is its arguments, joined by spaces" "$B/id-alive $S" \
    "$cmdline"
is "-I: pid_pinned" "true" "$pinned"
like "-I: cgroup is a path" "/*" "$cgroup"
is "-I: the record is the sender's datagram" "named" "$data"
like "-I: unit is a unit or null" "@(null|*.service|*.scope)" "$unit"

# Plain sinks ask for no pidfds (one per datagram costs); -J asks for the
# kernel's arrival time, -I for pidfds.  SO_PASSPIDFD 76, SO_TIMESTAMPNS
# 35, or 64 for its 64-bit form.
listen -c 1
lpid=$LASTPID
v=$(sockopt "$lpid" 1 76)
if [ "$v" = none ]; then
	echo "# SKIP socket options: pidfd_getfd(2) is not available here"
else
	is "plain sink: no SO_PASSPIDFD" 0 "$v"
	is "plain sink: no SO_TIMESTAMPNS" 00 \
	    "$(sockopt "$lpid" 1 35)$(sockopt "$lpid" 1 64)"
fi
tmo "$SEND" "$S" x
finish_listen
listen -J -I -c 1
lpid=$LASTPID
if [ "$v" != none ]; then
	is "-I: SO_PASSPIDFD on" 1 "$(sockopt "$lpid" 1 76)"
	like "-J: SO_TIMESTAMPNS on" "*1*" \
	    "$(sockopt "$lpid" 1 35)$(sockopt "$lpid" 1 64)"
fi
tmo "$SEND" "$S" x
finish_listen

# ---- a sender that exits at once: its name, or unknown -------------------
sender id-short
listen -J -I -c 20
for i in $(seq 1 20); do
	tmo "$B/id-short" "$S" "short $i"
done
finish_listen
bad_names=$(jget "$T/out" comm pid_pinned |
    grep -v -x -e "id-short	true" -e "null	false")
is "short-lived senders: each named right or unknown" "" "$bad_names"
is "short-lived senders: 20 records" 20 "$(wc -l < "$T/out")"

# ---- a sender gone before it is read, its pid given to another -----------
# The listener is stopped while the sender sends and exits, so that it is
# surely gone; then, where the pid can be steered (ns_last_pid: root in
# the initial pid namespace), a program called "imposter" takes that pid
# before the listener reads.
sender id-gone
cp /bin/sleep "$B/imposter"
rm -f "$T/reuse"
listen -J -I -c 1
lpid=$LASTPID
kill -STOP "$lpid"
"$PY" - "$B/id-gone" "$S" "$B/imposter" "$T/reuse" <<'EOF'
import os, sys
send, sock, imposter, report = sys.argv[1:5]
p = os.fork()
if p == 0:
    os.execv(send, [send, sock, "from the gone"])
os.waitpid(p, 0)
reused = 0
for attempt in range(50):
    try:
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(p - 1))
    except OSError:
        break
    q = os.fork()
    if q == 0:
        if os.getpid() == p:
            os.execv(imposter, [imposter, "30"])
        os._exit(0)
    if q == p:
        reused = 1
        break
    os.waitpid(q, 0)
with open(report, "w") as f:
    f.write("%d %d\n" % (p, reused))
EOF
read -r gpid reused < "$T/reuse"
if [ "$reused" = 1 ]; then
	is "pid reuse: the imposter holds the gone sender's pid" "imposter" \
	    "$(cat "/proc/$gpid/comm" 2>/dev/null)"
else
	echo "# SKIP pid reuse: ns_last_pid cannot be steered here (needs" \
	    "root in the initial pid namespace); the sender is only gone"
fi
kill -CONT "$lpid"
finish_listen
IFS=$'\t' read -r comm pinned data pid <<EOF
$(jget "$T/out" comm pid_pinned data pid)
EOF
is "gone sender: its datagram is written" "from the gone" "$data"
is "gone sender: the record has its pid" "$gpid" "$pid"
is "gone sender: comm unknown (null), never another's" "null" "$comm"
is "gone sender: pid_pinned false" "false" "$pinned"
is "gone sender: \"imposter\" appears nowhere" "" "$(grep imposter "$T/out")"
[ "$reused" = 1 ] && kill "$gpid" 2>/dev/null

# ---- many senders at once, each under its own name -----------------------
# Half stay alive until every record is written (they must be named), half
# exit at once (named or unknown).  Every record is checked against the
# name its payload gives.
rm -f "$T/release"
listen -J -I -c 30
lpid=$LASTPID
spids=
for i in $(seq -w 1 15); do
	linger "pl$i" "pl$i"
	spids="$spids $LASTPID"
	sender "ps$i"
	spawn tmo "$B/ps$i" "$S" "ps$i"
	spids="$spids $LASTPID"
done
LASTPID=$lpid
finish_listen
release
for p in $spids; do
	reap "$p"
done
is "parallel: 30 records" 30 "$(wc -l < "$T/out")"
is "parallel: 30 different payloads" 30 \
    "$(jget "$T/out" data | sort -u | wc -l)"
# shellcheck disable=SC2016
wrong=$(jget "$T/out" data comm pid_pinned exe | awk -F'\t' -v b="$B" '
	$1 ~ /^pl/ && !($2 == $1 && $3 == "true" && $4 == b "/" $1)
	$1 ~ /^ps/ && !(($2 == $1 && $3 == "true") || ($2 == "null" && $3 == "false"))')
is "parallel: every record names its own sender (or unknown, if gone)" "" \
    "$wrong"

# ---- text: -C -I ---------------------------------------------------------
rm -f "$T/release"
listen -C -I -c 2
lpid=$LASTPID
linger "with space" "alive"
spid=$LASTPID
wait_for test -s "$T/out"
kill -STOP "$lpid"
sender id-text
tmo "$B/id-text" "$S" "gone"
kill -CONT "$lpid"
LASTPID=$lpid
finish_listen
release
reap "$spid"
like "-C -I: pid uid gid comm, the space escaped" \
    "[1-9]* $(id -u) $(id -g) "'with\\040space alive' "$(sed -n 1p "$T/out")"
like "-C -I: a sender gone before the read is \"-\"" \
    "[1-9]* $(id -u) $(id -g) - gone" "$(sed -n 2p "$T/out")"

# ---- an empty comm (PR_SET_NAME to "") is a name: "", not unknown -------
listen -I -J -c 1
tmo "$PY" -c 'import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, b"", 0, 0, 0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"nameless", sys.argv[1])
time.sleep(1)' "$S"
finish_listen
IFS=$'\t' read -r pinned comm <<EOF
$(jget "$T/out" pid_pinned comm)
EOF
is "empty comm: the sender is pinned" true "$pinned"
is "empty comm: written as \"\", not null" "" "$comm"

# ---- -e: UDG_COMM, UDG_EXE, UDG_UNIT -------------------------------------
# udg-send -r waits for the reply, so it is alive when it is named.
sender asker
# shellcheck disable=SC2016
listen -I -c 1 -e 'printf "%s|%s|%s" "$UDG_COMM" "$UDG_EXE" "$UDG_UNIT"'
lpid=$LASTPID
reply=$(tmo "$B/asker" -r "$S" hi 2>"$T/err")
finish_listen
# Our own cgroup is the sender's: its unit, or none.
myunit=$(sed -n 's/^0:://p' /proc/self/cgroup |
    grep -oE '[^/]+\.(service|scope)$' | tail -n 1)
is "-e -I: UDG_COMM, UDG_EXE, UDG_UNIT are the sender's" \
    "asker|$B/asker|$myunit" "$reply"

# ---- --allow-exe --------------------------------------------------------
# A sender running another executable is dropped; one running the allowed
# one (named through a symlink, resolved as /proc/PID/exe is) is written;
# one that is gone when read cannot be vouched for: dropped, counted.
sender good
sender evil
ln -s "$B/good" "$T/good-link"
rm -f "$T/release"
listen -v -I -C -c 1 --allow-exe "/no/such,$T/good-link"
lpid=$LASTPID
kill -STOP "$lpid"
tmo "$B/good" "$S" "SECRET gone good"
kill -CONT "$lpid"
wait_for grep -q "could not be identified" "$T/lerr"
linger evil "SECRET from evil"
e1=$LASTPID
wait_for grep -q "not allowed" "$T/lerr"
linger good "from good"
g1=$LASTPID
LASTPID=$lpid
finish_listen
release
reap "$e1"
reap "$g1"
like "--allow-exe: the allowed executable's datagram is written" \
    "* good from good" "$(cat "$T/out")"
is "--allow-exe: nothing else is" "" "$(grep SECRET "$T/out")"
is "--allow-exe: two dropped" 2 "$(vcount dropped "$T/lerr")"
is "--allow-exe: one of them unidentified (gone)" 1 \
    "$(vcount "bad identity" "$T/lerr")"
like "--allow-exe: the refusal names the executable" "*exe $B/evil*" \
    "$(cat "$T/lerr")"
like "--allow-exe: the unidentified one says why" "*could not be identified*exited*" \
    "$(cat "$T/lerr")"
is "--allow-exe: no payload on stderr" "" "$(grep SECRET "$T/lerr")"

# A sender named once while alive, gone by its next datagram: that one is
# refused as gone, not as a file that could not be read.
sender good
mkfifo "$T/feed"
listen -v -C --allow-exe "$B/good"
lpid=$LASTPID
# read-write: the open does not wait for a reader; the sender gets
# end-of-file once 7 is closed, for it does not inherit 7
exec 7<>"$T/feed"
spawn "$B/good" "$S" <"$T/feed" 7>&-
g1=$LASTPID
echo "while alive" >&7
wait_for grep -q "while alive" "$T/out"
kill -STOP "$lpid"
echo "SECRET after exit" >&7
exec 7>&-
reap "$g1"
kill -CONT "$lpid"
wait_for grep -q "could not be identified" "$T/lerr"
LASTPID=$lpid
kill -TERM "$lpid"
finish_listen
like "--allow-exe: the first datagram, sent alive, is written" \
    "$g1 * while alive" "$(cat "$T/out")"
is "--allow-exe: the one read after its exit is not" "" \
    "$(grep SECRET "$T/out")"
like "--allow-exe: the sender that exited since is said to have exited" \
    "*could not be identified*pid $g1: it had exited*" "$(cat "$T/lerr")"

# A kernel without pidfds (forced): nothing can be vouched for, so
# nothing passes, and the listener says so at start.
rm -f "$T/release"
UDG_TEST_DISABLE=pidfd listen -v --allow-exe "$B/good"
lpid=$LASTPID
linger good "SECRET unpinned"
g1=$LASTPID
wait_for grep -q "could not be identified" "$T/lerr"
kill -TERM "$lpid"
LASTPID=$lpid
finish_listen
release
reap "$g1"
is "no pidfds: nothing written" "" "$(cat "$T/out")"
is "no pidfds: the datagram is counted unidentified" 1 \
    "$(vcount "bad identity" "$T/lerr")"
like "no pidfds: said at start" "*no pidfds*refuse every datagram*" \
    "$(cat "$T/lerr")"
like "no pidfds: said per datagram" "*could not be identified*no pidfd*" \
    "$(cat "$T/lerr")"

# ---- --allow-unit --------------------------------------------------------
# A real unit: systemd-run --scope where systemd runs the system, else a
# cgroup made by hand whose name is a scope's (root, cgroup v2).
unit=udgtest-$$.scope
cg=
cgroot=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ]; then
		cgroot=$d
		break
	fi
done
# "${in_unit[@]}" CMD...: run CMD in the unit $unit.
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] &&
    command -v systemd-run >/dev/null; then
	how="systemd-run --scope"
	in_unit=(systemd-run --quiet --scope --unit="$unit" --)
elif [ "$(id -u)" -eq 0 ] && [ -n "$cgroot" ] &&
    mkdir "$cgroot/$unit" 2>/dev/null; then
	how="a cgroup made by hand"
	cg=$cgroot/$unit
	# shellcheck disable=SC2016
	in_unit=(sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh
	    "$cg")
	trap 'release; for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
	    kill "$p"; done; sleep 0.2; rmdir "$cg" 2>/dev/null; cleanup_all' EXIT
else
	how=
fi
if [ -z "$how" ]; then
	echo "# SKIP --allow-unit with real senders: no systemd as PID 1, and" \
	    "no writable cgroup v2 (not root?); check_allow tests the matching"
else
	echo "# --allow-unit: the unit is $how"
	sender in-unit
	sender outside
	rm -f "$T/release"
	listen -v -J -I -c 1 --allow-unit "other,$unit"
	lpid=$LASTPID
	linger outside "SECRET outside"
	o1=$LASTPID
	wait_for grep -q "not allowed" "$T/lerr"
	# shellcheck disable=SC2016
	spawn tmo "${in_unit[@]}" sh -c '{ echo "$1"; while [ ! -e "$2" ]; do
	    sleep 0.02; done; } | exec "$3" "$4"' sh "in the unit" \
	    "$T/release" "$B/in-unit" "$S"
	u1=$LASTPID
	LASTPID=$lpid
	finish_listen
	release
	reap "$o1"
	reap "$u1"
	IFS=$'\t' read -r data unit_got comm <<EOF
$(jget "$T/out" data unit comm)
EOF
	is "--allow-unit: the sender in the unit is written" "in the unit" \
	    "$data"
	is "--allow-unit: its record names the unit" "$unit" "$unit_got"
	is "--allow-unit: and its comm" "in-unit" "$comm"
	is "--allow-unit: the sender outside is dropped" 1 \
	    "$(vcount dropped "$T/lerr")"
	is "--allow-unit: no payload on stderr" "" "$(grep SECRET "$T/lerr")"
fi

done_testing
