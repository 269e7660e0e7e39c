#!/bin/bash
# The -E examples of udg-listen(1), run as the page shows them: each
# literal block after a ".\" test: file NAME" comment is written to NAME,
# each after ".\" test: session" is a session whose "$ " lines (and the
# indented lines that continue them) are run in order, and whose other
# lines must be their output.  /tmp/ in the page is this test's directory.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need awk mawk
MAN=$top_srcdir/man/udg-listen.1
[ -r "$MAN" ] || { echo "ERROR: $MAN missing" >&2; exit 99; }
BIN=$T/bin
mkdir "$BIN"
ln -s "$SEND" "$BIN/udg-send"
ln -s "$LISTEN" "$BIN/udg-listen"

# Split the page's marked blocks into $T/ex/N.file-NAME and N.session,
# roff escapes undone (\e is a backslash, \& nothing), /tmp/ made $T/.
mkdir "$T/ex"
awk -v dir="$T/ex" -v t="$T/" '
	/^\.\\" test: / { kind = $3; name = $4; next }
	kind != "" && /^\.Bd -literal/ { n++; inblk = 1
		out = dir "/" n "." (kind == "file" ? "file-" name : "session")
		next }
	inblk && /^\.Ed/ { inblk = 0; kind = ""; close(out); next }
	inblk { gsub(/\\e/, "\\"); gsub(/\\&/, ""); gsub(/\/tmp\//, t)
		print > out }
' "$MAN"
nfiles=$(find "$T/ex" -name '*.file-*' | wc -l)
nsessions=$(find "$T/ex" -name '*.session' | wc -l)
is "the page has a file and two sessions to run" "1 2" \
    "$nfiles $nsessions"
for f in "$T"/ex/*.file-*; do
	cp "$f" "$T/${f##*.file-}"
done

# run_session FILE: run each command; compare its output with the page's.
run_session() {
	local cmd='' want='' line got n=0 label
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line == '$ '* ]]; then
			[ -n "$cmd" ] && check_cmd
			cmd=${line#\$ }
			want=''
		elif [[ $line == ' '* ]] && [ -z "$want" ] && [ -n "$cmd" ]; then
			cmd+=$'\n'$line
		else
			want+=$line$'\n'
		fi
	done <"$1"
	[ -n "$cmd" ] && check_cmd
}

# check_cmd: run $cmd (with the built tools first on PATH) in $T.
check_cmd() {
	label=$(printf '%s' "$cmd" | head -n 1 | cut -c 1-60)
	got=$(cd "$T" && PATH=$BIN:$PATH tmo bash -c "$cmd" 2>"$T/err")
	status "example: $label" 0 $?
	is "example: output of $label" "${want%$'\n'}" "$got"
	# A -d listener is not our child: testlib's clean-up kills it.
	for p in "$T"/*.pid; do
		[ -s "$p" ] && DAEMONS="$DAEMONS $(cat "$p")"
	done
}

# gone: the examples' sockets have been removed.
gone() {
	[ ! -e "$T/kv.sock" ] && [ ! -e "$T/up.sock" ]
}

for f in "$T"/ex/*.session; do
	grep -q -- ' -E ' "$f" || continue
	run_session "$f"
done
true_that "the examples' listeners stop on kill, sockets removed" wait_for gone

done_testing
