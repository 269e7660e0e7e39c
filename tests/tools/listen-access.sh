#!/bin/bash
# udg-listen access control: -g GROUP, -u/--allow-uid, -G/--allow-gid
# against a sender that really is someone else.  Needs root, to
# make that sender with setpriv (util-linux) as nobody (65534).
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to send as another user"
need setpriv util-linux
need_python
need logger bsdutils
S=$T/s
NOBODY=65534
nobody_group=$(getent group "$NOBODY" | cut -d: -f1)
nobody_user=$(getent passwd "$NOBODY" | cut -d: -f1)
[ -n "$nobody_user" ] || skip "no user $NOBODY (nobody)"

# nobody must reach $S: $T is searchable, the socket writable (-m 0666).
chmod 0711 "$T"

# as_nobody CMD...: run CMD as uid/gid 65534 with no extra groups.  logger
# is the sender: an installed program nobody can run wherever the build
# tree is; its message text must never show up in the output.
as_nobody() {
	tmo setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups "$@"
}

# Control: with no -u/-G, nobody's datagram is printed with its creds.
listen -m 0666 -C -c 1
as_nobody logger --socket "$S" -t t 'from nobody, allowed' 2>"$T/err"
finish_listen
like "control: nobody can send here, creds $NOBODY $NOBODY" \
    "* $NOBODY $NOBODY *from nobody, allowed" "$(cat "$T/out")"

# -u 0: nobody's datagram is dropped, counted, reported; -c does not count it.
export EXEC_MARK=$T/ran
# shellcheck disable=SC2016
listen -m 0666 -v -C -c 1 -u 0 -e 'cat > "$EXEC_MARK"'
as_nobody logger --socket "$S" -t t 'SECRET-1 from nobody'
tmo "$SEND" "$S" from root
finish_listen
like "-u 0: root's datagram is written" "[1-9]* 0 0 from root" "$(cat "$T/out")"
is "-u 0: nobody's datagram is not written" "" \
    "$(grep SECRET "$T/out")"
is "-u 0: only root's datagram ran the command" "from root" \
    "$(cat "$T/ran" 2>/dev/null)"
like "-u 0: the drop is reported with the uid" "*$NOBODY*" \
    "$(grep -iv '^udg-listen: received' "$T/lerr")"
is "-u 0: -v counts it as dropped" 1 "$(vcount dropped "$T/lerr")"
is "-u 0: -v counts 2 received" 2 "$(vcount received "$T/lerr")"
is "-u 0: -v counts 1 written" 1 "$(vcount written "$T/lerr")"
is "-u 0: the payload is not on stderr either" "" \
    "$(grep SECRET "$T/lerr")"

# Names and comma lists.
listen -m 0666 -v -c 1 --allow-uid "12345,root"
as_nobody logger --socket "$S" -t t 'SECRET-2'
tmo "$SEND" "$S" by name
finish_listen
is "--allow-uid 12345,root: only root's" "by name" "$(cat "$T/out")"
is "--allow-uid: one dropped" 1 "$(vcount dropped "$T/lerr")"

listen -m 0666 -v -c 2 -u "root,$nobody_user"
as_nobody logger --socket "$S" -t t 'nobody allowed by name'
tmo "$SEND" "$S" root too
finish_listen
like "-u root,$nobody_user: both written" \
    "*nobody allowed by name*root too " "$(tr '\n' ' ' < "$T/out")"

# -G by gid: nobody's gid is 65534.
listen -m 0666 -v -c 1 -G 0
as_nobody logger --socket "$S" -t t 'SECRET-3'
tmo "$SEND" "$S" gid zero
finish_listen
is "-G 0: only gid 0's datagram" "gid zero" "$(cat "$T/out")"
is "-G 0: one dropped" 1 "$(vcount dropped "$T/lerr")"

# A sender cannot claim someone else's credentials: nobody asks for
# pid 1, uid 0, gid 0 in SCM_CREDENTIALS.  The kernel refuses that send,
# and what nobody can send shows nobody's real ids.
# (a python3 nobody can run: $PY may live in root's home, as pyenv's does)
npy=
for p in "$PY" /usr/bin/python3 /usr/local/bin/python3; do
	if [ -x "$p" ] && as_nobody "$p" -c pass 2>/dev/null; then
		npy=$p
		break
	fi
done
true_that "forged creds: a python3 that nobody can run (${npy:-none})" \
    [ -n "$npy" ]
listen -m 0666 -C -c 1
as_nobody "${npy:-false}" - "$S" >"$T/py" 2>&1 <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
claim = struct.pack("3i", 1, 0, 0)
try:
    s.sendmsg([b"SECRET-forged"],
               [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, claim)], 0,
               sys.argv[1])
    print("forged: sent")
except PermissionError:
    print("forged: refused")
s.sendto(b"honest from nobody", sys.argv[1])
EOF
finish_listen
is "forged creds: the kernel refuses the claim" "forged: refused" \
    "$(cat "$T/py")"
like "forged creds: the datagram that came shows nobody's real ids" \
    "* $NOBODY $NOBODY honest from nobody" "$(cat "$T/out")"
