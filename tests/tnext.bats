#!/usr/bin/env bats
# tnext: markers in, next tasks out, the state file in between.
load common

ids() { # the IDs of the records in files or stdin
	awk '/^[A-Za-z0-9]/ { print $1 }' "$@"
}

records() { # the IDs of the records ended by an empty line: those a reader acts on
	awk '/^[A-Za-z0-9]/ { id = $1; next } /^[ \t]/ { next } /^$/ && id != "" { print id } { id = "" }' "$@"
}

state_line() { # the two lines tnext prints first here: the state file's path and identity
	echo "#state $(pwd -P)/queue.state"
	echo "#state-id $(stat -c '%d %i' queue.state)"
}

# Starts tnext reading the FIFO "in", writing "out"; markers go to fd 5.
start_tnext() {
	mkfifo in
	tnext "$@" < in > out 2> err 3>&- &
	TNEXT=$!
	exec 5> in	# bash keeps its own saved descriptors at 10 and up
}

# Ends what a test started, even when it failed half way.
teardown() {
	local p
	exec 5>&- 6<&-
	for p in $(jobs -p); do kill $p 2>/dev/null || true; done
	wait 2>/dev/null || true
}

stop_tnext() { # end its input; it must exit 0 within 5 s
	exec 5>&-
	wait_for eval '! kill -0 $TNEXT 2>/dev/null'
	wait $TNEXT
}

wait_for() { eventually 10 "$@"; }	# wait_for COMMAND...: up to 10 s for it to succeed

now_us() { echo "${EPOCHREALTIME/./}"; }

twatch_counts() { # twatch prints "ID STATUS N" (the twatch branch)
	printf '### X-1: DONE\n### X-1: DONE\n' > probe.md
	twatch -1 probe.md | grep -qx 'X-1 DONE 2'
}

@test "an empty batch (echo | tnext) fills every idle pane with its first task" {
	six_tasks > queue
	run tnext <<< ''
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s\n\n%s' "$(state_line)" "$(sed -n 1p queue)" "$(sed -n 4p queue)")" ]
	[ "$(tq -s sent | awk '{print $1}' | tr '\n' ' ')" = "TODO-CODEX-003 TODO-ANTI-001 " ]
	run tnext <<< ''
	[ "$output" = "" ]	# nothing to send: not even the #state line
}

@test "an input that ends before its first batch is no go: nothing sent, said, exit 1" {
	six_tasks > queue
	for input in /dev/null comments; do
		printf '# only a comment\n' > comments
		rc=0
		tnext < $input > out 2> err || rc=$?
		[ "$rc" -eq 1 ]
		[ ! -s out ]
		[ "$(cat err)" = "tnext: stdin: ended before its first batch; nothing sent (echo | tnext is an empty batch)" ]
		[ ! -s queue.state ]
	done
	# a first batch cut by the end of input: its writer died in the middle
	printf 'TODO-CODEX-003 COMPLETED 1\nTODO-ANTI-001 COMPL' | { rc=0; tnext > out 2> err || rc=$?; echo $rc > rc; }
	[ "$(cat rc)" -eq 1 ]
	[ ! -s out ]
	[ "$(cat err)" = "$(printf '%s\n' "tnext: stdin:2: a line cut off by the end of input, ignored" "tnext: stdin: ended in the middle of its first batch; nothing sent")" ]
	[ "$(tq -s sent)" = "" ]
	[[ "$(tq)" =~ TODO-CODEX-003\ +done ]]	# what it did read is recorded
}

@test "twatch fails, tnext sends nothing: a task already marked done is never sent" {
	printf 'A-1 p:1 one\nA-2 p:1 two\n' > queue
	echo '### A-1: COMPLETED' > CLAUDE.md
	twatch CLAUDE.md nodir/.tq-turns.md 2> err.twatch | { rc=0; tnext queue > out 2> err || rc=$?; echo $rc > rc; }
	[ "$(cat err.twatch)" != "" ]
	[ "$(cat rc)" -eq 1 ]
	[ ! -s out ]
	grep -q 'ended before its first batch; nothing sent' err
	[ "$(tq -s pending | wc -l)" -eq 2 ]
	# the same loop, twatch working: A-1 is recorded done, A-2 is sent
	twatch -1 CLAUDE.md | tnext queue > out
	[ "$(ids out)" = A-2 ]
}

@test "a queue changed before the first batch waits for it; -r sends its task alone until then" {
	printf 'A-1 p:1 one\nB-1 p:2 two\nB-2 p:2 three\n' > queue
	start_tnext -r B-2
	wait_for grep -q B-2 out
	echo 'C-1 p:3 four' >> queue	# for an idle pane: it waits for the go
	sleep 0.3
	[ "$(ids out)" = B-2 ]
	printf 'A-1 COMPLETED 1\n\n' >&5	# the first batch: A-1 was done before the loop
	wait_for grep -q C-1 out
	[ "$(ids out | tr "\n" " ")" = "B-2 C-1 " ]	# A-1 was never sent
	[[ "$(tq)" =~ A-1\ +done ]]
	stop_tnext
}

@test "with standard output closed, tnext ends at once, says so, and every task stays pending" {
	six_tasks > queue
	rc=0
	echo | tnext queue 2> err >&- || rc=$?
	[ "$rc" -eq 1 ]
	[ "$(cat err)" = "tnext: stdout: closed; nothing done" ]
	[ ! -e queue.state ]
	[ "$(tq -s pending | wc -l)" -eq 6 ]
}

@test "#state names the state file by an absolute path, once, before the first record" {
	mkdir -p d/sub
	ln -s d link
	six_tasks > d/sub/q
	(cd link && tnext ./sub/q <<< '' > ../out1)
	[ "$(head -1 out1)" = "#state $(pwd -P)/d/sub/q.state" ]
	[ "$(sed -n 2p out1)" = "#state-id $(stat -c '%d %i' d/sub/q.state)" ]	# which file that is, here
	[ "$(grep -c '^#state' out1)" -eq 2 ]
	printf 'TODO-CODEX-003\n\nTODO-ANTI-001\n\n' | TQUEUE=$PWD/link/sub/q tnext > out2
	[ "$(head -1 out2)" = "#state $PWD/link/sub/q.state" ]	# an absolute path as given
	[ "$(grep -c '^#state' out2)" -eq 2 ]
	[ "$(records out2 | tr '\n' ' ')" = "TODO-CODEX-002 TODO-ANTI-002 " ]
}

