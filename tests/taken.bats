#!/usr/bin/env bats
# A prompt typed is not a prompt taken.  tsend never types into an agent
# still starting (its terminal still echoes, nothing drawn yet, its screen
# still being drawn), gives a program slow to redraw one Enter, presses
# again when the text comes back, and, where the agent's hook reports the
# prompts it takes (tq-hook), holds a prompt that was typed and not taken.
# Against the simulated agent, started as the real ones were seen to.
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }

# launch NAME [VAR=VALUE...]: a window t:NAME running the simulated agent
# with those variables, at once, not waiting for it to start; it works a
# second on each message (WORK)
launch() {
	local name=$1
	shift
	TM new-window -d -t t: -n "$name" \
	    "$* TQUEUE='$BATS_TEST_TMPDIR/queue' AGENT_HOOK_CMD='$ROOT/examples/hooks/tq-hook' AGENT_LOG='$BATS_TEST_TMPDIR/$name.log' AGENT_KEYLOG='$BATS_TEST_TMPDIR/$name.keys' '$ROOT/examples/agent' $name '$BATS_TEST_TMPDIR/CLAUDE.md' 0 ${WORK:-1}"
}

taken() { cat "$BATS_TEST_TMPDIR/$1.log" 2>/dev/null | wc -l; }	# messages the agent took
enters() { cat "$BATS_TEST_TMPDIR/$1.keys" 2>/dev/null | wc -l; }	# Enters it read
state() { tq | awk -v id="$1" '$1 == id { print $2 }'; }
is() { [ "$(state "$1")" = "$2" ]; }			# is ID STATE
tasks_in() { [ "$(tq -s "$1" | wc -l)" -eq "$2" ]; }	# tasks_in STATE N

# the loop of a test that failed before it stopped it
teardown() {
	processes_in "$BATS_TEST_TMPDIR" | while read -r pid _; do kill "$pid" 2>/dev/null; done
	true
}

@test "an agent whose terminal still echoes, then draws late, keeping what was typed ahead: waited for, said once, taken once" {
	launch late AGENT_BOOT=1.5,1
	run tsend -S "$SOCK" t:late 'Write ### L-1: COMPLETED'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^"tsend: t:late: waiting: the agent is starting (late): " ]]
	[ "$(cat late.log)" = 'Write ### L-1: COMPLETED' ]
	[ "$(enters late)" -eq 1 ]
}

@test "an agent that drops what was typed before it drew: nothing typed until it is up, then taken once" {
	launch dropper AGENT_BOOT=0.5,1,drop
	tsend -S "$SOCK" t:dropper 'Write ### D-1: COMPLETED' 2> err
	[ "$(cat dropper.log)" = 'Write ### D-1: COMPLETED' ]
	[ "$(enters dropper)" -eq 1 ]
	grep -q '^tsend: t:dropper: waiting: the agent is starting (dropper): ' err
}

@test "without its terminal check the race is lost: what was typed ahead is dropped, or left unsent" {
	# what tsend guards against, by hand: paste and Enter into agents still starting
	launch lost AGENT_BOOT=0.5,0.5,drop
	launch stuck AGENT_BOOT=0.5,0.5
	sleep 0.2
	for w in lost stuck; do
		TM send-keys -t t:$w -l 'typed ahead'
		TM send-keys -t t:$w Enter
	done
	eventually 10 shows lost 'lost: ready'
	eventually 10 shows stuck '> typed ahead'
	sleep 0.5
	[ "$(taken lost)" -eq 0 ]
	[ "$(taken stuck)" -eq 0 ]
}

@test "the loop started with three agents at once, as after a reboot: every task done" {
	cat > queue <<-'Q'
	K-1 t:keep Write ### K-1: COMPLETED
	K-2 t:keep Write ### K-2: COMPLETED
	D-1 t:drop Write ### D-1: COMPLETED
	D-2 t:drop Write ### D-2: COMPLETED
	F-1 t:fast Write ### F-1: COMPLETED
	F-2 t:fast Write ### F-2: COMPLETED
	Q
	touch CLAUDE.md
	launch keep AGENT_BOOT=1,1.5
	launch drop AGENT_BOOT=1.5,0.5,drop
	launch fast AGENT_BOOT=0,0.2
	{ twatch CLAUDE.md | tnext queue | tsend -S "$SOCK"; } 2> err 3>&- &
	eventually 30 tasks_in done 6 || { tq; cat err; false; }
	for w in keep drop fast; do [ "$(taken $w)" -eq 2 ] && [ "$(enters $w)" -eq 2 ]; done
	kill %1
	[ -z "$(grep -v 'waiting: the agent is starting' err)" ]
}

