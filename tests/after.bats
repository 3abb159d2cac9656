#!/usr/bin/env bats
# after=: tasks that wait for tasks of other panes.  The loop for real,
# twatch | tnext | tsend, into simulated agents (examples/agent) that
# write their markers into CLAUDE.md; and the order that tq -c and tnext
# refuse.
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }

teardown() {
	local p w
	for p in $(jobs -p); do kill $p 2>/dev/null || true; done
	wait 2>/dev/null || true
	for w in $WINDOWS; do TM kill-window -t "t:$w" 2>/dev/null || true; done
}

# agents NAME[=WORK]...: a simulated agent in window t:NAME of each,
# working WORK seconds (default 0) on each prompt
agents() {
	local a
	for a in "$@"; do
		agent "${a%%=*}" 0 "$( [[ $a == *=* ]] && echo "${a#*=}" || echo 0 )"
		WINDOWS+=" ${a%%=*}"
	done
}

# The loop, in the test's directory, into the agents of this server.
start_loop() {
	touch CLAUDE.md
	mkfifo markers records
	twatch CLAUDE.md > markers 2> twatch.err 3>&- &
	TWATCH=$!
	tnext queue < markers > records 2> tnext.err 3>&- &
	tsend -S "$SOCK" < records 2> tsend.err 3>&- &
}

stop_loop() { # its input ended, tnext and tsend end too; none said a thing
	kill $TWATCH
	wait
	[ ! -s tnext.err ] && [ ! -s tsend.err ]
}

wait_for() { eventually 10 "$@"; }
state_of() { tq | awk -v id="$1" '$1 == id { print $2 }'; }
is() { [ "$(state_of "$1")" = "$2" ]; }	# is ID STATE
all_done() { [ "$(tq -s done | wc -l)" -eq "$1" ]; }	# all_done N
why() { tq | awk -v id="$1" '$1 == id && NF > 5 { for (i = 1; i <= 5; i++) sub(/^[^ ]+ +/, ""); print }'; }	# why ID: the 6th column
event() { grep -n " $1 $2\( \|$\)" queue.state | head -1 | cut -d: -f1; }	# event EVENT ID: its first line

# waited: each task with after= was sent only after every task it names
# was done (its sent event comes after their markers), or not at all
waited() {
	tq -p | awk '/^[A-Za-z0-9]/ && $3 ~ /^after=./ { print $1, substr($3, 7) }' > deps
	awk 'NR == FNR {
		if ($2 == "sent" && !($3 in sent)) sent[$3] = FNR
		if (($2 == "COMPLETED" || $2 == "DONE") && !($3 in done)) done[$3] = FNR
		next
	}
	{
		n = split($2, d, ",")
		for (i = 1; i <= n; i++)
			if (($1 in sent) && (!(d[i] in done) || sent[$1] < done[d[i]])) {
				print $1 " was sent before " d[i] " was done"
				bad = 1
			}
	}
	END { exit bad }' queue.state deps
}

# task ID PANE [after=...]: a queue line whose prompt asks for a marker
task() {
	echo "$1 t:$2 ${3:+$3 }Do $1; then write ### $1: COMPLETED"
}

@test "three panes: each task is sent once what it names is done, and no later task overtakes" {
	agents ca cb cc
	{
		task A-1 ca
		task B-1 cb after=A-1
		task C-1 cc after=A-1
		task A-2 ca after=B-1,C-1
		task C-2 cc	# behind C-1, which waits: C-2 waits too
		task B-2 cb after=A-2
	} > queue
	start_loop
	wait_for all_done 6
	stop_loop
	waited
	[ "$(grep -c ' sent ' queue.state)" -eq 6 ]	# each once
	# B-1 and C-1 in the batch of A-1's marker: right after it
	[ "$(sed -n "$(event COMPLETED A-1),+2p" queue.state | awk '{ print $2, $3 }' | tr '\n' ' ')" = "COMPLETED A-1 sent B-1 sent C-1 " ]
	[ "$(event sent C-2)" -gt "$(event COMPLETED C-1)" ]
	[ "$(cat ca.log | grep -o 'A-[12]' | sort -u | tr '\n' ' ')" = "A-1 A-2 " ]
}

@test "a chain of five across three panes runs in its order, one at a time" {
	agents da db dc
	{	# each pane's tasks in the order of the chain, the queue's not
		task K-2 db after=K-1
		task K-5 db after=K-4
		task K-1 da
		task K-4 da after=K-3
		task K-3 dc after=K-2
	} > queue
	start_loop
	wait_for is K-5 done
	stop_loop
	waited
	[ "$(awk '$2 == "sent" { printf "%s ", $3 }' queue.state)" = "K-1 K-2 K-3 K-4 K-5 " ]
	# one at a time: each sent after the one before it was done
	[ "$(awk '{ printf "%s %s, ", $2, $3 }' queue.state)" = "$(for k in 1 2 3 4 5; do printf 'sent K-%s, COMPLETED K-%s, ' $k $k; done)" ]
}

