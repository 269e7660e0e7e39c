#!/bin/bash
# udg-listen's sender identity where namespaces would lie to it: a sender
# that binds another program over an allowed path in its own mount
# namespace, a listener whose /proc belongs to another pid namespace, a
# sender that claims its child's pid in a pid namespace of its own, and
# one in a container of root's, which is named.
# Each part needs unshare(1) and user namespaces (or root); a part that
# cannot run says SKIP, and the script is skipped when none can.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
need unshare util-linux
S=$T/s
B=$T/bin
mkdir "$B"
B=$(cd "$B" && pwd -P)
ran=0

real_send=$SEND
if grep -q 'temporary wrapper script' "$SEND" 2>/dev/null; then
	real_send=$(dirname "$SEND")/.libs/$(basename "$SEND")
	export LD_LIBRARY_PATH=$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
real_listen=$LISTEN
if grep -q 'temporary wrapper script' "$LISTEN" 2>/dev/null; then
	real_listen=$(dirname "$LISTEN")/.libs/$(basename "$LISTEN")
fi

# sender NAME: a copy of udg-send called NAME, in $B.
sender() {
	[ -x "$B/$1" ] || cp "$real_send" "$B/$1"
}

# start_part ARGS...: one more part runs, with a listener of ARGS (its
# pid in lpid) and senders held from now.
start_part() {
	ran=$((ran + 1))
	listen "$@"
	lpid=$LASTPID
	rm -f "$T/release"
}

# Senders stay alive until $T/release exists, so that they can be read:
# "${hold[@]}" PAYLOAD SENDER ARGS... runs SENDER ARGS with PAYLOAD on
# its stdin, open until then.
# shellcheck disable=SC2016
hold=(sh -c '{ echo "$1"; while [ ! -e "$2" ]; do sleep 0.02; done; } |
    { shift 2; exec "$@"; }' sh)

# ---- --allow-exe: the file, not its path --------------------------------
# In a mount namespace of its own a sender binds another program over the
# allowed path: /proc/PID/exe then shows the allowed path, but the file is
# the impostor's.
sender allowed
sender impostor
if ! unshare -Urm true 2>/dev/null; then
	echo "# SKIP --allow-exe with a bind mount: unshare -Urm not permitted"
else
	start_part -v -I -C -c 1 --allow-exe "$B/allowed"
	# shellcheck disable=SC2016
	spawn tmo unshare -Urm sh -c 'mount --bind "$1" "$2" && shift 2 &&
	    exec "$@"' sh "$B/impostor" "$B/allowed" "${hold[@]}" \
	    "SECRET from the impostor" "$T/release" "$B/allowed" "$S"
	i1=$LASTPID
	wait_for grep -q "dropped" "$T/lerr"
	spawn tmo "${hold[@]}" "from allowed" "$T/release" "$B/allowed" "$S"
	a1=$LASTPID
	LASTPID=$lpid
	finish_listen
	touch "$T/release"
	reap "$i1"
	reap "$a1"
	like "bind mount: the allowed file's datagram is written" \
	    "* allowed from allowed" "$(cat "$T/out")"
	is "bind mount: the impostor's is not" "" "$(grep SECRET "$T/out")"
	is "bind mount: it is dropped" 1 "$(vcount dropped "$T/lerr")"
	like "bind mount: the refusal names the path it showed" \
	    "*not allowed*exe $B/allowed*" "$(cat "$T/lerr")"
fi

# ---- /proc of another pid namespace -------------------------------------
# in_pidns [--mount-proc]: a listener (-J -I -c 1) and a sender, in-ns,
# both in a new pid namespace (with a /proc of its own if asked); what
# the record says in data, pinned and comm.
in_pidns() {
	rm -f "$T/out" "$T/release"
	# shellcheck disable=SC2016
	tmo unshare -Urpf "$@" sh -c '"$1" -J -I -c 1 -o "$2/out" "$3" \
	    2>"$2/lerr" & l=$! n=0; while [ ! -S "$3" ] && [ $n -lt 500 ]; do
	    sleep 0.02; n=$((n + 1)); done
	    r=$4; shift 4; "$@" & wait "$l"; touch "$r"; wait' sh \
	    "$real_listen" "$T" "$S" "$T/release" "${hold[@]}" \
	    "from a pid namespace" "$T/release" "$B/in-ns" "$S"
	IFS=$'\t' read -r data pinned comm <<EOF
$(jget "$T/out" data pid_pinned comm)
EOF
}

# With /proc still the parent's, /proc/PID there is whichever process has
# PID in the parent.  The listener must not name that one.
sender in-ns
if ! unshare -Urpf true 2>/dev/null; then
	echo "# SKIP /proc of another pid namespace: unshare -Urpf not permitted"
else
	ran=$((ran + 1))
	in_pidns
	is "foreign /proc: the datagram is written" "from a pid namespace" \
	    "$data"
	# Named right (pids may coincide) or not at all; never another's.
	case $pinned/$comm in
	true/in-ns|false/null|false/MISSING)
		ok "foreign /proc: the sender is its own or unknown ($pinned/$comm)";;
	*)
		bad "foreign /proc: the sender is named $comm (pinned $pinned)";;
	esac
