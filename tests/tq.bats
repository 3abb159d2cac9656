#!/usr/bin/env bats
# tq and the task grammar it shares with the other tools.
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }

@test "tq lists every task as pending when there is no state file" {
	six_tasks > queue
	run tq
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[0]}" =~ ^TODO-CODEX-003\ +pending\ +palm:5\ +-\ +-$ ]]
	[[ "${lines[5]}" =~ ^TODO-ANTI-003\ +pending\ +palm:3\ +-\ +-$ ]]
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
	TQ_NOW=2026-11-25T09:00:00Z run tq
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^TODO-CODEX-003\ +done\ +palm:5\ +2026-11-25T08:05:00Z\ +55m$ ]]
	[[ "${lines[1]}" =~ ^TODO-CODEX-002\ +sent\ +palm:5\ +2026-11-25T08:05:01Z\ +54m$ ]]
	[[ "${lines[2]}" =~ ^TODO-CODEX-001\ +pending\ +palm:5\ +-\ +-$ ]]
	[[ "${lines[3]}" =~ ^TODO-ANTI-001\ +BLOCKED\ +palm:3 ]]
	[[ "${lines[5]}" =~ ^TODO-ANTI-003\ +done ]]
}

@test "tq -s keeps the tasks in one state; held matches every held status" {
	six_tasks > queue
	printf '%s\n' '2026-11-25T08:00:00Z sent TODO-CODEX-003' \
	    '2026-11-25T08:00:01Z BLOCKED TODO-ANTI-001' '2026-11-25T08:00:02Z FAILED TODO-ANTI-002' > queue.state
	run tq -s sent
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^TODO-CODEX-003\ +sent\ +palm:5\ +2026-11-25T08:00:00Z\ +[0-9dhms]+$ ]]
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
	bad 'A fix the bug\n' "tq: queue:1: bad target 'fix' (want session:window[.pane], %N or @N)"
}

@test "a target with a control character is an error, and the message shows it escaped" {
	printf 'A-1 \e]0;PWNED\a\e[31mred:1 hello\n' > queue
	run tq -c
	[ "$status" -eq 1 ]
	[ "$output" = "tq: queue:1: bad target '\\e]0;PWNED\\x07\\e[31mred:1' (a control character)" ]
	# C1: in UTF-8 (U+009B), and as a byte of its own, which 8-bit terminals obey
	bad 'A s:\xc2\x9b1 x\n' "tq: queue:1: bad target 's:\\xc2\\x9b1' (a control character)"
	bad 'A s:\x9b1 x\n' "tq: queue:1: bad target 's:\\x9b1' (a control character)"
	bad 'A s:\x7f1 x\n' "tq: queue:1: bad target 's:\\x7f1' (a control character)"
	# UTF-8 whose bytes are in 0x80-0x9f is no control character; other bytes are data
	printf 'A s:\xe2\x82\xac1 euro\nB s:\xe91 latin-1\n' > queue
	tq -c
}

