#!/usr/bin/env bats
# tq-hook: the agents' end-of-turn payloads, written from their
# documentation and from what Claude Code 2.1, Codex 0.169 and Gemini CLI
# 0.61 were seen to send, against a real queue, state file, tmux server,
# twatch and tnext.
load common
load tmux

setup_file() {
	start_server
	TM new-window -d -t t:1 -n claude 'sleep 100000'
	TM new-window -d -t t:2 -n codex 'sleep 100000'
	TM new-window -d -t t:3 -n gemini 'sleep 100000'
}
teardown_file() { stop_server; }

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	export TMPDIR=$BATS_TEST_TMPDIR XDG_RUNTIME_DIR=
	PATH=$ROOT/examples/hooks:$PATH
	export TMUX=$SOCK,0,0	# as in an agent's pane: tq -t asks this server
	CLAUDE=$(TM display-message -p -t t:1 '#{pane_id}')
	CODEX=$(TM display-message -p -t t:2 '#{pane_id}')
	GEMINI=$(TM display-message -p -t t:3 '#{pane_id}')
	cat > queue <<-'Q'
	C-1 t:1 Fix the TLS validation. When done, write "### C-1: COMPLETED" in CLAUDE.md.
	C-2 t:1 Add tests for the parser;
	  then run them all.
	X-1 t:2 Fix the TLS validation. When done, write "### X-1: COMPLETED" in CLAUDE.md.
	X-2 t:2 Review the schema migration.
	G-1 t:3 Write the changelog for 2.0.
	G-2 t:3 Port the CLI to Windows.
	Q
}

json() { # json TEXT: TEXT as a JSON string, as the agents write it
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	printf '"%s"' "$s"
}

prompt() { # prompt ID: the task's prompt, as tsend types it
	tq -p queue | awk -v id="$1" '$1 == id { sub(/^[^ ]+ [^ ]+ /, ""); p = $0; on = 1; next }
	    on && /^\t/ { p = p "\n" substr($0, 2); next } on { exit } END { printf "%s", p }'
}

# Claude Code: a Stop payload, and the transcript it points to, with the
# turn of PROMPT (promptId P1) after an earlier one.
claude_turn() { # claude_turn PROMPT [LINE...]: more transcript lines after the prompt
	local p=$1
	shift
	{
		echo '{"type":"mode","mode":"normal","sessionId":"S"}'
		echo '{"parentUuid":null,"isSidechain":false,"promptId":"P0","type":"user","message":{"role":"user","content":'"$(json "$(prompt C-2)")"'},"uuid":"u0","timestamp":"2026-11-25T07:00:00.000Z","userType":"external","cwd":"/w","sessionId":"S","version":"2.1.197"}'
		echo '{"parentUuid":"u0","isSidechain":false,"message":{"id":"m0","type":"message","role":"assistant","content":[{"type":"text","text":"Done."}],"stop_reason":"end_turn"},"type":"assistant","uuid":"a0"}'
		echo '{"parentUuid":"a0","isSidechain":false,"promptId":"P1","type":"user","message":{"role":"user","content":'"$(json "$p")"'},"uuid":"u1","timestamp":"2026-11-25T08:00:00.000Z","permissionMode":"default","origin":{"kind":"human"},"promptSource":"typed","userType":"external","cwd":"/w","sessionId":"S","version":"2.1.197"}'
		echo '{"parentUuid":"u1","isSidechain":false,"message":{"id":"m1","type":"message","role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"make test"}}],"stop_reason":"tool_use"},"type":"assistant","uuid":"a1"}'
		echo '{"parentUuid":"a1","isSidechain":false,"promptId":"P1","type":"user","message":{"role":"user","content":[{"tool_use_id":"t1","type":"tool_result","content":"see C-2 and G-1","is_error":false}]},"uuid":"u2","toolUseResult":{"stdout":"see C-2","stderr":""}}'
		printf '%s\n' "$@"
		echo '{"parentUuid":"u2","isSidechain":false,"message":{"id":"m2","type":"message","role":"assistant","content":[{"type":"text","text":"The tests pass."}],"stop_reason":"end_turn"},"type":"assistant","uuid":"a2"}'
	} > transcript.jsonl
	printf '{"session_id":"S","transcript_path":"%s","cwd":"%s","prompt_id":"P1","permission_mode":"default","effort":{"level":"high"},"hook_event_name":"Stop","stop_hook_active":false,"last_assistant_message":"The tests pass.","background_tasks":[],"session_crons":[]}' \
	    "$PWD/transcript.jsonl" "$PWD"
}

