#!/bin/bash
# udg-listen --forward into s6-socklog (skalibs' s6), a /dev/log
# compatible sink that prints one line per datagram: the raw payload
# arrives with its PRI intact, the RFC 5424 form with the sender's
# identity.  No s6-socklog is a SKIP.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need s6-socklog s6
S=$T/s
L=$T/log

# socklog [-r]: s6-socklog on $L printing to $T/s6out; its pid is SPID.
socklog() {
	spawn s6-socklog "$@" -x "$L" > "$T/s6out"
	SPID=$LASTPID
	wait_for_socket "$L"
}

# has_line FILE: FILE has a whole line (for wait_for).
# shellcheck disable=SC2317 # called through wait_for
has_line() {
	[ "$( { wc -l < "$1"; } 2>/dev/null || echo 0)" -ge 1 ]
}

socklog
listen -s --forward "$L" -c 1
tmo "$SEND" "$S" '<14>myapp[3]: via udg'
finish_listen
wait_for has_line "$T/s6out"
is "raw → s6-socklog: it decodes the PRI the sender chose" \
    'user.info: myapp[3]: via udg' "$(cat "$T/s6out")"
kill -TERM "$SPID"
reap "$SPID"

socklog -r
listen -s --forward "$L" --forward-format rfc5424 -c 1
with_id "$T/id" "$SEND" "$S" '<13>other: with identity'
finish_listen
read -r pid uid gid < "$T/id"
wait_for has_line "$T/s6out"
like "rfc5424 → s6-socklog -r: the message with udg's element" \
    "<13>1 * other $pid - \[udg@32473 pid=\"$pid\" uid=\"$uid\" gid=\"$gid\"\] with identity" \
    "$(cat "$T/s6out")"
kill -TERM "$SPID"
reap "$SPID"

done_testing
