#!/bin/bash
# udg-send -W: the wait counts from each time the listener goes missing,
# before the first datagram and after a restart in the middle of input.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
S=$T/s

# The sender starts with -W 3 and a listener there; the second line comes
# 4 s later (so a wait counted from the start would be over), when the
# listener has gone; a new one comes 0.5 s after that.
mkfifo "$T/in"
listen -R -c 1
lpid=$LASTPID
exec 3<>"$T/in"		# (read-write: opening it does not wait for a peer)
spawn tmo "$SEND" -W 3 "$S" <"$T/in" 2>"$T/err" 3>&-
spid=$LASTPID
echo one >&3
reap "$lpid"
status "first listener: got one line and ended" 0 "$RC"
is "first listener: the first line" one "$(cat "$T/out")"
sleep 4
echo two >&3
sleep 0.5
rm -f "$T/out"
spawn "$LISTEN" -R -c 1 -o "$T/out" "$S" 2>"$T/lerr" 3>&-
lpid=$LASTPID
reap "$lpid"
status "second listener: got a line and ended" 0 "$RC"
is "restart mid-stream: the line after it waited for the new listener" \
    two "$(cat "$T/out")"
exec 3>&-
reap "$spid"
status "-W 3 across a restart 4 s after the start: exit 0" 0 "$RC"
is "-W: no message" "" "$(cat "$T/err")"

# Still bounded: a listener that does not come back gives 69 after -W.
listen -R -c 1
lpid=$LASTPID
{ echo a; sleep 1; echo b; } | tmo "$SEND" -W 0.5 "$S" 2>"$T/err"
status "-W 0.5, the listener does not come back: 69" 69 $?
like "-W: the message says the listener went away and counts" \
    "*$S*went away*sent 1 datagram*" "$(cat "$T/err")"
reap "$lpid"

done_testing
