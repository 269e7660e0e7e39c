#!/bin/sh
# installed-consumer.sh - build tests/consumer.c against the INSTALLED
# libudg, found through pkg-config, linked both ways (shared, and static
# with pkg-config --static), and run it; check that the installed shared
# library exports only the public functions (tests/exports.sh) and that
# every function has its manual page.
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

# The staged udg.pc comes first; what it requires (libbsd) is found where
# the system keeps it.
pkgconf() {
	PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH} \
	    PKG_CONFIG_SYSROOT_DIR=$dest $PKG_CONFIG "$@"
}
flags=$(pkgconf --cflags --libs udg) ||
	fail "pkg-config --cflags --libs udg failed"
echo "pkg-config: $flags"
case $flags in
*"-I$dest"*|*"-L$dest"*) ;;
*) fail "pkg-config flags do not point into the install: $flags" ;;
esac
version=$(pkgconf --modversion udg)

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
echo "$out" | grep -q "^version $version\$" ||
	fail "the installed udg.h and udg.pc disagree on the version"
[ ! -e "$tmp/run/srv" ] && [ ! -e "$tmp/run/cli" ] ||
	fail "sockets left behind"

# Static: pkg-config --static must name every library that libudg.a needs,
# libbsd's own private ones (libmd) included.  Linked with -Bstatic around
# them, so that only libc (and the sanitizers' run time) stay shared.
cflags=$(pkgconf --cflags udg)
static=$(pkgconf --static --libs udg) ||
	fail "pkg-config --static --libs udg failed"
echo "pkg-config --static: $static"
for l in $($PKG_CONFIG --static --libs-only-l libbsd); do
	case " $static " in
	*" $l "*) ;;
	*) fail "pkg-config --static --libs udg lacks $l (libbsd needs it)" ;;
	esac
done
missing=
for l in $($PKG_CONFIG --static --libs-only-l libbsd); do
	a=$($CC -print-file-name="lib${l#-l}.a")
	case $a in /*) ;; *) missing="$missing lib${l#-l}.a" ;; esac
done
if [ -n "$missing" ]; then
	echo "SKIP: static link:$missing not installed"
else
	# shellcheck disable=SC2086
	$CC ${UDG_SAN_CFLAGS:-} -Wall -Wextra -Werror \
	    -o "$tmp/consumer-static" "$top_srcdir/tests/consumer.c" \
	    $cflags -Wl,-Bstatic $static -Wl,-Bdynamic ||
		fail "consumer.c does not link with pkg-config --static"
	needed=$(objdump -p "$tmp/consumer-static" | sed -n 's/^ *NEEDED *//p')
	echo "static consumer needs: $(echo $needed)"
	case $needed in
	*libudg*|*libbsd*|*libmd*)
		fail "static consumer still loads a shared library: $needed" ;;
	esac
	out=$(cd "$tmp/run" && ../consumer-static srv cli) ||
		fail "static consumer failed: $out"
	echo "$out" | grep -q '^client got "hello back" from srv$' ||
		fail "static consumer: unexpected output: $out"
fi

# "man FUNCTION" works for every public function: FUNCTION.3 is there, as
# a page or a link to one, and that page names FUNCTION.
man3=$(find "$dest" -type d -name man3 | head -n 1)
[ -n "$man3" ] || fail "no man3 directory installed"
for fn in $(sed -n 's/^UDG_API[^(]*[ *]\(udg_[a-z0-9_]*\)(.*/\1/p' "$hdr"); do
	[ -f "$man3/$fn.3" ] || fail "no manual page $fn.3 installed"
	grep -q "^\.Nm $fn\( ,\)\{0,1\}\$" "$man3/$fn.3" ||
		fail "$man3/$fn.3 does not document $fn"
done
echo "manual: $(find "$man3" -name 'udg_*.3' -type l | wc -l) links," \
    "$(find "$man3" -name '*.3' -type f | wc -l) pages"

# Exports of the installed library: exactly the public functions.
UDG_SO=$so "$top_srcdir/tests/exports.sh" || fail "installed $so exports"
