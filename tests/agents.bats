#!/usr/bin/env bats
# What the agent is doing, when no marker says it: tsend never answers an
# agent's dialog, and tq -f and tq -T show what a pane shows (dead, a
# shell, gone, a dialog, a usage limit, an error, an exit), with the
# phrases the real agents were seen to show.
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }

# dialog NAME PHRASE: a window t:NAME whose simulated agent shows a dialog
dialog() {
	TM new-window -d -t t: -n "$1" \
	    "AGENT_DIALOG='$2' AGENT_LOG='$BATS_TEST_TMPDIR/$1.log' AGENT_KEYLOG='$BATS_TEST_TMPDIR/$1.keys' '$ROOT/examples/agent' $1 '$BATS_TEST_TMPDIR/CLAUDE.md' 0 1"
	eventually 10 shows "$1" "$2"
}

@test "a dialog open: nothing typed, no key pressed, the task held UNSENT after -w, the dialog said" {
	dialog asks 'Do you want to proceed?'
	echo 'D-1 t:asks Write ### D-1: COMPLETED' > queue
	run tsend -S "$SOCK" -w 1 < <(printf '#state %s/queue.state\n' "$PWD"; tq -p queue)
	[ "$status" -eq 1 ]
	[[ "${lines[-1]}" == "tsend: D-1: t:asks: a dialog is open: Do you want to proceed?; to send it again: "* ]]
	[[ "$(tq queue)" =~ D-1\ +UNSENT\ .*a\ dialog\ is\ open:\ Do\ you\ want\ to\ proceed\? ]]
	sleep 0.3
	[ ! -e asks.log ]	# nothing answered
	[ ! -e asks.keys ]
	! shows asks 'Write ### D-1'
}

@test "the dialogs of each agent are known: Claude Code, Codex, Gemini CLI" {
	i=0
	# Claude Code's folder trust ends "Enter to confirm · Esc to cancel";
	# Codex's hooks review and Gemini CLI's folder trust open at start
	for phrase in 'Do you want to proceed?' 'Enter to confirm · Esc to cancel' \
	    'Would you like to run the following command?' \
	    'Press enter to confirm or esc to cancel' 'enter select · esc back' 'Allow execution of' \
	    'Usage limit reached for' 'Hooks need review' 'hooks need review before they can run' \
	    'Do you trust the files in this folder?'; do
		i=$((i + 1))
		dialog ask$i "$phrase"
		run tsend -S "$SOCK" -w 0.3 t:ask$i 'not into a dialog'
		[ "$status" -eq 1 ]
		[ "${lines[-1]}" = "tsend: t:ask$i: a dialog is open: $phrase" ]
		[ ! -e ask$i.log ]
	done
}

@test "Claude Code's usage-limit dialog, the one exception: closed with Escape, never answered, then typed" {
	dialog limited 'Stop and wait for limit to reset'
	run tsend -S "$SOCK" -w 5 t:limited 'after the reset'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "tsend: t:limited: closing Claude Code's usage-limit dialog with Escape" ]
	[ "$(cat limited.log)" = 'after the reset' ]	# no "answered" before it
	shows limited 'limited: dialog closed'
}

@test "tq -f and tq -T show what the pane of each task in progress shows" {
	dialog asking 'Allow execution of'
	# Codex draws a curly apostrophe: the phrase matches it
	TM new-window -d -t t: -n limit "printf '■ You\\342\\200\\231ve hit your usage limit. Try again at 3:10 PM.\\n'; exec sleep 100000"
	TM new-window -d -t t: -n error "printf '● API Error: 529 Overloaded.\\n'; exec sleep 100000"
	TM new-window -d -t t: -n exited "printf 'Resume this session with: claude --resume 1\\n'; exec sleep 100000"
	TM new-window -d -t t: -n shell 'exec bash --norc -i'
	TM new-window -d -t t: -n dead 'sleep 0.5'
	TM set-option -w -t t:dead remain-on-exit on
	cat > queue <<-'Q'
	A-1 t:asking a
	L-1 t:limit l
	E-1 t:error e
	X-1 t:exited x
	S-1 t:shell s
	Z-1 t:dead z
	G-1 t:gone g
	P-1 t:asking not in progress
	Q
	for t in A-1 L-1 E-1 X-1 S-1 Z-1 G-1; do echo "2026-11-25T08:00:00Z sent $t"; done > queue.state
	eventually 10 shows limit 'usage limit'
	is_dead() { [ "$(TM display-message -p -t t:dead '#{pane_dead}')" = 1 ]; }
	eventually 10 is_dead
	tq -f -S "$SOCK" > table 2> err &
	eventually 10 grep -q 'G-1 .*pane: gone' table
	kill %1
	wait
	[[ "$(grep '^A-1 ' table | tail -1)" =~ "pane: dialog: Allow execution of (gemini)"$ ]]
	[[ "$(grep '^L-1 ' table | tail -1)" =~ "pane: limit: You've hit your usage limit (codex)"$ ]]
	[[ "$(grep '^E-1 ' table | tail -1)" =~ "pane: error: API Error: (claude)"$ ]]
	[[ "$(grep '^X-1 ' table | tail -1)" =~ "pane: exited: Resume this session with: (claude)"$ ]]
	[[ "$(grep '^S-1 ' table | tail -1)" =~ "pane: shell (bash)"$ ]]
	[[ "$(grep '^Z-1 ' table | tail -1)" =~ "pane: dead"$ ]]
	[[ "$(grep '^G-1 ' table | tail -1)" =~ "pane: gone"$ ]]
	[ -z "$(grep '^P-1 ' table | grep pane:)" ]	# pending: its pane is not looked at
	run tq -T -S "$SOCK"
	[ "$status" -eq 1 ]	# t:gone is no pane
	[ "$(echo "$output" | grep -c '  pane: ')" -eq 7 ]
	[[ "$output" =~ "A-1  sent  t:asking  pane: dialog: Allow execution of (gemini)" ]]
	# no server named, outside tmux: tq looks at no pane
	[ -z "$(tq | grep pane:)" ]
}

@test "tq -f looks again every few seconds, with no change to the files: a dialog that closes is seen" {
	dialog later 'Do you want to proceed?'
	echo 'W-1 t:later w' > queue
	echo "2026-11-25T08:00:00Z sent W-1" > queue.state
	tq -f -S "$SOCK" > table 2> err &
	eventually 10 grep -q 'pane: dialog' table
	TM send-keys -t t:later Escape
	closed() { tail -n 3 table | grep -q '^W-1 .*  [0-9][0-9smhd]*$'; }	# no reason, no pane
	eventually 10 closed
	kill %1
	wait
}
