#!/bin/bash
# udg-listen as a system service: -U drops root after set-up for good,
# and a socket passed the way systemd passes it (LISTEN_PID, LISTEN_FDS,
# fd 3) is used instead of binding, and checked.  Root-only parts print a
# SKIP line without root.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# ids PID: the real, effective, saved and fs uids of PID.
ids() {
	sed -n 's/^Uid:[[:space:]]*//p' "/proc/$1/status" | tr -s '\t ' ' '
}

# --- -U USER: bad values ---------------------------------------------------------
for v in no-such-user-here root 0 nobody:no-such-group "" 4000000000; do
	tmo "$LISTEN" -U "$v" "$S" 2>"$T/err"
	status "-U '$v': 64" 64 $?
done
true_that "-U bad values: nothing bound" [ ! -e "$S" ]

# --- -U nobody: after bind, -o and -p ----------------------------------------------
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null; then
	nuid=$(id -u nobody)
	mkdir -m 1777 "$T/o"
	chmod 711 "$T"
	spawn "$LISTEN" -U nobody -m 666 -o "$T/o/out" -p "$T/pid" \
	    -e 'id -u' "$S" 2>"$T/lerr"
	lpid=$LASTPID
	wait_for_socket "$S"
	wait_for test -s "$T/pid"
	wait_for test "$(stat -c %u "$T/o/out" 2>/dev/null)" = "$nuid"
	is "-U nobody: every uid is nobody's" "$nuid $nuid $nuid $nuid" \
	    "$(ids "$lpid")"
	is "-U nobody: the pid file was written first" "$lpid" \
	    "$(cat "$T/pid")"
	is "-U nobody: -o is nobody's" "$nuid" "$(stat -c %u "$T/o/out")"
	is "-U nobody: so is the socket file, mode 666" "$nuid 666" \
	    "$(stat -c '%u %a' "$S")"
	# the reply goes to a socket nobody may write to
	is "-U nobody: -e runs as nobody" "$nuid" \
	    "$(umask 0 && tmo "$SEND" -b "$T/o/client" -r -t 5 "$S" whoami)"
	# the -E worker too, though it starts with the listener
	spawn "$LISTEN" -U nobody -m 666 -o /dev/null \
	    -E 'while read -r l; do id -u; done' "$T/w" 2>"$T/werr"
	wpid=$LASTPID
	wait_for_socket "$T/w"
	is "-U nobody: the -E worker runs as nobody" "$nuid" \
	    "$(umask 0 && tmo "$SEND" -b "$T/o/wclient" -r -t 5 "$T/w" who)"
	kill -TERM "$wpid"
	reap "$wpid"
	rm -f "$T/w" "$T/w.lock"
	# root's automatic socket too: the listener is nobody now, and cannot
	# enter a private directory; the socket file's owner says so
	mkdir -m 0700 "$T/xdg"
	is "-U nobody: root's automatic socket is answered" "$nuid" \
	    "$(XDG_RUNTIME_DIR=$T/xdg tmo "$SEND" -r -t 5 "$S" whoami)"
	# SIGHUP reopens -o as nobody, after a rotation
	mv "$T/o/out" "$T/o/out.1"
	kill -HUP "$lpid"
	wait_for test -e "$T/o/out"
	tmo "$SEND" "$S" after rotation
	wait_for grep -qs 'after rotation' "$T/o/out"
	is "-U nobody: the reopened -o is nobody's" "$nuid" \
	    "$(stat -c %u "$T/o/out")"
	kill -TERM "$lpid"
	reap "$lpid"
	status "-U nobody: exit 0" 0 "$RC"
	# nobody cannot remove a socket in root's directory: it is left,
	# and the next start finds it stale and takes the path.
	true_that "-U nobody: the socket is left for the next start" [ -S "$S" ]
	rm -f "$T/out"
	spawn "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/lerr"
	# the stale file is there before the listener: wait for it, not it
	tmo "$SEND" -W 10 "$S" next start
	finish_listen
	is "-U nobody: the next start reaps the stale socket" "next start" \
	    "$(cat "$T/out")"

	# nobody's own directory: a symlink or a hard link planted there
	# as the -o file must not make root append to, and give nobody,
	# a file of root's.
	mkdir "$T/nb"
	chown nobody "$T/nb"
	printf 'root only\n' >"$T/secret"
	chmod 600 "$T/secret"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    ln -s "$T/secret" "$T/nb/log"
	ln "$T/secret" "$T/nb/hard"
	for f in log hard; do
		tmo "$LISTEN" -U nobody -c 1 -o "$T/nb/$f" "$S" 2>"$T/lerr"
		status "-U nobody: -o a planted $f link: 77" 77 $?
		like "-U nobody: -o a planted $f link: says why" \
		    "*with -U, root opens the output file only by its own*" \
		    "$(cat "$T/lerr")"
		is "-U nobody: -o a planted $f link: root's file untouched" \
		    "0 600 root only" \
		    "$(stat -c '%u %a' "$T/secret") $(cat "$T/secret")"
	done
	true_that "-U nobody: refused links bind nothing" [ ! -S "$S" ]
	rm -f "$T/nb/hard"
	spawn "$LISTEN" -U nobody -c 1 -o "$T/nb/out" "$S" 2>"$T/lerr"
	tmo "$SEND" -W 10 "$S" "own file"
	reap "$LASTPID"
	status "-U nobody: a plain -o file in nobody's directory: exit 0" \
	    0 "$RC"
	rm -f "$S" "$S.lock"
	is "-U nobody: a plain -o file in nobody's directory still works" \
	    "$nuid own file" "$(stat -c %u "$T/nb/out") $(cat "$T/nb/out")"

	# --forward's own socket is made as nobody, where nobody can remove
	# it at exit; one made as root, in root's private directory (here
	# XDG_RUNTIME_DIR's), would be left behind.
	mkdir -m 0700 "$T/fxdg"
	spawn "$LISTEN" -m 666 -o "$T/ft.out" "$T/ft" 2>"$T/terr"
	tpid=$LASTPID
	wait_for_socket "$T/ft"
	spawn env XDG_RUNTIME_DIR="$T/fxdg" "$LISTEN" -U nobody -c 1 \
	    -o "$T/nb/fwd.out" --forward "$T/ft" "$S" 2>"$T/lerr"
	tmo "$SEND" -W 10 "$S" "forwarded as nobody"
	reap "$LASTPID"
	status "-U nobody --forward: exit 0" 0 "$RC"
	wait_for grep -qs 'forwarded as nobody' "$T/ft.out"
	is "-U nobody --forward: the target got it" "forwarded as nobody" \
	    "$(cat "$T/ft.out")"
	is "-U nobody --forward: no socket left in root's directory" 0 \
	    "$(sockets_in "$T/fxdg")"
	kill -TERM "$tpid"
	reap "$tpid"
	rm -f "$S" "$S.lock"