@test "a queue used through a symbolic link and by its own name is one queue: one state file, one send lock" {
	mkdir real
	six_tasks > real/queue
	ln -s real/queue q
	tnext q <<< '' > out	# TODO-CODEX-003 and TODO-ANTI-001
	[ "$(head -1 out)" = "#state $(pwd -P)/real/queue.state" ]
	[ ! -e q.state ] && [ ! -e q.lock ]
	[ -e real/queue.lock ]
	printf 'TODO-CODEX-003 COMPLETED\n\n' | tnext real/queue > out
	[ "$(ids out)" = TODO-CODEX-002 ]
	[[ "$(tq q)" =~ TODO-CODEX-002\ +sent ]]
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)	# the same ages, however slow each tq
	[ "$(TQ_NOW=$now tq q)" = "$(TQ_NOW=$now tq real/queue)" ]
}

@test "a same-size edit in place that keeps the modification time is seen" {
	printf 'T-1 p:1 one\nT-2 p:1 two\n' > queue
	start_tnext
	printf '\n' >&5
	wait_for grep -q T-1 out
	printf 'T-1 WAITING\n' >&5	# holds p:1; and a batch begun: the edit waits for its end
	mtime=$(stat -c %y queue)
	printf 'T-1 p:1 one\nT-2 p:2 two\n' 1<> queue	# T-2 to an idle pane, same size
	touch -m -d "$mtime" queue	# as cp -p, rsync -t do; or two writes in one tick
	[ "$(stat -c %y queue)" = "$mtime" ]
	printf '\n' >&5
	wait_for grep -q T-2 out
	stop_tnext
}

@test "each record is written the moment its batch ends, ended by an empty line" {
	six_tasks > queue
	start_tnext
	sleep 0.2
	[ ! -s out ]	# no batch has ended yet
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-001 out
	kill -0 $TNEXT	# still running: the records were flushed, not held
	[ "$(cat out)" = "$(printf '%s\n%s\n\n%s\n' "$(state_line)" "$(sed -n 1p queue)" "$(sed -n 4p queue)")" ]
	printf 'TODO-ANTI-001 COMPLETED\n' >&5
	sleep 0.2
	[ "$(ids out | wc -l)" -eq 2 ]	# the batch has not ended
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-002 out
	stop_tnext
}

@test "the six-task scenario, marker by marker" {
	six_tasks > queue
	tnext <<< '' > out
	for m in TODO-CODEX-003 TODO-ANTI-001 TODO-CODEX-002 TODO-ANTI-002 TODO-CODEX-001 TODO-ANTI-003; do
		printf '%s COMPLETED\n\n' "$m" | tnext >> out
	done
	[ "$(ids out | tr '\n' ' ')" = "TODO-CODEX-003 TODO-ANTI-001 TODO-CODEX-002 TODO-ANTI-002 TODO-CODEX-001 TODO-ANTI-003 " ]
	[ "$(tq -s done | wc -l)" -eq 6 ]
}

@test "a restart replays every marker so far in one batch and sends only what was not sent" {
	six_tasks > queue
	tnext <<< '' > out
	printf 'TODO-CODEX-003 COMPLETED 1\n\n' | tnext >> out
	printf 'TODO-ANTI-001 COMPLETED 1\n\n' | tnext >> out
	[ "$(ids out | wc -l)" -eq 4 ]
	# the loop restarts: twatch prints all of CLAUDE.md in one batch
	printf 'TODO-CODEX-003 COMPLETED 1\nTODO-ANTI-001 COMPLETED 1\n\n' | tnext > again
	[ ! -s again ]
	printf 'TODO-CODEX-003 COMPLETED 1\nTODO-ANTI-001 COMPLETED 1\nTODO-CODEX-002 COMPLETED 1\n\n' | tnext > again
	[ "$(ids again)" = TODO-CODEX-001 ]
	[ "$(grep -c ' sent ' queue.state)" -eq 5 ]
	[ "$(grep -c ' COMPLETED ' queue.state)" -eq 3 ]	# nothing recorded twice
}

@test "a marker batch is recorded in full before anything is sent" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	# CODEX-003 completed, and CODEX-002 was already done elsewhere
	printf 'TODO-CODEX-003 COMPLETED\nTODO-CODEX-002 DONE\n\n' | tnext > out
	[ "$(ids out)" = TODO-CODEX-001 ]
	[[ "$(tq)" =~ TODO-CODEX-002\ +done ]]
}

@test "COMPLETED for a pending task marks it done without sending it" {
	six_tasks > queue
	echo TODO-CODEX-003 | tnext > out
	[ "$(ids out | tr '\n' ' ')" = "TODO-CODEX-002 TODO-ANTI-001 " ]
	[ "$(grep -c TODO-CODEX-003 queue.state)" -eq 1 ]
	grep -q ' COMPLETED TODO-CODEX-003 0$' queue.state	# 0: typed by hand
}

@test "BLOCKED holds the pane; -r sends the task again; DONE skips it" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	printf 'TODO-CODEX-003 BLOCKED\n\n' | tnext > out
	[ ! -s out ]
	[[ "$(tq)" =~ TODO-CODEX-003\ +BLOCKED ]]
	printf '\n' | tnext > out
	[ ! -s out ]
	run tnext -r TODO-CODEX-003 < /dev/null
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | ids)" = TODO-CODEX-003 ]
	[[ "$(tq)" =~ TODO-CODEX-003\ +sent ]]
	printf 'TODO-CODEX-003 FAILED\n\n' | tnext > out
	[ ! -s out ]
	echo TODO-CODEX-003 DONE | tnext > out
	[ "$(ids out)" = TODO-CODEX-002 ]
}

