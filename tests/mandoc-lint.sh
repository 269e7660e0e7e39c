#!/bin/sh
# mandoc-lint.sh - the man pages are mandoc -Tlint clean at warning level,
# and the section 3 pages document the whole API: every function udg.h
# declares is named in the NAME section of exactly one page besides the
# libudg(3) overview (its link is installed from there), no page names a
# function that does not exist, each such page has a synopsis entry for
# each function it names and the sections a library page needs, and the
# overview refers to every one of them.
# Exit 77 (SKIP) when mandoc is not installed.

top_srcdir=${top_srcdir:-$(dirname "$0")/..}
MANDOC=${MANDOC:-mandoc}
man=$top_srcdir/man

if ! command -v "$MANDOC" >/dev/null 2>&1; then
	echo "mandoc not found: skipped"
	exit 77
fi

status=0
fail() {
	echo "$*"
	status=1
}

for f in "$man"/*.[1-8]; do
	out=$("$MANDOC" -Tlint -Wwarning "$f" 2>&1)
	rc=$?
	if [ -n "$out" ] || [ $rc -ne 0 ]; then
		printf '%s\n' "$out"
		fail "${f#"$top_srcdir"/}: mandoc -Tlint -Wwarning: exit $rc"
	fi
done
[ -f "$man/libudg.3" ] || fail "man/libudg.3: missing"

names() {	# page: the names in its NAME section
	sed -n '/^\.Sh NAME/,/^\.Sh/s/^\.Nm \([a-z_0-9]*\).*/\1/p' "$1"
}
functions=$(sed -n 's/^UDG_API[^(]*[ *]\(udg_[a-z0-9_]*\)(.*/\1/p' \
    "$top_srcdir/include/udg.h")
[ -n "$functions" ] || fail "include/udg.h: no UDG_API function found"

for f in "$man"/*.3; do
	page=${f##*/}
	[ "$page" != libudg.3 ] || continue
	title=$(echo "${page%.3}" | tr '[:lower:]' '[:upper:]')
	grep -q "^\.Dt $title 3\$" "$f" || fail "man/$page: .Dt is not $title 3"
	for s in SYNOPSIS 'RETURN VALUES' ERRORS EXAMPLES 'SEE ALSO'; do
		grep -q "^\.Sh $s\$" "$f" || fail "man/$page: no $s section"
	done
	grep -q "^\.Xr ${page%.3} 3" "$man/libudg.3" ||
		fail "man/libudg.3: SEE ALSO lacks ${page%.3}(3)"
	for n in $(names "$f"); do
		echo "$functions" | grep -qx "$n" ||
			fail "man/$page: names $n, which udg.h does not declare"
		grep -q "^\.Fo $n\$" "$f" ||
			fail "man/$page: $n is not in the SYNOPSIS"
	done
done

for fn in $functions; do
	pages=
	for f in "$man"/*.3; do
		[ "${f##*/}" != libudg.3 ] || continue
		names "$f" | grep -qx "$fn" && pages="$pages ${f##*/}"
	done
	case $pages in
	'')	fail "$fn: named in no section 3 page" ;;
	' '*' '*) fail "$fn: named in more than one page:$pages" ;;
	esac
done
exit $status