@test "what the state file holds is shown with its control characters escaped" {
	printf 'A-1 s:1 one\nB-1 s:1 two\n' > queue
	printf '2026\e]0;X\a sent A-1\n2026-11-25T08:00:01Z UNSENT B-1 no pane \xc2\x9b31m here \x9b\n' > queue.state
	TQ_NOW=2026-11-25T09:00:00Z tq > out
	[ "$(cat out)" = "$(printf '%s\n' 'A-1  sent    s:1     2026\e]0;X\x07        -' 'B-1  UNSENT  s:1     2026-11-25T08:00:01Z  59m  no pane \xc2\x9b31m here \x9b')" ]
	TQ_NOW=2026-11-25T09:00:00Z tq -f > out 3>&- &
	FOLLOW=$!
	eventually 10 grep -q '^$' out
	kill $FOLLOW
	wait $FOLLOW
	[ "$(sed -n 2,3p out)" = "$(TQ_NOW=2026-11-25T09:00:00Z tq)" ]
	! LC_ALL=C grep -q "$(printf '[\001-\037\177\200-\237]')" out || false
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

@test "a stdout closed from the start is an error" {
	six_tasks > queue
	rc=0
	tq 2> err >&- || rc=$?
	[ "$rc" -eq 1 ]
	[ "$(cat err)" = "tq: stdout: closed; nothing done" ]
}

@test "no queue where the default says: it says which it tried and why" {
	run tq
	[ "$status" -eq 1 ]
	[ "$output" = "tq: queue: No such file or directory (no QUEUE given, and TQUEUE is not set)" ]
	TQUEUE=$PWD/q run tq
	[ "$output" = "tq: $PWD/q: No such file or directory (the queue that TQUEUE names)" ]
	run tnext <<< ''
	[ "$output" = "tnext: queue: No such file or directory (no QUEUE given, and TQUEUE is not set)" ]
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
	[[ "${lines[1]}" =~ ^TODO-CODEX-002\ +pending\ +palm:5\ +-\ +-$ ]]
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
	[[ "$output" != *"queue.state:7"* ]]	# a cut line, ended: said while it was cut
	[[ "$output" =~ TODO-CODEX-003\ +done ]]
	[[ "$output" =~ TODO-CODEX-002\ +BLOCKED ]]
	[[ "$output" =~ TODO-ANTI-003\ +pending ]]
	[ "$(tq 2>&1 | grep -c 'tq: ')" -eq 3 ]
}

@test "usage errors say what was wrong, then the usage; -h prints it and succeeds" {
	run tq -s blocked
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "tq: -s blocked: no such state; states are pending, sent, working, done, held or a held status in upper case" ]
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

@test "every tool: -h and --help print the usage, a line for each option, and the man page" {
	for t in tq tnext twatch tsend; do
		for h in -h --help; do
			run $t $h
			[ "$status" -eq 0 ]
			[ "$($t $h 2>/dev/null)" = "$output" ]	# on stdout
			[[ "${lines[0]}" =~ ^usage:\ $t\  ]]
			# each option of the usage line, on a line of its own that says what it does
			for o in $(grep -o -- '-[A-Za-z0-9]\+' <<< "${lines[0]}" | cut -c2- | fold -w1 | sort -u); do
				echo "$output" | grep -q "^  -$o [ A-Z]* *[a-z]" || { echo "$t: no line for -$o"; false; }
			done
			[[ "${lines[-1]}" == *"$t(1)"* ]]
		done
		# an error still says only what was wrong and the usage line
		run $t -Z
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 2 ]
	done
}

@test "how long each task has been in its state, and why it is held" {
	for x in A B C D E F G H I J K L; do echo "$x s:1 task $x"; done > queue
	cat > queue.state <<-'S'
	2026-11-25T09:00:00Z sent A
	2026-11-25T08:59:01Z sent B
	2026-11-25T08:59:00Z sent C
	2026-11-25T08:00:01Z sent D
	2026-11-25T08:00:00Z sent E
	2026-11-25T06:46:59Z sent F
	2026-11-24T09:00:01Z sent G
	2026-11-24T09:00:00Z sent H
	2026-11-22T01:59:00Z BLOCKED I 1
	2026-11-25T09:00:05Z sent J
	2026-11-25T08:58:00Z UNSENT K no server running on /tmp/tmux-0/default
	S
	TQ_NOW=2026-11-25T09:00:00Z run tq
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat <<-'T'
	A   sent     s:1     2026-11-25T09:00:00Z  0s
	B   sent     s:1     2026-11-25T08:59:01Z  59s
	C   sent     s:1     2026-11-25T08:59:00Z  1m
	D   sent     s:1     2026-11-25T08:00:01Z  59m
	E   sent     s:1     2026-11-25T08:00:00Z  1h00m
	F   sent     s:1     2026-11-25T06:46:59Z  2h13m
	G   sent     s:1     2026-11-24T09:00:01Z  23h59m
	H   sent     s:1     2026-11-24T09:00:00Z  1d00h
	I   BLOCKED  s:1     2026-11-22T01:59:00Z  3d07h
	J   sent     s:1     2026-11-25T09:00:05Z  0s
	K   UNSENT   s:1     2026-11-25T08:58:00Z  2m      no server running on /tmp/tmux-0/default
	L   pending  s:1     -                     -
	T
	)" ]
	# the calendar: a leap day, the turn of a year
	printf '%s\n' '2024-02-28T00:00:00Z sent A' '2025-12-31T23:59:59Z sent B' > queue.state
	[[ "$(TQ_NOW=2024-03-01T00:00:00Z tq -s sent | head -1)" =~ \ 2d00h$ ]]
	[[ "$(TQ_NOW=2026-01-01T00:00:00Z tq -s sent | tail -1)" =~ \ 1s$ ]]
	# without TQ_NOW, the clock: a task sent now is 0s or 1s old
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) sent C" > queue.state
	[[ "$(tq -s sent)" =~ \ [01]s$ ]]
}

