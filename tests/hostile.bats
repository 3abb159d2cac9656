#!/usr/bin/env bats
# Hostile input, for each tool: what agents write and hands edit.  Each
# case gets the documented error (file and line) or the right output, the
# documented exit status, and a state file unchanged when input is bad.
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }
teardown() { [ -z "$FOLLOW" ] || kill $FOLLOW 2>/dev/null || true; }

state_unchanged() { # state_unchanged CMD...: CMD fails, queue.state is as it was
	cp queue.state before 2>/dev/null || : > before
	[ -e queue.state ] || rm before
	run "$@"
	[ "$status" -eq 1 ]
	if [ -e before ]; then cmp before queue.state; else [ ! -e queue.state ]; fi
}

@test "tnext: a NUL byte in the queue is reported; the state file is untouched" {
	printf 'A s:1 one\nB s:1 t\0wo\n' > queue
	state_unchanged tnext <<< ''
	[ "$output" = "tnext: queue:2: NUL byte" ]
	printf 'A s:1 one\n' > queue
	tnext <<< '' > /dev/null
	printf 'A s:1 one\nB s:1 t\0wo\n' > queue
	state_unchanged tnext <<< 'A DONE'
}

@test "tnext: a queue that is a directory or a FIFO is refused, the state untouched" {
	mkdir queue
	state_unchanged tnext <<< ''
	[ "$output" = "tnext: queue: Is a directory" ] || [ "$output" = "tnext: queue: not a regular file" ]
	rmdir queue
	mkfifo queue
	state_unchanged tnext <<< ''
	[ "$output" = "tnext: queue: not a regular file" ]
}

@test "tq reads a queue from a FIFO once (tq -p /dev/stdin)" {
	mkfifo fifo
	printf 'A s:1 one\n' > fifo &
	run tq -p fifo
	[ "$status" -eq 0 ]
	[ "$output" = "A s:1 one" ]
}

@test "tnext: CRLF, a BOM and bytes that are not UTF-8 pass through as data" {
	printf '\357\273\277A s:1 caf\351 \377\r\n\tmore\r\n' > queue
	run tnext <<< ''
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '#state %s/queue.state\n#state-id %s\nA s:1 caf\351 \377\n\tmore' "$(pwd -P)" \
	    "$(stat -c '%d %i' queue.state)")" ]
}

@test "tnext: a 10 MB prompt is sent whole, and 100,000 tasks are no trouble" {
	{ printf 'BIG s:1 '; head -c 10485760 /dev/zero | tr '\0' x; echo; } > queue
	tnext <<< '' > out
	head -2 out > stateline
	[ "$(head -1 stateline)" = "#state $(pwd -P)/queue.state" ]
	[ "$(wc -c < out)" -eq $(($(wc -c < stateline) + 10485760 + 10)) ]
	awk 'BEGIN { for (i = 1; i <= 100000; i++) print "T-" i " p:" i % 10 " prompt " i }' > queue
	rm queue.state
	tnext <<< '' > out
	[ "$(grep -vc '^#' out)" -eq 20 ]	# ten records and their empty lines
	[ "$(tq | wc -l)" -eq 100000 ]
	run tnext <<< "$(printf 'T-1 DONE\nT-99999 DONE\n')"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' sent ' queue.state)" -eq 11 ]
}

@test "tnext: markers with NUL, CRLF and junk bytes" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	printf 'TODO-CODEX-003 DONE\r\nTODO-ANTI-001\0 DONE\n\377\376 DONE\n' > markers
	run tnext < markers
	[ "$status" -eq 1 ]
	[[ "$output" =~ TODO-CODEX-002\ palm:5 ]]	# the CRLF marker was taken
	[[ "$output" =~ "tnext: stdin:2: bad marker" ]]
	[[ "$output" =~ "tnext: stdin:3: bad marker" ]]
	[[ "$(tq)" =~ TODO-ANTI-001\ +sent ]]
}

