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
	[ -z "$scratch" ] || rm -rf "$scratch"
}

stop_twatch() {
	kill $TWATCH
	wait $TWATCH
}

wait_for_lines() { # wait_for_lines N [FILE]: until FILE (out) has N lines, up to 10 s
	local n=$1 f=${2:-out}
	eventually 10 eval '[ "$(wc -l < "$f")" -ge $n ]' && return
	echo "$f has $(wc -l < "$f") lines, not $n:"; cat "$f"
	return 1
}

wait_for_markers() { # wait_for_markers N SECONDS: until "out" has N markers
	local i
	for i in $(seq $(($2 * 10))); do
		[ "$(grep -c . out)" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "out has $(grep -c . out) markers, not $1"
	return 1
}

settle() { sleep 0.3; }	# more than the 100 ms a file must be still

markers() { grep . out | tr '\n' ' '; }

# Every occurrence printed once, numbered 1, 2, ... in the order of the
# file, and as many of each as the file holds.
each_occurrence_once() {
	[ "$(grep . out | sort | uniq -d | wc -l)" -eq 0 ]
	grep . out | awk '{ k = $1 " " $2; if ($3 != ++n[k]) { print "out of order: " $0; bad = 1 } } END { exit bad }'
	diff <(grep . out | awk '{ print $1, $2 }' | sort | uniq -c) \
	    <(sed -n 's/^### \([^:]*\): \([A-Z]*\).*/\1 \2/p' CLAUDE.md | sort | uniq -c)
}

@test "the first scan prints every marker with its occurrence, as one batch" {
	cat > CLAUDE.md <<-'M'
	# Notes
	### TODO-CODEX-003: COMPLETED **Date**: 2026-01-26 15:02
	### TODO-CODEX-002: TLS Certificate Validation
	   ## TODO-ANTI-001:DONE.
	###### TODO-ANTI-002:	BLOCKED (waiting for review)
	### TODO-ANTI-003: DONEISH
	### TODO-ANTI-004: FAILED
	### TODO-ANTI-002: BLOCKED again
	## TODO-ANTI-005: IDLE
	### TODO-CODEX-003: COMPLETED
	M
	twatch -1 CLAUDE.md > out 2> err
	[ "$(cat out)" = "$(printf 'TODO-CODEX-003 COMPLETED 1 **Date**: 2026-01-26 15:02\nTODO-ANTI-001 DONE 1\nTODO-ANTI-002 BLOCKED 1 (waiting for review)\nTODO-ANTI-004 FAILED 1\nTODO-ANTI-002 BLOCKED 2 again\nTODO-ANTI-005 IDLE 1\nTODO-CODEX-003 COMPLETED 2\n')" ]
	[ "$(tail -c 2 out | od -An -c | tr -d ' ')" = '\n\n' ]
	[ ! -s err ]
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
	[ "$(cat out)" = "$(printf 'A DONE 1\n\nB COMPLETED 1\n\nC BLOCKED 1\n')" ]
	stop_twatch
}

@test "a repeated marker is printed with its new occurrence, each file counting its own" {
	echo '### A: DONE' > CLAUDE.md
	echo '### A: DONE' > OTHER.md
	start_twatch CLAUDE.md OTHER.md
	[ "$(markers)" = "A DONE 1 A DONE 1 " ]
	echo '### A: DONE' >> CLAUDE.md
	wait_for_lines 4
	echo '### A: BLOCKED' >> CLAUDE.md
	wait_for_lines 6
	echo '### A: DONE' >> OTHER.md
	wait_for_lines 8
	[ "$(markers)" = "A DONE 1 A DONE 1 A DONE 2 A BLOCKED 1 A DONE 2 " ]
	stop_twatch
}

@test "a last line with no newline counts at once if its status is followed by something, else once the file is still" {
	printf '### A: DONE\n### B: FAILED' > CLAUDE.md
	start_twatch CLAUDE.md
	[ "$(sed '/^$/q' out)" = "A DONE 1" ]	# the first batch: B FAILED may yet become B FAILEDX
	wait_for_lines 3	# still: it counts
	[ "$(sed -n 3p out)" = "B FAILED 1" ]
	exec {fd}>> CLAUDE.md
	printf '\n### C: DONE **Date**: to' >&$fd	# no append can change that
	wait_for_lines 5
	printf 'day\n### D: BLOCKED' >&$fd
	wait_for_lines 7
	printf ' (waiting)\n### E: DO' >&$fd
	printf 'NE\n' >&$fd
	wait_for_lines 9
	exec {fd}>&-
	settle
	# a line counted before it ended (C, and D once the file was still) gives no note
	[ "$(markers)" = "A DONE 1 B FAILED 1 C DONE 1 D BLOCKED 1 E DONE 1 " ]
	# the same in a save by rename
	{ cat CLAUDE.md; printf '### F: DONE'; } > tmp && mv tmp CLAUDE.md
	wait_for_lines 11
	settle
	[ "$(markers)" = "A DONE 1 B FAILED 1 C DONE 1 D BLOCKED 1 E DONE 1 F DONE 1 " ]
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
	[ "$(cat out)" = "$(printf 'A DONE 1\n\nB DONE 1\n\nC FAILED 1\n')" ]
	stop_twatch
}

@test "truncation, deletion and re-creation are seen, and print only what is new" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch CLAUDE.md
	: > CLAUDE.md
	echo '### B: DONE' >> CLAUDE.md
	wait_for_lines 4
	rm CLAUDE.md
	settle
	echo '### C: DONE' > CLAUDE.md
	wait_for_lines 6
	printf '### A: DONE\n### C: DONE\n### A: DONE\n' > CLAUDE.md	# A again, a second time
	wait_for_lines 8
	settle
	[ "$(markers)" = "A DONE 1 B DONE 1 C DONE 1 A DONE 2 " ]
	stop_twatch
}

