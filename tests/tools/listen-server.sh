#!/bin/bash
# udg-listen -e with -j JOBS: commands for different senders run at once,
# one sender's requests are answered in the order sent, every reply goes
# to its own sender, and what cannot be started yet waits in the kernel.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
need_python
S=$T/s

# waitall PID...: wait for each (our children); ALL=1 if all exited 0.
waitall() {
	local p
	ALL=1
	for p in "$@"; do
		wait "$p" || ALL=0
	done
}

# --- usage -----------------------------------------------------------------
"$LISTEN" -j 2 "$S" 2>"$T/err"
status "-j without -e: usage error" 64 $?
like "-j without -e: says why" "*-j needs -e*" "$(cat "$T/err")"
"$LISTEN" -T 1 "$S" 2>"$T/err"
status "-T without -e or -E: usage error" 64 $?
like "-T without -e or -E: says why" "*-T needs -e or -E*" "$(cat "$T/err")"
for bad in 0 -1 257 x; do
	"$LISTEN" -j "$bad" -e cat "$S" 2>"$T/err"
	status "-j $bad: usage error" 64 $?
done
true_that "usage errors bind nothing" [ ! -e "$S" ]
"$LISTEN" -h >"$T/o"
like "--help lists --jobs" "*-j jobs*" "$(cat "$T/o")"

# --- 8 senders, a command that takes a second, -j 8: they overlap ------------
# Each command logs when it starts and ends: all 8 must have been running
# at one moment (no timing bound needed for that), and the whole takes far
# less than the 8 s one at a time would.
export RUNLOG=$T/runlog
: >"$RUNLOG"
# shellcheck disable=SC2016
listen -j 8 -c 8 -e 'echo "start $(date +%s.%N)" >> "$RUNLOG"; sleep 1
	echo "end $(date +%s.%N)" >> "$RUNLOG"; printf "for %s" "$(cat)"'
t0=$EPOCHREALTIME
pids=()
for i in 1 2 3 4 5 6 7 8; do
	"$SEND" -r -t 20 -b "$T/c$i" "$S" "sender $i" >"$T/o$i" 2>"$T/e$i" &
	pids+=("$!")
done
waitall "${pids[@]}"
ms=$(elapsed_ms "$t0")
is "-j 8: every udg-send -r exits 0" 1 "$ALL"
ok_replies=0
for i in 1 2 3 4 5 6 7 8; do
	[ "$(cat "$T/o$i")" = "for sender $i" ] && ok_replies=$((ok_replies + 1))
done
is "-j 8: each sender gets the reply to its own request" 8 "$ok_replies"
echo "  (8 requests of 1 s each took $ms ms)"
is "-j 8: all 8 commands were running at one moment" yes "$(awk '
	$1 == "start" && $2 > s { s = $2 } $1 == "end" && (e == "" || $2 < e) {
	e = $2 } END { print NR == 16 && s < e ? "yes" : "no" }' "$RUNLOG")"
true_that "-j 8: 8 x 1 s answered in under 4 s (one at a time: 8 s)" \
    [ "$ms" -lt 4000 ]
finish_listen

# --- one sender's requests in order, even when a later one is quicker ---------
# Each request names how long its command sleeps; sent without waiting,
# "9 8 7 0" would come back as "0 7 8 9" if they ran side by side.  A
# second sender meanwhile is not held up by the first.
# shellcheck disable=SC2016 # for the command's shell
listen -j 4 -c 6 -e 'read n; sleep "0.$n"; printf %s "$n"'
pyclient a 4 9 8 7 0 >"$T/oa" &
apid=$!
sleep 0.1
pyclient b 2 1 0 >"$T/ob"
is "-j 4: another sender is answered meanwhile" "$(printf '1\n0')" \
    "$(cat "$T/ob")"
true_that "-j 4: ... before the first sender's last reply" alive "$apid"
wait "$apid"
is "-j 4: one sender's replies in the order it asked" \
    "$(printf '9\n8\n7\n0')" "$(cat "$T/oa")"
finish_listen

# --- -I: a request kept for its turn still names its sender -----------------
# The second and third wait while the first runs; the sender is alive
# throughout (it waits for its replies), so all three can be vouched for.
pyexe=$("$PY" -c 'import os; print(os.readlink("/proc/self/exe"))')
# shellcheck disable=SC2016 # for the command's shell
listen -j 2 -c 3 -I -e 'read n; sleep "0.$n"; printf "%s %s" "$n" "$UDG_EXE"'
pyclient a 3 3 2 1 >"$T/oa"
finish_listen
is "-j -I: kept requests get UDG_EXE too" \
    "$(printf '3 %s\n2 %s\n1 %s' "$pyexe" "$pyexe" "$pyexe")" \
    "$(cat "$T/oa")"

