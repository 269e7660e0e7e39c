#!/bin/bash
# Interop with a real log engine, rsyslogd, run in the foreground with a
# private config and no system inputs: its omuxsock action forwarding into
# udg-listen -s; udg-listen --forward into its imuxsock input and omfile;
# and on over omfwd TCP on loopback to a second rsyslogd ("central") with
# udg's structured data intact.  No rsyslogd is a SKIP.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || skip "rsyslogd not installed (Debian package rsyslog)"
S=$T/s

# rsyslog NAME CONFIG-BODY: write $T/NAME.conf and start rsyslogd on it
# in the foreground; its pid is LASTPID.  Every config gets its own work
# directory and uses no system socket.
rsyslog() {
	mkdir -p "$T/$1.d"
	{
		echo "global(workDirectory=\"$T/$1.d\")"
		printf '%s\n' \
		    'template(name="raw" type="string" string="%rawmsg%\n")'
		echo "$2"
	} > "$T/$1.conf"
	spawn "$RSYSLOGD" -n -f "$T/$1.conf" -i "$T/$1.pid" 2>"$T/$1.err"
}

# imuxsock_conf PATH [PARAMS]: an imuxsock input on PATH, no rate limit,
# no system socket.
imuxsock_conf() {
	echo 'module(load="imuxsock" SysSock.Use="off")'
	echo "input(type=\"imuxsock\" Socket=\"$1\" RateLimit.Interval=\"0\"" \
	    "${2:-})"
}

# The parsers that read RFC 5424 too: imuxsock's own one reads only what
# syslog(3) sends.
FULL_PARSE='UseSpecialParser="off" ParseHostname="on"'


# lines_in FILE N: FILE has at least N lines.
# shellcheck disable=SC2317 # called through wait_for
lines_in() {
	[ "$(wc -l < "$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

# has_forward: this udg-listen has --forward (else the tests say SKIP).
has_forward() {
	"$LISTEN" --help 2>&1 | grep -q -- '--forward'
}

# free_port: an unused TCP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# listening_on PORT: something accepts TCP connections on 127.0.0.1:PORT.
# shellcheck disable=SC2317 # called through wait_for
listening_on() {
	"$PY" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" \
	    2>/dev/null
}

# --- rsyslog omuxsock → udg-listen -s ------------------------------------------
# rsyslog forwards what its imuxsock input gets to our socket, as RFC 3164
# with its own timestamp and host name; the kernel names rsyslogd as the
# sender, whatever the line claims.
test_omuxsock_into_listen() {
	listen -s -C -c 2
	local lpid=$LASTPID rpid
	rsyslog omux "$(imuxsock_conf "$T/in")
\$ModLoad omuxsock
\$OMUxSockSocket $S
*.* :omuxsock:"
	rpid=$LASTPID
	wait_for_socket "$T/in"
	tmo "$SEND" "$T/in" '<13>myapp[42]: hello through rsyslog'
	tmo "$SEND" "$T/in" '<163>other: local4.err line'
	LASTPID=$lpid
	finish_listen
	kill -TERM "$rpid" 2>/dev/null
	reap "$rpid"
	like "omuxsock → -s: rsyslogd (pid $rpid) sent it; user.notice, tag" \
	    "$rpid * * user.notice: * myapp\[42\]: hello through rsyslog" \
	    "$(sed -n 1p "$T/out")"
	like "omuxsock → -s: local4.err" \
	    "$rpid * * local4.err: * other: local4.err line" \
	    "$(sed -n 2p "$T/out")"
	is "omuxsock → -s: nothing else" 2 "$(wc -l < "$T/out")"
}

# --- udg-listen --forward → rsyslog imuxsock → omfile -------------------------
test_forward_to_imuxsock() {
	if ! has_forward; then
		echo "SKIP: --forward to rsyslog imuxsock: udg-listen has no" \
		    "--forward"
		return
	fi
	rsyslog local "$(imuxsock_conf "$T/log" "$FULL_PARSE")
template(name=\"sd\" type=\"string\"
    string=\"%app-name%|%structured-data%|%msg%\\n\")
action(type=\"omfile\" file=\"$T/local.raw\" template=\"raw\")
action(type=\"omfile\" file=\"$T/local.sd\" template=\"sd\")"
	local rpid=$LASTPID
	wait_for_socket "$T/log"

	# raw: the payload, unchanged
	listen -s --forward "$T/log" -c 1
	with_id "$T/id" "$SEND" "$S" '<13>rawapp: forwarded as it came'
	finish_listen
	wait_for lines_in "$T/local.raw" 1
	is "--forward raw → imuxsock: the payload unchanged" \
	    '<13>rawapp: forwarded as it came' "$(sed -n 1p "$T/local.raw")"

	# rfc5424: the sender's verified identity as structured data
	listen -s --forward "$T/log" --forward-format rfc5424 -c 1
	with_id "$T/id" "$SEND" "$S" '<14>sdapp[1]: with identity'
	finish_listen
	local pid uid gid
	read -r pid uid gid < "$T/id"
	wait_for lines_in "$T/local.sd" 2
	like "--forward rfc5424 → imuxsock: app, udg SD, message" \
	    "sdapp|\[udg@32473 pid=\"$pid\" uid=\"$uid\" gid=\"$gid\"*\]|*with identity" \
	    "$(sed -n 2p "$T/local.sd")"
	kill -TERM "$rpid" 2>/dev/null
	reap "$rpid"
}

# --- … and on over omfwd TCP to a central rsyslogd ----------------------------
test_forward_to_central() {
	if ! has_forward; then
		echo "SKIP: --forward on to a central rsyslogd over TCP:" \
		    "udg-listen has no --forward"
		return
	fi
	local port cpid rpid pid uid gid
	port=$(free_port)
	rsyslog central "module(load=\"imtcp\")
input(type=\"imtcp\" address=\"127.0.0.1\" port=\"$port\")
template(name=\"sd\" type=\"string\"
    string=\"%hostname%|%app-name%|%structured-data%|%msg%\\n\")
action(type=\"omfile\" file=\"$T/central.sd\" template=\"sd\")"
	cpid=$LASTPID
	wait_for listening_on "$port"
	rsyslog edge "$(imuxsock_conf "$T/log2" "$FULL_PARSE")
action(type=\"omfwd\" target=\"127.0.0.1\" port=\"$port\" protocol=\"tcp\"
    template=\"RSYSLOG_SyslogProtocol23Format\")"
	rpid=$LASTPID
	wait_for_socket "$T/log2"
	listen -s --forward "$T/log2" --forward-format rfc5424 -c 1
	with_id "$T/id" "$SEND" "$S" '<13>fleetapp: to the central host'
	finish_listen
	read -r pid uid gid < "$T/id"
	wait_for lines_in "$T/central.sd" 1
	like "central: udg SD intact after omfwd TCP" \
	    "*|fleetapp|\[udg@32473 pid=\"$pid\" uid=\"$uid\" gid=\"$gid\"*\]|*to the central host" \
	    "$(grep fleetapp "$T/central.sd")"
	kill -TERM "$rpid" "$cpid" 2>/dev/null
	reap "$rpid"
	reap "$cpid"
}

test_omuxsock_into_listen
test_forward_to_imuxsock
test_forward_to_central
done_testing