@test "a TQ_NOW that is not a time is an error" {
	six_tasks > queue
	TQ_NOW=2026-11-25 run tq
	[ "$status" -eq 1 ]
	[ "$output" = "tq: TQ_NOW=2026-11-25: not a time such as 2026-11-25T09:00:00Z" ]
	TQ_NOW=2026-13-01T00:00:00Z run tq
	[ "$status" -eq 1 ]
}

@test "columns are aligned by display width: UTF-8 targets, wide characters" {
	printf '%s\n' 'A plain:1 x' 'B palmé:1 x' 'C 中文:1 x' > queue
	echo '2026-11-25T08:00:00Z sent C' > queue.state
	# where the time column begins, in columns of the screen
	LC_ALL=C.UTF-8 TQ_NOW=2026-11-25T09:00:00Z tq > out
	[ "$(sed -n 1p out)" = "A   pending  plain:1  -                     -" ]
	[ "$(sed -n 2p out)" = "B   pending  palmé:1  -                     -" ]
	[ "$(sed -n 3p out)" = "C   sent     中文:1   2026-11-25T08:00:00Z  1h00m" ]	# 中 and 文 take two columns each
	# in the C locale, one column a UTF-8 character
	LC_ALL=C TQ_NOW=2026-11-25T09:00:00Z tq > out
	[ "$(sed -n 3p out)" = "C   sent     中文:1     2026-11-25T08:00:00Z  1h00m" ]
	[ "$(sed -n 2p out)" = "B   pending  palmé:1  -                     -" ]
}

# -f, into a pipe: a table per change, each ended by an empty line.
start_follow() { # start_follow ARGS...: tq -f in the background, output in "out"
	tq -f "$@" > out 2> err 3>&- &	# bats waits for whoever holds fd 3
	FOLLOW=$!
	wait_for_tables 1
}

teardown() {
	[ -z "$FOLLOW" ] || kill $FOLLOW 2>/dev/null || true
}

wait_for_tables() { # wait_for_tables N: until "out" has N tables, up to 10 s
	local n=$1
	eventually 10 eval '[ "$(grep -c "^$" out)" -ge $n ]' && return
	echo "out has $(grep -c '^$' out) tables, not $1:"; cat out err
	return 1
}

@test "tq -f into a pipe: a summary, the table, an empty line; again at each change" {
	six_tasks > queue
	cat > queue.state <<-'S'
	2026-11-25T08:00:00Z sent TODO-CODEX-003
	2026-11-25T08:05:00Z COMPLETED TODO-CODEX-003 1
	2026-11-25T08:05:01Z sent TODO-CODEX-002
	2026-11-25T08:30:00Z sent TODO-ANTI-001
	2026-11-25T08:40:00Z UNSENT TODO-ANTI-002 can't find pane: %9
	S
	export TQ_NOW=2026-11-25T09:00:00Z
	start_follow
	[ "$(sed -n 1p out)" = "6 tasks: 2 pending, 2 sent, 1 done, 1 UNSENT; oldest sent: TODO-CODEX-002, 54m" ]
	[ "$(sed -n 2,8p out)" = "$(tq; echo)" ]	# the table tq prints, then an empty line
	echo '2026-11-25T08:59:00Z IDLE TODO-CODEX-002 1' >> queue.state
	wait_for_tables 2
	[ "$(sed -n 9p out)" = "6 tasks: 2 pending, 1 sent, 1 done, 1 IDLE, 1 UNSENT; oldest sent: TODO-ANTI-001, 30m" ]
	[[ "$(sed -n 11p out)" =~ ^TODO-CODEX-002\ +IDLE\ +palm:5\ +2026-11-25T08:59:00Z\ +1m$ ]]
	# a save by rename, as editors do
	{ six_tasks; echo 'NEW s:1 a new task'; } > q.tmp && mv q.tmp queue
	wait_for_tables 3
	[[ "$(sed -n 17p out)" =~ ^7\ tasks:\ 3\ pending ]]
	[ "$(tail -n 2 out | head -1)" = "NEW             pending  s:1     -                     -" ]
	# the same table again is not written again
	n=$(wc -l < out)
	touch queue queue.state
	sleep 0.3
	[ "$(wc -l < out)" -eq "$n" ]
	kill $FOLLOW
	wait $FOLLOW	# SIGTERM: status 0
	[ ! -s err ]
}