@test "a file that does not exist yet is reported once, then watched until it does" {
	start_twatch CLAUDE.md
	[ "$(wc -c < out)" -eq 1 ]
	echo '### A: COMPLETED' > CLAUDE.md
	wait_for_lines 3
	[ "$(sed -n 2p out)" = "A COMPLETED 1" ]
	[ "$(cat err)" = "$(printf 'twatch: CLAUDE.md: No such file or directory; waiting for it\ntwatch: CLAUDE.md: back')" ]
	stop_twatch
}

@test "an edit in place 1 KB before the end, with the same size, is seen" {
	{ seq 100; echo '### A: BLOCKED'; seq 300; } > CLAUDE.md	# 1.1 KB after it
	start_twatch CLAUDE.md
	ino=$(stat -c %i CLAUDE.md)
	printf 'FAILED ' | dd of=CLAUDE.md bs=1 seek=$(( $(seq 100 | wc -c) + 7 )) conv=notrunc 2>/dev/null
	wait_for_lines 4
	[ "$(markers)" = "A BLOCKED 1 A FAILED 1 " ]
	[ "$(stat -c %i CLAUDE.md)" = "$ino" ]
	stop_twatch
}

@test "a rewrite in place that changes a status 1 KB before the end and appends a line is seen, every time" {
	needs_inotify "it settles 0.3 s, where a look comes every second"
	notes() { # notes I: R-1..R-I done, then 1 KB, then A-1..A-I
		seq 500
		for j in $(seq 10); do [ $j -le $1 ] && echo "### R-$j: DONE" || echo "### R-$j: WAIT"; done
		seq 1000 1250
		for j in $(seq $1); do echo "### A-$j: DONE"; done
	}
	notes 0 > CLAUDE.md
	ino=$(stat -c %i CLAUDE.md)
	start_twatch CLAUDE.md
	for i in $(seq 10); do
		notes $i > new
		cat new > CLAUDE.md	# open with O_TRUNC, write: the same inode
		wait_for_lines $((2 * i + 1))
	done
	settle
	[ "$(grep -c . out)" -eq 20 ]
	for i in $(seq 10); do grep -qx "R-$i DONE 1" out; grep -qx "A-$i DONE 1" out; done
	[ "$(stat -c %i CLAUDE.md)" = "$ino" ]
	stop_twatch
}

@test "-e: a box ticked in place is seen" {
	printf -- '- [ ] TODO-7 (done)\n- [ ] TODO-8 (done)\n' > TODO.md
	start_twatch -e '^- \[x\] ([A-Za-z0-9._-]+) \((done)\)' TODO.md
	printf x | dd of=TODO.md bs=1 seek=3 conv=notrunc 2>/dev/null
	wait_for_lines 3
	[ "$(markers)" = "TODO-7 done 1 " ]
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
	[ "$(markers)" = "A DONE 1 B DONE 1 C DONE 1 D DONE 1 " ]
	stop_twatch
}

