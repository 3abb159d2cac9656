#!/usr/bin/env bats
# tsend's submit check, against a simulated agent that behaves as Codex and
# Claude Code were seen to: raw terminal, bracketed paste, an input line
# that shows what was typed, Enter ignored while starting, messages queued
# while busy.
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }

# agent NAME STARTUP WORK: a window t:NAME running the simulated agent
agent() {
	TM new-window -d -t t -n "$1" \
	    "AGENT_LOG='$BATS_TEST_TMPDIR/$1.log' '$ROOT/examples/agent' $1 '$BATS_TEST_TMPDIR/CLAUDE.md' $2 $3"
	local i
	for i in $(seq 200); do TM capture-pane -p -t "t:$1" | grep -q "$1: starting" && return; sleep 0.01; done
	return 1
}

submitted() { # submitted NAME: how many messages the agent took
	cat "$BATS_TEST_TMPDIR/$1.log" 2>/dev/null | wc -l
}

@test "a prompt sent while the agent starts is submitted once, when it is ready" {
	agent starting 2 1
	t0=$(date +%s%N)
	tsend -S "$SOCK" t:starting "$(printf 'Fais la tâche;\nécris ### TODO-1: COMPLETED')"
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 500 ]	# it had to wait for the start
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
	[ "$(cat out)" = "tsend: STUCK-1: t:stuck: typed but not submitted after 1 s; to send it again: tnext -r STUCK-1 </dev/null | tsend" ]
}

@test "a pane that shows nothing of what was typed gets exactly one Enter" {
	recorder silent
	tsend -S "$SOCK" t:silent 'not echoed'
	sleep 0.5
	cmp silent.rec <(pasted 'not echoed')
}

@test "an echoing line reader (cat) gets exactly one Enter" {
	TM new-window -d -t t -n cooked "cat > '$BATS_TEST_TMPDIR/cooked.out'"
	sleep 0.3
	tsend -S "$SOCK" -d 50 t:cooked 'one line'
	sleep 0.5
	[ "$(cat cooked.out)" = "one line" ]
	[ "$(wc -l < cooked.out)" -eq 1 ]
}
