#!/usr/bin/env bats
# tnext: markers in, next tasks out, the state file in between.
load common

ids() { # the IDs of the records in files or stdin
	awk '/^[A-Za-z0-9]/ { print $1 }' "$@"
}

# Starts tnext reading the FIFO "in", writing "out"; markers go to fd 5.
start_tnext() {
	mkfifo in
	tnext "$@" < in > out 2> err 3>&- &
	TNEXT=$!
	exec 5> in	# bash keeps its own saved descriptors at 10 and up
}

wait_for() { # wait_for COMMAND...: up to 5 s for it to succeed
	local i
	for i in $(seq 500); do "$@" && return 0; sleep 0.01; done
	return 1
}

@test "tnext </dev/null fills every idle pane with its first task" {
	six_tasks > queue
	run tnext < /dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n\n%s' "$(sed -n 1p queue)" "$(sed -n 4p queue)")" ]
	[ "$(tq -s sent | awk '{print $1}' | tr '\n' ' ')" = "TODO-CODEX-003 TODO-ANTI-001 " ]
	run tnext < /dev/null
	[ "$output" = "" ]
}

@test "each record is written the moment its batch ends, ended by an empty line" {
	six_tasks > queue
	start_tnext
	sleep 0.2
	[ ! -s out ]	# no batch has ended yet
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-001 out
	kill -0 $TNEXT	# still running: the records were flushed, not held
	[ "$(cat out)" = "$(printf '%s\n\n%s\n' "$(sed -n 1p queue)" "$(sed -n 4p queue)")" ]
	printf 'TODO-ANTI-001 COMPLETED\n' >&5
	sleep 0.2
	[ "$(ids out | wc -l)" -eq 2 ]	# the batch has not ended
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-002 out
	exec 5>&-
	wait $TNEXT
}

@test "the six-task scenario, marker by marker" {
	six_tasks > queue
	tnext < /dev/null > out
	for m in TODO-CODEX-003 TODO-ANTI-001 TODO-CODEX-002 TODO-ANTI-002 TODO-CODEX-001 TODO-ANTI-003; do
		printf '%s COMPLETED\n\n' "$m" | tnext >> out
	done
	[ "$(ids out | tr '\n' ' ')" = "TODO-CODEX-003 TODO-ANTI-001 TODO-CODEX-002 TODO-ANTI-002 TODO-CODEX-001 TODO-ANTI-003 " ]
	[ "$(tq -s done | wc -l)" -eq 6 ]
}

@test "a restart replays every marker so far in one batch and sends only what was not sent" {
	six_tasks > queue
	tnext < /dev/null > out
	printf 'TODO-CODEX-003 COMPLETED\n\n' | tnext >> out
	printf 'TODO-ANTI-001 COMPLETED\n\n' | tnext >> out
	[ "$(ids out | wc -l)" -eq 4 ]
	# the loop restarts: twatch prints all of CLAUDE.md in one batch
	printf 'TODO-CODEX-003 COMPLETED\nTODO-ANTI-001 COMPLETED\n\n' | tnext > again
	[ ! -s again ]
	printf 'TODO-CODEX-003 COMPLETED\nTODO-ANTI-001 COMPLETED\nTODO-CODEX-002 COMPLETED\n\n' | tnext > again
	[ "$(ids again)" = TODO-CODEX-001 ]
	[ "$(grep -c ' sent ' queue.state)" -eq 5 ]
}

@test "a marker batch is recorded in full before anything is sent" {
	six_tasks > queue
	tnext < /dev/null > /dev/null
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
	tnext < /dev/null > /dev/null
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

@test "markers count by occurrence: a replay holds nothing again, the next BLOCKED does" {
	six_tasks > queue
	tnext < /dev/null > /dev/null
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
}

@test "-r of an unknown task is an error that changes nothing" {
	six_tasks > queue
	tnext < /dev/null > /dev/null
	cp queue.state before
	run tnext -r NOPE < /dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "tnext: NOPE: no such task in queue" ]
	cmp queue.state before
}