@test "a directory removed and created again is followed" {
	mkdir -p r/s
	echo '### A: DONE' > r/s/CLAUDE.md
	start_twatch r/s/CLAUDE.md
	rm -r r
	settle
	mkdir r
	settle
	mkdir r/s
	echo '### B: DONE' > r/s/CLAUDE.md
	wait_for_lines 4
	rm -r r
	mkdir -p r/s
	echo '### C: DONE' > r/s/CLAUDE.md
	wait_for_lines 6
	[ "$(markers)" = "A DONE 1 B DONE 1 C DONE 1 " ]
	stop_twatch
}

@test "a symbolic link is followed to its target, deleted and created again, and to a new target" {
	mkdir elsewhere other
	echo '### A: DONE' > elsewhere/notes.md
	ln -s elsewhere/notes.md CLAUDE.md
	start_twatch CLAUDE.md
	echo '### B: DONE' >> elsewhere/notes.md
	wait_for_lines 4
	rm elsewhere/notes.md
	settle
	echo '### C: DONE' > elsewhere/notes.md
	wait_for_lines 6
	echo '### D: DONE' > other/notes.md
	ln -sfn other/notes.md CLAUDE.md
	wait_for_lines 8
	echo '### E: DONE' >> other/notes.md
	wait_for_lines 10
	echo '### F: DONE' >> elsewhere/notes.md	# no longer linked
	settle
	[ "$(markers)" = "A DONE 1 B DONE 1 C DONE 1 D DONE 1 E DONE 1 " ]
	stop_twatch
}

@test "4 concurrent writers append 1,000 markers with repeats: every occurrence once, rightly numbered" {
	: > CLAUDE.md
	start_twatch CLAUDE.md
	for w in 1 2 3 4; do
		( for i in $(seq 250); do
			[ $((i % 2)) = 0 ] && s=DONE || s=BLOCKED
			echo "### T-$((i % 40)): $s" >> CLAUDE.md
		done ) &
	done
	while [ "$(jobs -p | wc -l)" -gt 1 ]; do wait -n || true; done
	wait_for_markers 1000 30
	settle
	[ "$(grep -c . out)" -eq 1000 ]
	each_occurrence_once
	stop_twatch
}

@test "a 10 MB file gains 100,000 markers from one writer while followed: none missed, none doubled" {
	: > CLAUDE.md
	start_twatch CLAUDE.md
	awk 'BEGIN { for (i = 1; i <= 100000; i++) { printf "### T-%d: DONE %090d\n", i % 60000, i; fflush() } }' >> CLAUDE.md
	[ "$(stat -c %s CLAUDE.md)" -gt 10000000 ]
	wait_for_markers 100000 120
	settle
	[ "$(grep -c . out)" -eq 100000 ]
	each_occurrence_once
	stop_twatch
}

@test "a file over 8 MB: appends are read alone, an edit before them is found once it is still" {
	needs_inotify "each append its own batch; a look every second sees several at once"
	{ echo '### E: BLOCKED'; awk 'BEGIN { for (i = 0; i < 150000; i++) printf "filler line %d of a big file, and nothing else to see here\n", i }'; } > CLAUDE.md
	size=$(stat -c %s CLAUDE.md)
	[ "$size" -gt 8388608 ]
	start_twatch CLAUDE.md
	settle
	read0=$(awk '/^rchar/ { print $2 }' /proc/$TWATCH/io)
	for i in $(seq 20); do echo "### A-$i: DONE" >> CLAUDE.md; sleep 0.01; done
	wait_for_lines 41
	read1=$(awk '/^rchar/ { print $2 }' /proc/$TWATCH/io)
	echo "# read $(( (read1 - read0) / 1000 )) kB for 20 appends to $(( size / 1000 )) kB" >&3
	[ $(( read1 - read0 )) -lt $(( 5 * size )) ]	# not 20 times the file
	printf 'FAILED ' | dd of=CLAUDE.md bs=1 seek=7 conv=notrunc 2>/dev/null
	wait_for_lines 43
	printf '### Z: DONE' >> CLAUDE.md
	wait_for_lines 45
	[ "$(grep . out | sed -n '1p;22,$p' | tr '\n' ' ')" = "E BLOCKED 1 E FAILED 1 Z DONE 1 " ]
	stop_twatch
}

