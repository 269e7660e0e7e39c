#!/bin/bash
# udg-send and SIGTERM: wherever it waits (room in a full queue, input that
# does not come, a listener that is not there yet, a reply), it exits at
# once, dead of the signal, with its socket file (and the lock of a -b
# socket) removed; with -v it still reports its counts.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
S=$T/s
mkfifo "$T/in"
seq 1 200 > "$T/lines"

# client_socket MODE: the socket udg-send binds ("-b": $T/me, else the
# automatic one in $T/udg); true once it is there.
client_socket() {
	if [ "$1" = -b ]; then
		[ -S "$T/me" ]
	else
		[ "$(sockets_in "$T/udg")" -ge 1 ]
	fi
}

# term_check WHAT MODE: udg-send (LASTPID, stderr in $T/err) is waiting in
# WHAT; SIGTERM it and check that it goes within a generous bound, dies of
# the signal, and leaves no socket or lock behind.
term_check() {
	local what=$1 mode=$2 pid=$LASTPID
	wait_for client_socket "$mode"
	sleep 0.3		# (into its wait)
	true_that "$what ($mode): still waiting before the signal" alive "$pid"
	kill -TERM "$pid"
	if wait_gone "$pid" 3; then
		ok "$what ($mode): SIGTERM ends it at once"
	else
		bad "$what ($mode): still running 3 s after SIGTERM"
	fi
	reap "$pid" 5
	status "$what ($mode): died of SIGTERM (143)" 143 "$RC"
	if [ "$mode" = -b ]; then
		true_that "$what ($mode): -b socket removed" [ ! -e "$T/me" ]
		true_that "$what ($mode): its lock removed" \
		    [ ! -e "$T/me.lock" ]
	else
		is "$what ($mode): automatic socket removed" 0 \
		    "$(sockets_in "$T/udg")"
	fi
}

# bindopt MODE: the -b option for MODE, or nothing.
bindopt() {
	[ "$1" = -b ] && echo "-b $T/me"
}

for mode in -b auto; do
	# A full queue: the listener is stopped, so the 200 lines cannot all
	# go in.
	listen -R
	lpid=$LASTPID
	kill -STOP "$lpid"
	# shellcheck disable=SC2046 # bindopt is one option or none
	spawn "$SEND" $(bindopt "$mode") "$S" <"$T/lines" 2>"$T/err"
	term_check "blocked on a full queue" "$mode"
	kill -CONT "$lpid"
	kill -TERM "$lpid"
	reap "$lpid"

	# Standard input that gives nothing (a FIFO held open by us).
	listen -R
	lpid=$LASTPID
	exec 3<>"$T/in"
	# shellcheck disable=SC2046
	spawn "$SEND" $(bindopt "$mode") "$S" <"$T/in" 2>"$T/err" 3>&-
	term_check "reading an idle stdin" "$mode"
	exec 3>&-
	kill -TERM "$lpid"
	reap "$lpid"

	# -W: nobody listens yet.
	# shellcheck disable=SC2046
	spawn "$SEND" $(bindopt "$mode") -W 60 "$S" m 2>"$T/err"
	term_check "waiting for a listener (-W)" "$mode"

	# -r: a listener that never answers.
	listen -R
	lpid=$LASTPID
	# shellcheck disable=SC2046
	spawn "$SEND" $(bindopt "$mode") -r -t 60 "$S" m >/dev/null 2>"$T/err"
	term_check "waiting for a reply (-r)" "$mode"
	kill -TERM "$lpid"
	reap "$lpid"
done

# -r with a reader of stdout that stops reading: the replies fill the pipe
# (64 KiB), and SIGTERM still ends udg-send there.  The test holds the
# FIFO's read end open and never reads.
mkfifo "$T/outfifo"
exec 4<>"$T/outfifo"
for ((i = 0; i < 300; i++)); do printf '%0999d\n' "$i"; done >"$T/big"
for mode in -b auto; do
	listen -R --echo
	lpid=$LASTPID
	# shellcheck disable=SC2046
	spawn "$SEND" $(bindopt "$mode") -r "$S" <"$T/big" >"$T/outfifo" \
	    2>"$T/err" 4>&-
	wait_for client_socket "$mode"
	sleep 1		# (until the pipe is full)
	term_check "writing replies to a full pipe (-r)" "$mode"
	kill -TERM "$lpid"
	reap "$lpid"
done
exec 4>&-

# SIGINT and SIGHUP end it the same way; -v still reports at the signal.
listen -R
lpid=$LASTPID
for sig in INT HUP; do
	exec 3<>"$T/in"
	spawn "$SEND" -v "$S" <"$T/in" 2>"$T/err" 3>&-
	pid=$LASTPID
	echo one >&3
	wait_for client_socket auto
	wait_for grep -q one "$T/out"
	kill -"$sig" "$pid"
	reap "$pid" 5
	status "SIG$sig while reading: died of it" \
	    $((128 + $(kill -l "$sig"))) "$RC"
	is "SIG$sig: automatic socket removed" 0 "$(sockets_in "$T/udg")"
	like "SIG$sig with -v: the count is reported" "*sent 1*" \
	    "$(cat "$T/err")"
	exec 3>&-
	: > "$T/out"
done
kill -TERM "$lpid"
reap "$lpid"

done_testing