# Codex notify: every user message of the thread, the turn's own last.
codex_turn() { # codex_turn MESSAGE...
	local m= x
	for x in "$@"; do m+=${m:+,}$(json "$x"); done
	printf '{"type":"agent-turn-complete","thread-id":"01a21465-6b6b-7550-b557-311eb2dca50b","turn-id":"01a21467-7483-7b31-9684-7b61b22eb467","cwd":"%s","client":"codex-tui","input-messages":[%s],"last-assistant-message":"Done: the tests pass."}' "$PWD" "$m"
}

# Gemini CLI AfterAgent.
gemini_turn() { # gemini_turn PROMPT
	printf '{"session_id":"S","transcript_path":"%s/chats/session.jsonl","cwd":"%s","hook_event_name":"AfterAgent","timestamp":"2026-11-25T08:00:00.000Z","prompt":%s,"prompt_response":"I will do that.\\nDone.","stop_hook_active":false}' \
	    "$PWD" "$PWD" "$(json "$1")"
}

hook() { # hook AGENT [OPTIONS...]: the payload on stdin (Codex: as its last argument)
	local agent=$1 pane
	shift
	case $agent in claude) pane=$CLAUDE ;; codex) pane=$CODEX ;; gemini) pane=$GEMINI ;; esac
	if [ "$agent" = codex ]; then
		TMUX_PANE=$pane tq-hook "$@" codex "$(cat)"
	else
		TMUX_PANE=$pane tq-hook "$@" "$agent"
	fi
}

# What the loop makes of the file: twatch and tnext, for real.
record_turns() {
	twatch -1 .tq-turns.md | tnext queue > /dev/null
}

state() { tq | awk -v id="$1" '$1 == id { print $2 }'; }

@test "Claude Code: the task of the turn's prompt is marked IDLE, and held IDLE" {
	echo '2026-11-25T08:00:00Z sent C-1' > queue.state
	claude_turn "$(prompt C-1)" | hook claude
	[ "$(cat .tq-turns.md)" = "### C-1: IDLE (claude $CLAUDE)" ]
	record_turns
	[ "$(state C-1)" = IDLE ]
}

@test "Claude Code with -c: COMPLETED, and the task is done" {
	echo '2026-11-25T08:00:00Z sent C-1' > queue.state
	claude_turn "$(prompt C-1)" | hook claude -c
	[[ "$(cat .tq-turns.md)" =~ ^\#\#\#\ C-1:\ COMPLETED\  ]]
	record_turns
	[ "$(state C-1)" = done ]
	[ "$(state C-2)" = sent ]	# and tnext sent the pane its next task
}

@test "Claude Code: a message typed into the turn counts; one still queued does not" {
	typed='{"parentUuid":"u2","isSidechain":false,"attachment":{"type":"queued_command","prompt":'"$(json "$(prompt C-2)")"',"commandMode":"prompt","origin":{"kind":"human"}},"type":"attachment","uuid":"q1"}'
	claude_turn "$(prompt C-1)" "$typed" | hook claude
	[ "$(cut -d' ' -f2,3 .tq-turns.md | tr '\n' ' ')" = "C-1: IDLE C-2: IDLE " ]
	rm .tq-turns.md
	queued='{"type":"queue-operation","operation":"enqueue","timestamp":"2026-11-25T08:00:01.000Z","sessionId":"S","content":'"$(json "$(prompt C-2)")"'}'
	claude_turn "$(prompt C-1)" "$queued" | hook claude
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "C-1: IDLE" ]
}

@test "Claude Code: a turn's prompt that reaches the transcript after the hook started" {
	# Claude Code 2.1 writes its transcript lazily: at Stop, the line of
	# the turn's prompt was missing in 2 runs of 5.
	echo '2026-11-25T08:00:00Z sent C-1' > queue.state
	claude_turn "$(prompt C-1)" > payload
	grep -v '"promptId":"P1"' transcript.jsonl > late.jsonl
	grep '"promptId":"P1"' transcript.jsonl > line.jsonl
	mv late.jsonl transcript.jsonl
	{ sleep 0.5; cat line.jsonl >> transcript.jsonl; } &
	hook claude < payload
	wait
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "C-1: IDLE" ]
}