@test "a program slow to redraw after Enter, 0.5, 1.5, 3 or 6 s, gets exactly one Enter" {
	for s in 0.5 1.5 3 6; do launch slow${s/./} AGENT_REDRAW=$s; done
	for s in 0.5 1.5 3 6; do eventually 10 shows slow${s/./} ready; done
	for s in 0.5 1.5 3 6; do tsend -S "$SOCK" t:slow${s/./} "take $s s to show it" 3>&- & done
	wait
	for s in 0.5 1.5 3 6; do
		[ "$(cat slow${s/./}.log)" = "take $s s to show it" ]
		[ "$(enters slow${s/./})" -eq 1 ] || { echo "slow $s: $(enters slow${s/./}) Enters"; false; }
	done
}

@test "a prompt that comes back to the input line after it left is pressed again, never pasted again" {
	launch bounce AGENT_BOUNCE=0.1
	eventually 10 shows bounce ready
	tsend -S "$SOCK" t:bounce 'back again'
	[ "$(cat bounce.log)" = 'back again' ]
	[ "$(enters bounce)" -eq 2 ]
	[ "$(TM capture-pane -p -t t:bounce -S - | grep -c 'back again')" -le 3 ]
}

# The loop with an agent whose hook reports (tq-hook on UserPromptSubmit
# and Stop) and a file of its turns that twatch watches.
hooked_loop() {
	touch CLAUDE.md .tq-turns.md
	{ twatch CLAUDE.md .tq-turns.md | tnext queue | tsend -S "$SOCK"; } 2> err 3>&- &
}

@test "with the agent's hook: a task taken is working, then done" {
	printf 'H-1 t:hooked Write ### H-1: COMPLETED\nH-2 t:hooked Write ### H-2: COMPLETED\n' > queue
	WORK=3 launch hooked AGENT_HOOK=claude
	eventually 10 shows hooked ready
	hooked_loop
	eventually 10 is H-1 working || { tq; cat .tq-turns.md queue.state err; false; }
	grep -q '^### H-1: WORKING (claude %[0-9]*)$' .tq-turns.md
	eventually 10 is H-2 working
	is H-1 done
	eventually 10 is H-2 done
	kill %1
	[ ! -s err ]
}

@test "with the agent's hook: typed, not taken, and a dialog opens: held UNSENT, the dialog never answered" {
	printf 'N-1 t:asker Write ### N-1: COMPLETED\nN-2 t:asker Write ### N-2: COMPLETED\n' > queue
	launch asker AGENT_HOOK=claude AGENT_LOSE=2 "AGENT_LOSE_ASK='Do you want to proceed?'"
	eventually 10 shows asker ready
	hooked_loop
	eventually 10 is N-1 done
	eventually 30 is N-2 UNSENT	# once TAKEN_MS is over, not when the dialog closes: it never does
	[[ "$(tq -s UNSENT)" =~ "typed, not taken by the agent: a dialog is open: Do you want to proceed?"$ ]]
	shows asker 'Do you want to proceed?'
	! grep -q answered asker.log || false	# no key went into the dialog
	[ "$(enters asker)" -eq 2 ]	# N-1's, and N-2's once
	kill %1
}

@test "with the agent's hook: typed, not taken: pressed again once, then held UNSENT" {
	printf 'N-1 t:loser Write ### N-1: COMPLETED\nN-2 t:loser Write ### N-2: COMPLETED\n' > queue
	launch loser AGENT_HOOK=claude AGENT_LOSE=2
	eventually 10 shows loser ready
	hooked_loop
	eventually 10 is N-1 done
	eventually 30 is N-2 UNSENT
	[[ "$(tq -s UNSENT)" =~ "typed, not taken by the agent"$ ]]
	[ "$(taken loser)" -eq 1 ]
	[ "$(enters loser)" -eq 3 ]	# N-1's, and N-2's twice
	grep -q "^tsend: N-2: t:loser: typed, not taken by the agent; to send it again: tnext -r N-2 " err
	# the bound: sent, then held, no more than twice TAKEN_MS (5 s) and the checks apart
	sent=$(awk '$2 == "sent" && $3 == "N-2" { print $1 }' queue.state)
	held=$(awk '$2 == "UNSENT" && $3 == "N-2" { print $1 }' queue.state)
	[ $(( $(date -d "$held" +%s) - $(date -d "$sent" +%s) )) -le 15 ]
	kill %1
}
