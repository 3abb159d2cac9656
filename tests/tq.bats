#!/usr/bin/env bats
# tq and the task grammar it shares with the other tools.
load common

@test "tq lists every task as pending when there is no state file" {
	six_tasks > queue
	run tq
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[0]}" =~ ^TODO-CODEX-003\ +pending\ +palm:5\ +-$ ]]
	[[ "${lines[5]}" =~ ^TODO-ANTI-003\ +pending\ +palm:3\ +-$ ]]
}

@test "tq reads \$TQUEUE, and an argument overrides it" {
	six_tasks > q1
	echo 'X a:1 hello' > q2
	TQUEUE=q1 run tq
	[ "${#lines[@]}" -eq 6 ]
	TQUEUE=q1 run tq q2
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^X ]]
}

@test "tq shows the state file: the last event of each task wins" {
	six_tasks > queue
	cat > queue.state <<-'S'
	2026-11-25T08:00:00Z sent TODO-CODEX-003
	2026-11-25T08:00:01Z sent TODO-ANTI-001
	2026-11-25T08:05:00Z COMPLETED TODO-CODEX-003
	2026-11-25T08:05:01Z sent TODO-CODEX-002
	2026-11-25T08:06:00Z BLOCKED TODO-ANTI-001
	2026-11-25T08:07:00Z DONE TODO-ANTI-003
	S
	run tq
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^TODO-CODEX-003\ +done\ +palm:5\ +2026-11-25T08:05:00Z$ ]]
	[[ "${lines[1]}" =~ ^TODO-CODEX-002\ +sent\ +palm:5\ +2026-11-25T08:05:01Z$ ]]
	[[ "${lines[2]}" =~ ^TODO-CODEX-001\ +pending\ +palm:5\ +-$ ]]
	[[ "${lines[3]}" =~ ^TODO-ANTI-001\ +BLOCKED\ +palm:3 ]]
	[[ "${lines[5]}" =~ ^TODO-ANTI-003\ +done ]]
}

@test "tq -s keeps the tasks in one state; held matches every held status" {
	six_tasks > queue
	printf '%s\n' '2026-11-25T08:00:00Z sent TODO-CODEX-003' \
	    '2026-11-25T08:00:01Z BLOCKED TODO-ANTI-001' '2026-11-25T08:00:02Z FAILED TODO-ANTI-002' > queue.state
	run tq -s sent
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^TODO-CODEX-003\ +sent\ +palm:5\ +2026-11-25T08:00:00Z$ ]]
	run tq -s pending
	[ "${#lines[@]}" -eq 3 ]
	run tq -s BLOCKED
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ TODO-ANTI-001 ]]
	run tq -s held
	[ "${#lines[@]}" -eq 2 ]
	run tq -s done
	[ "$output" = "" ]
	run tq -s Pending
	[ "$status" -eq 2 ]
}

@test "tq -p prints the records, each ended by an empty line" {
	printf 'A s:1 one\nB s:2 two\n\tmore\n' > queue
	run tq -p
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'A s:1 one\n\nB s:2 two\n\tmore\n')" ]
	# the empty line after the last record is there too
	[ "$(tq -p | tail -c 2 | od -An -c | tr -d ' ')" = '\n\n' ]
}

@test "tq -p -s prints only the records in that state" {
	six_tasks > queue
	echo '2026-11-25T08:00:00Z sent TODO-ANTI-002' > queue.state
	run tq -p -s sent
	[ "$output" = "TODO-ANTI-002 palm:3 Second Antigravity task" ]
}

@test "round trip: tq -p queue | tq -p /dev/stdin gives the same records" {
	cat > queue <<'Q'
# comment
A s:1 ends in a semicolon;
B s:2.1 first line
 	second, after a space: its TAB stays
	  third, indented
 
	after an empty line
C %7
	prompt on continuation lines only
	  and indented
D s:3 Tu es Codex. TÂCHE BLOQUANTE: éàü — 中文 🙂
E s:4 tabs	inside	the prompt, $(not expanded) `nor this` 'q' "qq" \n
F s:5 -starts with a dash; Enter C-c
Q
	tq -p queue > once
	tq -p /dev/stdin < once > twice
	cmp once twice
	tq -p once > thrice
	cmp once thrice
	# and the parsed prompts are what the queue says
	grep -q '^A s:1 ends in a semicolon;$' once
	grep -q "$(printf '^\t\tsecond, after a space: its TAB stays$')" once
	grep -q '^C %7 prompt on continuation lines only$' once
	grep -q "$(printf '^\t  and indented$')" once
	grep -q "$(printf 'tabs\tinside\tthe prompt')" once
	[ "$(tq queue | wc -l)" -eq 6 ]
}