@test "occurrences: after -r a replay changes nothing, the next BLOCKED holds and the next COMPLETED completes" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	echo 'TODO-CODEX-003 BLOCKED 1' | tnext
	grep -q ' BLOCKED TODO-CODEX-003 1$' queue.state
	tnext -r TODO-CODEX-003 < /dev/null > out
	[ "$(ids out)" = TODO-CODEX-003 ]
	echo 'TODO-CODEX-003 BLOCKED 1' | tnext > out	# a replay of the file
	[[ "$(tq)" =~ TODO-CODEX-003\ +sent ]]
	echo 'TODO-CODEX-003 BLOCKED 2' | tnext > out	# the agent blocked again
	[[ "$(tq)" =~ TODO-CODEX-003\ +BLOCKED ]]
	tnext -r TODO-CODEX-003 < /dev/null > out
	echo 'TODO-CODEX-003 BLOCKED' | tnext > out	# typed by hand: always counts
	[[ "$(tq)" =~ TODO-CODEX-003\ +BLOCKED ]]
	# COMPLETED, -r, COMPLETED again
	printf 'TODO-ANTI-001 COMPLETED 1\n\n' | tnext > out
	[ "$(ids out)" = TODO-ANTI-002 ]
	tnext -r TODO-ANTI-001 < /dev/null 2> err > out
	printf 'TODO-ANTI-001 COMPLETED 1\nTODO-ANTI-002 COMPLETED 1\n\n' | tnext > out
	[ "$(ids out)" = TODO-ANTI-001 ]	# it goes before ANTI-003
	printf 'TODO-ANTI-001 COMPLETED 1\nTODO-ANTI-002 COMPLETED 1\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-ANTI-001\ +sent ]]	# the replay did not complete it
	printf 'TODO-ANTI-001 COMPLETED 1\nTODO-ANTI-002 COMPLETED 1\nTODO-ANTI-001 COMPLETED 2\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-ANTI-001\ +done ]]
	[ "$(ids out)" = TODO-ANTI-003 ]
}

@test "the same, long-running: markers with N on one input, -r from another tnext" {
	six_tasks > queue
	start_tnext
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-001 out
	printf 'TODO-CODEX-003 BLOCKED 1\nTODO-ANTI-001 COMPLETED 1\n\n' >&5
	wait_for grep -q TODO-ANTI-002 out
	tnext -r TODO-CODEX-003 < /dev/null > out.r
	[ "$(ids out.r)" = TODO-CODEX-003 ]
	tnext -r TODO-ANTI-001 < /dev/null 2> err.r > out.r
	[ "$(cat err.r)" = "tnext: TODO-ANTI-001: reset; palm:3 is busy with TODO-ANTI-002, it goes next" ]
	printf 'TODO-ANTI-002 COMPLETED 1\n\n' >&5
	wait_for eval '[ "$(ids out | tail -1)" = TODO-ANTI-001 ]'
	printf 'TODO-CODEX-003 BLOCKED 2\nTODO-ANTI-001 COMPLETED 2\n\n' >&5
	wait_for grep -q TODO-ANTI-003 out
	[[ "$(tq)" =~ TODO-CODEX-003\ +BLOCKED ]]
	[[ "$(tq)" =~ TODO-ANTI-001\ +done ]]
	stop_tnext
	[ "$(ids out | tr '\n' ' ')" = "TODO-CODEX-003 TODO-ANTI-001 TODO-ANTI-002 TODO-ANTI-001 TODO-ANTI-003 " ]
}

# The four retry cases through a real twatch.  They need twatch to print
# "ID STATUS N" (the twatch branch); until then they are skipped.
retry_cron() { # retry_cron STATUS: the cron form, twatch -1 of a growing CLAUDE.md
	twatch_counts || skip "twatch does not print N yet"
	six_tasks > queue
	cron() { twatch -1 CLAUDE.md | tnext queue; }
	echo '# notes' > CLAUDE.md
	cron > out
	echo "### TODO-CODEX-003: $1" >> CLAUDE.md
	cron > out
	tnext -r TODO-CODEX-003 < /dev/null 2> err > out.r
	cron > out
	cron > out	# a replay, minute after minute
	echo "### TODO-ANTI-001: COMPLETED" >> CLAUDE.md
	cron > out
	[ "$(ids out)" = TODO-ANTI-002 ]	# and nothing else
}

@test "BLOCKED, -r, BLOCKED again, in the cron form through twatch -1 (needs twatch's N)" {
	retry_cron BLOCKED
	[ "$(ids out.r)" = TODO-CODEX-003 ]	# -r sent it
	echo "### TODO-CODEX-003: BLOCKED" >> CLAUDE.md	# the second one
	cron > out
	[ ! -s out ]
	[[ "$(tq)" =~ TODO-CODEX-003\ +BLOCKED ]]
	[ "$(grep -c ' BLOCKED TODO-CODEX-003 ' queue.state)" -eq 2 ]
}

@test "COMPLETED, -r, COMPLETED again, in the cron form through twatch -1 (needs twatch's N)" {
	retry_cron COMPLETED
	[ "$(cat err)" = "tnext: TODO-CODEX-003: reset; palm:5 is busy with TODO-CODEX-002, it goes next" ]
	echo "### TODO-CODEX-002: COMPLETED" >> CLAUDE.md
	cron > out
	[ "$(ids out)" = TODO-CODEX-003 ]	# the reset one, before CODEX-001
	cron > out
	[[ "$(tq)" =~ TODO-CODEX-003\ +sent ]]
	echo "### TODO-CODEX-003: COMPLETED" >> CLAUDE.md	# the second one
	cron > out
	[ "$(ids out)" = TODO-CODEX-001 ]
	[[ "$(tq)" =~ TODO-CODEX-003\ +done ]]
}

retry_live() { # retry_live STATUS: the long-running form, twatch | tnext
	twatch_counts || skip "twatch does not print N yet"
	six_tasks > queue
	echo '# notes' > CLAUDE.md
	mkfifo markers
	twatch CLAUDE.md > markers 2> werr 3>&- &
	TWATCH=$!
	tnext queue < markers > out 2> err 3>&- &
	TNEXT=$!
	wait_for grep -q TODO-ANTI-001 out
	echo "### TODO-CODEX-003: $1" >> CLAUDE.md
}

stop_live() {
	kill $TWATCH
	wait_for eval '! kill -0 $TNEXT 2>/dev/null'	# its input ended
	wait $TNEXT
	[ ! -s err ]
}

@test "BLOCKED, -r, BLOCKED again, through a running twatch (needs twatch's N)" {
	retry_live BLOCKED
	wait_for grep -q ' BLOCKED TODO-CODEX-003 1$' queue.state
	tnext -r TODO-CODEX-003 < /dev/null > out.r
	[ "$(ids out.r)" = TODO-CODEX-003 ]
	echo "### TODO-CODEX-003: BLOCKED" >> CLAUDE.md
	wait_for grep -q ' BLOCKED TODO-CODEX-003 2$' queue.state
	[[ "$(tq)" =~ TODO-CODEX-003\ +BLOCKED ]]
	stop_live
}

