#!/bin/bash
# udg-listen --echo and -e COMMAND: replies, the environment, no shell
# injection from payloads or peer paths (issue 3).
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# --- --echo ------------------------------------------------------------------
listen --echo -c 4
tmo "$SEND" -r "$S" echo me >"$T/o" 2>"$T/err"
status "--echo: udg-send -r exits 0" 0 $?
is "--echo: the datagram comes back" "echo me" "$(cat "$T/o")"
printf 'bin\0\377\033' | tmo "$SEND" -r -a "$S" >"$T/o" 2>"$T/err"
printf 'bin\0\377\033\n' > "$T/want"
same "--echo: binary comes back verbatim" "$T/want" "$T/o"
# An unbound sender cannot be answered; the listener goes on.
tmo "$PY" - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"unbound", sys.argv[1])
EOF
tmo "$SEND" -r "$S" still there >"$T/o" 2>"$T/err"
is "--echo: goes on after an unbound sender" "still there" "$(cat "$T/o")"
finish_listen
is "--echo: every datagram is also written" 4 "$(wc -l < "$T/out")"

# --- -e: payload on stdin, UDG_* in the environment, stdout is the reply -------
# shellcheck disable=SC2016 # expanded by the command's shell
listen -c 1 -e 'printf "%s|%s|%s|%s|" "$UDG_PID" "$UDG_UID" "$UDG_GID" "$UDG_PEER"; cat'
with_id "$T/id" \
    "$SEND" -r -b "$T/cli" "$S" the payload >"$T/o" 2>"$T/err"
status "-e: udg-send -r exits 0" 0 $?
is "-e: UDG_PID UDG_UID UDG_GID UDG_PEER, then the payload from stdin" \
    "$(tr ' ' '|' < "$T/id")|$T/cli|the payload" "$(cat "$T/o")"
finish_listen
is "-e: the datagram is also written" "the payload" "$(cat "$T/out")"

listen -c 2 --exec 'tr a-z A-Z; echo; echo second line'
printf 'up\nper\n' | tmo "$SEND" -r "$S" >"$T/o" 2>"$T/err"
status "--exec: two requests, exit 0" 0 $?
# Each reply is the command's stdout verbatim (ending in a newline), and
# udg-send adds one after each reply.
printf 'UP\nsecond line\n\nPER\nsecond line\n\n' > "$T/want"
same "--exec: multi-line stdout is one reply each, verbatim" "$T/want" "$T/o"
finish_listen

# Binary both ways: a python client compares bytes.
listen -c 1 -e 'cat'
tmo "$PY" - "$S" "$T/pycli" > "$T/res" 2>&1 <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.settimeout(10)
msg = bytes(range(256)) * 200 + b"\0"
s.sendto(msg, sys.argv[1])
print("same" if s.recv(1 << 20) == msg else "different")
os.unlink(sys.argv[2])
EOF
is "-e cat: 51201 binary bytes come back unchanged" same "$(cat "$T/res")"
finish_listen

# The command's stdout is a reply even when empty; its exit status is not.
listen -c 2 -e 'exit 3'
tmo "$SEND" -r "$S" x >"$T/o" 2>"$T/err"
status "-e 'exit 3': the client still gets its (empty) reply" 0 $?
is "-e 'exit 3': an empty reply" "" "$(cat "$T/o")"
tmo "$SEND" -r "$S" y >"$T/o" 2>"$T/err"
status "-e 'exit 3': the listener goes on" 0 $?
finish_listen
like "-e 'exit 3': reported on stderr" "*3*" "$(cat "$T/lerr")"

# An unbound sender: the command runs, nobody is answered.
export UNBOUND_OUT=$T/unbound
# shellcheck disable=SC2016
listen -c 1 -e 'cat > "$UNBOUND_OUT"; echo "[$UDG_PEER]" >> "$UNBOUND_OUT"'
tmo "$PY" - "$S" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"no path", sys.argv[1])
EOF
finish_listen
got=$(cat "$T/unbound" 2>/dev/null || echo missing)
is "-e with an unbound sender: runs, UDG_PEER empty" \
    "$(printf 'no path[]')" "$got"

# --- payloads and peer paths stay strings --------------------------------------
# shellcheck disable=SC2016
for p in '$(touch '"$T"'/pwned1)' '`touch '"$T"'/pwned2`' \
    '; touch '"$T"'/pwned3' '" ; touch '"$T"'/pwned4 ; "' \
    "' ; touch $T/pwned5 ; '" '| touch '"$T"'/pwned6' \
    $'\n''touch '"$T"'/pwned7'; do
	listen -c 1 -e 'cat; printf "|%s" "$UDG_PEER"'
	printf '%s' "$p" | tmo "$SEND" -r -a "$S" >"$T/o" 2>"$T/err"
	is "-e: payload stays a string: $(printf %q "$p")" "$p|$T/udg/*" \
	    "$(sed "s|$T/udg/[^|]*\$|$T/udg/*|" "$T/o")"
	finish_listen
done
is "-e: no payload was run as a command" "" \
    "$(find "$T" -name 'pwned*')"

# A peer path with shell syntax in it.
mkdir "$T/d"
# shellcheck disable=SC2016
weird=$T/d/'$(touch pwned8);`touch pwned9`'
# shellcheck disable=SC2016
listen -c 1 -e 'printf "%s" "$UDG_PEER"'
(cd "$T/d" && tmo "$SEND" -r -b "$weird" "$S" m) >"$T/o" 2>"$T/err"
status "-e, odd peer path: exit 0" 0 $?
is "-e: UDG_PEER is the literal path" "$weird" "$(cat "$T/o")"
finish_listen
is "-e: the peer path was not run" "" "$(find "$T" -name 'pwned*')"

# --- usage errors ------------------------------------------------------------
tmo "$LISTEN" --echo -e cat "$S" 2>"$T/err"
status "--echo with -e: 64" 64 $?
tmo "$LISTEN" -e '' "$S" 2>"$T/err"
status "-e '': 64" 64 $?
true_that "usage errors: nothing bound" [ ! -e "$S" ]

done_testing
