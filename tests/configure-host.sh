#!/bin/sh
# configure-host.sh - configure refuses a system that is not Linux, at
# once and saying why, rather than building a library that cannot work.
set -eu

: "${top_srcdir:?run from make check}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/udgh.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

for host in x86_64-unknown-freebsd14.0 x86_64-apple-darwin23; do
	if (cd "$tmp" && "$top_srcdir/configure" --host="$host" \
	    >out 2>err); then
		echo "configure-host: configure --host=$host succeeded" >&2
		exit 1
	fi
	if ! grep -q "error: udg supports Linux only, not ${host#*-*-}" \
	    "$tmp/err"; then
		cat "$tmp/err" >&2
		echo "configure-host: --host=$host: not the Linux-only error" >&2
		exit 1
	fi
	echo "--host=$host: $(grep 'error:' "$tmp/err")"
done