else
	echo "SKIP: -U nobody: needs root and a user nobody"
fi

# --- socket activation ------------------------------------------------------------
rm -f "$T/out"
# activate PATH KIND PID -- CMD...: bind a socket at PATH ("dgram",
# "stream" or "dgram-at:OTHER" for one bound elsewhere), put it at fd 3,
# set LISTEN_FDS=1 and LISTEN_PID (PID "self": the process about to
# exec), and exec CMD, as systemd does.
activate() {
	"$PY" - "$@" <<'EOF'
import os, socket, sys
path, kind, pid = sys.argv[1:4]
cmd = sys.argv[5:]
t = socket.SOCK_STREAM if kind == "stream" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_UNIX, t)
s.bind(kind[9:] if kind.startswith("dgram-at:") else path)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid()) if pid == "self" else pid
os.execv(cmd[0], cmd)
EOF
}

# shellcheck disable=SC2016 # for the command's shell
activate "$S" dgram self -- "$LISTEN" -v -c 2 -o "$T/out" \
    -e 'echo "$LISTEN_FDS-$LISTEN_PID"' "$S" 2>"$T/lerr" &
lpid=$!
BGPIDS="$BGPIDS $lpid"
wait_for_socket "$S"
wait_for test -e "$T/out"
tmo "$SEND" "$S" activated
is "activation: -e does not see the LISTEN_ variables" "-" \
    "$(tmo "$SEND" -r -t 5 "$S" env)"
reap "$lpid"
status "activation: exit 0" 0 "$RC"
is "activation: the passed socket received" "$(printf 'activated\nenv')" \
    "$(cat "$T/out")"
true_that "activation: the socket file stays (its owner removes it)" \
    [ -S "$S" ]
true_that "activation: no lock file was made" [ ! -e "$S.lock" ]
rm -f "$S"

activate "$S" dgram-at:"$T/other" self -- "$LISTEN" -c 1 "$S" 2>"$T/err"
status "activation, socket bound elsewhere: 78" 78 $?
like "activation, bound elsewhere: says where" \
    "*fd 3*bound to $T/other*" "$(cat "$T/err")"
rm -f "$T/other"
activate "$S" stream self -- "$LISTEN" -c 1 "$S" 2>"$T/err"
status "activation, a stream socket: 78" 78 $?
like "activation, a stream socket: says so" "*fd 3*not a datagram socket*" \
    "$(cat "$T/err")"
rm -f "$S"

# LISTEN_PID of another process: not ours; bind as usual.
rm -f "$T/out"
activate "$T/unused" dgram 1 -- "$LISTEN" -c 1 -o "$T/out" "$S" \
    2>"$T/lerr" &
lpid=$!
BGPIDS="$BGPIDS $lpid"
wait_for_socket "$S"
tmo "$SEND" "$S" bound itself
reap "$lpid"
status "LISTEN_PID of another process: binds itself, exit 0" 0 "$RC"
is "LISTEN_PID of another process: received" "bound itself" \
    "$(cat "$T/out")"
true_that "LISTEN_PID of another process: removes its socket" [ ! -e "$S" ]

# systemd's own launcher, when Debian's systemd has it.
if command -v systemd-socket-activate >/dev/null 2>&1; then
	rm -f "$T/out"
	spawn tmo systemd-socket-activate --datagram -l "$S" \
	    "$LISTEN" -c 1 -o "$T/out" "$S" 2>"$T/lerr"
	wait_for_socket "$S"
	tmo "$SEND" "$S" via systemd-socket-activate
	reap "$LASTPID"
	status "systemd-socket-activate: exit 0" 0 "$RC"
	is "systemd-socket-activate: received" "via systemd-socket-activate" \
	    "$(cat "$T/out")"
else
	echo "SKIP: systemd-socket-activate not installed (Debian package" \
	    "systemd)"
fi

done_testing