@test "COMPLETED, -r, COMPLETED again, through a running twatch (needs twatch's N)" {
	retry_live COMPLETED
	wait_for grep -q TODO-CODEX-002 out
	tnext -r TODO-CODEX-003 < /dev/null > out.r 2>&1
	[ "$(cat out.r)" = "tnext: TODO-CODEX-003: reset; palm:5 is busy with TODO-CODEX-002, it goes next" ]
	echo "### TODO-CODEX-002: COMPLETED" >> CLAUDE.md
	wait_for eval '[ "$(ids out | tail -1)" = TODO-CODEX-003 ]'
	echo "### TODO-CODEX-003: COMPLETED" >> CLAUDE.md
	wait_for grep -q TODO-CODEX-001 out
	[[ "$(tq)" =~ TODO-CODEX-003\ +done ]]
	stop_live
	[ "$(ids out | tr '\n' ' ')" = "TODO-CODEX-003 TODO-ANTI-001 TODO-CODEX-002 TODO-CODEX-003 TODO-CODEX-001 " ]
}

@test "IDLE holds only a task that is sent, and its replay never holds a task sent again" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	printf 'TODO-CODEX-003 IDLE 1\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-CODEX-003\ +IDLE ]]
	[ ! -s out ]
	printf 'TODO-ANTI-001 COMPLETED 1\nTODO-ANTI-001 IDLE 1\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-ANTI-001\ +done ]]	# the end of its turn undoes nothing
	printf 'TODO-ANTI-003 IDLE 1\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-ANTI-003\ +pending ]]
	tnext -r TODO-CODEX-003 < /dev/null > out
	printf 'TODO-CODEX-003 IDLE 1\n\n' | tnext > out	# a replay
	[[ "$(tq)" =~ TODO-CODEX-003\ +sent ]]
	# recorded while it changed nothing, so its replay holds nothing later
	printf 'TODO-ANTI-002 COMPLETED 1\n\n' | tnext > out
	[ "$(ids out)" = TODO-ANTI-003 ]
	printf 'TODO-ANTI-003 IDLE 1\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-ANTI-003\ +sent ]]
	printf 'TODO-ANTI-003 IDLE 2\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-ANTI-003\ +IDLE ]]
}

@test "a state file of before occurrences still reads: a marker with no N counts as the first" {
	six_tasks > queue
	cat > queue.state <<-'S'
	2026-11-25T08:00:00Z sent TODO-CODEX-003
	2026-11-25T08:10:00Z BLOCKED TODO-CODEX-003
	2026-11-25T08:20:00Z reset TODO-CODEX-003
	2026-11-25T08:20:00Z sent TODO-CODEX-003
	S
	printf 'TODO-CODEX-003 BLOCKED 1\n\n' | tnext > out	# the one recorded before
	[[ "$(tq)" =~ TODO-CODEX-003\ +sent ]]
	printf 'TODO-CODEX-003 BLOCKED 1\nTODO-CODEX-003 BLOCKED 2\n\n' | tnext > out
	[[ "$(tq)" =~ TODO-CODEX-003\ +BLOCKED ]]
	[ "$(tail -1 queue.state | cut -d' ' -f2-)" = "BLOCKED TODO-CODEX-003 2" ]
}

@test "-r of an unknown task is an error that changes nothing" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	cp queue.state before
	run tnext -r NOPE < /dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "tnext: NOPE: no such task in queue" ]
	cmp queue.state before
}

@test "-r sends that task, not the one inserted above it; on a busy pane it says so and goes next" {
	printf 'T-2 p:1 two\nT-3 p:1 three\n' > queue
	tnext <<< '' > /dev/null
	echo 'T-2 BLOCKED' | tnext > /dev/null
	printf 'T-1 p:1 one, inserted\nT-2 p:1 two\nT-3 p:1 three\n' > queue
	run tnext -r T-2 < /dev/null
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | ids)" = T-2 ]
	# T-2 done; T-1 is next; reset T-2 and T-3 while T-1 is out
	echo 'T-2 DONE' | tnext > out
	[ "$(ids out)" = T-1 ]
	run tnext -r T-3 < /dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "tnext: T-3: reset; p:1 is busy with T-1, it goes next" ]
	run tnext -r T-2 < /dev/null
	[ "$output" = "tnext: T-2: reset; p:1 is busy with T-1, it goes next" ]
	echo 'T-1 BLOCKED' | tnext > out
	run tnext -r T-3 < /dev/null	# again: a held pane says why
	[ "$output" = "tnext: T-3: reset; p:1 is busy with T-1 (BLOCKED), it goes next" ]
	echo 'T-1 DONE' | tnext > out
	[ "$(ids out)" = T-2 ]	# reset first goes first
	echo 'T-2 DONE' | tnext > out
	[ "$(ids out)" = T-3 ]
}

@test "a marker for an unknown ID is reported, ignored, and makes the exit status 1" {
	six_tasks > queue
	rc=0
	printf 'NOPE-1 COMPLETED\nTODO-CODEX-003 COMPLETED\n' | tnext > out 2> err || rc=$?
	[ $rc -eq 1 ]
	[ "$(cat err)" = "tnext: stdin:1: no task NOPE-1 in queue, marker ignored" ]
	[ "$(records out | tr '\n' ' ')" = "TODO-CODEX-002 TODO-ANTI-001 " ]
	! grep -q NOPE queue.state || false
}

@test "a replayed marker of a task since removed from the queue is no error" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	printf 'TODO-CODEX-003 COMPLETED 1\n\n' | tnext > /dev/null
	sed -i 1d queue	# done: the user tidies the queue
	run tnext <<< 'TODO-CODEX-003 COMPLETED 1'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run tnext <<< 'TODO-CODEX-003 COMPLETED 2'
	[ "$status" -eq 1 ]
	[ "$output" = "tnext: stdin:1: no task TODO-CODEX-003 in queue, marker ignored" ]
}