@test "2,000 files watched at once, with few descriptors" {
	for d in 1 2 3 4; do
		mkdir d$d
		for i in $(seq 500); do echo "### F-$d-$i: DONE" > d$d/f$i.md; done
	done
	(ulimit -n 64; exec twatch d?/f*.md > out 2> err 3>&-) &
	TWATCH=$!
	wait_for_lines 2001
	for d in 1 2 3 4; do for i in $(seq 500); do echo "### G-$d-$i: DONE" >> d$d/f$i.md; done; done
	wait_for_markers 4000 60
	settle
	[ "$(grep -c . out)" -eq 4000 ]
	[ "$(grep . out | sort -u | wc -l)" -eq 4000 ]
	[ ! -s err ]
	stop_twatch
}

@test "a 10 MB line and binary junk: no crash, nothing false" {
	{ head -c 10485760 /dev/zero | tr '\0' '#'; echo; head -c 1000000 /dev/urandom; echo; echo '### REAL-1: DONE'; } > CLAUDE.md
	twatch -1 CLAUDE.md > out 2> /dev/null
	[ "$(cat out)" = "REAL-1 DONE 1" ]
	start_twatch CLAUDE.md
	{ printf '### '; head -c 10485760 /dev/zero | tr '\0' 'x'; printf ': DONE\n'; head -c 100000 /dev/urandom | tr -d '\n'; echo; echo '### REAL-2: DONE'; } >> CLAUDE.md
	wait_for_lines 4
	settle
	[ "$(markers)" = "REAL-1 DONE 1 REAL-2 DONE 1 " ]
	stop_twatch
}

@test "-n skips what is there at start, but counts it" {
	printf '### A: DONE\n### B: DONE' > CLAUDE.md	# B: no newline, yet there
	start_twatch -n CLAUDE.md
	[ "$(wc -c < out)" -eq 1 ]
	printf '\n### A: DONE\n' >> CLAUDE.md	# B's line ends, A again
	wait_for_lines 3
	settle
	[ "$(markers)" = "A DONE 2 " ]
	stop_twatch
}

@test "-1 scans once and exits, the last line counting; 1 if a file is missing" {
	printf '### A: DONE\n### B: FAILED' > CLAUDE.md	# no newline at the end
	run twatch -1 CLAUDE.md
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'A DONE 1\nB FAILED 1\n')" ]
	run twatch -1 CLAUDE.md nothere.md
	[ "$status" -eq 1 ]
	[[ "$output" =~ "twatch: nothere.md: No such file or directory"$'\n' ]]	# not waited for
	[[ "$output" =~ "A DONE 1" ]]
}

@test "-e takes an ERE whose first two groups are ID and STATUS" {
	printf 'DONE: T-1\nFAILED: T-2\n[x] T-3\n' > todo.txt
	run twatch -1 -e '^(DONE|FAILED): ([A-Z0-9-]+)' todo.txt
	[ "$output" = "$(printf 'DONE T-1 1\nFAILED T-2 1\n')" ]	# groups in that order: ID, STATUS
	run twatch -1 -e '^\[x\] (T-[0-9]+)()$' todo.txt
	[ "$output" = "" ]	# an empty status is no marker
	run twatch -1 -e '^(T-[0-9]+) (DONE)' todo.txt
	[ "$output" = "" ]
	echo 'T-4 DONE' >> todo.txt
	run twatch -1 -e '^(T-[0-9]+) (DONE)' todo.txt
	[ "$output" = "T-4 DONE 1" ]
	run twatch -1 -e '(only one group)' todo.txt
	[ "$status" -eq 2 ]
	run twatch -1 -e '(' todo.txt
	[ "$status" -eq 2 ]
}

@test "-p polls with stat(): appends, a save by rename, an edit in place of the same size" {
	echo '### A: DONE' > CLAUDE.md
	start_twatch -p 0.05 CLAUDE.md
	echo '### B: BLOCKED' >> CLAUDE.md
	wait_for_lines 4
	{ cat CLAUDE.md; echo '### C: DONE'; } > tmp && mv tmp CLAUDE.md
	wait_for_lines 6
	printf 'FAILED ' | dd of=CLAUDE.md bs=1 seek=19 conv=notrunc 2>/dev/null
	wait_for_lines 8
	rm CLAUDE.md
	settle
	echo '### D: DONE' > CLAUDE.md
	wait_for_lines 10
	[ "$(markers)" = "A DONE 1 B BLOCKED 1 C DONE 1 B FAILED 1 D DONE 1 " ]
	stop_twatch
}

