#!/usr/bin/env bats
# twatch: real files, real inotify, real writers.
load common

start_twatch() { # start_twatch ARGS...: twatch in the background, output in "out"
	twatch "$@" > out 2> err 3>&- &	# bats waits for whoever holds fd 3
	TWATCH=$!
	wait_for_lines 1	# the first scan's batch
}

teardown() {
	[ -z "$TWATCH" ] || kill $TWATCH 2>/dev/null || true
}

stop_twatch() {
	kill $TWATCH
	wait $TWATCH
}

wait_for_lines() { # wait_for_lines N: until "out" has N lines, up to 5 s
	local i
	for i in $(seq 500); do
		[ "$(wc -l < out)" -ge "$1" ] && return 0
		sleep 0.01
	done
	echo "out has $(wc -l < out) lines, not $1:"; cat out
	return 1
}

settle() { sleep 0.2; }

@test "the first scan prints every marker as one batch, ended by an empty line" {
	cat > CLAUDE.md <<-'M'
	# Notes
	### TODO-CODEX-003: COMPLETED **Date**: 2026-01-26 15:02
	### TODO-CODEX-002: TLS Certificate Validation
	Some text ### TODO-X: DONE
	   ## TODO-ANTI-001:DONE.
	    ## TODO-INDENTED-4: DONE
	####### TODO-SEVEN: DONE
	#TODO-NOSPACE: DONE
	###### TODO-ANTI-002:	BLOCKED (waiting for review)
	### TODO-ANTI-003: DONEISH
	### TODO-ANTI-004: FAILED
	### TODO-ANTI-005: completed
	M
	run twatch -1 CLAUDE.md
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'TODO-CODEX-003 COMPLETED\nTODO-ANTI-001 DONE\nTODO-ANTI-002 BLOCKED\nTODO-ANTI-004 FAILED\n')" ]
	[ "$(twatch -1 CLAUDE.md | tail -c 2 | od -An -c | tr -d ' ')" = '\n\n' ]
}

@test "an empty first scan is still a batch: one empty line" {
	touch CLAUDE.md
	start_twatch CLAUDE.md
	[ "$(cat out)" = "" ]
	[ "$(wc -c < out)" -eq 1 ]
	stop_twatch
}

@test "appends are seen on each write, while the writer keeps the file open" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch CLAUDE.md
	exec {fd}>> CLAUDE.md
	echo '### B: COMPLETED' >&$fd
	wait_for_lines 4
	echo '### C: BLOCKED' >&$fd
	wait_for_lines 6
	exec {fd}>&-
	[ "$(cat out)" = "$(printf 'A DONE\n\nB COMPLETED\n\nC BLOCKED\n')" ]
	stop_twatch
}

@test "a marker split across two writes is printed once, when its status word is complete" {
	: > CLAUDE.md
	start_twatch CLAUDE.md
	exec {fd}>> CLAUDE.md
	printf '### TODO-1: COMPL' >&$fd
	settle
	printf 'ETED' >&$fd
	settle
	[ "$(wc -l < out)" -eq 1 ]	# COMPLETED might yet become COMPLETEDX
	printf ' **Date**: today' >&$fd
	wait_for_lines 3
	printf '\n' >&$fd
	printf '### TODO-2: DO' >&$fd
	settle
	printf 'NE\n' >&$fd
	wait_for_lines 5
	exec {fd}>&-
	settle
	[ "$(cat out)" = "$(printf '\nTODO-1 COMPLETED\n\nTODO-2 DONE\n')" ]
	stop_twatch
}

@test "each marker of a file is printed once per run" {
	echo '### A: DONE' > CLAUDE.md
	echo '### A: DONE' > OTHER.md
	start_twatch CLAUDE.md OTHER.md
	[ "$(cat out)" = "$(printf 'A DONE\nA DONE\n')" ]
	echo '### A: DONE' >> CLAUDE.md
	echo '### A: BLOCKED' >> CLAUDE.md
	wait_for_lines 5
	settle
	[ "$(sed -n 4,5p out)" = "A BLOCKED" ]
	[ "$(wc -l < out)" -eq 5 ]
	stop_twatch
}

@test "a save by rename, as editors and agents do, is seen" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch CLAUDE.md
	{ cat CLAUDE.md; echo '### B: DONE'; } > CLAUDE.md.tmp
	mv CLAUDE.md.tmp CLAUDE.md
	wait_for_lines 4
	sed -i 's/B: DONE/B: DONE\n### C: FAILED/' CLAUDE.md
	wait_for_lines 6
	settle
	[ "$(cat out)" = "$(printf 'A DONE\n\nB DONE\n\nC FAILED\n')" ]
	stop_twatch
}