fi

# The same, with a /proc of the namespace's own: the sender is named.
if unshare -Urpf --mount-proc true 2>/dev/null; then
	in_pidns --mount-proc
	is "own /proc: the datagram is written" "from a pid namespace" "$data"
	is "own /proc: the sender is named" "true/in-ns" "$pinned/$comm"
fi

# finish_held: the sender spawned last is held, the listener's pid is in
# lpid; end the listener, release and reap the sender, and read data,
# pinned and comm from the record.
finish_held() {
	local sender=$LASTPID
	LASTPID=$lpid
	finish_listen
	touch "$T/release"
	reap "$sender"
	IFS=$'\t' read -r data pinned comm <<EOF
$(jget "$T/out" data pid_pinned comm)
EOF
}

# ---- a pid claimed in a pid namespace of one's own ----------------------
# With CAP_SYS_ADMIN over its pid namespace, which unshare -Urp gives
# anyone, a sender may claim the pid of another process there: here its
# child, a copy of udg-send.  The pidfd then pins the child, so nothing
# in that namespace is vouched for.
sender victim
if ! unshare -Urpf --mount-proc true 2>/dev/null; then
	echo "# SKIP a claimed pid: unshare -Urpf not permitted"
else
	start_part -v -J -I -c 1
	spawn tmo unshare -Urpf --mount-proc "$PY" - "$S" "$B/victim" \
	    "$T/release" <<'EOF'
import os, socket, struct, subprocess, sys, time
sock, victim, release = sys.argv[1:4]
r, w = os.pipe()
child = subprocess.Popen([victim, sock], stdin=r)
time.sleep(0.2)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
cred = struct.pack("iII", child.pid, os.getuid(), os.getgid())
s.sendmsg([b"claimed"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS,
                          cred)], 0, sock)
for _ in range(500):
    if os.path.exists(release):
        break
    time.sleep(0.02)
os.close(w)
child.wait()
EOF
	finish_held
	is "claimed pid: the datagram is written" "claimed" "$data"
	is "claimed pid: its sender is unknown, not the child" "false/null" \
	    "$pinned/$comm"
fi

# ---- a container of root's: its pid namespace is owned by ours ----------
# Only CAP_SYS_ADMIN over our own user namespace could claim a pid in a
# pid namespace that it owns, as for our own pids: its senders are named.
sender in-box
if [ "$(id -u)" -ne 0 ] || ! unshare -pf --mount-proc true 2>/dev/null; then
	echo "# SKIP a pid namespace of root's: needs root and unshare -p"
else
	start_part -v -J -I -c 1 --allow-exe "$B/in-box"
	spawn tmo unshare -pf --mount-proc "${hold[@]}" "from root's box" \
	    "$T/release" "$B/in-box" "$S"
	finish_held
	is "root's pid namespace: the datagram is written" "from root's box" \
	    "$data"
	is "root's pid namespace: the sender is named" "true/in-box" \
	    "$pinned/$comm"
fi

[ "$ran" -gt 0 ] || skip "no namespace could be made here"
done_testing