@test "-p takes 0.01 to 86400 seconds, and says why it refuses the rest" {
	touch CLAUDE.md
	for p in 0 0.001 1e-10 86401 1e30 inf nan -1 x ''; do
		run twatch -1 -p "$p" CLAUDE.md
		[ "$status" -eq 2 ]
		[ "${lines[0]}" = "twatch: -p $p: not a number of seconds from 0.01 to 86400" ]
	done
	for p in 0.01 1 86400; do
		run twatch -1 -p "$p" CLAUDE.md
		[ "$status" -eq 0 ]
	done
}

@test "no wake-up and no CPU time while nothing changes" {
	needs_inotify "without it, twatch looks every second"
	printf '### A: DONE\n### B: DONE' > CLAUDE.md	# and none once B counted
	start_twatch CLAUDE.md
	wait_for_lines 3
	settle
	before=$(grep voluntary_ctxt_switches /proc/$TWATCH/status)
	cpu=$(awk '{ print $14 + $15 }' /proc/$TWATCH/stat)
	sleep 2
	[ "$(grep voluntary_ctxt_switches /proc/$TWATCH/status)" = "$before" ]
	[ "$(awk '{ print $14 + $15 }' /proc/$TWATCH/stat)" = "$cpu" ]
	stop_twatch
}

# How fast is make bench's (tests/bench/run): here, what the design
# promises on any machine, however loaded.
@test "a marker is printed at its write, not once the file is still, nor at a poll" {
	needs_inotify "without it, a marker waits for the next look, up to a second"
	: > CLAUDE.md
	start_twatch CLAUDE.md
	echo '### A: DONE' >> CLAUDE.md
	# a line every 10 ms: never still for 100 ms, so only the write's own
	# event can print A (a poll or a timer would wait for the writes to end)
	for i in $(seq 1000); do
		grep -q 'A DONE 1' out && break
		echo "line $i" >> CLAUDE.md
		sleep 0.01
	done
	echo "# printed after $i more writes" >&3
	grep -q 'A DONE 1' out
	stop_twatch
}

@test "a problem with a file is reported when it starts and when it ends, never on each wake-up" {
	needs_inotify "a look every second misses a state that lasts 0.3 s"
	mkdir CLAUDE.md
	twatch CLAUDE.md > out 2> twatch.err 3>&- &	# its stderr in the watched directory
	TWATCH=$!
	wait_for_lines 1
	for i in $(seq 50); do echo "$i" >> notes; done
	settle
	[ "$(cat twatch.err)" = "twatch: CLAUDE.md: not a regular file" ]
	rmdir CLAUDE.md
	settle
	echo '### A: DONE' > CLAUDE.md
	wait_for_lines 3
	ln -sf loop loop2 && ln -sf loop2 loop && ln -sf loop CLAUDE.md.tmp && mv CLAUDE.md.tmp CLAUDE.md
	settle
	for i in $(seq 50); do echo "$i" >> notes; done
	echo '### B: DONE' > tmp && mv tmp CLAUDE.md
	wait_for_lines 5
	settle
	diff twatch.err - <<-'E'
	twatch: CLAUDE.md: not a regular file
	twatch: CLAUDE.md: No such file or directory; waiting for it
	twatch: CLAUDE.md: back
	twatch: CLAUDE.md: Too many levels of symbolic links
	twatch: CLAUDE.md: back
	E
	[ "$(markers)" = "A DONE 1 B DONE 1 " ]
	stop_twatch
}

@test "an unreadable file is reported once, and once when it is back" {
	[ "$(id -u)" != 0 ] || skip "root reads every file"
	echo '### A: DONE' > CLAUDE.md
	chmod 000 CLAUDE.md
	start_twatch CLAUDE.md
	touch CLAUDE.md
	settle
	[ "$(cat err)" = "twatch: CLAUDE.md: Permission denied" ]
	chmod 644 CLAUDE.md
	wait_for_lines 3
	[ "$(cat err)" = "$(printf 'twatch: CLAUDE.md: Permission denied\ntwatch: CLAUDE.md: back')" ]
	stop_twatch
}