@test "tq -f: no wake-up and no CPU time while nothing changes, even as ages grow" {
	needs_inotify "without it, tq -f looks every second"
	six_tasks > queue
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) sent TODO-ANTI-001" >> queue.state	# 0s old: into a pipe, no ticking
	start_follow
	sleep 0.2
	before=$(grep voluntary_ctxt_switches /proc/$FOLLOW/status)
	cpu=$(awk '{ print $14 + $15 }' /proc/$FOLLOW/stat)
	sleep 2
	[ "$(grep voluntary_ctxt_switches /proc/$FOLLOW/status)" = "$before" ]
	[ "$(awk '{ print $14 + $15 }' /proc/$FOLLOW/stat)" = "$cpu" ]
	[ "$(grep -c '^$' out)" -eq 1 ]
}

@test "tq -f: SIGTERM, SIGINT and SIGHUP end it while its output is not read" {
	for i in $(seq 3000); do echo "T-$i s:1 prompt $i"; done > queue	# a table larger than a pipe
	blocked() { # the pipe is full: tq waits in write(2), or wrote all it holds
		grep -q pipe_write /proc/$FOLLOW/wchan || [ "$(awk '/^wchar/ { print $2 }' /proc/$FOLLOW/io)" -ge 65536 ]
	}
	for sig in TERM INT HUP; do
		mkfifo full.$sig
		exec {fd}<>full.$sig	# open, never read
		tq -f > full.$sig 2> err 3>&- &
		FOLLOW=$!
		eventually 10 blocked
		kill -$sig $FOLLOW
		eventually 10 eval '! kill -0 $FOLLOW 2>/dev/null'
		wait $FOLLOW	# status 0
		[ ! -s err ]
		exec {fd}>&-
	done
}

@test "tq -f: a bad queue is reported and waited out; SIGINT ends it with 0" {
	six_tasks > queue
	start_follow
	echo 'BAD' >> queue
	eventually 10 grep -q 'missing target' err
	[ "$(cat err)" = "tq: queue:7: BAD: missing target" ]
	[ "$(grep -c '^$' out)" -eq 1 ]	# no table for a bad queue
	six_tasks > queue
	wait_for_tables 2
	kill -INT $FOLLOW
	wait $FOLLOW
}

@test "tq -f: a queue that is not there yet is waited for; a directory that is not is an error" {
	start_follow_missing() { tq -f "$@" > out 2> err 3>&- & FOLLOW=$!; }
	start_follow_missing
	eventually 10 test -s err
	[ "$(cat err)" = "tq: queue: No such file or directory (no QUEUE given, and TQUEUE is not set)" ]
	six_tasks > queue
	eventually 10 grep -q '^6 tasks' out
	grep -q '^6 tasks' out	# perhaps after the empty file just created
	run tq -f nodir/queue
	[ "$status" -eq 1 ]
	[ "$output" = "tq: nodir: No such file or directory" ]
	run tq -f -p
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "tq: -f: a live table; not with -c, -p or -T" ]
}

