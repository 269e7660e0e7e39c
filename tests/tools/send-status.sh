#!/bin/bash
# udg-send: every exit status of udg-send(1) and the message that goes with
# it, one row each; then -b relative paths and repeated options.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s		# a listener that never answers
E=$T/e		# an echo listener
root=0
[ "$(id -u)" = 0 ] && root=1

listen -R -t 120
lpid=$LASTPID
spawn "$LISTEN" --echo -t 120 -o /dev/null "$E" 2>"$T/eerr"
epid=$LASTPID
wait_for_socket "$E"

echo data > "$T/file"
mkdir "$T/dir" "$T/closed"
# -b's lock file, PATH.lock, in the way: a symlink, a directory, root's.
mkdir -m 1777 "$T/lk"
ln -s /nonexistent "$T/lk/sym.lock"
mkdir "$T/lk/dir.lock"
touch "$T/lk/root.lock"
chmod 600 "$T/lk/root.lock"
stale_socket "$T/stale"
spawn "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(); time.sleep(120)' "$T/stream"
wait_for_socket "$T/stream"
{ echo ok; head -c 300000 /dev/zero | tr '\0' x; echo; } > "$T/bigrec"
# shellcheck disable=SC2034 # used through eval
long=/$(printf 'x%.0s' $(seq 1 110))
# Unsafe private directories, each in an XDG_RUNTIME_DIR of its own.
mkdir -p "$T/x1/real" "$T/x2/udg" "$T/x3/udg" "$T/x4"
# one nobody cannot enter, to make its udg directory in
mkdir -m 700 "$T/x5"
ln -s real "$T/x1/udg"
chmod 777 "$T/x2/udg"
if [ $root = 1 ]; then
	chown nobody "$T/x3/udg"
	chmod 711 "$T"	# nobody must reach $S to be refused by it
fi
# An XDG_RUNTIME_DIR too long for a socket path: /tmp/udg-UID instead.
# shellcheck disable=SC2034 # used through eval
longxdg=$T/x4/$(printf 'y%.0s' $(seq 1 90))
mkdir "$longxdg"

# The command prefix that runs udg-send with an empty read-only file system
# mounted on $T/ro, in a mount namespace of its own.
mkdir "$T/ro"
ro_pre="unshare -m"
[ $root = 1 ] || ro_pre="unshare -rm"
ro_pre="$ro_pre sh -c 'mount -t tmpfs -o ro tmpfs \"\$0\" && exec \"\$@\"' \"\$T/ro\""
eval "$ro_pre true" 2>/dev/null && can_ro=1 || can_ro=0

# Each row: STATUS | WHO | GLOB for stderr ("" = nothing) | arguments.
# WHO: "-" (us), "nobody" (needs root), "ro" (see ro_pre), "xdg:DIR" (with
# XDG_RUNTIME_DIR=DIR), "rootxdg:DIR" (the same, needs root), "nobodyxdg:DIR"
# (the same as nobody).
while IFS='|' read -r want who glob args; do
	[ -n "$want" ] || continue
	case $who in
	nobody|rootxdg:*|nobodyxdg:*)
		if [ $root = 0 ]; then
			echo "SKIP: row needs root: $args"
			continue
		fi;;
	ro)
		if [ $can_ro = 0 ]; then
			echo "SKIP: no read-only mount here: $args"
			continue
		fi;;
	esac
	case $who in
	nobody)	pre="runuser -u nobody -- env -u XDG_RUNTIME_DIR";;
	nobodyxdg:*)
		pre="runuser -u nobody -- env XDG_RUNTIME_DIR=${who#*xdg:}";;
	ro)	pre=$ro_pre;;
	*xdg:*)	pre="env XDG_RUNTIME_DIR=${who#*xdg:}";;
	*)	pre=;;
	esac
	eval "tmo $pre \"\$SEND\" $args" >"$T/o" 2>"$T/err"
	rc=$?
	status "$want: $args" "$want" "$rc"
	eval "glob=\"$glob\""
	if [ -z "$glob" ]; then
		is "$want: $args: no message" "" "$(cat "$T/err")"
	else
		like "$want: $args: message" "$glob" "$(cat "$T/err")"
	fi