@test "bad marker lines are reported and skipped, and tnext exits 1" {
	six_tasks > queue
	run tnext <<< "$(printf 'TODO/1 DONE\nTODO-CODEX-003 BLOCKED needs a key\nTODO-ANTI-001 DONE!\nTODO-ANTI-002 done\n# a comment\nTODO-ANTI-003 DONE 99999999999999999999\nTODO-CODEX-001 DONE -1\n')"
	[ "$status" -eq 1 ]
	[[ "$output" =~ "tnext: stdin:1: bad marker 'TODO/1 DONE', ignored" ]]
	[[ "$output" =~ "tnext: stdin:3: bad marker 'TODO-ANTI-001 DONE!', ignored" ]]
	[[ "$output" =~ "tnext: stdin:6: bad marker 'TODO-ANTI-003 DONE 99999999999999999999', ignored" ]]
	[ "$(grep -c 'bad marker' <<< "$output")" -eq 3 ]
	# a note after the status: "-1" is one, and so is "needs a key"
	[[ "$(tq | grep TODO-CODEX-003)" =~ BLOCKED.*needs\ a\ key$ ]]
	grep -q ' DONE TODO-CODEX-001 0 -1$' queue.state
	[[ "$(tq)" =~ TODO-ANTI-002\ +done ]]	# status words are taken in upper case
	grep -q ' DONE TODO-ANTI-002 0$' queue.state
}

@test "a line too long to be a marker is reported once and skipped" {
	six_tasks > queue
	{ head -c 100000 /dev/zero | tr '\0' x; printf '\nTODO-CODEX-003 DONE\n'; } > markers
	run tnext < markers
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "tnext: stdin:1: line too long, ignored" ]
	[[ "$(tq)" =~ TODO-CODEX-003\ +done ]]
}

@test "-v says what was recorded and sent, one line each, on stderr" {
	six_tasks > queue
	tnext -v <<< '' > out 2> err
	[ "$(cat err)" = "$(printf 'tnext: sent TODO-CODEX-003 to palm:5\ntnext: sent TODO-ANTI-001 to palm:3')" ]
	printf 'TODO-CODEX-003 COMPLETED 1\nTODO-CODEX-003 COMPLETED 1\nTODO-ANTI-001 BLOCKED\n\n' | tnext -v > out 2> err
	[ "$(cat err)" = "$(printf 'tnext: recorded TODO-CODEX-003 COMPLETED 1\ntnext: recorded TODO-ANTI-001 BLOCKED\ntnext: sent TODO-CODEX-002 to palm:5')" ]
	tnext -v -r TODO-ANTI-001 < /dev/null > out 2> err
	[ "$(cat err)" = "$(printf 'tnext: reset TODO-ANTI-001\ntnext: sent TODO-ANTI-001 to palm:3')" ]
	echo 'TODO-ANTI-003 IDLE 1' | tnext -v > out 2> err
	[ "$(cat err)" = "tnext: recorded TODO-ANTI-003 IDLE 1, which changes nothing: the task is not in progress" ]
}

@test "a broken queue sends nothing, keeps the markers, and its fix is picked up at once" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	start_tnext
	echo 'TODO-X' >> queue	# no target
	printf 'TODO-CODEX-003 COMPLETED\n\n' >&5
	wait_for grep -q 'queue:7: TODO-X: missing target' err
	[ ! -s out ]
	[[ "$(tq -p /dev/null; cat queue.state)" != *COMPLETED* ]]
	sed -i '$d' queue	# fixed, and no marker comes
	wait_for grep -q TODO-CODEX-002 out
	grep -q ' COMPLETED TODO-CODEX-003 0$' queue.state
	stop_tnext
}

@test "at end of input a queue still broken makes tnext exit 1" {
	six_tasks > queue
	echo 'bad line' >> queue
	run tnext <<< ''
	[ "$status" -eq 1 ]
	[ "$output" = "tnext: queue:7: bad target 'line' (want session:window[.pane], %N or @N)" ]
	[ ! -e queue.state ] || [ ! -s queue.state ]
}

@test "queue edits take effect at the next batch: an appended task, a reorder" {
	six_tasks > queue
	start_tnext
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-001 out
	# move TODO-CODEX-001 before TODO-CODEX-002
	{ sed -n 1p queue; sed -n 3p queue; sed -n 2p queue; sed -n '4,$p' queue; } > queue.new && mv queue.new queue
	printf 'TODO-CODEX-003 COMPLETED\n\n' >&5
	wait_for grep -q TODO-CODEX-001 out
	! grep -q TODO-CODEX-002 out || false
	stop_tnext
}

# How fast is make bench's; here, that the change alone sends it: no
# marker comes, and tnext has no timer.
@test "twatch | tnext: a task for an idle pane is sent at the queue's change, with no marker" {
	needs_inotify "without it, tnext takes a changed queue at a look, within two seconds"
	echo 'A-1 a:1 first' > queue
	: > CLAUDE.md
	mkfifo markers records
	twatch CLAUDE.md > markers 3>&- &
	TWATCH=$!
	tnext < markers > records 2> err 3>&- &
	TNEXT=$!
	exec 6< records
	read -r -t 5 -u 6 line
	[ "$line" = "$(state_line | sed -n 1p)" ]
	read -r -t 5 -u 6 line
	[ "$line" = "$(state_line | sed -n 2p)" ]
	read -r -t 5 -u 6 line
	[ "$line" = "A-1 a:1 first" ]
	read -r -t 5 -u 6 line
	[ "$line" = "" ]
	sleep 0.5	# idle: no CPU, no wake-up
	switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' /proc/$TNEXT/status; }
	s=$(switches); sleep 1; [ "$(switches)" -eq "$s" ]
	tasks=$(< queue)
	appended() { # appended ID HOW [FIRST]: HOW adds "ID ID:1 prompt" to the queue
		local t0 t1
		tasks+=$'\n'"$1 $1:1 prompt"
		echo "$tasks" > queue.new
		${3:-:}
		t0=$(now_us)
		$2
		read -r -t 5 -u 6 line
		t1=$(now_us)
		echo "# $2: $(( (t1 - t0) / 1000 )) ms" >&3
		[ "$line" = "$1 $1:1 prompt" ]
		read -r -t 5 -u 6 line
		[ "$line" = "" ]
	}
	# the clock runs from just before the write: bash's own, no process to start
	in_place() { echo "$tasks" > queue; }
	renamed() { mv queue.new queue; }	# one process to start, timed too
	deleted() { rm queue; }
	recreated() { echo "$tasks" > queue; }
	appended B-1 in_place
	appended C-1 renamed
	appended D-1 recreated deleted
	[ "$(tq -s sent | wc -l)" -eq 4 ]
	kill $TWATCH	# end of input: tnext ends
	wait_for eval '! kill -0 $TNEXT 2>/dev/null'
	wait $TNEXT
	[ ! -s err ]
}