@test "a held task holds the tasks that wait for it, tq says why, and DONE sends them in one batch" {
	agents ha hb hc
	{
		echo 'H-1 t:ha Try H-1; if you cannot, write ### H-1: BLOCKED'
		task H-2 hb after=H-1
		task H-3 hc after=H-1
		task H-4 hc after=H-2	# and so behind H-3 in its pane
		task H-5 hb
	} > queue
	start_loop
	wait_for is H-1 BLOCKED
	sleep 0.3	# the batch of the marker sent nothing
	[ "$(grep -c ' sent ' queue.state)" -eq 1 ]
	[ "$(why H-2)" = "after H-1 (BLOCKED)" ]
	[ "$(why H-3)" = "after H-1 (BLOCKED)" ]
	[ "$(why H-4)" = "after H-2 (pending)" ]
	[ "$(why H-5)" = "" ]	# it waits for its pane only
	[ "$(tq -s pending | wc -l)" -eq 4 ]
	echo H-1 DONE | tnext queue > records.done 2> err
	[ ! -s err ]
	[ "$(grep '^[A-Z]' records.done | cut -d' ' -f1 | tr '\n' ' ')" = "H-2 H-3 " ]
	tsend -S "$SOCK" < records.done
	wait_for is H-5 done
	wait_for is H-4 done
	stop_loop
	waited
}

@test "a task named that is done at the start is no wait: sent in the first batch" {
	agents sa sb
	{
		task S-1 sa
		task S-2 sb after=S-1
		task S-3 sa
	} > queue
	echo '### S-1: COMPLETED' > CLAUDE.md	# done elsewhere, before the loop
	start_loop
	wait_for is S-3 done
	wait_for is S-2 done
	stop_loop
	[ "$(awk '$2 == "sent" { printf "%s ", $3 }' queue.state)" = "S-2 S-3 " ]	# S-1 never
	[ "$(head -1 sb.log)" = "Do S-2; then write ### S-2: COMPLETED" ]	# the prompt without its after=
}

@test "editing the queue while the loop runs: removing an after= sends the task at once, adding one holds it" {
	agents ea eb=3	# E-2 takes 2 to 3 s: the second edit comes before its end
	{
		echo 'E-1 t:ea Work on E-1, say nothing'	# sent, and never done by itself
		task E-2 eb after=E-1
		task E-3 eb
	} > queue
	start_loop
	wait_for is E-1 sent
	sleep 0.3
	[ "$(why E-2)" = "after E-1 (sent)" ]
	sed 's/ after=E-1//' queue > queue.new && mv queue.new queue	# as an editor saves
	wait_for is E-2 sent	# with no marker: the queue's change alone
	sed 's/^E-3 t:eb /E-3 t:eb after=E-1 /' queue > queue.new && mv queue.new queue
	wait_for is E-2 done
	sleep 0.3
	is E-3 pending	# its pane is free, and it waits
	[ "$(why E-3)" = "after E-1 (sent)" ]
	echo '### E-1: COMPLETED' >> CLAUDE.md
	wait_for is E-3 done
	stop_loop
	waited
}

@test "tq -f shows why a task waits, and follows it as it changes" {
	printf 'F-1 t:x one\nF-2 t:y after=F-1 two\n' > queue
	echo | tnext > /dev/null
	tq -f > live 2> err &
	wait_for grep -q 'after F-1 (sent)' live
	echo F-1 BLOCKED | tnext > /dev/null
	wait_for grep -q 'after F-1 (BLOCKED)' live
	echo F-1 DONE | tnext > /dev/null
	wait_for eval 'tail -2 live | grep -q "^F-2 *sent"'
	[ ! -s err ]
}

@test "tq -s pending keeps the tasks that wait; tq -p writes after= back, and a prompt that begins with after=" {
	printf 'P-1 t:x one\nP-2 t:y after=P-1 two\nP-3 t:y after= after=noon, three\nP-4 t:z\n\tafter=four\n' > queue
	echo | tnext > /dev/null
	[ "$(tq -s pending | awk '{ print $1 }' | tr '\n' ' ')" = "P-2 P-3 " ]	# behind P-2
	[ "$(tq -s pending | awk '$1 == "P-2"' | sed 's/.*  //')" = "after P-1 (sent)" ]
	tq -p > once
	[ "$(grep '^P-' once)" = "$(printf 'P-1 t:x one\nP-2 t:y after=P-1 two\nP-3 t:y after= after=noon, three\nP-4 t:z after= after=four')" ]
	tq -p once > twice
	cmp once twice
	tnext -r P-2 < /dev/null > out 2> err	# reset, it still waits
	[ "$(cat err)" = "tnext: P-2: reset; it goes next on t:y, after P-1 (sent)" ]
	[ ! -s out ]
}