@test "tq -f on a terminal: in place, ages tick, the terminal restored on SIGINT" {
	six_tasks > queue
	echo "$(date -u -d '-57 seconds' +%Y-%m-%dT%H:%M:%SZ) sent TODO-CODEX-003" > queue.state
	TM new-window -d -t t:7 -n live "echo before; tq -f '$PWD/queue'; echo status \$?; sleep 100"
	screen() { TM capture-pane -p -t t:7; }
	eventually 10 eval '[[ "$(screen)" =~ "6 tasks" ]]'
	[[ "$(screen | head -1)" =~ ^6\ tasks:\ 5\ pending,\ 1\ sent,\ 0\ done\;\ oldest\ sent:\ TODO-CODEX-003,\ 5[7-9]s$ ]]
	[[ "$(screen | sed -n 2p)" =~ ^TODO-CODEX-003\ +sent\ +palm:5 ]]
	[[ "$(screen)" != *before* ]]	# the alternate screen
	# it ticks: 57s becomes 1m without any change to the files
	eventually 15 eval '[[ "$(screen | sed -n 2p)" =~ \ 1m$ ]]'
	[[ "$(screen | sed -n 2p)" =~ \ 1m$ ]]
	# a change: redrawn in place, not below
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) sent TODO-ANTI-001" >> queue.state
	eventually 10 eval '[[ "$(screen)" =~ "2 sent" ]]'
	[ "$(screen | grep -c tasks:)" -eq 1 ]
	[ "$(screen | grep -c TODO-ANTI-001)" -eq 1 ]
	TM send-keys -t t:7 C-c
	eventually 10 eval '[[ "$(screen)" =~ status ]]'
	[ "$(screen | grep -v '^$')" = "$(printf 'before\nstatus 0')" ]
	TM kill-window -t t:7
}

@test "tq -f on a terminal: ages tick on when the clock is set back an hour" {
	# the step an NTP daemon makes, to tq alone: a library put before libc
	# sets CLOCK_REALTIME back once the file "jump" exists (setting the
	# machine's clock would move every test running beside this one)
	cat > jump.c <<-C
	#define _GNU_SOURCE
	#include <sys/syscall.h>
	#include <time.h>
	#include <unistd.h>
	int clock_gettime(clockid_t id, struct timespec *ts)
	{
		long r = syscall(SYS_clock_gettime, id, ts);
		if (!r && id == CLOCK_REALTIME && access("$PWD/jump", F_OK) == 0)
			ts->tv_sec -= 3600;
		return r;
	}
	C
	cc -shared -fPIC -o jump.so jump.c
	six_tasks > queue
	echo "$(date -u -d '-55 seconds' +%Y-%m-%dT%H:%M:%SZ) sent TODO-CODEX-003" > queue.state
	TM new-window -d -t t:9 -n clock "LD_PRELOAD='$PWD/jump.so' ASAN_OPTIONS=\$ASAN_OPTIONS:verify_asan_link_order=0 tq -f '$PWD/queue'"
	screen() { TM capture-pane -p -t t:9; }
	eventually 10 eval '[[ "$(screen | sed -n 2p)" =~ \ 5[5-9]s$ ]]'
	[[ "$(screen | sed -n 2p)" =~ \ 5[5-9]s$ ]]
	touch jump
	eventually 30 eval '[[ "$(screen | sed -n 2p)" =~ \ 1m$ ]]'
	[[ "$(screen | sed -n 2p)" =~ \ 1m$ ]]
	TM kill-window -t t:9
}

@test "tq -f on a terminal: ^Z gives the shell its screen back, fg draws again" {
	six_tasks > queue
	TM new-window -d -t t:6 -n job "cd '$PWD' && PS1='$ ' exec bash --norc --noprofile -i"
	screen() { TM capture-pane -p -t t:6; }
	until_screen() { local re=$1; eventually 10 eval '[[ "$(screen)" =~ $re ]]' && return; screen; return 1; }
	until_screen '^\$'
	TM send-keys -t t:6 'echo before; tq -f' Enter
	until_screen '6 tasks'
	TM send-keys -t t:6 C-z
	until_screen Stopped
	[[ "$(screen)" =~ before ]]
	[[ "$(screen)" != *"6 tasks"* ]]
	TM send-keys -t t:6 fg Enter
	until_screen '6 tasks'
	[[ "$(screen)" != *before* ]]
	TM send-keys -t t:6 C-c
	until_screen 'fg'
	TM kill-window -t t:6
}

