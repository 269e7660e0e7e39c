#!/bin/bash
# --spin in both tools: a burst is taken whole and in order whether they
# spin or not, a spin ends when the datagrams stop (an idle listener and a
# sender stuck on a stopped one use next to no CPU), one CPU turns the
# default off, and bad values are usage errors.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
S=$T/s
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)

# cpu_ticks PID: user + system time PID has used, in clock ticks.
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# cpu_over PID SECONDS: the ticks PID used in the next SECONDS.
cpu_over() {
	local a
	a=$(cpu_ticks "$1")
	sleep "$2"
	echo $(( $(cpu_ticks "$1") - a ))
}

# at_least N MIN: N is a number (not vcount's "none") and N >= MIN.
at_least() {
	[[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ]
}

# asleep PID: PID waits in the kernel (S, or D as some waits show).
asleep() {
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) in
	S|D) return 0;;
	esac
	return 1
}

seq 1 3000 | sed 's/^/line /' > "$T/in"

# burst NAME ARGS...: a listener with ARGS -v, stopped while udg-send
# (default --spin) fills its queue with 3000 lines, then let go: every
# line must arrive in order, and -v's spins/slept counts are left in
# $spins and $slept.
burst() {
	local name=$1 lpid spid
	shift
	listen -v "$@"
	lpid=$LASTPID
	kill -STOP "$lpid"
	spawn "$SEND" "$S" < "$T/in"
	spid=$LASTPID
	wait_for asleep "$spid"
	sleep 0.2
	if [ "$name" = default ]; then
		# a sender stuck on a full queue sleeps: it does not spin on
		used=$(cpu_over "$spid" 1)
		true_that "udg-send on a stopped listener's full queue used $used of $HZ ticks in 1 s (at most 30%)" \
		    [ "$used" -le $((HZ * 3 / 10)) ]
	fi
	kill -CONT "$lpid"
	reap "$spid"
	status "$name: udg-send exit 0" 0 "$RC"
	LASTPID=$lpid
	wait_for received_is 3000
	same "$name: all 3000 lines, in order" "$T/in" "$T/out"
	if [ "$name" = default ]; then
		used=$(cpu_over "$lpid" 1)
		true_that "$name: after the burst, the idle listener used $used of $HZ ticks in 1 s (at most 20%)" \
		    [ "$used" -le $((HZ / 5)) ]
	fi
	kill -TERM "$lpid"
	reap "$lpid"
	status "$name: listener exit 0" 0 "$RC"
	spins=$(vcount spins "$T/lerr")
	slept=$(vcount slept "$T/lerr")
}

# --- the default spins after a burst, and stops ----------------------------
burst default
if [ "$NCPU" -ge 2 ]; then
	true_that "default, $NCPU CPUs: the listener spun after the burst ($spins spins)" \
	    at_least "$spins" 1
	true_that "default: the burst's end ended a spin ($slept slept)" \
	    at_least "$slept" 1
else
	is "default, one CPU: no spin" 0 "$spins"
fi

# --- --spin=0 never spins ---------------------------------------------------
burst "--spin=0" --spin=0
is "--spin=0: no spin" 0 "$spins"
is "--spin=0: none slept" 0 "$slept"

# --- a long spin is still bounded -------------------------------------------
burst "--spin=10000" --spin=10000
true_that "--spin=10000: spins counted ($spins)" at_least "$spins" 1

# --- one CPU: the default is off --------------------------------------------
if command -v taskset >/dev/null 2>&1; then
	rm -f "$T/out" "$T/lerr"
	spawn taskset -c 0 "$LISTEN" -v -o "$T/out" "$S" 2>"$T/lerr"
	lpid=$LASTPID
	wait_for_socket "$S"
	kill -STOP "$lpid"
	spawn "$SEND" "$S" < "$T/in"
	spid=$LASTPID
	wait_for asleep "$spid"
	kill -CONT "$lpid"
	reap "$spid"
	LASTPID=$lpid
	wait_for received_is 3000
	kill -TERM "$lpid"
	reap "$lpid"
	same "one CPU: all 3000 lines, in order" "$T/in" "$T/out"
	is "one CPU (taskset -c 0): the default does not spin" 0 \
	    "$(vcount spins "$T/lerr")"
else
	echo "SKIP - taskset not installed (util-linux): one-CPU default"
fi

# --- udg-send --spin=0 and --spin=N deliver the same --------------------------
for v in 0 200; do
	listen -c 3000
	tmo "$SEND" --spin="$v" "$S" < "$T/in"
	status "udg-send --spin=$v: exit 0" 0 "$?"
	finish_listen
	same "udg-send --spin=$v: all 3000 lines, in order" "$T/in" "$T/out"
done

# --- bad values ----------------------------------------------------------------
for tool in "$SEND" "$LISTEN"; do
	name=${tool##*/}
	for v in x -1 +5 ' 5' 10001 ''; do
		"$tool" --spin="$v" "$S" hello > /dev/null 2> "$T/err"
		status "$name --spin='$v': exit 64" 64 "$?"
		like "$name --spin='$v': says why" "*spin*$v*:*" \
		    "$(cat "$T/err")"
	done
	like "$name --help lists --spin" "*--spin*" "$("$tool" --help)"
done
true_that "--spin=x: nothing was bound" [ ! -e "$S" ]

done_testing