@test "CRLF line ends, trailing blanks and a UTF-8 BOM are dropped" {
	printf '\357\273\277A s:1 one  \r\nB s:2 two\t\r\n\tmore \r\n' > queue
	run tq -p
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'A s:1 one\n\nB s:2 two\n\tmore\n')" ]
}

@test "a 1 MB line and bytes that are not UTF-8 are data" {
	{ printf 'BIG s:1 '; head -c 1048576 /dev/zero | tr '\0' x; printf '\nBIN s:2 \377\376\200 ok\n'; } > queue
	run tq -c
	[ "$status" -eq 0 ]
	[ "$(tq -p | head -1 | wc -c)" -eq $((1048576 + 9)) ]
	tq -p | grep -q "$(printf 'BIN s:2 \377\376\200 ok')"
}

@test "tq -c is silent and succeeds on a good queue" {
	six_tasks > queue
	run tq -c
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

bad() { # bad CONTENT EXPECTED-MESSAGE
	printf -- "$1" > queue
	run tq -c
	[ "$status" -eq 1 ]
	[ "$output" = "$2" ]
	run tq
	[ "$status" -eq 1 ]
	[ "$output" = "$2" ]	# the message and nothing else
}

@test "a missing target is an error with the file and line" {
	bad 'A s:1 ok\n\nB\n' "tq: queue:3: B: missing target"
}

@test "a target that is no tmux pane is an error" {
	bad 'A fix the bug\n' "tq: queue:1: bad target 'fix' (want session:window[.pane] or %N)"
}

@test "an ID with bad characters is an error" {
	bad 'A s:1 ok\nTODO/1 s:1 x\n' "tq: queue:2: bad ID 'TODO/1'"
	bad '-A s:1 x\n' "tq: queue:1: bad ID '-A'"
}

@test "a duplicate ID is an error that names both lines" {
	bad 'A s:1 one\n\tmore\nB s:1 two\nA s:2 three\n' "tq: queue:4: duplicate ID 'A' (first at line 1)"
}

@test "a continuation line with no task above is an error" {
	bad '# c\n\tstray\n' "tq: queue:2: continuation line with no task above"
	bad 'A s:1 one\n\n\tstray\n' "tq: queue:3: continuation line with no task above"
}

@test "a NUL byte is an error" {
	bad 'A s:1 one\nB s:1 t\0wo\n' "tq: queue:2: NUL byte"
}

@test "a task with no prompt is an error" {
	bad 'A s:1\n\nB s:1 x\n' "tq: queue:1: A: empty prompt"
}

@test "every bad line is reported, and nothing is printed" {
	printf 'A s:1 one\nbad! s:1 x\n\tits continuation is not reported\nB\nA s:1 dup\n' > queue
	run tq -p
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "tq: queue:2: bad ID 'bad!'" ]
	[ "${lines[1]}" = "tq: queue:4: B: missing target" ]
	[ "${lines[2]}" = "tq: queue:5: duplicate ID 'A' (first at line 1)" ]
}

@test "a missing, unreadable or directory queue is an error" {
	run tq nothere
	[ "$status" -eq 1 ]
	[ "$output" = "tq: nothere: No such file or directory" ]
	mkdir dir
	run tq dir
	[ "$status" -eq 1 ]
	[ "$output" = "tq: dir: Is a directory" ]
	if [ "$(id -u)" -ne 0 ]; then
		echo 'A s:1 x' > q; chmod 0 q
		run tq q
		[ "$status" -eq 1 ]
	fi
}

@test "garbage and a cut-off line in the state file are reported, not fatal" {
	six_tasks > queue
	printf '%s\n' 'garbage here' '2026-11-25T08:00:00Z sent TODO-CODEX-003' > queue.state
	printf '2026-11-25T08:00:01Z sent TODO-ANTI' >> queue.state
	run tq
	[ "$status" -eq 0 ]
	[[ "$output" =~ "tq: queue.state:1: bad event, ignored" ]]
	[[ "$output" =~ "tq: queue.state:3: line cut short, ignored" ]]
	[[ "$output" =~ TODO-CODEX-003\ +sent ]]
	[[ "$output" =~ TODO-ANTI-001\ +pending ]]
}

@test "usage errors exit 2" {
	run tq -x
	[ "$status" -eq 2 ]
	run tq a b
	[ "$status" -eq 2 ]
	[[ "$output" =~ usage: ]]
}