@test "truncation, deletion and re-creation are seen" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch CLAUDE.md
	: > CLAUDE.md
	echo '### B: DONE' >> CLAUDE.md
	wait_for_lines 4
	rm CLAUDE.md
	settle
	echo '### C: DONE' > CLAUDE.md
	wait_for_lines 6
	echo '### A: DONE' > CLAUDE.md	# printed already in this run
	echo '### D: DONE' >> CLAUDE.md
	wait_for_lines 8
	[ "$(grep -v '^$' out | tr '\n' ' ')" = "A DONE B DONE C DONE D DONE " ]
	stop_twatch
}

@test "a file that does not exist yet is watched until it does" {
	start_twatch CLAUDE.md
	[ "$(wc -c < out)" -eq 1 ]
	echo '### A: COMPLETED' > CLAUDE.md
	wait_for_lines 3
	[ "$(sed -n 2p out)" = "A COMPLETED" ]
	stop_twatch
}

@test "an edit in the middle of the file is seen" {
	printf '### A: BLOCKED\nsome text\n### B: DONE\n' > CLAUDE.md
	start_twatch CLAUDE.md
	# overwrite in place, same size: BLOCKED -> FAILED.
	printf 'FAILED ' | dd of=CLAUDE.md bs=1 seek=7 conv=notrunc 2>/dev/null
	wait_for_lines 5
	[ "$(sed -n 4p out)" = "A FAILED" ]
	stop_twatch
}

@test "several files in several directories" {
	mkdir -p r1 r2
	echo '### A: DONE' > r1/CLAUDE.md
	start_twatch r1/CLAUDE.md r2/CLAUDE.md "$PWD/r2/AGENTS.md"
	echo '### B: DONE' >> r2/CLAUDE.md
	wait_for_lines 4
	echo '### C: DONE' > r2/AGENTS.md
	wait_for_lines 6
	echo '### D: DONE' >> r1/CLAUDE.md
	wait_for_lines 8
	[ "$(grep -v '^$' out | tr '\n' ' ')" = "A DONE B DONE C DONE D DONE " ]
	stop_twatch
}

@test "a symbolic link to a file in another directory is followed" {
	mkdir elsewhere
	echo '### A: DONE' > elsewhere/notes.md
	ln -s elsewhere/notes.md CLAUDE.md
	start_twatch CLAUDE.md
	echo '### B: DONE' >> elsewhere/notes.md
	wait_for_lines 4
	[ "$(sed -n 3p out)" = "B DONE" ]
	stop_twatch
}

@test "1,000 markers appended by 4 concurrent writers are all printed once" {
	: > CLAUDE.md
	start_twatch CLAUDE.md
	for w in 1 2 3 4; do
		( for i in $(seq 250); do echo "### T-$w-$i: COMPLETED" >> CLAUDE.md; done ) &
	done
	wait_for_markers() { for i in $(seq 1000); do [ "$(grep -c . out)" -ge 1000 ] && return; sleep 0.01; done; }
	while [ "$(jobs -p | wc -l)" -gt 1 ]; do wait -n || true; done
	wait_for_markers
	settle
	[ "$(grep -c . out)" -eq 1000 ]
	[ "$(grep . out | sort -u | wc -l)" -eq 1000 ]
	[ "$(grep . out | grep -vc '^T-[1-4]-[0-9]* COMPLETED$')" -eq 0 ]
	stop_twatch
}

@test "a 10 MB line and binary junk: no crash, nothing false" {
	{ head -c 10485760 /dev/zero | tr '\0' '#'; echo; head -c 1000000 /dev/urandom; echo; echo '### REAL-1: DONE'; } > CLAUDE.md
	run twatch -1 CLAUDE.md
	[ "$status" -eq 0 ]
	[ "$output" = "REAL-1 DONE" ]
	start_twatch CLAUDE.md
	{ printf '### '; head -c 10485760 /dev/zero | tr '\0' 'x'; printf ': DONE\n'; head -c 100000 /dev/urandom | tr -d '\n'; echo; echo '### REAL-2: DONE'; } >> CLAUDE.md
	wait_for_lines 4
	settle
	[ "$(grep . out | tr '\n' ' ')" = "REAL-1 DONE REAL-2 DONE " ]
	stop_twatch
}