@test "a queue change in the middle of a batch waits for its end" {
	six_tasks > queue
	start_tnext
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-001 out
	printf 'TODO-ANTI-001 DONE\n' >&5	# and no empty line yet
	sleep 0.1
	echo 'NEW-1 palm:7 a task for a new pane' >> queue
	sleep 0.3
	! grep -q NEW-1 out || false
	printf '\n' >&5
	wait_for grep -q NEW-1 out
	grep -q TODO-ANTI-002 out
	stop_tnext
}

@test "a batch blocked on a full pipe holds no lock that tq or tsend need, and a second tnext waits" {
	big=$(head -c 65536 /dev/zero | tr '\0' x)
	for p in 1 2 3; do echo "T-$p p:$p $big"; done > queue
	# the reader reads nothing until the end: the first record fills the
	# pipe, and tnext is stuck in write(2), its batch begun
	(tnext <<< '' 2> err | { until [ -e go ]; do sleep 0.05; done; cat > out; }) 3>&- &
	TNEXT=$!
	wait_for eval '! flock -n queue.lock true'	# the send lock is held
	timeout 20 tq > list	# a tq that waited for a lock would wait until the end
	[ "$(awk '$2 == "pending"' list | wc -l)" -eq 3 ]
	timeout 20 flock -x queue.state true	# the state lock is free: tsend can append UNSENT
	tnext <<< '' > out2 2> err2 3>&- &	# the send lock is not
	second=$!
	sleep 0.3
	kill -0 $second
	[ ! -s out2 ]
	touch go
	wait $TNEXT
	wait $second
	[ "$(records out | tr '\n' ' ')" = "T-1 T-2 T-3 " ]
	[ ! -s out2 ]	# every pane was busy by then
	[ "$(tq -s sent | wc -l)" -eq 3 ]
	[ ! -s err ] && [ ! -s err2 ]
}

@test "a task tsend found undeliverable while tnext wrote it stays UNSENT, never marked sent" {
	{ printf 'T-1 p:1 '; head -c 200000 /dev/zero | tr '\0' x; echo; } > queue
	: > queue.state	# so that its identity is known
	{ state_line; cat queue; echo; } > expect
	mkfifo records
	tnext -v <<< '' > records 2> err 3>&- &
	TNEXT=$!
	exec 6< records
	head -c 1000 <&6 > got	# tnext is past its first look at the state
	exec 7< queue.state
	flock -x 7
	head -c $(( $(wc -c < expect) - 1000 )) <&6 >> got
	echo '2026-11-25T08:00:00Z UNSENT T-1 no such pane' >> queue.state
	flock -u 7
	exec 7<&-
	wait $TNEXT
	cmp got expect
	[[ "$(tq)" =~ T-1\ +UNSENT ]]
	! grep -q ' sent ' queue.state || false
	[ ! -s err ]	# -v: nothing recorded as sent
}

@test "8 tnext processes on one queue of 400 tasks: every task sent exactly once" {
	for i in $(seq 400); do echo "T-$i pane:$((i % 16)) prompt $i"; done > queue
	eight_tnexts
	printf '\n' >&${fds[1]}
	complete_all 400 || true	# the count below says what was not
	done_once 400
	in_queue_order 16
	[ -z "$(cat err.*)" ]
}

@test "kill -9 at random moments, 100 times: no task lost, one more send at most for each kill" {
	for i in $(seq 400); do echo "T-$i pane:$((i % 20)) prompt $i"; done > queue
	# how long a run takes here (a sanitizer makes it slower): kill within that
	mkdir dry && cp queue dry && cd dry
	t0=$(now_us); tnext <<< '' > /dev/null; t1=$(now_us)
	cd ..
	mkfifo never	# read -t on it: a sleep with no process to start
	killed=0
	for i in $(seq 100); do
		{ tq -s sent | awk '{ print $1, "COMPLETED" }'; echo; } > markers	# a batch
		d=$(( (RANDOM * 32768 + RANDOM) % (t1 - t0) ))
		printf -v delay '%d.%06d' $((d / 1000000)) $((d % 1000000))
		# in a subshell whose stderr is not ours: bash's "Killed" notices
		rc=$( (tnext < markers > out.$i 2>> err 3>&- &
		    read -r -t $delay <> never || true; kill -9 $! 2>/dev/null || true
		    rc=0; wait $! || rc=$?; echo $rc) 2>/dev/null )
		[ "$rc" -ne 137 ] || killed=$((killed + 1))
	done
	tnext <<< '' > out.final 2>> err
	# a kill in the middle of an event's write(2) may cut it (a line that
	# crosses a page): reported, never read; nothing else may be said
	! grep -v 'queue.state:[0-9]*: line cut short, ignored$' err || false
	[ "$(tq | wc -l)" -eq 400 ]
	! tq 2>&1 >/dev/null | grep -v 'line cut short, ignored$' || false	# it reads clean
	[ "$(tq | awk '$2 != "pending" && $2 != "sent" && $2 != "done"' | wc -l)" -eq 0 ]
	# none lost: every pane with a task pending has one sent
	[ "$(tq | awk '$2 == "pending" { p[$3] = 1 } $2 == "sent" { s[$3] = 1 } END { for (t in p) if (!s[t]) print t }')" = "" ]
	# a record marked sent was written in full; each task was marked sent once
	awk '$2 == "sent" { print $3 }' queue.state | sort > marked
	[ "$(uniq -d marked)" = "" ]
	[ "$(records out.* | sort -u | comm -13 - marked)" = "" ]
	# a task written once more than marked is a kill in its window: at most one a kill
	extra=$(records out.* | sort | uniq -c | awk '{ print $2, $1 }' | join -a 1 - <(uniq -c marked | awk '{ print $2, $1 }') |
	    awk '{ n = $2 - ($3 == "" ? 0 : $3); if (n > 0) e += n } END { print e + 0 }')
	echo "# a run takes $(( (t1 - t0) / 1000 )) ms; killed $killed of 100; records written more often than marked sent: $extra" >&3
	[ "$extra" -le "$killed" ]
}