@test "a directory it may not watch is said once, and watched again once it may" {
	needs_inotify "only inotify watches directories"
	# as root, no permission is refused: run it as nobody, in a directory
	# that nobody can reach
	scratch=$(mktemp -d /tmp/tq-twatch.XXXXXX) && chmod 755 "$scratch"
	as=
	[ "$(id -u)" != 0 ] || as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	mkdir -m 777 "$scratch/d"
	echo '### A: DONE' > "$scratch/d/C.md"
	chmod 666 "$scratch/d/C.md"
	$as "$TQ_BIN/twatch" "$scratch/d/C.md" > out 2> err 3>&- &
	TWATCH=$!
	wait_for_lines 2
	rm -r "$scratch/d"
	mkdir -m 700 "$scratch/d"
	[ -z "$as" ] || chown 0 "$scratch/d"
	[ -n "$as" ] || chmod 000 "$scratch/d"
	settle
	chmod 777 "$scratch/d"
	echo '### B: DONE' > "$scratch/d/C.md"
	wait_for_lines 4
	echo '### C: DONE' >> "$scratch/d/C.md"
	wait_for_lines 6
	[ "$(grep . out | tr '\n' ' ')" = "A DONE 1 B DONE 1 C DONE 1 " ]
	grep -q "cannot watch: Permission denied" err
	grep -q "watched again" err
	stop_twatch
	rm -rf "$scratch"
}

@test "a near miss on a last line with no newline is said once, when the newline comes too" {
	: > CLAUDE.md
	start_twatch CLAUDE.md
	printf '**T-1: COMPLETED**' >> CLAUDE.md
	sleep 0.5	# still: the line counts as it stands
	printf '\n### T-2: DONE\n' >> CLAUDE.md
	wait_for_lines 3
	[ "$(cat err)" = "twatch: CLAUDE.md:1: not a marker (bold, not a heading): **T-1: COMPLETED**" ]
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

@test "SIGTERM ends it at once, in the middle of a scan or of a write to a full pipe" {
	truncate -s 1T huge.md	# sparse: read in minutes, but no room on disk
	ends_soon() { # ends_soon PID: it ends within 5 s of SIGTERM, long before its work would
		kill -0 $1	# still busy
		t0=$(date +%s%N)
		kill -TERM $1
		wait $1 || true
		t1=$(date +%s%N)
		echo "# ended in $(( (t1 - t0) / 1000000 )) ms" >&3
		[ $(( (t1 - t0) / 1000000 )) -lt 5000 ]
	}
	twatch -1 huge.md > out 3>&- &
	sleep 0.3
	ends_soon $!
	twatch huge.md > out 3>&- &
	sleep 0.3
	ends_soon $!
	[ ! -s out ]	# nothing printed: the first batch was not done
	awk 'BEGIN { for (i = 0; i < 20000; i++) print "### T-" i ": DONE" }' > CLAUDE.md
	mkfifo full
	exec {fd}<>full		# open, never read
	twatch CLAUDE.md > full 3>&- &
	sleep 0.3
	ends_soon $!
	exec {fd}>&-
}

@test "a closed stdout ends it quietly" {
	echo '### A: DONE' > CLAUDE.md
	{ sleep 0.2; rc=0; twatch CLAUDE.md 2> err || rc=$?; echo $rc > rc; } | true
	[ ! -s err ]
	[ "$(cat rc)" -ne 0 ]
}

@test "a stdout closed from the start is an error, said at once" {
	echo '### A: DONE' > CLAUDE.md
	rc=0
	timeout 10 twatch CLAUDE.md 2> err >&- || rc=$?	# else it follows, printing into /dev/null
	[ "$rc" -eq 1 ]
	[ "$(cat err)" = "twatch: stdout: closed; nothing done" ]
}

@test "a FILE that cannot be watched is fatal before anything is printed" {
	echo '### A: DONE' > CLAUDE.md
	touch plain
	for args in "nodir/CLAUDE.md" "CLAUDE.md nodir/CLAUDE.md" "-p 0.1 nodir/CLAUDE.md" "-n plain/CLAUDE.md"; do
		rc=0
		twatch $args > out 2> err || rc=$?
		[ "$rc" -eq 1 ]
		[ ! -s out ]
		[[ "$(cat err)" =~ ^"twatch: "(nodir|plain)"/CLAUDE.md: cannot watch: its directory "(nodir|plain)": "(No such file or directory|Not a directory)$ ]]
	done
}

@test "usage errors exit 2 and say why" {
	run twatch
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "twatch: no FILE to watch" ]
	run twatch -x CLAUDE.md
	[ "$status" -eq 2 ]
	run twatch -h
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^usage:\ twatch ]]
}