@test "tq -f on a short terminal: done tasks go first, then the bottom of the table" {
	for i in $(seq 1 20); do echo "T-$i s:1 task $i"; done > queue
	for i in $(seq 1 15); do echo "2026-11-25T08:00:00Z DONE T-$i"; done > queue.state
	TM new-window -d -t t:8 -n short "TQ_NOW=2026-11-25T09:00:00Z tq -f '$PWD/queue'"
	TM resize-window -t t:8 -y 8 2>/dev/null || TM resize-pane -t t:8 -y 8
	screen() { TM capture-pane -p -t t:8; }
	eventually 10 eval '[[ "$(screen | sed -n 6p)" =~ ^T-20 ]]'
	screen
	[ "$(screen | head -1)" = "20 tasks: 5 pending, 0 sent, 15 done" ]
	[[ "$(screen | sed -n 2p)" =~ ^T-16\ +pending ]]
	[[ "$(screen | sed -n 6p)" =~ ^T-20\ +pending ]]
	echo '2026-11-25T08:00:00Z DONE T-16' >> queue.state
	for i in $(seq 1 5); do echo "X-$i s:1 more"; done >> queue
	eventually 10 eval '[[ "$(screen)" =~ more ]]'
	screen
	[[ "$(screen | sed -n 2p)" =~ ^T-17\ +pending ]]
	[ "$(screen | sed -n 7p)" = "... 4 more" ]	# 8 rows: the summary, 5 tasks, this line, the cursor's
	TM kill-window -t t:8
}

@test "-t PANE: only the tasks for that pane, named as the queue does or as tmux does" {
	TM new-window -d -t t:5 -n five 'sleep 100000'
	TM new-window -d -t t:3 -n three 'sleep 100000'
	five=$(TM display-message -p -t t:5 '#{pane_id}')
	printf '%s\n' 'A t:5 a' 'B t:3 b' "C $five c" 'D t:five d' 'E t:9 e' > queue
	[ "$(tq -S "$SOCK" -t t:5 | awk '{ print $1 }' | tr '\n' ' ')" = "A C D " ]
	[ "$(tq -S "$SOCK" -t "$five" | awk '{ print $1 }' | tr '\n' ' ')" = "A C D " ]
	[ "$(TMUX=$SOCK,1,0 tq -t "$five" | awk '{ print $1 }' | tr '\n' ' ')" = "A C D " ]	# tmux's own $TMUX
	[ "$(tq -S "$SOCK" -p -t t:3)" = "$(printf 'B t:3 b')" ]
	# no such pane on the server, or no server: the same string only
	[ "$(tq -S "$SOCK" -t t:9 | awk '{ print $1 }')" = "E" ]
	[ "$(TMUX_TMPDIR=$BATS_TEST_TMPDIR tq -L tq-no-such-server -t t:5 | awk '{ print $1 }')" = "A" ]
	TM kill-window -t t:5
	TM kill-window -t t:3
}

@test "-T checks each target against the tmux server" {
	TM new-window -d -t t:5 -n five 'sleep 100000'
	printf '%s\n' 'A t:5 a' 'B t:9 b' 'C t:five c' '' 'D nosuch:1 d' 'E t:5.3 e' 'F %999 f' 'G @999 g' > queue
	run tq -T -S "$SOCK"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' 'tq: queue:2: t:9: no such pane' 'tq: queue:5: nosuch:1: no such pane' \
	    'tq: queue:6: t:5.3: no such pane' 'tq: queue:7: %999: no such pane' 'tq: queue:8: @999: no such pane')" ]
	run tq -c -T -S "$SOCK"	# -c -T is -T
	[ "$status" -eq 1 ]
	printf '%s\n' 'A t:5; a' 'B t:5 b' > queue	# a ';' at its end ends no tmux command
	run tq -T -S "$SOCK"
	[ "$status" -eq 1 ]
	[ "$output" = 'tq: queue:1: t:5;: no such pane' ]
	printf '%s\n' 'A t:5 a' 'C t:five c' > queue
	run tq -T -S "$SOCK"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	TMUX_TMPDIR=$BATS_TEST_TMPDIR run tq -T -L tq-no-such-server
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^tq:\ tmux:\ .*tq-no-such-server ]]
	[ "${#lines[@]}" -eq 1 ]
	run tq -T -S "$SOCK" -L x
	[ "$status" -eq 2 ]
	TM kill-window -t t:5
}