@test "Claude Code before prompt_id: the last prompt of the transcript" {
	claude_turn "$(prompt C-1)" | sed 's/"prompt_id":"P1",//' > payload
	grep -qv prompt_id payload
	hook claude < payload
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "C-1: IDLE" ]
}

@test "Codex: the last input message is the turn's; the task is held IDLE" {
	printf '%s\n' '2026-11-25T07:00:00Z sent X-2' '2026-11-25T07:30:00Z DONE X-2' '2026-11-25T08:00:00Z sent X-1' > queue.state
	codex_turn "$(prompt X-2)" "$(prompt X-1)" | hook codex
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "X-1: IDLE" ]
	record_turns
	[ "$(state X-1)" = IDLE ]
	[ "$(state X-2)" = done ]
}

@test "Codex: its title request quotes the prompt, and marks nothing; nor do other notices" {
	codex_turn "Generate a concise, single-line task title of at most 36 characters. Do not answer the request.

User prompt:
$(prompt X-1)" | hook codex
	[ ! -e .tq-turns.md ]
	codex_turn "$(prompt X-1)" | sed 's/agent-turn-complete/approval-requested/' | hook codex
	[ ! -e .tq-turns.md ]
	codex_turn "$(prompt X-1)" | hook codex -c
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "X-1: COMPLETED" ]
}

@test "Gemini CLI: the prompt, even with the files it read appended" {
	echo '2026-11-25T08:00:00Z sent G-1' > queue.state
	gemini_turn "$(prompt G-1)
--- Content from referenced files ---
Content from @CHANGES.md: ..." | hook gemini
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "G-1: IDLE" ]
	record_turns
	[ "$(state G-1)" = IDLE ]
	gemini_turn "$(prompt G-1)" | hook gemini -c
	record_turns
	[ "$(state G-1)" = done ]
}

@test "a prompt that is not the task's text names it by its ID, if it names one task only" {
	gemini_turn "About G-2: also update README." | hook gemini
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "G-2: IDLE" ]
	rm .tq-turns.md
	# two IDs, an ID of another pane, an ID in a longer word: no task
	gemini_turn "G-1 and G-2, both." | hook gemini
	gemini_turn "As X-1 did." | hook gemini
	gemini_turn "See G-10, G-1x and XG-1 and G-1.5." | hook gemini
	[ ! -e .tq-turns.md ]
	gemini_turn "Now G-1." | hook gemini	# a full stop ends it
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "G-1: IDLE" ]
}

@test "a task that waits with after= is known by its prompt, not by that field" {
	cat > queue <<-'Q'
	X-1 t:2 Fix the TLS validation.
	G-1 t:3 after=X-1 Review the TLS fix in export/client.py.
	Q
	printf '%s\n' '2026-11-25T08:00:00Z DONE X-1' '2026-11-25T08:00:00Z sent G-1' > queue.state
	gemini_turn "Review the TLS fix in export/client.py." | hook gemini
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "G-1: IDLE" ]
}

@test "the race: the next task was sent to the pane before the hook ran; it is not marked" {
	# The agent wrote COMPLETED for the first task, tnext sent it the next
	# one at once, then the turn ended and the hook ran.
	for a in claude:C codex:X gemini:G; do
		printf '%s\n' "2026-11-25T08:00:00Z sent ${a#*:}-1" "2026-11-25T08:05:00Z COMPLETED ${a#*:}-1 1" \
		    "2026-11-25T08:05:01Z sent ${a#*:}-2" >> queue.state
	done
	claude_turn "$(prompt C-1)" | hook claude
	codex_turn "$(prompt C-1)" "$(prompt X-1)" | hook codex
	gemini_turn "$(prompt G-1)" | hook gemini
	[ "$(cut -d' ' -f2,3 .tq-turns.md | tr '\n' ' ')" = "C-1: IDLE X-1: IDLE G-1: IDLE " ]
	record_turns
	for t in C X G; do
		[ "$(state $t-1)" = done ]
		[ "$(state $t-2)" = sent ]	# still sent: its turn has not ended
	done
	# and the same with -c: the new tasks are not done
	rm .tq-turns.md
	claude_turn "$(prompt C-1)" | hook claude -c
	gemini_turn "$(prompt G-1)" | hook gemini -c
	[ "$(cut -d' ' -f2 .tq-turns.md | tr '\n' ' ')" = "C-1: G-1: " ]
}