@test "near misses are reported once each, with the line and why, and never printed" {
	cat > CLAUDE.md <<-'M'
	# Notes
	**TODO-3: COMPLETED**
	- TODO-4: COMPLETED
	### TODO-10 : COMPLETED
	### TODO-5: Completed
	### TODO-6: COMPLETE
	### TODO-7: ✅ COMPLETED
	#### TODO-8: **BLOCKED**
	####### TODO-11: DONE
	###TODO-12: DONE
	    ### TODO-13: DONE
	> TODO-14: FINISHED
	### TODO-CODEX-003: TLS Certificate Validation
	Step 3: done, at 15:02
	### TODO-1: COMPLETED
	M
	twatch -1 CLAUDE.md > out 2> err
	[ "$(cat out)" = "TODO-1 COMPLETED 1" ]
	diff err - <<-'E'
	twatch: CLAUDE.md:2: not a marker (bold, not a heading): **TODO-3: COMPLETED**
	twatch: CLAUDE.md:3: not a marker (a list item, not a heading): - TODO-4: COMPLETED
	twatch: CLAUDE.md:4: not a marker (blank before ':'): ### TODO-10 : COMPLETED
	twatch: CLAUDE.md:5: not a marker (status not in upper case): ### TODO-5: Completed
	twatch: CLAUDE.md:6: not a marker (COMPLETE is not a status word): ### TODO-6: COMPLETE
	twatch: CLAUDE.md:7: not a marker (a symbol before the status): ### TODO-7: ✅ COMPLETED
	twatch: CLAUDE.md:8: not a marker (emphasis around the status): #### TODO-8: **BLOCKED**
	twatch: CLAUDE.md:9: not a marker (more than six '#'): ####### TODO-11: DONE
	twatch: CLAUDE.md:10: not a marker (no blank after '#'): ###TODO-12: DONE
	twatch: CLAUDE.md:11: not a marker (indented, a heading begins within 3 spaces):     ### TODO-13: DONE
	twatch: CLAUDE.md:12: not a marker (a quote, not a heading; FINISHED is not a status word): > TODO-14: FINISHED
	E
	# followed: each is told once, through rescans, and a new one when written
	start_twatch CLAUDE.md
	[ "$(wc -l < err)" -eq 11 ]
	{ echo '- TODO-20: done'; cat CLAUDE.md; } > tmp && mv tmp CLAUDE.md	# all lines move
	echo '**TODO-3: COMPLETED**' >> CLAUDE.md	# a second time
	wait_for_lines 13 err
	settle
	[ "$(sed -n 12,13p err)" = "$(printf '%s\n' "twatch: CLAUDE.md:1: not a marker (a list item, not a heading; status not in upper case): - TODO-20: done" "twatch: CLAUDE.md:17: not a marker (bold, not a heading): **TODO-3: COMPLETED**")" ]
	[ "$(wc -l < err)" -eq 13 ]
	[ "$(markers)" = "TODO-1 COMPLETED 1 " ]
	stop_twatch
	# -n: those at start are not told; -e: what does not match it
	twatch -n CLAUDE.md > out 2> err 3>&- &
	TWATCH=$!
	wait_for_lines 1
	echo '**TODO-9: DONE**' >> CLAUDE.md
	wait_for_lines 1 err
	[ "$(cat err)" = "twatch: CLAUDE.md:18: not a marker (bold, not a heading): **TODO-9: DONE**" ]
	stop_twatch
	twatch -1 -e '^- \[x\] ([A-Za-z0-9._-]+) \((done)\)' CLAUDE.md 2>&1 >/dev/null | grep -c 'not a marker (does not match -e)' | grep -qx 15
}

@test "it ends when the reader of its pipe is gone, with no marker to write" {
	: > CLAUDE.md
	mkfifo pipe
	twatch CLAUDE.md > pipe 2> err 3>&- &
	TWATCH=$!
	head -n 1 pipe > /dev/null	# the first batch; then no reader
	eventually 10 gone $TWATCH
	[ ! -s err ]
}
