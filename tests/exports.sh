#!/bin/sh
# exports.sh - the library's exports are exactly its public functions:
# the names src/libudg.map lists (plain names, no wildcard), the functions
# include/udg.h declares with UDG_API, and the dynamic symbols nm -D finds
# in the built libudg.so (or in $UDG_SO) are one and the same list.
set -eu

: "${top_builddir:?run from make check}" "${top_srcdir:?}"
NM=${NM:-nm}

map=$top_srcdir/src/libudg.map
hdr=$top_srcdir/include/udg.h
so=${UDG_SO:-$top_builddir/src/.libs/libudg.so}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/udgx.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

fail() {
	echo "exports: $*" >&2
	status=1
}

# compare what-a file-a what-b file-b: the two sorted lists are the same
compare() {
	if ! cmp -s "$2" "$4"; then
		fail "$1 and $3 differ (< $1, > $3):"
		diff "$2" "$4" >&2 || :
	fi
}

# The map: in each node's global: part, one "name;" a line.  A wildcard
# would export whatever matches it, internal functions included.
awk -v out="$tmp/map" '
	{ sub(/\/\*.*\*\//, ""); gsub(/^[ \t]+|[ \t]+$/, "") }
	$0 == "" || /^\/?\*/ { next }
	$0 == "global:" { g = 1; next }
	$0 == "local:" { g = 0; next }
	/^}/ { g = 0; next }
	g && /^[a-z_][a-z0-9_]*;$/ { sub(/;$/, ""); print >out; next }
	g { print "exports: libudg.map: not a plain symbol name: " $0 \
	    >"/dev/stderr"; bad = 1 }
	END { exit bad }' "$map" || status=1
sort "$tmp/map" >"$tmp/map.sorted"
[ -s "$tmp/map.sorted" ] || fail "libudg.map lists no symbol"
if [ -n "$(uniq -d "$tmp/map.sorted")" ]; then
	fail "libudg.map lists a name twice: $(uniq -d "$tmp/map.sorted")"
fi

# The header: every declaration that starts with UDG_API names one
# function on its first line; a line the pattern misses is an error, not
# a function left out.
grep '^UDG_API' "$hdr" >"$tmp/api" || :
sed -n 's/^UDG_API[^(]*[ *]\(udg_[a-z0-9_]*\)(.*/\1/p' "$tmp/api" |
    sort >"$tmp/header"
[ -s "$tmp/header" ] || fail "no UDG_API declaration found in udg.h"
if [ "$(wc -l <"$tmp/api")" -ne "$(wc -l <"$tmp/header")" ]; then
	fail "udg.h: UDG_API lines that declare no udg_ function by name:"
	grep -v '^UDG_API[^(]*[ *]udg_[a-z0-9_]*(' "$tmp/api" >&2 || :
fi
compare libudg.map "$tmp/map.sorted" udg.h "$tmp/header"

# The built library: every defined dynamic symbol, less the version
# nodes (absolute symbols named like UDG_0.1); each must carry a version.
[ -f "$so" ] || { fail "$so not built"; exit 1; }
"$NM" -D --defined-only "$so" >"$tmp/nm"
awk '$2 == "A" && $3 ~ /^UDG_[0-9.]+$/ { next } { print $3 }' "$tmp/nm" \
    >"$tmp/dynsym"
if grep -v '@@\{0,1\}UDG_[0-9.]*$' "$tmp/dynsym" >"$tmp/unversioned"; then
	fail "exported without a version node: $(cat "$tmp/unversioned")"
fi
sed 's/@.*//' "$tmp/dynsym" | sort >"$tmp/nm.sorted"
compare libudg.map "$tmp/map.sorted" "nm -D libudg.so" "$tmp/nm.sorted"
awk '$2 != "T" && $2 != "A" { print $3 }' "$tmp/nm" >"$tmp/notfunc"
[ ! -s "$tmp/notfunc" ] ||
	fail "exported objects that are not functions: $(cat "$tmp/notfunc")"

[ $status -ne 0 ] ||
	echo "exports: $(wc -l <"$tmp/map.sorted") functions, the same in" \
	    "libudg.map, udg.h and nm -D"
exit $status
