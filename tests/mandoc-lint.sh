#!/bin/sh
# mandoc-lint.sh - the man pages are mandoc -Tlint clean at warning level,
# and libudg(3) names every function that udg.h declares.
# Exit 77 (SKIP) when mandoc is not installed.

top_srcdir=${top_srcdir:-$(dirname "$0")/..}
MANDOC=${MANDOC:-mandoc}

if ! command -v "$MANDOC" >/dev/null 2>&1; then
	echo "mandoc not found: skipped"
	exit 77
fi

status=0
for page in man/libudg.3 man/udg-send.1 man/udg-listen.1 \
    man/udg_server_fd.3; do
	f=$top_srcdir/$page
	if [ ! -f "$f" ]; then
		echo "$page: missing"
		status=1
		continue
	fi
	out=$("$MANDOC" -Tlint -Wwarning "$f" 2>&1)
	rc=$?
	if [ -n "$out" ] || [ $rc -ne 0 ]; then
		printf '%s\n' "$out"
		echo "$page: mandoc -Tlint -Wwarning: exit $rc"
		status=1
	fi
done

# Every public function has a NAME entry (and so an MLINK in Makefile.am).
for fn in $(sed -n 's/^UDG_API[^(]*[ *]\(udg_[a-z_]*\)(.*/\1/p' \
    "$top_srcdir/include/udg.h"); do
	[ -f "$top_srcdir/man/$fn.3" ] && continue	# a page of its own
	if ! grep -q "^\.Nm $fn\( ,\)\{0,1\}\$" "$top_srcdir/man/libudg.3"; then
		echo "man/libudg.3: $fn missing from NAME"
		status=1
	fi
done
exit $status
