#!/bin/sh
# corpus.sh - replay the committed fuzz corpus through every target:
# each tests/fuzz/replay-NAME over tests/fuzz/corpus/NAME/.  A target that
# aborts (a broken property) or a missing or empty corpus fails the test.

top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}

status=0
for name in vis json syslog records num; do
	dir=$top_srcdir/tests/fuzz/corpus/$name
	bin=$top_builddir/tests/fuzz/replay-$name
	n=$(find "$dir" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ]; then
		echo "FAIL $name: no seeds in $dir"
		status=1
		continue
	fi
	if out=$("$bin" "$dir" 2>&1); then
		echo "ok   $name: $(printf '%s\n' "$out" | tail -n 1)"
	else
		# the last input named is the one the target stopped at
		echo "FAIL $name: $bin $dir"
		printf '%s\n' "$out" | tail -n 5
		status=1
	fi
done
exit $status
