#!/bin/sh
# man-examples.sh - the example programs in the section 3 pages, taken
# from the page source, build against this libudg with -Werror and do what
# the pages say they do.  A program is marked in the page by a comment line
#	.\" example: NAME
# just before its ".Bd -literal"; every literal display that holds an
# #include must be marked, and every marked program must be run below.
set -eu

: "${top_builddir:?run from make check}" "${top_srcdir:?}"
CC=${CC:-cc}
libs=$top_builddir/src/.libs

tmp=$(mktemp -d "${TMPDIR:-/tmp}/udgm.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir "$tmp/src" "$tmp/bin" "$tmp/run"

fail() {
	echo "man-examples: $*" >&2
	exit 1
}

# Extract: in a marked display, \e is a backslash and a leading \& protects
# a line that starts with a dot; any other escape would be mistranslated.
for page in "$top_srcdir"/man/*.3; do
	awk -v dir="$tmp/src" -v page="${page##*/}" '
	function bad(msg) { print page ":" NR ": " msg >"/dev/stderr"; err = 1 }
	/^\.\\" example: / { name = $3; next }
	/^\.Bd -literal/ { inbd = 1; out = name != "" ? dir "/" name ".c" : ""
		name = ""; next }
	inbd && /^\.Ed/ { inbd = 0; if (out != "") close(out); out = ""; next }
	inbd && out == "" && /^#include/ {
		bad("a program not marked with .\\\" example: NAME") }
	inbd && out != "" {
		line = $0
		sub(/^\\&/, "", line)
		if (line ~ /\\[^e]/) bad("an escape other than \\e: " $0)
		gsub(/\\e/, "\\", line)
		print line >out
	}
	END { exit err }' "$page" || fail "$page: cannot extract its examples"
done
ls "$tmp/src"/*.c >/dev/null 2>&1 || fail "no marked example found"

for c in "$tmp/src"/*.c; do
	n=$(basename "$c" .c)
	# shellcheck disable=SC2086
	$CC ${UDG_SAN_CFLAGS:-} -Wall -Wextra -Wno-unused-parameter -Werror \
	    -I"$top_srcdir/include" -o "$tmp/bin/$n" "$c" -L"$libs" -ludg ||
		fail "example $n does not build"
	echo "built $n"
done

: >"$tmp/ran"
run() {	# name args...: run an example in the scratch directory
	echo "$1" >>"$tmp/ran"
	n=$1
	shift
	(cd "$tmp/run" && LD_LIBRARY_PATH=$libs "$tmp/bin/$n" "$@")
}
start() {	# name args...: run an example in the background
	echo "$1" >>"$tmp/ran"
	n=$1
	shift
	(cd "$tmp/run" && LD_LIBRARY_PATH=$libs exec "$tmp/bin/$n" "$@") \
	    >"$tmp/$n.out" 2>&1 &
	bg=$!
	pids="$pids $bg"
}
await_socket() {	# path: wait (at most 10 s) until a socket is there
	i=0
	while [ ! -S "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "no socket at $1 after 10 s"
		sleep 0.1
	done
}
uid=$(id -u)

# udg_server(3): binds, opens the socket to its group, reports, removes it.
out=$(run group-server g.sock) || fail "group-server failed: $out"
echo "$out"
echo "$out" | grep -Eq '^g\.sock: descriptor [0-9]+, group may send, up to [0-9]+ bytes$' ||
	fail "group-server: unexpected output"
if [ -e "$tmp/run/g.sock" ] || [ -e "$tmp/run/g.sock.lock" ]; then
	fail "group-server left its socket or lock file"
fi

# udg_recv(3) receives what udg_send(3) sends, in order, with the
# sender's uid; a byte a terminal would act on comes out in octal.
start recv-count r.sock 3
recv=$bg
await_socket "$tmp/run/r.sock"
run send-args r.sock one 'two words' "$(printf 'esc\033')" ||
	fail "send-args failed"
wait "$recv" || fail "recv-count failed: $(cat "$tmp/recv-count.out")"
cat "$tmp/recv-count.out"
printf '%s\n' "uid $uid: one" "uid $uid: two words" "uid $uid: esc\\033" \
    >"$tmp/want"
sed 's/^pid [1-9][0-9]* //' "$tmp/recv-count.out" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || fail "recv-count printed something else"
if run send-args r.sock late 2>"$tmp/err"; then
	fail "send-args to a closed server succeeded"
fi
grep -q 'r\.sock' "$tmp/err" || fail "send-args: no path in: $(cat "$tmp/err")"

# udg_wait(3): the echo pair; SIGTERM ends the server, which removes its
# socket and exits 0.
start echo-server e.sock
echo=$bg
await_socket "$tmp/run/e.sock"
out=$(run echo-client e.sock 'hello, echo') || fail "echo-client failed"
[ "$out" = "hello, echo" ] || fail "echo-client printed: $out"
kill -TERM "$echo"
wait "$echo" || fail "echo-server did not exit 0 on SIGTERM"
cat "$tmp/echo-server.out"
grep -Eq "^11 bytes from pid [1-9][0-9]* uid $uid\$" "$tmp/echo-server.out" ||
	fail "echo-server: unexpected output"
[ ! -e "$tmp/run/e.sock" ] || fail "echo-server left its socket behind"
if run echo-client e.sock again 2>"$tmp/err"; then
	fail "echo-client without a server succeeded"
fi

count=0
for c in "$tmp/src"/*.c; do
	n=$(basename "$c" .c)
	grep -qx "$n" "$tmp/ran" || fail "example $n is built but never run"
	count=$((count + 1))
done
echo "man-examples: $count examples built and run"