@test "a marker for an unknown ID is reported and ignored" {
	six_tasks > queue
	run tnext <<< 'NOPE-1 COMPLETED'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "tnext: stdin:1: no task NOPE-1 in queue, marker ignored" ]
	! grep -q NOPE queue.state
}

@test "bad marker lines are reported and skipped, and tnext exits 1" {
	six_tasks > queue
	run tnext <<< "$(printf 'TODO/1 DONE\nTODO-CODEX-003 DONE and more\nTODO-ANTI-001 DONE!\nTODO-ANTI-002 done\n# a comment\n')"
	[ "$status" -eq 1 ]
	[[ "$output" =~ "tnext: stdin:1: bad marker 'TODO/1 DONE', ignored" ]]
	[[ "$output" =~ "tnext: stdin:2: bad marker 'TODO-CODEX-003 DONE and more', ignored" ]]
	[[ "$output" =~ "tnext: stdin:3: bad marker 'TODO-ANTI-001 DONE!', ignored" ]]
	[[ "$(tq)" =~ TODO-ANTI-002\ +done ]]	# status words are taken in upper case
	grep -q ' DONE TODO-ANTI-002 0$' queue.state
}

@test "a broken queue sends nothing, keeps the markers, and the next batch tries again" {
	six_tasks > queue
	tnext < /dev/null > /dev/null
	start_tnext
	echo 'TODO-X' >> queue	# no target
	printf 'TODO-CODEX-003 COMPLETED\n\n' >&5
	wait_for grep -q 'queue:7: TODO-X: missing target' err
	[ ! -s out ]
	[[ "$(tq -p /dev/null; cat queue.state)" != *COMPLETED* ]]
	sed -i '$d' queue	# fixed
	printf '\n' >&5
	wait_for grep -q TODO-CODEX-002 out
	grep -q ' COMPLETED TODO-CODEX-003 0$' queue.state
	exec 5>&-
	wait $TNEXT
}

@test "at end of input a queue still broken makes tnext exit 1" {
	six_tasks > queue
	echo 'bad line' >> queue
	run tnext < /dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "tnext: queue:7: bad target 'line' (want session:window[.pane], %N or @N)" ]
	[ ! -e queue.state ] || [ ! -s queue.state ]
}

@test "queue edits take effect at the next batch: an appended task, a reorder" {
	six_tasks > queue
	start_tnext
	printf '\n' >&5
	wait_for grep -q TODO-ANTI-001 out
	echo 'NEW-1 palm:7 a task for a new pane' >> queue
	printf '\n' >&5
	wait_for grep -q NEW-1 out
	# move TODO-CODEX-001 before TODO-CODEX-002
	{ sed -n 1p queue; sed -n 3p queue; sed -n 2p queue; sed -n '4,$p' queue; } > queue.new && mv queue.new queue
	printf 'TODO-CODEX-003 COMPLETED\n\n' >&5
	wait_for grep -q TODO-CODEX-001 out
	! grep -q TODO-CODEX-002 out
	exec 5>&-
	wait $TNEXT
}