@test "tnext: garbage and a cut-off line in the state file: reported, ended by '#', and the next event starts a fresh line" {
	six_tasks > queue
	printf 'garbage\n2026-11-25T08:00:00Z sent TODO-CODEX-003\n2026-11-25T08:00:01Z sent TODO-AN' > queue.state
	run tnext <<< ''
	[ "$status" -eq 0 ]
	[[ "$output" =~ "tnext: queue.state:1: bad event, ignored" ]]
	[[ "$output" =~ "tnext: queue.state:3: line cut short, ignored" ]]
	[[ "$output" =~ TODO-ANTI-001\ palm:3 ]]
	[ "$(sed -n 3p queue.state)" = "2026-11-25T08:00:01Z sent TODO-AN#" ]
	[[ "$(sed -n 4p queue.state)" =~ ^2026-.*\ sent\ TODO-ANTI-001$ ]]
	run tq
	[[ "$output" != *"cut short"* ]]	# said while it was cut; never an event
	[[ "$output" =~ TODO-ANTI-001\ +sent ]]
}

@test "a cut line is said by each reader that finds it cut, once; ended with '#', by no new tq or tnext" {
	six_tasks > queue
	printf '2026-11-25T08:00:00Z sent TODO-CODEX-003\n2026-11-25T08:00:01Z sent TODO-AN' > queue.state
	for i in 1 2; do
		[ "$(tq 2>&1 >/dev/null)" = "tq: queue.state:2: line cut short, ignored" ]
	done
	run tnext <<< ''	# reads it cut, says so, then ends it
	[ "${lines[0]}" = "tnext: queue.state:2: line cut short, ignored" ]
	[ "$(sed -n 2p queue.state)" = "2026-11-25T08:00:01Z sent TODO-AN#" ]
	for i in 1 2; do
		[ "$(tq 2>&1 >/dev/null)" = "" ]
		run tnext <<< ''
		[ "$status" -eq 0 ]
		[ "$output" = "" ]
	done
	# tq -f, which read it cut, says it once, not again once it is ended
	tq -f > out 2> err 3>&- &
	FOLLOW=$!
	eventually 10 grep -q TODO-CODEX-003 out
	printf '2026-11-25T08:00:02Z sent TODO-AN' >> queue.state
	eventually 10 grep -q 'queue.state:4: line cut short' err
	echo '#' >> queue.state
	echo '2026-11-25T08:00:03Z sent TODO-CODEX-002' >> queue.state
	eventually 10 grep -q 'TODO-CODEX-002 *sent' out
	kill $FOLLOW
	wait $FOLLOW
	[ "$(cat err)" = "tq: queue.state:4: line cut short, ignored" ]
}

