#!/bin/sh
# version.sh - UDG_VERSION in the installed header is the package version:
# configure took it from include/udg.h, so config.h's PACKAGE_VERSION and
# udg.pc's Version: must both say the same.
set -eu

: "${top_builddir:?run from make check}" "${top_srcdir:?}"

header=$(sed -n 's/^#define UDG_VERSION[^"]*"\(.*\)".*/\1/p' \
    "$top_srcdir/include/udg.h")
config=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$top_builddir/config.h")
pc=$(sed -n 's/^Version: *//p' "$top_builddir/src/udg.pc")

echo "udg.h UDG_VERSION: $header"
echo "config.h PACKAGE_VERSION: $config"
echo "udg.pc Version: $pc"
case $header in
[0-9]*.[0-9]*.[0-9]*) ;;
*)	echo "version: UDG_VERSION is not MAJOR.MINOR.PATCH: '$header'" >&2
	exit 1 ;;
esac
if [ "$header" != "$config" ] || [ "$header" != "$pc" ]; then
	echo "version: they differ; rerun autoreconf and configure" >&2
	exit 1
fi