@test "crash sweep: killed at each system call of a batch in turn, then run again: none lost, at most one sent twice" {
	command -v strace > /dev/null || skip "no strace here (.ci/run installs it)"
	export ASAN_OPTIONS=detect_leaks=0	# LeakSanitizer cannot run under ptrace
	printf 'A-1 a:1 first\nA-2 a:1 second\nB-1 b:1 third\n' > queue
	start='2026-11-25T08:00:00Z sent A-1'
	printf 'A-1 COMPLETED 1\n\n' > batch	# records a marker, sends two tasks
	echo "$start" > queue.state
	strace -qq -o trace tnext < batch > out
	[ "$(records out | tr '\n' ' ')" = "A-2 B-1 " ]
	# each system call from the first that names a file of the queue, as
	# "CALL K": the Kth call of CALL, for strace's when=K
	awk -F'(' '{ n[$1]++ } /"queue/ { on = 1 } on { print $1, n[$1] }' trace > points
	twice=0
	while read -r call k; do
		echo "$start" > queue.state
		rc=$( (rc=0; strace -qq -o /dev/null -e inject="$call":signal=KILL:when="$k" \
		    tnext < batch > out1 2> err1 || rc=$?; echo $rc) 2>/dev/null )
		[ "$rc" -eq 137 ] || { echo "$call #$k: not killed: $rc"; cat err1; false; }
		tnext < batch > out2 2> err2 || { echo "after $call #$k:"; cat err2; false; }
		[ ! -s err2 ] || { echo "after $call #$k:"; cat err2; false; }
		[ "$(tq | awk '{ printf "%s %s ", $1, $2 }')" = "A-1 done A-2 sent B-1 sent " ]
		# no event twice; how many times each record was written in full
		got=$(awk 'FILENAME == "queue.state" { $1 = ""; if (seen[$0]++) print "twice:" $0; next }
		    /^[A-Za-z0-9]/ { id = $1; next } /^$/ && id != "" { n[id]++ } { id = "" }
		    END { printf "A-2 %d B-1 %d", n["A-2"], n["B-1"]; for (i in n) if (i != "A-2" && i != "B-1") print i }' \
		    queue.state out1 out2)
		[[ "$got" =~ ^A-2\ [12]\ B-1\ [12]$ ]] && [ "$got" != "A-2 2 B-1 2" ] ||
		    { echo "after $call #$k: $got"; false; }
		[ "$got" = "A-2 1 B-1 1" ] || twice=$((twice + 1))
	done < points
	echo "# $(wc -l < points) kill points; a task sent twice after $twice of them" >&3
}

@test "downstream closed before anything is written: nothing is marked sent" {
	six_tasks > queue
	{ sleep 0.3; rc=0; tnext <<< '' 2> err || rc=$?; echo $rc > rc; } | true
	[ ! -s err ]
	[ "$(cat rc)" -ne 0 ]
	[ "$(tq -s pending | wc -l)" -eq 6 ]
}

@test "tnext | head -3: the tasks not written are still pending" {
	big=$(head -c 4000 /dev/zero | tr '\0' x)
	for i in $(seq 50); do echo "T-$i pane:$i $big"; done > queue
	tnext <<< '' 2> err | head -3 > got	# #state, #state-id, T-1
	[ ! -s err ]
	[ "$(ids got)" = T-1 ]
	sent=$(tq -s sent | wc -l)
	echo "# marked sent: $sent of 50" >&3
	[ "$sent" -ge 1 ] && [ "$sent" -lt 50 ]
	# those marked sent are the first ones, in order: all were written
	[ "$(tq -s sent | awk '{ print $1 }' | tr '\n' ' ')" = "$(seq -f 'T-%g' "$sent" | tr '\n' ' ')" ]
}

@test "a marker line cut off by the end of input is not taken: its writer died" {
	six_tasks > queue
	tnext <<< '' > /dev/null
	run tnext < <(printf 'TODO-ANTI-001 DONE 1\n\nTODO-CODEX-003 DO')
	[ "$status" -eq 1 ]
	[[ "$output" =~ "tnext: stdin:3: a line cut off by the end of input, ignored" ]]
	[[ "$(tq)" =~ TODO-CODEX-003\ +sent ]]	# not held in a status "DO"
	[[ "$(tq)" =~ TODO-ANTI-001\ +done ]]
}

@test "an occurrence too large to count is no marker; errors in the state file are said after the lock" {
	six_tasks > queue
	run tnext <<< 'TODO-CODEX-003 BLOCKED 99999999999999999999'
	[ "$status" -eq 1 ]
	[[ "$output" =~ "bad marker 'TODO-CODEX-003 BLOCKED 99999999999999999999'" ]]
	! grep -q BLOCKED queue.state || false
	# stderr a pipe that is full: tnext waits on it, but not with the lock
	echo 'garbage' >> queue.state
	mkfifo full
	exec 7<> full	# held open, never read
	head -c 65536 /dev/zero >&7
	tnext <<< '' > /dev/null 2>&7 &
	pid=$!
	sleep 0.3
	flock -s -w 1 queue.state true	# a reader is not kept waiting
	kill $pid; wait $pid || true
	exec 7>&-
}

@test "a task held LIMIT is sent again, once, five seconds after its limit resets; not before; one with no reset stays" {
	six_tasks > queue
	echo | tnext > /dev/null	# TODO-CODEX-003 and TODO-ANTI-001 sent
	at=$(( $(date +%s) + 3 ))
	{
		echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) LIMIT TODO-CODEX-003 1 until $(date -u -d @$at +%Y-%m-%dT%H:%M:%SZ): You've hit your session limit (claude %1)"
		echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) LIMIT TODO-ANTI-001 1 You've hit your usage limit (codex %2)"
	} >> queue.state
	[[ "$(tq)" =~ TODO-CODEX-003\ +LIMIT\ .*until\ .*session\ limit ]]
	mkfifo in
	tnext -v queue < in > out 2> err &
	exec 5> in
	echo >&5	# an empty batch, the go; then no marker, no end of input: only the clock can send it
	sleep 2
	[ ! -s out ]
	eventually 15 grep -q '^TODO-CODEX-003 ' out
	[ "$(date +%s)" -ge $(( at + 5 )) ]
	grep -q '^tnext: TODO-CODEX-003: its usage limit has reset; sent again$' err
	[[ "$(tq)" =~ TODO-CODEX-003\ +sent ]]
	[[ "$(tq)" =~ TODO-ANTI-001\ +LIMIT ]]	# no reset said: a person decides
	sleep 1
	[ "$(grep -c '^TODO-' out)" -eq 1 ]	# once
	exec 5>&-
	wait
}

@test "a LIMIT whose reset has passed when tnext starts is sent again at once" {
	six_tasks > queue
	echo | tnext > /dev/null
	echo "2026-01-01T00:00:00Z LIMIT TODO-ANTI-001 1 until 2026-01-01T01:00:00Z: limit (claude %1)" >> queue.state
	echo | tnext > out
	[ "$(grep '^TODO-' out | cut -d' ' -f1)" = TODO-ANTI-001 ]
}