@test "tnext: a full disk cuts an event short; the next tnext reads no event in it and loses nothing" {
	six_tasks > queue
	tnext <<< '' > /dev/null	# TODO-CODEX-003 and TODO-ANTI-001 sent
	cp queue.state start
	printf 'TODO-CODEX-003 COMPLETED 1\n\n' > batch
	full_disk() { # full_disk ROOM CUT: tnext with ROOM bytes left (ulimit -f 1), then with room
		cp start queue.state
		# an event for no task of the queue, to fill the file: read, shown nowhere
		printf '2026-11-25T08:00:00Z UNSENT PAD %s\n' \
		    "$(head -c $((1024 - $1 - $(wc -c < start) - 33)) /dev/zero | tr '\0' x)" >> queue.state
		rc=0
		(trap '' XFSZ; ulimit -f 1; exec tnext < batch > out 2> err) || rc=$?
		[ $rc -eq 1 ]
		[ "$(cat err)" = "tnext: queue.state: short write: the disk is full" ]
		[ "$(wc -c < queue.state)" -eq 1024 ]
		run tnext < batch	# the loop starts again
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "tnext: queue.state:$2: line cut short, ignored" ]
		[[ "$(sed -n "$2p" queue.state)" =~ ^2026-.*\#$ ]]
		[ "$(tq 2>&1 >/dev/null)" = "" ]	# ended: it was said while it was cut
		[ "$(tq | awk '{ printf "%s %s ", $1, $2 }')" = "TODO-CODEX-003 done TODO-CODEX-002 sent TODO-CODEX-001 pending TODO-ANTI-001 sent TODO-ANTI-002 pending TODO-ANTI-003 pending " ]
		[ "$(grep -c ' COMPLETED TODO-CODEX-003 1$' queue.state)" -eq 1 ]
		[ "$(grep -c ' sent TODO-CODEX-002$' queue.state)" -eq 1 ]
	}
	full_disk 10 4	# the marker is cut: not recorded, nothing sent
	[ ! -s out ]
	full_disk 58 5	# the marker fits; the sent event of the task it freed is cut
	[ "$(grep -c '^TODO-CODEX-002 ' out)" -eq 1 ]	# so it was written,
	[ "$(echo "$output" | grep -c '^TODO-CODEX-002 ')" -eq 1 ]	# and is written again
}

@test "tnext: a state file that is a symbolic link is not followed" {
	six_tasks > queue
	echo precious > elsewhere
	ln -s elsewhere queue.state
	run tnext <<< ''
	[ "$status" -eq 1 ]
	[[ "$output" =~ "tnext: queue.state: Too many levels of symbolic links" ]]
	[ "$(cat elsewhere)" = precious ]
}

@test "tnext creates its state file with the user's umask" {
	six_tasks > queue
	(umask 077; tnext <<< '' > /dev/null)
	[ "$(stat -c %a queue.state)" = 600 ]
	rm queue.state
	(umask 022; tnext <<< '' > /dev/null)
	[ "$(stat -c %a queue.state)" = 644 ]
}

@test "twatch: NUL bytes, bytes that are not UTF-8 and CRLF" {
	printf '### A: DONE\r\n\0\0### B: DONE\n\377\376### C: DONE\n### D\0: DONE\n### E: DONE\0\n### F: FAILED\r\n' > CLAUDE.md
	run twatch -1 CLAUDE.md
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'A DONE 1\nE DONE 1\nF FAILED 1')" ]
}

@test "twatch: a near miss is shown with nothing that drives a terminal" {
	printf '**T-1: DONE\033]0;title\007\r\n- T-2:\tdone \033[2J\n' > CLAUDE.md
	twatch -1 CLAUDE.md > out 2> err
	[ "$(cat out)" = "" ]
	[ "$(cat err)" = "$(printf '%s\n' 'twatch: CLAUDE.md:1: not a marker (bold, not a heading): **T-1: DONE\e]0;title\x07' 'twatch: CLAUDE.md:2: not a marker (a list item, not a heading; status not in upper case): - T-2:\tdone \e[2J')" ]
}

@test "twatch: its own stderr in the file it watches does not feed itself" {
	echo '**T-1: DONE**' > CLAUDE.md
	twatch CLAUDE.md 2>> CLAUDE.md > out 3>&- &
	pid=$!
	sleep 1
	kill $pid
	wait $pid
	[ "$(wc -l < CLAUDE.md)" -eq 2 ]
	[ "$(sed -n 2p CLAUDE.md)" = "twatch: CLAUDE.md:1: not a marker (bold, not a heading): **T-1: DONE**" ]
}

@test "twatch: a directory or a FIFO is not a file to watch" {
	mkdir dir
	mkfifo fifo
	run twatch -1 dir fifo
	[ "$status" -eq 1 ]
	[[ "$output" =~ "twatch: dir: not a regular file" ]]
	[[ "$output" =~ "twatch: fifo: not a regular file" ]]
}

@test "twatch: 100,000 markers in one scan, each once" {
	awk 'BEGIN { for (i = 0; i < 100000; i++) print "### T-" i ": DONE" }' > CLAUDE.md
	twatch -1 CLAUDE.md > out
	[ "$(grep -c . out)" -eq 100000 ]
	[ "$(sort -u out | grep -c .)" -eq 100000 ]
}