@test "the same prompt for two panes: each pane's hook marks its own task" {
	printf '%s\n' 'A t:1 Run the tests.' 'B t:2 Run the tests.' > queue
	claude_turn 'Run the tests.' | hook claude
	codex_turn 'Run the tests.' | hook codex
	[ "$(cut -d' ' -f2,3,4 .tq-turns.md | tr '\n' ' ')" = "A: IDLE (claude B: IDLE (codex " ]
	# two tasks of one pane with one prompt: which? none
	rm .tq-turns.md
	printf '%s\n' 'A t:1 Run the tests.' 'B t:1 Run the tests.' > queue
	claude_turn 'Run the tests.' | hook claude
	[ ! -e .tq-turns.md ]
}

@test "no matching task, no queue, a payload that is not JSON: nothing written, status 0" {
	run hook gemini <<< "$(gemini_turn 'What is the time?')"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	claude_turn 'hello there' | hook claude
	codex_turn 'hello' | hook codex
	echo '{not json' | hook claude
	echo 'null' | hook gemini
	hook codex < /dev/null
	hook claude < /dev/null
	claude_turn "$(prompt C-1)" | sed "s|$PWD/transcript.jsonl|$PWD/gone.jsonl|" | hook claude
	[ ! -e .tq-turns.md ]
	mkdir elsewhere && cd elsewhere
	run hook gemini <<< "$(gemini_turn 'Write the changelog for 2.0.')"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A)" ]	# no ./queue here: nothing, and no file made
	# a bad queue is no queue
	echo 'G-1 t:3 Write the changelog for 2.0.' > queue
	gemini_turn 'Write the changelog for 2.0.' | hook gemini	# good: marked
	[ -s .tq-turns.md ]
	rm .tq-turns.md
	printf 'G-1 t:3 Write the changelog for 2.0.\nbad! t:3 x\n' > queue
	gemini_turn 'Write the changelog for 2.0.' | hook gemini
	[ ! -e .tq-turns.md ]
}

@test "without \$TMUX_PANE, every task of the queue is a candidate" {
	gemini_turn "$(prompt X-2)" | tq-hook gemini
	[ "$(cat .tq-turns.md)" = "### X-2: IDLE (gemini)" ]
}

@test "the queue: -q, else \$TQUEUE, else ./queue; the file beside it, or -o" {
	mkdir -p work/q && mv queue work/q/tasks && cd work
	gemini_turn 'Write the changelog for 2.0.' | hook gemini -q q/tasks
	[ "$(cut -d' ' -f2 q/.tq-turns.md)" = "G-1:" ]
	gemini_turn 'Port the CLI to Windows.' | TQUEUE=q/tasks hook gemini
	[ "$(cut -d' ' -f2 q/.tq-turns.md | tr '\n' ' ')" = "G-1: G-2: " ]
	gemini_turn 'Port the CLI to Windows.' | hook gemini -q q/tasks -o turns.md
	[ "$(cut -d' ' -f2 turns.md)" = "G-2:" ]
}

# A hook event of AGENT, as STATES.md saw the agents send it: the payload
# of EVENT with the JSON members given (after the event's name).
event() { # event AGENT EVENT [MEMBERS]
	local agent=$1 pane
	case $agent in claude) pane=$CLAUDE ;; codex) pane=$CODEX ;; gemini) pane=$GEMINI ;; esac
	printf '{"session_id":"S","cwd":"%s","hook_event_name":"%s"%s}' "$PWD" "$2" "${3:+,$3}" |
	    TMUX_PANE=$pane tq-hook "$agent"
}
last_marker() { tail -n 1 .tq-turns.md; }