# --- back-pressure: all -j jobs busy, the rest stays in the kernel's queue -----
# Commands that never end and a sender that does not block: the listener
# takes only what it can run or keep (two here: one running, one waiting
# for it), so the sender soon finds the queue full.  A listener that read
# everything would accept all 2000.
listen -j 2 -e 'sleep 30'
pyflood flood 2000 0 >"$T/o"
sent=$(cat "$T/o")
echo "  (a non-blocking flood got $sent datagrams in)"
true_that "-j 2, all busy: the flood is held in the kernel (took $sent < 100)" \
    [ "${sent:-2000}" -lt 100 ]
lpid=$LASTPID
kill -TERM "$lpid"
reap "$lpid" 5
status "-j 2, busy: SIGTERM stops it" 0 "$RC"

# --- nothing dropped: blocking senders, more than the queue holds --------------
listen -v -j 3 -c 60 -e 'sleep 0.01; cat'
pids=()
for c in 1 2 3 4; do
	seq -f "c$c-%g" 1 15 >"$T/in$c"
	"$SEND" -r -t 10 -b "$T/b$c" "$S" <"$T/in$c" >"$T/ob$c" 2>"$T/eb$c" &
	pids+=("$!")
done
waitall "${pids[@]}"
is "-j 3, 4 blocking senders x 15: every udg-send -r exits 0" 1 "$ALL"
inorder=0
for c in 1 2 3 4; do
	cmp -s "$T/in$c" "$T/ob$c" && inorder=$((inorder + 1))
done
is "-j 3: each sender got its 15 replies, in order" 4 "$inorder"
finish_listen
is "-j 3: all 60 received" 60 "$(vcount received "$T/lerr")"

# --- -T applies to each command ----------------------------------------------
# Four commands that would run for 30 s: each is killed after 0.5 s, and
# its sender gets no reply (a timed-out command is no answer).
export PIDS=$T/pids
: >"$PIDS"
# shellcheck disable=SC2016
listen -j 4 -T 0.5 -e 'echo $$ >> "$PIDS"; exec sleep 30'
lpid=$LASTPID
pids=()
for i in 1 2 3 4; do
	"$SEND" -r -t 3 -b "$T/t$i" "$S" "slow $i" >"$T/ot$i" 2>/dev/null &
	pids+=("$!")
done
four_started() {
	[ "$(wc -l < "$PIDS")" -eq 4 ]
}
none_left() {
	local p
	while read -r p; do
		alive "$p" && return 1
	done <"$PIDS"
	return 0
}
wait_for four_started
t0=$EPOCHREALTIME
wait_for none_left
ms=$(elapsed_ms "$t0")
true_that "-j 4 -T 0.5: four 30 s commands all killed within 5 s ($ms ms)" \
    [ "$ms" -lt 5000 ]
waitall "${pids[@]}"
is "-j 4 -T 0.5: no sender took that for a reply" 0 "$ALL"
is "-j 4 -T 0.5: each is logged" 4 "$(grep -c 'timed out' "$T/lerr")"
tmo "$SEND" -r -t 10 -b "$T/t5" "$S" after >/dev/null 2>"$T/err"
true_that "-j 4 -T 0.5: the listener goes on" alive "$lpid"
kill -TERM "$lpid"
reap "$lpid" 5
status "-j 4 -T: SIGTERM" 0 "$RC"

# --- SIGTERM stops every running command -------------------------------------
: >"$PIDS"
# shellcheck disable=SC2016
listen -j 4 -e 'echo $$ >> "$PIDS"; exec sleep 30'
lpid=$LASTPID
pids=()
for i in 1 2 3 4; do
	"$SEND" -r -t 5 -b "$T/k$i" "$S" "k $i" >/dev/null 2>&1 &
	pids+=("$!")
done
wait_for four_started
t0=$EPOCHREALTIME
kill -TERM "$lpid"
reap "$lpid" 10
ms=$(elapsed_ms "$t0")
status "-j 4, four commands running: SIGTERM, exit 0" 0 "$RC"
true_that "-j 4: ... within 3 s ($ms ms)" [ "$ms" -lt 3000 ]
left=0
while read -r p; do
	alive "$p" && left=$((left + 1))
done <"$PIDS"
is "-j 4: no command outlives the listener" 0 "$left"
true_that "-j 4: socket file removed" [ ! -e "$S" ]
waitall "${pids[@]}"

done_testing