@test "tsend: a NUL byte in a record is reported, the rest is sent" {
	recorder nul
	printf 'A t:nul a\0b\n\nB t:nul fine\n\n' > records
	run tsend -S "$SOCK" -d 0 -w 0 < records
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: -:1: NUL byte" ]
	received nul 17
	cmp nul.rec <(pasted fine)
	run tsend -S "$SOCK" -d 0 -w 0 t:nul < <(printf 'x\0y')
	[ "$status" -eq 1 ]
}

@test "tsend: a BOM, CRLF and bytes that are not UTF-8" {
	recorder bytes
	printf '\357\273\277A t:bytes caf\351 \377\r\n\tnext\r\n\r\n' | tsend -S "$SOCK" -d 0 -w 0
	expect=$(printf '\033[200~caf\351 \377\nnext\033[201~\r')
	received bytes ${#expect}
	cmp bytes.rec <(printf '%s' "$expect")
}

@test "tsend: a 1 MB prompt arrives whole" {
	recorder mega
	head -c 786432 /dev/urandom | base64 -w 0 > prompt
	tsend -S "$SOCK" -d 0 -w 0 t:mega < prompt
	received mega $((1048576 + 13))
	cmp mega.rec <(pasted "$(cat prompt)")
}

@test "the whole loop runs nothing but tmux (strace -f -e execve)" {
	command -v strace > /dev/null || skip "no strace here (.ci/run installs it)"
	recorder traced
	echo 'T-1 t:traced traced prompt' > queue
	: > CLAUDE.md
	export ASAN_OPTIONS=detect_leaks=0	# LeakSanitizer cannot run under ptrace
	strace -f -qq -e trace=execve -o tw.trace twatch -1 CLAUDE.md |
	    strace -f -qq -e trace=execve -o tn.trace tnext queue |
	    strace -f -qq -e trace=execve -o ts.trace tsend -S "$SOCK" -d 0 -w 0 2> err || { cat err; false; }
	expect=$(pasted 'traced prompt')
	received traced ${#expect}
	cmp traced.rec <(printf '%s' "$expect")
	cat tw.trace tn.trace ts.trace
	for t in tw tn ts; do
		[ "$(grep -c 'execve(' $t.trace)" -ge 1 ]
		# the first execve is the tool itself; every other is tmux
		[ "$(grep 'execve(' $t.trace | sed 1d | grep -vc 'execve("[^"]*/tmux", \["tmux"')" -eq 0 ]
	done
	[ "$(grep -c 'execve(' tw.trace)" -eq 1 ]
	[ "$(grep -c 'execve(' tn.trace)" -eq 1 ]
	grep -q 'execve("[^"]*/tmux", \["tmux", "-S"' ts.trace
}

@test "messages show data with its control characters escaped, never raw: tnext, twatch, tsend" {
	printf 'A-1 s:1 one\n' > queue
	printf 'A-1 \e]0;PWNED\aDONE\n\n' | tnext > /dev/null 2> err || true
	[ "$(cat err)" = "tnext: stdin:1: bad marker 'A-1 \\e]0;PWNED\\x07DONE', ignored" ]
	printf '**A-1: COMPLETED** \e[31m\xc2\x9b\n' > CLAUDE.md
	twatch -1 CLAUDE.md 2> err > /dev/null
	[ "$(cat err)" = "twatch: CLAUDE.md:1: not a marker (bold, not a heading): **A-1: COMPLETED** \\e[31m\\xc2\\x9b" ]
	run tsend -S "$BATS_TEST_TMPDIR/none" "$(printf 'x:\e[31m1')" 'a prompt'
	[ "$status" -eq 1 ]
	[[ "$output" == "tsend: x:\\e[31m1: "* ]]
	! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177\200-\237]')" err <<< "$output" || false
}