@test "tsend takes after= as a field: the prompt it types is the rest" {
	recorder deps
	WINDOWS=deps
	printf 'R-1 t:deps after=R-0,Q-9 the prompt\n\nR-2 t:deps after= after=noon\n\n' | tsend -S "$SOCK" -d 0 -w 0
	received deps $(( $(pasted 'the prompt' | wc -c) + $(pasted 'after=noon' | wc -c) ))
	[ "$(cat deps.rec)" = "$(pasted 'the prompt')$(pasted 'after=noon')" ]
}

# check_fails LINE...: tq -c says exactly LINE..., and tnext says the same,
# sends nothing and writes no state
check_fails() {
	run tq -c queue
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'tq: %s\n' "$@")" ]
	run tnext <<< ''
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'tnext: %s\n' "$@")" ]
	[ ! -s queue.state ]
}

@test "tq -c: a name that is no task, the task itself, a bad ID" {
	printf 'A p:1 after=Z one\nB p:2 after=B two\nC p:3 after=A,,B three\nD p:4 after=A/B four\n' > queue
	check_fails "queue:3: bad ID '' in after=" "queue:4: bad ID 'A/B' in after="
	printf 'A p:1 after=Z one\nB p:2 after=A,B two\n' > queue
	check_fails "queue:1: A: after=Z: no such task" "queue:2: B: after=B: the task itself"
}

@test "tq -c: a later task of the same pane, which could never be sent first" {
	printf 'A p:1 after=B one\nX p:2 x\nB p:1 two\n' > queue
	check_fails "queue:1: A: after=B: a later task of p:1 (line 3), which waits for it"
	printf 'B p:1 two\nA p:1 after=B one\n' > queue	# an earlier one is fine
	tq -c queue
}

@test "tq -c: a cycle, every task of it named" {
	printf 'A p:1 after=B one\nB p:2 after=A two\n' > queue
	check_fails "queue:1: A: after= makes a cycle: A after B, B after A"
	printf 'X p:9 x\nA p:1 after=C one\nB p:2 after=A two\nC p:3 after=B three\n' > queue
	check_fails "queue:2: A: after= makes a cycle: A after C, C after B, B after A"
	# through a pane's own order: C waits for A in p:1, A for B, B for C
	printf 'A p:1 after=B one\nM p:1 middle\nC p:1 three\nB p:2 after=C two\n' > queue
	check_fails "queue:1: A: after= makes a cycle: A after B, B after C, C follows A in p:1"
	# two cycles, each said once
	printf 'A p:1 after=B a\nB p:2 after=A b\nC p:3 after=D c\nD p:4 after=C d\n' > queue
	check_fails "queue:1: A: after= makes a cycle: A after B, B after A" \
	    "queue:3: C: after= makes a cycle: C after D, D after C"
}

@test "a queue whose after= cannot be kept, made so while tnext runs, sends nothing until it is mended" {
	printf 'A p:1 one\nB p:2 after=A two\n' > queue
	mkfifo in
	tnext < in > out 2> err 3>&- &
	exec 5> in
	printf '\n' >&5
	wait_for grep -q '^A p:1' out
	printf 'A p:1 after=B one\nB p:2 after=A two\n' > queue.new && mv queue.new queue
	printf 'A COMPLETED\n\n' >&5
	wait_for grep -q 'after= makes a cycle' err
	! grep -q '^B ' out || false
	printf 'A p:1 one\nB p:2 after=A two\n' > queue.new && mv queue.new queue
	wait_for grep -q '^B p:2 after=A two' out
	exec 5>&-
	wait
}

@test "8 tnext processes on one queue of 120 tasks that wait across panes: every task sent once, in order" {
	# T-i waits for T-(i-9), of another pane: T-i is in pane i % 8
	for i in $(seq 120); do
		echo "T-$i pane:$((i % 8)) $( ((i > 9)) && echo "after=T-$((i - 9)) ")prompt $i"
	done > queue
	tq -c queue
	eight_tnexts
	printf '\n' >&${fds[1]}
	complete_all 120 || true	# the count below says what was not
	done_once 120
	waited
	in_queue_order 8
	[ -z "$(cat err.*)" ]
}
