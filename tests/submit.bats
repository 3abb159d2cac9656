#!/usr/bin/env bats
# tsend's submit check and its workers, against a simulated agent that
# behaves as Codex and Claude Code were seen to: raw terminal, bracketed
# paste, an input line that shows what was typed, Enter ignored while
# starting, messages queued while busy; and against many panes at once.
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }

submitted() { # submitted NAME: how many messages the agent took
	cat "$BATS_TEST_TMPDIR/$1.log" 2>/dev/null | wc -l
}

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

@test "a prompt sent while the agent starts is submitted once, when it is ready" {
	agent starting 2 1
	t0=$(date +%s%N)
	tsend -S "$SOCK" t:starting "$(printf 'Fais la tâche;\nécris ### TODO-1: COMPLETED')"
	[ "$(ms_since $t0)" -ge 500 ]	# it had to wait for the start
	[ "$(submitted starting)" -eq 1 ]
	[ "$(cat starting.log)" = 'Fais la tâche;\nécris ### TODO-1: COMPLETED' ]
	sleep 1.5
	[ "$(submitted starting)" -eq 1 ]
	grep -q '^### TODO-1: COMPLETED \*\*Date\*\*' CLAUDE.md
}

@test "a prompt sent while the agent is busy is queued once" {
	agent busy 0 3
	tsend -S "$SOCK" t:busy 'first task'
	tsend -S "$SOCK" t:busy 'second task, sent while busy'
	[ "$(submitted busy)" -eq 2 ]
	TM capture-pane -p -t t:busy | grep -q 'busy: queued'
	sleep 1
	[ "$(submitted busy)" -eq 2 ]
}

@test "a program that takes 0.4 s to redraw after Enter gets exactly one Enter" {
	TM new-window -d -t t: -n slow \
	    "AGENT_REDRAW=0.4 AGENT_LOG='$PWD/slow.log' AGENT_KEYLOG='$PWD/slow.keys' '$ROOT/examples/agent' slow '$PWD/CLAUDE.md' 0 1"
	eventually 10 shows slow 'slow: ready'
	tsend -S "$SOCK" t:slow 'take your time to show it'
	sleep 1.5
	[ "$(cat slow.log)" = 'take your time to show it' ]
	[ "$(wc -l < slow.keys)" -eq 1 ]
}

@test "a program slow to show a paste, that takes an Enter right after it for a line break, gets one Enter" {
	# as Gemini CLI just after its shell tool ran: a key pressed before
	# the paste shows arrives too soon after it, and is a line break
	TM new-window -d -t t: -n gemini \
	    "AGENT_SLOW_PASTE=0.5 AGENT_LOG='$PWD/gemini.log' AGENT_KEYLOG='$PWD/gemini.keys' '$ROOT/examples/agent' gemini '$PWD/CLAUDE.md' 0 1"
	eventually 10 shows gemini 'gemini: ready'
	t0=$(date +%s%N)
	tsend -S "$SOCK" t:gemini 'shown late, taken once'
	[ "$(ms_since $t0)" -ge 500 ]
	sleep 0.5
	[ "$(cat gemini.log)" = 'shown late, taken once' ]
	[ "$(wc -l < gemini.keys)" -eq 1 ]
}

@test "a program busy as the key came, that took it for a line break of the paste, gets one more Enter" {
	# as Gemini CLI, busy after its shell tool ran: the key comes 50 ms
	# after the paste showed, but is read with it, and breaks the line
	TM new-window -d -t t: -n busy-gemini \
	    "AGENT_SLOW_PASTE=0.3,0.4 AGENT_LOG='$PWD/bg.log' AGENT_KEYLOG='$PWD/bg.keys' '$ROOT/examples/agent' bg '$PWD/CLAUDE.md' 0 1"
	eventually 10 shows busy-gemini 'bg: ready'
	tsend -S "$SOCK" t:busy-gemini 'broken once, then taken'
	sleep 0.5
	[ "$(cat bg.log)" = 'broken once, then taken\n' ]	# with its line break
	[ "$(wc -l < bg.keys)" -eq 2 ]
}

@test "-w 0 presses the key once: ignored while starting, never submitted" {
	agent single 2 1
	tsend -S "$SOCK" -w 0 t:single 'pressed once'
	sleep 2.5
	[ "$(submitted single)" -eq 0 ]
	TM capture-pane -p -t t:single | grep -q '> pressed once'
}

