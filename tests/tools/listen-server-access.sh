#!/bin/bash
# udg-listen -u/-G filter before a -j command or the -E worker sees a
# byte: a sender that really is someone else (nobody, 65534, made with
# setpriv) is dropped, and its payload reaches neither.  Needs root.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to send as another user"
need setpriv util-linux
need logger bsdutils
S=$T/s
NOBODY=65534
getent passwd "$NOBODY" >/dev/null || skip "no user $NOBODY (nobody)"
# nobody must reach $S: $T is searchable, the socket writable (-m 0666).
chmod 0711 "$T"

# as_nobody CMD...: run CMD as uid/gid 65534 with no extra groups.
as_nobody() {
	tmo setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups "$@"
}

export MARK=$T/seen
# shellcheck disable=SC2016
for mode in "-j 2 -e" "-E"; do
	: >"$MARK"
	case $mode in
	-E) cmd='while read -r l; do echo "$l" >> "$MARK"; echo "$l"; done' ;;
	*) cmd='cat >> "$MARK"; echo >> "$MARK"; echo ok' ;;
	esac
	# shellcheck disable=SC2086 # the words are the options
	listen -m 0666 -v -c 1 -u 0 $mode "$cmd"
	as_nobody logger --socket "$S" -t t "SECRET from nobody"
	tmo "$SEND" -r -t 10 "$S" from root >/dev/null 2>"$T/err"
	status "-u 0 $mode: root is answered" 0 $?
	finish_listen
	is "-u 0 $mode: only root's request reached it" "from root" \
	    "$(tr -d '\n' < "$MARK")"
	is "-u 0 $mode: nobody's is counted as dropped" 1 \
	    "$(vcount dropped "$T/lerr")"
	is "-u 0 $mode: its payload is not on stderr" "" \
	    "$(grep SECRET "$T/lerr")"
done

done_testing