is "forged creds: nothing claiming root was written" "" \
    "$(grep -e SECRET -e ' 0 0 ' "$T/out")"

if [ -n "$nobody_group" ]; then
	listen -m 0666 -c 1 --allow-gid "$nobody_group"
	as_nobody logger --socket "$S" -t t 'gid by name'
	finish_listen
	like "--allow-gid $nobody_group: nobody's written" "*gid by name" \
	    "$(cat "$T/out")"
fi

# -u and -G together: either one lets a sender in.
listen -m 0666 -v -c 2 -u 0 -G "$NOBODY"
as_nobody logger --socket "$S" -t t 'in by gid'
tmo "$SEND" "$S" in by uid
finish_listen
like "-u 0 -G $NOBODY: both written" "*in by gid*in by uid " \
    "$(tr '\n' ' ' < "$T/out")"

# Many drops: reported, rate-limited (not one line per datagram).
listen -m 0666 -v -c 1 -u 0
for i in $(seq 1 30); do echo "SECRET-many $i"; done > "$T/many"
as_nobody logger --socket "$S" -t t -f "$T/many"
tmo "$SEND" "$S" last
finish_listen
is "many drops: only root's written" last "$(cat "$T/out")"
is "many drops: all 30 counted" 30 "$(vcount dropped "$T/lerr")"
n=$(grep -vic received "$T/lerr")
true_that "many drops: stderr is rate-limited ($n lines for 30)" \
    between "$n" 1 29
# Two drops in a second: the first said, the second summed up at exit.
listen -m 0666 -c 1 -u 0
printf 'SECRET-a\nSECRET-b\n' > "$T/two"
as_nobody logger --socket "$S" -t t -f "$T/two"
tmo "$SEND" "$S" last
finish_listen
like "two drops: the second is one more datagram" \
    "*dropped 1 more datagram from senders not allowed" "$(cat "$T/lerr")"

# --- -g GROUP: the socket file's group (and -m still exact) -----------------
for g in "$nobody_group" "$NOBODY"; do
	[ -n "$g" ] || continue
	listen -c 1 -g "$g" -m 0660
	is "-g $g -m 0660: group" "$NOBODY" "$(stat -c %g "$S")"
	is "-g $g -m 0660: mode" 660 "$(stat -c %a "$S")"
	# Group members can send: nobody is in group 65534.
	as_nobody logger --socket "$S" -t t 'via group'
	finish_listen
	like "-g $g: a member of the group can send" "*via group" \
	    "$(cat "$T/out")"
done
listen -c 1 -g "$NOBODY"
like "-g without -m: group $NOBODY" "$NOBODY" "$(stat -c %g "$S")"
tmo "$SEND" "$S" x
finish_listen

# Without group write, nobody cannot send: the kernel refuses.
listen -c 1 -m 0600
as_nobody logger --socket "$S" -t t 'SECRET-4' 2>/dev/null
tmo "$SEND" "$S" owner only
finish_listen
is "-m 0600: only the owner gets through" "owner only" "$(cat "$T/out")"

# 77: udg-send from someone without write permission.  It runs from the
# build tree, which nobody may not be able to reach (e.g. under /root).
if as_nobody "$SEND" -h >/dev/null 2>&1; then
	mkdir -m 0700 "$T/nb"
	chown "$NOBODY:$NOBODY" "$T/nb"
	listen -c 1 -m 0600
	XDG_RUNTIME_DIR=$T/nb as_nobody "$SEND" "$S" denied 2>"$T/err"
	status "udg-send without write permission: 77" 77 $?
	tmo "$SEND" "$S" owner
	finish_listen
	is "udg-send without write permission: nothing arrived" owner \
	    "$(cat "$T/out")"
	# Not root: -U and -g cannot give the socket away; the message says
	# which option asked for it.
	XDG_RUNTIME_DIR=$T/nb as_nobody "$LISTEN" -U daemon -c 1 "$T/nb/s" \
	    2>"$T/err"
	status "-U as nobody: 77" 77 $?
	like "-U as nobody: names -U" "*$T/nb/s: giving it to -U's user:*" \
	    "$(cat "$T/err")"
	XDG_RUNTIME_DIR=$T/nb as_nobody "$LISTEN" -g root -c 1 "$T/nb/s" \
	    2>"$T/err"
	status "-g root as nobody: 77" 77 $?
	like "-g root as nobody: names -g" "*$T/nb/s: giving it to -g's group:*" \
	    "$(cat "$T/err")"
else
	echo "# nobody cannot run $SEND: the 77 check is not run"
fi

# --- usage errors: nothing bound ----------------------------------------------
for args in "-u no_such_user_udg" "-G no_such_group_udg" "-g no_such_group_udg" \
    "-u 1,,2" "-u ''" "-G -5"; do
	eval "set -- $args"
	tmo "$LISTEN" "$@" -c 1 "$S" 2>"$T/err"
	status "bad value: $args: 64" 64 $?
	true_that "bad value: $args: nothing bound" [ ! -e "$S" ]
done

done_testing