@test "-n skips the markers present at start" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch -n CLAUDE.md
	[ "$(wc -c < out)" -eq 1 ]
	echo '### A: DONE' >> CLAUDE.md	# present at start: not new
	echo '### B: DONE' >> CLAUDE.md
	wait_for_lines 3
	settle
	[ "$(grep . out)" = "B DONE" ]
	stop_twatch
}

@test "-1 scans once and exits; 1 if a file is missing" {
	printf '### A: DONE\n### B: FAILED' > CLAUDE.md	# no newline at the end
	run twatch -1 CLAUDE.md
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'A DONE\nB FAILED\n')" ]
	run twatch -1 CLAUDE.md nothere.md
	[ "$status" -eq 1 ]
	[[ "$output" =~ "twatch: nothere.md: No such file or directory" ]]
	[[ "$output" =~ "A DONE" ]]
}

@test "-e takes an ERE whose first two groups are ID and STATUS" {
	printf 'DONE: T-1\nFAILED: T-2\n[x] T-3\n' > todo.txt
	run twatch -1 -e '^(DONE|FAILED): ([A-Z0-9-]+)' todo.txt
	[ "$output" = "$(printf 'DONE T-1\nFAILED T-2\n')" ]	# groups in that order: ID, STATUS
	run twatch -1 -e '^\[x\] (T-[0-9]+)()$' todo.txt
	[ "$output" = "" ]	# an empty status is no marker
	run twatch -1 -e '^(T-[0-9]+) (DONE)' todo.txt
	[ "$output" = "" ]
	echo 'T-4 DONE' >> todo.txt
	run twatch -1 -e '^(T-[0-9]+) (DONE)' todo.txt
	[ "$output" = "T-4 DONE" ]
	run twatch -1 -e '(only one group)' todo.txt
	[ "$status" -eq 2 ]
	run twatch -1 -e '(' todo.txt
	[ "$status" -eq 2 ]
}

@test "-p polls with stat(): appends and a save by rename" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch -p 0.05 CLAUDE.md
	echo '### B: DONE' >> CLAUDE.md
	wait_for_lines 4
	{ cat CLAUDE.md; echo '### C: DONE'; } > tmp && mv tmp CLAUDE.md
	wait_for_lines 6
	[ "$(grep . out | tr '\n' ' ')" = "A DONE B DONE C DONE " ]
	stop_twatch
}

@test "no wake-up and no CPU time while nothing changes" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch CLAUDE.md
	settle
	before=$(grep voluntary_ctxt_switches /proc/$TWATCH/status)
	cpu=$(awk '{ print $14 + $15 }' /proc/$TWATCH/stat)
	sleep 2
	[ "$(grep voluntary_ctxt_switches /proc/$TWATCH/status)" = "$before" ]
	[ "$(awk '{ print $14 + $15 }' /proc/$TWATCH/stat)" = "$cpu" ]
	stop_twatch
}

@test "a marker is printed within 100 ms of its write" {
	: > CLAUDE.md
	start_twatch CLAUDE.md
	echo '### A: DONE' >> CLAUDE.md
	t0=$(date +%s%N)
	wait_for_lines 3
	t1=$(date +%s%N)
	echo "# $(( (t1 - t0) / 1000 )) us" >&3
	[ $(( (t1 - t0) / 1000000 )) -lt 100 ]
	stop_twatch
}

@test "SIGTERM and SIGINT end it cleanly, with status 0" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch CLAUDE.md
	kill -TERM $TWATCH
	wait $TWATCH
	start_twatch CLAUDE.md
	kill -INT $TWATCH
	wait $TWATCH
	[ ! -s err ]
}

@test "a closed stdout ends it quietly" {
	echo '### A: DONE' > CLAUDE.md
	{ sleep 0.2; rc=0; twatch CLAUDE.md 2> err || rc=$?; echo $rc > rc; } | true
	[ ! -s err ]
	[ "$(cat rc)" -ne 0 ]
}

@test "usage errors exit 2; a missing directory is an error" {
	run twatch
	[ "$status" -eq 2 ]
	run twatch -p x CLAUDE.md
	[ "$status" -eq 2 ]
	run twatch nodir/CLAUDE.md
	[ "$status" -eq 1 ]
	[[ "$output" =~ "twatch: nodir/CLAUDE.md: No such file or directory" ]]
}
