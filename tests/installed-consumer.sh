#!/bin/sh
# installed-consumer.sh - build tests/consumer.c against the INSTALLED
# libudg, found through pkg-config, run it, and check that the installed
# shared library exports only udg_* symbols.
#
# The build is installed with DESTDIR into a temp dir.  udg.pc names the
# configured prefix, so pkg-config is pointed at the staged tree with
# PKG_CONFIG_SYSROOT_DIR, which prefixes its -I and -L paths: the same
# mechanism packagers use, and it works whatever --libdir was.
set -eu

: "${top_builddir:?run from make check}" "${top_srcdir:?}"
MAKE=${MAKE:-make}
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/udgc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/dest

fail() {
	echo "installed-consumer: $*" >&2
	exit 1
}

# A nested make must not inherit the outer check's target list.
if ! (unset MAKEFLAGS MFLAGS; cd "$top_builddir" && \
    $MAKE install DESTDIR="$dest") >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log" >&2
	fail "make install DESTDIR=$dest failed"
fi

pc=$(find "$dest" -name udg.pc | head -n 1)
[ -n "$pc" ] || fail "no udg.pc installed"
so=$(find "$dest" -name 'libudg.so' | head -n 1)
[ -n "$so" ] || fail "no libudg.so installed"
hdr=$(find "$dest" -name udg.h | head -n 1)
[ -n "$hdr" ] || fail "no udg.h installed"
libdir=$(dirname "$so")

flags=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_LIBDIR= \
    PKG_CONFIG_SYSROOT_DIR=$dest $PKG_CONFIG --cflags --libs udg) ||
	fail "pkg-config --cflags --libs udg failed"
echo "pkg-config: $flags"
case $flags in
*"-I$dest"*|*"-L$dest"*) ;;
*) fail "pkg-config flags do not point into the install: $flags" ;;
esac

# Only the installed header: no -I into the source or build tree.
# shellcheck disable=SC2086
$CC ${UDG_SAN_CFLAGS:-} -Wall -Wextra -Werror -o "$tmp/consumer" \
    "$top_srcdir/tests/consumer.c" $flags ||
	fail "consumer.c does not build against the installed library"

# It must load the installed copy, not one from the build tree.
ldd_out=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer" 2>/dev/null || :)
case $ldd_out in
*"$libdir/libudg.so"*) ;;
*) fail "consumer does not load $libdir/libudg.so: $ldd_out" ;;
esac

mkdir "$tmp/run"
out=$(cd "$tmp/run" && LD_LIBRARY_PATH=$libdir ./../consumer srv cli) ||
	fail "consumer failed: $out"
echo "$out"
uid=$(id -u)
gid=$(id -g)
echo "$out" | grep -q "^server got \"hello\" from cli pid=[1-9][0-9]* uid=$uid gid=$gid\$" ||
	fail "unexpected server line"
echo "$out" | grep -q '^client got "hello back" from srv$' ||
	fail "unexpected client line"
[ ! -e "$tmp/run/srv" ] && [ ! -e "$tmp/run/cli" ] ||
	fail "sockets left behind"

# Exports: every defined dynamic symbol is udg_* (the version node, an
# absolute symbol, aside), and every function the header declares is there.
# nm prints versioned names as udg_x@@UDG_0.1: keep the name.
nm -D --defined-only "$so" | awk '
	$2 == "A" && $3 ~ /^UDG_[0-9.]+$/ { next }
	{ sub(/@.*/, "", $3); print $3 }' | sort >"$tmp/exported"
[ -s "$tmp/exported" ] || fail "nm -D lists nothing"
if grep -v '^udg_' "$tmp/exported" >"$tmp/foreign"; then
	fail "exports outside udg_*: $(tr '\n' ' ' <"$tmp/foreign")"
fi
sed -n 's/^UDG_API[^(]*[ *]\(udg_[a-z_]*\)(.*/\1/p' "$hdr" | sort \
    >"$tmp/declared"
[ -s "$tmp/declared" ] || fail "no UDG_API declarations found in udg.h"
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
	diff "$tmp/declared" "$tmp/exported" >&2 || :
	fail "exported symbols differ from the functions udg.h declares"
fi
echo "exports: $(wc -l <"$tmp/exported") udg_* symbols, nothing else"