@test "-t PATTERN sends only the tasks whose target matches; a marker for any task is recorded" {
	printf '%s\n' 'B1-1 box1:1 one' 'B1-2 box1:2 two' 'B2-1 box2:1 three' 'B1-3 box1:1 four' > queue
	run tnext -t 'box1:*' <<< ''
	[ "$status" -eq 0 ]
	[ "$(ids <<< "$output" | tr '\n' ' ')" = "B1-1 B1-2 " ]
	[[ "$(tq)" =~ B2-1\ +pending ]]
	run tnext -t 'box1:*' <<< $'B2-1 COMPLETED 1\nB1-1 COMPLETED 1\n'
	[ "$status" -eq 0 ]
	[ "$(ids <<< "$output")" = B1-3 ]
	[[ "$(tq)" =~ B2-1\ +done ]]	# recorded: the markers are the queue's, whichever pipe brings them
	run tnext -t 'box1:*' -r B2-1 < /dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "tnext: B2-1: its target box2:1 does not match -t box1:*" ]
	[[ "$(tq)" =~ B2-1\ +done ]]	# and nothing was written
	run tnext -t '' < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == "tnext: -t: an empty pattern matches no target"* ]]
}

@test "two tnext -t on one queue, one per box: a task after another box's is sent the moment that one is done" {
	printf '%s\n' 'A-1 a:1 first' 'B-1 b:1 after=A-1 second' 'A-2 a:1 after=B-1 third' > queue
	mkfifo in.a in.b
	tnext -t 'a:*' < in.a > out.a 2> err.a 3>&- &
	tnext -t 'b:*' < in.b > out.b 2> err.b 3>&- &
	exec {fa}> in.a {fb}> in.b
	wrote() { records "$1" | grep -qx "$2"; }	# wrote FILE ID
	echo >&$fb
	echo >&$fa
	eventually 10 wrote out.a A-1
	[ ! -s out.b ]	# B-1 waits for A-1
	printf 'A-1 COMPLETED 1\n\n' >&$fa	# a's marker, on a's pipe: b gets none
	eventually 10 wrote out.b B-1
	printf 'B-1 COMPLETED 1\n\n' >&$fb
	eventually 10 wrote out.a A-2
	[ "$(records out.a out.b | sort | tr '\n' ' ')" = "A-1 A-2 B-1 " ]	# each sent once
	exec {fa}>&- {fb}>&-
	wait
	[ ! -s err.a ] && [ ! -s err.b ]
}

@test "tsend where the stream's state file is not (another host): it prints ID UNSENT REASON, and tnext -H holds it here" {
	printf '%s\n' 'T-1 gone:1 first' 'T-2 gone:2 second' > queue
	tnext <<< '' > stream
	# on another host the same path names another file, or none
	mv queue.state here.state
	echo "the box's own" > queue.state
	run tsend -S "$PWD/no-server" -w 0.5 < stream
	[ "$status" -eq 1 ]
	[ "$(grep -c ' UNSENT ' <<< "$output")" -eq 2 ]
	tsend -S "$PWD/no-server" -w 0.5 < stream 2> /dev/null | sort > held	# a pane's thread each
	[ "$(cut -d' ' -f1,2 held | tr '\n' ' ')" = "T-1 UNSENT T-2 UNSENT " ]
	[ "$(cat queue.state)" = "the box's own" ]	# not written
	grep -q 'its state file is on another host: printed on stdout, for tnext -H there' <<< "$output"
	rm queue.state
	tsend -S "$PWD/no-server" -w 0.5 < stream 2> /dev/null | sort | cmp - held	# none at all
	[ ! -e queue.state ]
	mv here.state queue.state
	run tnext -H -v < held
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed 's/^\([^ ]*\) UNSENT /tnext: held \1 UNSENT: /' held)" ]
	[[ "$(tq | grep T-1)" =~ T-1\ +UNSENT\ .*no-server ]]
	[[ "$(tq | grep T-2)" =~ T-2\ +UNSENT ]]
	# and one command sends it again, as for a hold made here
	run tnext -r T-1 < /dev/null
	[ "$(ids <<< "$output")" = T-1 ]
}

@test "tsend and its state file on one host: held there, nothing printed, tnext -H reads nothing" {
	printf 'T-1 gone:1 first\n' > queue
	tnext <<< '' | tsend -S "$PWD/no-server" -w 0.5 2> err | tnext -H > out 2>&1
	[ ! -s out ]
	[[ "$(tq)" =~ T-1\ +UNSENT ]]
	grep -q 'to send it again: tnext -r T-1' err
}

@test "tnext -H: a line that is not ID UNSENT REASON, an unknown task, a cut line: said, skipped, exit 1" {
	printf 'T-1 s:1 one\nT-2 s:2 two\n' > queue
	run tnext -H <<< $'T-1 UNSENT no pane\nT-1 COMPLETED 1\nT-9 UNSENT no pane\nT-1 UNSENT\n-x UNSENT why\nT-2 UNSENT last'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "tnext: stdin:2: not a task tsend could not deliver (ID UNSENT REASON), ignored" ]
	[ "${lines[1]}" = "tnext: stdin:3: no task T-9 in queue, ignored" ]
	[ "${lines[2]}" = "tnext: stdin:4: not a task tsend could not deliver (ID UNSENT REASON), ignored" ]
	[ "${lines[3]}" = "tnext: stdin:5: not a task tsend could not deliver (ID UNSENT REASON), ignored" ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(grep -c UNSENT queue.state)" -eq 2 ]
	printf 'T-2 UNSENT cut' | { run tnext -H; [ "$status" -eq 1 ]; [ "$output" = "tnext: stdin:1: a line cut off by the end of input, ignored" ]; }
	[ "$(grep -c UNSENT queue.state)" -eq 2 ]
	# a queue broken at that moment (an edit half saved) loses no hold
	printf 'T-1 s:1 one\nT-2\n' > queue
	run tnext -H <<< 'T-2 UNSENT no pane'
	[ "$output" = "tnext: queue:2: T-2: missing target" ]
	[ "$(grep -c UNSENT queue.state)" -eq 3 ]
	run tnext -H -r T-1 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == "tnext: -H: with -r, which sends"* ]]
	! grep -q reset queue.state || false
}