@test "the prompt taken (UserPromptSubmit, BeforeAgent): the task is working; a stray prompt marks nothing" {
	printf '2026-11-25T08:00:00Z sent C-1\n2026-11-25T08:00:00Z sent X-1\n2026-11-25T08:00:00Z sent G-1\n' > queue.state
	event claude UserPromptSubmit '"transcript_path":"/t.jsonl","permission_mode":"default","prompt":'"$(json "$(prompt C-1)")"
	[ "$(last_marker)" = "### C-1: WORKING (claude $CLAUDE)" ]
	event codex UserPromptSubmit '"turn_id":"01a2","model":"gpt-6.2-sol","prompt":'"$(json "$(prompt X-1)")"
	[ "$(last_marker)" = "### X-1: WORKING turn 01a2 (codex $CODEX)" ]
	event gemini BeforeAgent '"prompt":'"$(json "$(prompt G-1)")"
	[ "$(last_marker)" = "### G-1: WORKING (gemini $GEMINI)" ]
	record_turns
	[ "$(state C-1) $(state X-1) $(state G-1)" = "working working working" ]
	# a prompt of no task, to an agent that is not held by its hook
	event claude UserPromptSubmit '"prompt":"What is the time?"'
	[ "$(wc -l < .tq-turns.md)" -eq 3 ]
}

@test "Codex hooks: Stop and Interrupt end the tasks of their turn, found by turn_id" {
	printf '2026-11-25T08:00:00Z sent X-1\n' > queue.state
	event codex UserPromptSubmit '"turn_id":"T1","prompt":'"$(json "$(prompt X-1)")"
	record_turns
	event codex Stop '"turn_id":"T9","stop_hook_active":false,"last_assistant_message":"Done."'
	[ "$(wc -l < .tq-turns.md)" -eq 1 ]	# another turn: nothing
	event codex Stop '"turn_id":"T1","stop_hook_active":false,"last_assistant_message":"Done."'
	[ "$(last_marker)" = "### X-1: IDLE (codex $CODEX)" ]
	record_turns
	[ "$(state X-1)" = IDLE ]
	# a person answers it: working again; then interrupted
	event codex UserPromptSubmit '"turn_id":"T2","prompt":"Yes, go on."'
	[ "$(last_marker)" = "### X-1: WORKING (codex $CODEX)" ]
	record_turns
	printf '### X-1: WORKING turn T2 (codex %s)\n' "$CODEX" >> .tq-turns.md
	event codex Interrupt '"turn_id":"T2"'
	[ "$(last_marker)" = "### X-1: IDLE interrupted (codex $CODEX)" ]
	record_turns
	[ "$(state X-1)" = IDLE ]
}

@test "a permission asked: WAITING, with the tool and its command on one line; the next event ends it" {
	printf '2026-11-25T08:00:00Z sent C-1\n2026-11-25T08:00:00Z sent X-1\n2026-11-25T08:00:00Z sent G-1\n' > queue.state
	event claude PermissionRequest '"tool_name":"Bash","permission_mode":"default","tool_input":{"command":"date \u0027+T %s\u0027 >> .marks &&\n rm -rf build","description":"Record"},"permission_suggestions":[]'
	[ "$(last_marker)" = "### C-1: WAITING Bash: date \u0027+T %s\u0027 >> .marks && rm -rf build (claude $CLAUDE)" ]
	event codex PermissionRequest '"turn_id":"T1","tool_name":"Bash","tool_input":{"command":"make install","description":"Install it?"}'
	[ "$(last_marker)" = "### X-1: WAITING Bash: make install (codex $CODEX)" ]
	event gemini Notification '"notification_type":"ToolPermission","message":"Tool Confirm Shell Command requires execution","details":{"type":"exec","title":"Confirm Shell Command","command":"make test","rootCommand":"make"}'
	[ "$(last_marker)" = "### G-1: WAITING Confirm Shell Command: make test (gemini $GEMINI)" ]
	record_turns
	[ "$(state C-1) $(state X-1) $(state G-1)" = "WAITING WAITING WAITING" ]
	[[ "$(tq -s WAITING)" =~ "Bash: make install (codex $CODEX)" ]]
	# a notice that is not a permission says nothing
	event gemini Notification '"notification_type":"Info","message":"hello"'
	[ "$(wc -l < .tq-turns.md)" -eq 3 ]
	event claude PostToolUse '"tool_name":"Bash","tool_response":{}'
	event codex PostToolUse '"turn_id":"T1","tool_name":"Bash"'
	event gemini AfterTool '"tool_name":"run_shell_command"'
	record_turns
	[ "$(state C-1) $(state X-1) $(state G-1)" = "working working working" ]
	# a tool event of a task that waits for nothing writes nothing
	n=$(wc -l < .tq-turns.md)
	event claude PostToolUse '"tool_name":"Bash"'
	[ "$(wc -l < .tq-turns.md)" -eq "$n" ]
}

