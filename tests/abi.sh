#!/bin/sh
# abi.sh check|update LIBRARY HEADERS-DIR BASELINE LT-VERSION
# The ABI of the built shared library against the committed baseline
# (make abi-check, make abi-update).
#
# The baseline is what abidw(1) reads in LIBRARY's debug information about
# the functions and types that the headers in HEADERS-DIR declare, with the
# -version-info (current:revision:age) it was made with.  "check" compares
# the library with it (abidiff) and fails unless the -version-info now in
# configure.ac follows libtool's rules for what changed:
#   no change                           anything
#   functions or variables only added   current+1 and age+1 (same soname)
#   anything else (a removed function,  current+1 and age 0 (a new soname)
#   a changed type or prototype)
# "update" writes the baseline from LIBRARY, after a release or a bump.
set -eu

usage() {
	echo "usage: abi.sh check|update library headers-dir baseline" \
	    "current:revision:age" >&2
	exit 64
}
[ $# -eq 5 ] || usage
mode=$1 lib=$2 hdrs=$3 base=$4 lt=$5
ABIDW=${ABIDW:-abidw}
ABIDIFF=${ABIDIFF:-abidiff}

case $mode in check|update) ;; *) usage ;; esac
for t in "$ABIDW" "$ABIDIFF"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "abi: $t not found: install libabigail's tools" \
		    "(Debian: abigail-tools) and run configure again" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/udgabi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The library's ABI: exported functions and the public types they reach,
# without locations or build paths, so that where it was built does not
# show in the baseline.  The -version-info goes in as a comment after the
# first line (abidiff reads the first to know the format).
if ! "$ABIDW" --headers-dir "$hdrs" --drop-private-types --no-corpus-path \
    --no-comp-dir-path --no-show-locs --type-id-style hash "$lib" \
    >"$tmp/abi" 2>"$tmp/abidw.err" || ! grep -q '<function-decl' "$tmp/abi"
then
	cat "$tmp/abidw.err" >&2
	echo "abi: abidw found no functions in $lib:" \
	    "it needs debug information (CFLAGS with -g)" >&2
	exit 1
fi
sed -e "s|path='[^']*/\(src/[^'/]*\)'|path='\1'|" \
    -e "1a\\
  <!-- libudg -version-info $lt; written by make abi-update -->" \
    "$tmp/abi" >"$tmp/new.abi"

if [ "$mode" = update ]; then
	cp "$tmp/new.abi" "$base"
	echo "abi: $base updated (-version-info $lt)"
	exit 0
fi

old=$(sed -n '2s/.*-version-info \([0-9]*:[0-9]*:[0-9]*\).*/\1/p' "$base")
[ -n "$old" ] || { echo "abi: $base: no -version-info on line 2" >&2; exit 1; }
echo "abi: $base was made with -version-info $old; now $lt"
IFS=: read -r oc or oa <<EOT
$old
EOT
IFS=: read -r nc nr na <<EOT
$lt
EOT
: "$or" "$nr"
soname=$(sed -n "1s/.* soname='\([^']*\)'.*/\1/p" "$tmp/abi")
if [ "$soname" != "libudg.so.$((nc - na))" ]; then
	echo "abi: $lib has soname $soname, but -version-info $lt makes" \
	    "libudg.so.$((nc - na)): build it again" >&2
	exit 1
fi

rc=0
"$ABIDIFF" --no-show-locs "$base" "$tmp/new.abi" >"$tmp/report" || rc=$?
if [ $((rc & 3)) -ne 0 ]; then
	cat "$tmp/report" >&2
	echo "abi: abidiff failed (exit $rc)" >&2
	exit 1
fi
if [ $rc -eq 0 ]; then
	echo "abi: no change"
	exit 0
fi
cat "$tmp/report"

# abidiff flags only removed symbols as incompatible by itself; a changed
# struct or prototype is "a change" to review.  So anything but additions
# is taken as incompatible.
others=$(sed -n 's/^.*changes summary: \(.*\)$/\1/p' "$tmp/report" |
    grep -v '^0 Removed, 0 Changed\( ([0-9]* filtered out)\)\{0,1\}, [0-9]* Added' |
    grep -v '^0 Removed, [0-9]* Added' || :)
if [ $((rc & 8)) -eq 0 ] && [ -z "$others" ] &&
    grep -q 'changes summary: .*[1-9][0-9]* Added' "$tmp/report"; then
	if [ "$nc" -gt "$oc" ] && [ "$na" -gt "$oa" ] &&
	    [ $((nc - na)) -eq $((oc - oa)) ]; then
		echo "abi: interfaces added, -version-info bumped: ok" \
		    "(make abi-update records the new baseline)"
		exit 0
	fi
	echo "abi: FAIL: interfaces were added: -version-info must go from" \
	    "$old to $((oc + 1)):0:$((oa + 1)) (configure.ac)" >&2
	exit 1
fi
if [ "$nc" -gt "$oc" ] && [ "$na" -eq 0 ]; then
	echo "abi: incompatible change, -version-info bumped to a new" \
	    "soname: ok (make abi-update records the new baseline)"
	exit 0
fi
echo "abi: FAIL: an incompatible change: -version-info must go from" \
    "$old to $((oc + 1)):0:0 (configure.ac), or the change be undone" >&2
exit 1