@test "when the limit is reached: typed but not submitted, exit 1, text left in place" {
	agent stuck 6 1
	run tsend -S "$SOCK" -w 1 t:stuck 'never taken'
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: t:stuck: typed but not submitted after 1 s" ]
	[ "$(submitted stuck)" -eq 0 ]
	TM capture-pane -p -t t:stuck | grep -q '> never taken'
	printf 'STUCK-1 t:stuck again\n\n' | { run tsend -S "$SOCK" -w 1; echo "$output" > out; }
	[ "$(cat out)" = "tsend: STUCK-1: t:stuck: typed but not submitted after 1 s; to send it again: tnext -r STUCK-1 </dev/null | tsend -S $SOCK" ]
}

@test "a pane that shows nothing of what was typed gets exactly one Enter" {
	recorder silent
	tsend -S "$SOCK" t:silent 'not echoed'
	sleep 0.5
	cmp silent.rec <(pasted 'not echoed')
}

@test "a line reader (cat, its terminal cooked) is no agent: waited for, said so, refused" {
	TM new-window -d -t t: -n reader "exec cat > '$BATS_TEST_TMPDIR/reader.out'"
	sleep 0.3
	run tsend -S "$SOCK" -w 1.5 t:reader 'not typed'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "tsend: t:reader: waiting: the agent is starting (cat): its terminal still echoes" ]
	[ "${lines[1]}" = "tsend: t:reader: the agent is starting (cat): its terminal still echoes" ]
	[ "${#lines[@]}" -eq 2 ]
	[ ! -s reader.out ]
	[ -z "$(TM capture-pane -p -t t:reader | tr -d ' \n')" ]
}

@test "with -s, an echoing line reader (cat) gets exactly one Enter" {
	TM new-window -d -t t: -n cooked "exec cat > '$BATS_TEST_TMPDIR/cooked.out'"
	sleep 0.3
	tsend -s -S "$SOCK" -d 50 t:cooked 'one line'
	sleep 0.5
	[ "$(cat cooked.out)" = "one line" ]
	[ "$(wc -l < cooked.out)" -eq 1 ]
}

@test "a pane that ignores Enter for 15 s delays no other pane" {
	agent late 15 1
	agent early 0 1
	printf 'A-1 t:late for the late one\n\nB-1 t:early first for the early one\n\nB-2 t:early second for the early one\n\n' > records
	tsend -S "$SOCK" -w 4 < records 2> err 3>&- &
	eventually 10 eval '[ "$(submitted early)" -ge 1 ]'
	[ ! -s err ]	# while the late one is still waited for, not after
	wait $! || status=$?
	[ "$status" -eq 1 ]	# the late one was not taken within -w
	[ "$(cat err)" = "tsend: A-1: t:late: typed but not submitted after 4 s; to send it again: tnext -r A-1 </dev/null | tsend -S $SOCK" ]
	[ "$(cat early.log)" = "$(printf 'first for the early one\nsecond for the early one')" ]
	[ "$(submitted late)" -eq 0 ]
}

@test "20 panes at once: each gets its prompt" {
	for i in $(seq 20); do agent p$i 0 1; done
	for i in $(seq 20); do printf 'P-%d t:p%d prompt for pane %d\n\n' $i $i $i; done > records
	t0=$(date +%s%N)
	tsend -S "$SOCK" < records
	echo "# 20 panes in $(ms_since $t0) ms" >&3
	for i in $(seq 20); do
		[ "$(cat p$i.log)" = "prompt for pane $i" ] || { echo "pane $i: $(cat p$i.log)"; false; }
		[ "$(wc -l < p$i.keys)" -eq 1 ]
	done
}

@test "a pane in copy mode gets its prompt once the mode ends" {
	agent scrolled 0 1
	TM copy-mode -t t:scrolled
	tsend -S "$SOCK" -w 10 t:scrolled 'after the scrolling' 3>&- &
	sleep 0.7
	[ "$(submitted scrolled)" -eq 0 ]
	TM send-keys -t t:scrolled -X cancel
	wait $!
	[ "$(cat scrolled.log)" = 'after the scrolling' ]
}

@test "a pane still in copy mode after -w: held UNSENT, nothing typed" {
	agent reading 0 1
	TM copy-mode -t t:reading
	echo 'CM-1 t:reading not while you read' > queue
	run tsend -S "$SOCK" -w 0.5 < <(printf '#state %s/queue.state\n' "$PWD"; tq -p queue)
	TM send-keys -t t:reading -X cancel
	[ "$status" -eq 1 ]
	[[ "$output" == "tsend: CM-1: t:reading: the pane is in copy-mode; to send it again: "* ]]
	[ "$(tq queue | awk '{ print $2 }')" = UNSENT ]
	sleep 0.3
	[ "$(submitted reading)" -eq 0 ]
	[ "$(TM capture-pane -p -t t:reading | grep -c 'not while you read')" -eq 0 ]
}