done <<'EOF'
0|-||$S hello
0|-||-r -r -t 9 -t 5 $E twice
0|-|*sent 1*|-v -v $S verbose
0|-||-a -a $S </dev/null
0|-||-- $S -r is a message here
0|-||$S -5 degrees
64|-|*option -r after the socket operand*|$S hello -r
64|-|*option --reply after the socket operand*|$S hello --reply
64|-|*-t needs -r*|-t 1 $S m
64|-|*option --verbose takes no argument*|--verbose=2 $S m
64|-|*-b /xxx*bind path longer than 107 bytes*|-b $long $S m
64|-|*$T/s/xxx*socket path longer than 107 bytes*|$S$long m
65|-|*record 2 is too long*limit*|$S <$T/bigrec
69|-|*$T/nope: No such file*|$T/nope m
69|-|*$T/file: not a socket|$T/file m
69|-|*$T/dir: not a socket (a directory)|$T/dir m
69|-|*$T/stale: nobody is listening*|$T/stale m
69|-|*$T/stream: not a datagram socket|$T/stream m
73|-|*-b $T/nodir/me: its directory does not exist*|-b $T/nodir/me $S m
73|-|*-b $T/file*|-b $T/file $S m
73|-|*-b $S: *|-b $S $S m
73|ro|*-b $T/ro/me: Read-only file system|-b $T/ro/me $S m
73|-|*-b $T/lk/sym.lock: the lock file is a symbolic link, left as it is|-b $T/lk/sym $S m
73|-|*-b $T/lk/dir.lock: the lock file is not a regular file (a directory), left as it is|-b $T/lk/dir $S m
74|-|*standard input is closed*|$S <&-
74|-|*standard output is closed*|-r $E m >&-
75|-|*timed out waiting for a reply from $S after 0.200 s*|-r -t 0.2 $S m
77|nobody|*$S: Permission denied|$S m
77|nobody|*-b $T/closed/me: Permission denied|-b $T/closed/me $S m
77|nobody|*-b $T/lk/root.lock: the lock file: Permission denied|-b $T/lk/root $S m
77|xdg:$T/x1|*private directory $T/x1/udg is a symbolic link*|$S m
77|xdg:$T/x2|*private directory $T/x2/udg is writable by group or others*|$S m
77|rootxdg:$T/x3|*private directory $T/x3/udg belongs to another user*|$S m
77|nobodyxdg:$T/x5|*client socket in $T/x5/udg: Permission denied|$S m
0|xdg:$longxdg||$S long xdg falls back
EOF
is "repeated -r: one reply" twice "$(tmo "$SEND" -r -r "$E" twice)"

# --- -b PATH relative: made absolute, as the receiver sees it -------------
kill -TERM "$lpid"
reap "$lpid"
listen -J -c 1
(cd "$T/dir" && tmo "$SEND" -b me "$S" relative) 2>"$T/err"
status "-b relative: exit 0" 0 $?
reap "$LASTPID"
peer=$(json_peer "$T/out")
is "-b relative: the receiver sees the absolute path" "$T/dir/me" "$peer"
true_that "-b relative: removed at exit" [ ! -e "$T/dir/me" ]

# In a directory so deep that the absolute path cannot fit sun_path.
deep=$T/dir/$(printf 'd%.0s' $(seq 1 100))
mkdir "$deep"
(cd "$deep" && tmo "$SEND" -b me "$E" m) 2>"$T/err"
status "-b relative, too long once absolute: 64" 64 $?
like "-b relative, too long once absolute: the message says -b and why" \
    "*-b me: bind path longer than 107 bytes once made absolute*" \
    "$(cat "$T/err")"
true_that "-b relative, too long: nothing bound" [ ! -e "$deep/me" ]

kill -TERM "$epid"
reap "$epid"
done_testing