@test "8 tnext processes on one queue of 400 tasks: every task sent exactly once" {
	for i in $(seq 400); do echo "T-$i pane:$((i % 4)) prompt $i"; done > queue
	for k in 1 2 3 4 5 6 7 8; do
		mkfifo in.$k
		tnext < in.$k > out.$k 2> err.$k 3>&- &
		exec {fd}> in.$k
		fds[k]=$fd
	done
	printf '\n' >&${fds[1]}
	end=$((SECONDS + 60))
	while [ "$(tq -s done | wc -l)" -lt 400 ] && [ $SECONDS -lt $end ]; do
		for id in $(tq -s sent | awk '{ print $1 }'); do
			# each marker twice, to two processes picked at random
			for j in 1 2; do
				printf '%s COMPLETED\n\n' "$id" >&${fds[RANDOM % 8 + 1]}
			done
		done
	done
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	wait
	[ "$(tq -s done | wc -l)" -eq 400 ]
	[ "$(cat out.* | ids | sort | uniq -d | wc -l)" -eq 0 ]
	[ "$(cat out.* | ids | wc -l)" -eq 400 ]
	[ "$(grep -c ' sent ' queue.state)" -eq 400 ]
	# and each pane got its tasks in queue order
	for p in 0 1 2 3; do
		grep " sent " queue.state | awk '{ print $3 }' | grep -E "^T-" |
		    awk -v p=$p -F- '$2 % 4 == p { if ($2 <= last) exit 1; last = $2 }'
	done
	[ -z "$(cat err.*)" ]
}

@test "kill -9 at random moments, 100 times: no task lost, none sent twice but the one in flight" {
	for i in $(seq 400); do echo "T-$i pane:$((i % 20)) prompt $i"; done > queue
	killed=0
	for i in $(seq 100); do
		tq -s sent | awk '{ print $1, "COMPLETED" }' > markers
		tnext < markers > out.$i 2>> err 3>&- &
		pid=$!
		sleep 0.00$((RANDOM % 10))
		kill -9 $pid 2>/dev/null || true
		rc=0; wait $pid || rc=$?
		[ $rc -ne 137 ] || killed=$((killed + 1))
	done
	tnext < /dev/null > out.final
	run tq
	[ "$status" -eq 0 ]
	[ -z "$(tq 2>&1 >/dev/null)" ]	# the state file reads clean
	[ "$(tq | wc -l)" -eq 400 ]
	[ "$(tq | awk '$2 != "pending" && $2 != "sent" && $2 != "done"' | wc -l)" -eq 0 ]
	# everything recorded as sent was written out in full
	for id in $(grep ' sent ' queue.state | awk '{ print $3 }' | sort -u); do
		grep -qx "$id pane:[0-9]* prompt ${id#T-}" out.*
	done
	# a task written more than once was written by a process killed
	# before it could record it: so it has fewer sent events than writes
	cat out.* | ids | sort | uniq -c | awk '$1 > 1 { print $2, $1 }' > twice
	while read -r id n; do
		[ "$(grep -c " sent $id\$" queue.state)" -lt "$n" ]
		[ "$n" -eq 2 ]
	done < twice
	echo "# killed $killed of 100 runs; sent twice: $(wc -l < twice)" >&3
	[ "$(wc -l < twice)" -le 100 ]
	# and every pane has exactly one task in flight, or none left
	[ "$(tq -s sent | wc -l)" -le 20 ]
	[ "$(tq -s sent | awk '{ print $3 }' | sort | uniq -d | wc -l)" -eq 0 ]
}

@test "downstream closed before anything is written: nothing is marked sent" {
	six_tasks > queue
	{ sleep 0.3; rc=0; tnext < /dev/null 2> err || rc=$?; echo $rc > rc; } | true
	[ ! -s err ]
	[ "$(cat rc)" -ne 0 ]
	[ "$(tq -s pending | wc -l)" -eq 6 ]
}

@test "tnext | head -1: the tasks not written are still pending" {
	big=$(head -c 4000 /dev/zero | tr '\0' x)
	for i in $(seq 50); do echo "T-$i pane:$i $big"; done > queue
	tnext < /dev/null 2> err | head -1 > got
	[ ! -s err ]
	[ "$(ids got)" = T-1 ]
	sent=$(tq -s sent | wc -l)
	echo "# marked sent: $sent of 50" >&3
	[ "$sent" -ge 1 ] && [ "$sent" -lt 50 ]
	# those marked sent are the first ones, in order: all were written
	[ "$(tq -s sent | awk '{ print $1 }' | tr '\n' ' ')" = "$(seq -f 'T-%g' "$sent" | tr '\n' ' ')" ]
}