@test "StopFailure: a usage limit is LIMIT until its reset, any other error ERROR; SessionEnd: GONE" {
	printf '2026-11-25T08:00:00Z sent C-1\n' > queue.state
	event claude StopFailure '"error":"rate_limit","last_assistant_message":"You'"'"'ve hit your session limit \u00b7 resets 3:01pm (UTC)"'
	[[ "$(last_marker)" =~ ^"### C-1: LIMIT until "[0-9]{4}-[0-9]{2}-[0-9]{2}"T15:02:00Z: You've hit your session limit" ]]
	record_turns
	[ "$(state C-1)" = LIMIT ]
	[[ "$(tq -s LIMIT)" =~ "until "[0-9-]+T15:02:00Z ]]
	# the next 15:02 UTC to come, within a day
	until=$(sed -n 's/.*LIMIT until \([^:]*:[^:]*:[^:]*\):.*/\1/p' .tq-turns.md)
	left=$(( $(date -d "$until" +%s) - $(date +%s) ))
	[ "$left" -gt 0 ] && [ "$left" -le 86400 ]
	# the local form, and no time at all
	printf '2026-11-25T08:00:01Z sent G-1\n' >> queue.state
	printf '2026-11-25T08:00:01Z sent X-1\n' >> queue.state
	event gemini StopFailure '"error":"rate_limit","last_assistant_message":"Limit (1:59pm)"'
	[[ "$(last_marker)" =~ ^"### G-1: LIMIT until "[0-9-]+T[0-9:]+Z": Limit (1:59pm) (gemini $GEMINI)"$ ]]
	event codex StopFailure '"error":"rate_limit","last_assistant_message":"Try later."'
	[ "$(last_marker)" = "### X-1: LIMIT Try later. (codex $CODEX)" ]
	printf '2026-11-25T08:00:02Z sent C-2\n2026-11-25T08:00:02Z DONE C-1 0\n' >> queue.state
	event claude StopFailure '"error":"server_error","last_assistant_message":"API Error: 529 Overloaded."'
	[ "$(last_marker)" = "### C-2: ERROR server_error: API Error: 529 Overloaded. (claude $CLAUDE)" ]
	record_turns
	[ "$(state C-2)" = ERROR ]
	event claude SessionEnd '"reason":"prompt_input_exit"'
	[ "$(last_marker)" = "### C-2: GONE the agent exited (prompt_input_exit) (claude $CLAUDE)" ]
	record_turns
	[ "$(state C-2)" = GONE ]
	[[ "$(tq -s GONE)" =~ "the agent exited (prompt_input_exit)" ]]
}

@test "-h and --help print the usage and the options, and exit 0" {
	run tq-hook -h
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^usage:\ tq-hook ]]
	[[ "$output" =~ "See tq-hook(1)." ]]
	run tq-hook --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^usage:\ tq-hook ]]
}

@test "usage errors exit 1, never 2 (Claude Code and Gemini CLI would not stop)" {
	run tq-hook
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "tq-hook: no agent: not claude, codex or gemini" ]
	run tq-hook -x claude
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "tq-hook: -x: no such option" ]
	run tq-hook cursor
	[ "$status" -eq 1 ]
	[[ "${lines[1]}" =~ ^usage:\ tq-hook ]]
}

@test "make install puts tq-hook beside the tools, and it finds tq there" {
	make -s -C "$ROOT" install DESTDIR="$PWD/root" PREFIX=/usr/local > /dev/null
	[ -x root/usr/local/bin/tq-hook ]
	[ -x root/usr/local/bin/tq ]
	[ -f root/usr/local/share/man/man1/tq-hook.1 ]
	# no tq on PATH: the one beside it answers
	echo '2026-11-25T08:00:00Z sent G-1' > queue.state
	gemini_turn 'Write the changelog for 2.0.' | PATH=/usr/bin:/bin root/usr/local/bin/tq-hook gemini
	[ "$(cut -d' ' -f2,3 .tq-turns.md)" = "G-1: IDLE" ]
}
