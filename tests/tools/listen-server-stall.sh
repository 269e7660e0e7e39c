#!/bin/bash
# udg-listen servers beside senders that do not read their replies: a
# reply that waits for room costs neither the worker nor other senders.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# --- -E -T: a reply waiting for room is not the worker's delay ---------------
# A sender that never reads gets 14 requests' replies: its queue takes 10
# or 11, the next waits a second for room, and the worker's replies behind
# it stay in its pipe meanwhile.  The worker answered them all at once:
# a -T far shorter than that second must not end it.
listen -v -T 0.3 -E cat
tmo "$PY" - "$S" "$T/mute" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
for i in range(14):
    s.sendto(b"mute %d" % i, sys.argv[1])
time.sleep(2)
EOF
tmo "$SEND" -r -t 5 "$S" after >"$T/o" 2>"$T/err"
is "-E -T, replies held for a sender that does not read: next one answered" \
    after "$(cat "$T/o")"
kill -TERM "$LASTPID"
reap "$LASTPID"
status "-E -T, replies held: the listener exits 0" 0 "$RC"
like "-E -T, replies held: the dropped replies are reported" \
    "*reply to $T/mute dropped*" "$(cat "$T/lerr")"
is "-E -T, replies held: the worker was not ended" 0 \
    "$(grep -c 'waited past -T' "$T/lerr")"
is "-E -T, replies held: no request unanswered (-v)" 0 \
    "$(grep -o 'unanswered [0-9]*' "$T/lerr" | grep -o '[0-9]*')"

done_testing