@test "the state file: UNSENT holds a pending or sent task, never a done or held one" {
	six_tasks > queue
	cat > queue.state <<-'S'
	2026-11-25T08:00:00Z sent TODO-CODEX-003
	2026-11-25T08:00:01Z UNSENT TODO-CODEX-003 no server running on /tmp/tmux-0/default
	2026-11-25T08:00:02Z UNSENT TODO-ANTI-001 can't find pane: %9
	2026-11-25T08:00:03Z sent TODO-ANTI-002
	2026-11-25T08:00:04Z DONE TODO-ANTI-002 1
	2026-11-25T08:00:05Z UNSENT TODO-ANTI-002 too late
	2026-11-25T08:00:06Z BLOCKED TODO-ANTI-003 1
	2026-11-25T08:00:07Z UNSENT TODO-ANTI-003 too late
	S
	run tq
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^TODO-CODEX-003\ +UNSENT\ +palm:5\ +2026-11-25T08:00:01Z ]]
	[[ "${lines[3]}" =~ ^TODO-ANTI-001\ +UNSENT\ +palm:3\ +2026-11-25T08:00:02Z ]]	# a sent overtaken
	[[ "${lines[4]}" =~ ^TODO-ANTI-002\ +done\ +palm:3\ +2026-11-25T08:00:04Z ]]
	[[ "${lines[5]}" =~ ^TODO-ANTI-003\ +BLOCKED\ +palm:3\ +2026-11-25T08:00:06Z ]]
	run tq -s held
	[ "${#lines[@]}" -eq 3 ]
}

@test "the state file: IDLE holds only a task that is sent" {
	six_tasks > queue
	cat > queue.state <<-'S'
	2026-11-25T08:00:00Z sent TODO-CODEX-003
	2026-11-25T08:00:01Z IDLE TODO-CODEX-003 1
	2026-11-25T08:00:02Z IDLE TODO-CODEX-002 1
	2026-11-25T08:00:03Z COMPLETED TODO-ANTI-001 1
	2026-11-25T08:00:04Z IDLE TODO-ANTI-001 1
	S
	run tq
	[[ "${lines[0]}" =~ ^TODO-CODEX-003\ +IDLE ]]
	[[ "${lines[1]}" =~ ^TODO-CODEX-002\ +pending\ +palm:5\ +-$ ]]
	[[ "${lines[3]}" =~ ^TODO-ANTI-001\ +done\ +palm:3\ +2026-11-25T08:00:03Z ]]
}

@test "the state file: events with and without N, and what is not an event" {
	six_tasks > queue
	cat > queue.state <<-'S'
	2026-11-25T08:00:00Z COMPLETED TODO-CODEX-003
	2026-11-25T08:00:01Z BLOCKED TODO-CODEX-002 3
	2026-11-25T08:00:02Z sent TODO-CODEX-001 extra
	2026-11-25T08:00:03Z BLOCKED TODO-ANTI-001 x
	2026-11-25T08:00:04Z BLOCKED TODO-ANTI-002 -1

	2026-11-25T08:00:05Z sent TODO-ANTI-003#
	S
	run tq
	[ "$status" -eq 0 ]
	[[ "$output" =~ "tq: queue.state:3: bad event, ignored" ]]
	[[ "$output" =~ "tq: queue.state:4: bad event, ignored" ]]
	[[ "$output" =~ "tq: queue.state:5: bad event, ignored" ]]
	[[ "$output" =~ "tq: queue.state:7: line cut short, ignored" ]]
	[[ "$output" =~ TODO-CODEX-003\ +done ]]
	[[ "$output" =~ TODO-CODEX-002\ +BLOCKED ]]
	[[ "$output" =~ TODO-ANTI-003\ +pending ]]
	[ "$(tq 2>&1 | grep -c 'tq: ')" -eq 4 ]
}

@test "usage errors say what was wrong, then the usage; -h prints it and succeeds" {
	run tq -s blocked
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "tq: -s blocked: no such state; states are pending, sent, done, held or a held status in upper case" ]
	[[ "${lines[1]}" =~ ^usage:\ tq ]]
	run tq -x
	[ "${lines[0]}" = "tq: -x: no such option" ]
	run tq -s
	[ "${lines[0]}" = "tq: -s needs an argument" ]
	for t in tq tnext twatch tsend; do
		run $t -h
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^usage:\ $t\  ]]
		[ "$($t -h 2>/dev/null)" = "$output" ]	# on stdout
	done
}
