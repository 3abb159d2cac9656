#!/usr/bin/env bats
# tests/run itself, run on a small suite of its own (run.d): what a failure looks
# like, the last line, what a test leaves behind, and results as they come.
load common

# a clean environment: bats would take the outer bats's variables,
# and its libexec, first in PATH, has a bats that is not the command
clean_path() {
	local path=":$PATH:"
	path=${path//:$BATS_LIBEXEC:/:}
	path=${path#:} path=${path%:}
	echo "$path"
}

setup_file() {
	local t=$BATS_FILE_TMPDIR/t
	mkdir "$t"
	cp "$ROOT/tests/run" "$t/"
	cp "$ROOT/tests/run.d/suite.bats" "$t/"
	local status=0
	env -i PATH="$(clean_path)" HOME="$HOME" TMPDIR="$BATS_FILE_TMPDIR" TQ_BINS=/nowhere \
	    "$t/run" > "$BATS_FILE_TMPDIR/out" 2>&1 || status=$?
	echo $status > "$BATS_FILE_TMPDIR/status"
	# a build that runs some files only, and one whose files are not there
	status=0
	env -i PATH="$(clean_path)" HOME="$HOME" TMPDIR="$BATS_FILE_TMPDIR" \
	    TQ_BINS="/nowhere:suite.bats,other.bats /elsewhere:none.bats" \
	    "$t/run" > "$BATS_FILE_TMPDIR/some" 2>&1 || status=$?
}

@test "run: the last line counts passed and failed tests, and the run fails" {
	[ "$(cat "$BATS_FILE_TMPDIR/status")" = 1 ]
	[ "$(tail -n 1 "$BATS_FILE_TMPDIR/out")" = "3 passed, 3 failed, 1 skipped" ]
}

@test "run: a failure shows its assertion and what the test printed, again at the end" {
	out=$BATS_FILE_TMPDIR/out
	cat "$out"
	# as it ended, after the name of its build; then again at the end
	for line in 'not ok 2 fails' '#   `\[ "$status" -eq 0 \]'"'"' failed' '# tool: queue:3: what went wrong'; do
		[ "$(grep -c "^nowhere: $line\$" "$out")" -eq 1 ]
		[ "$(grep -c "^$line\$" "$out")" -eq 1 ]
	done
	# the end: the failures, then the count
	tail -n 14 "$out" | grep -q '^# The failures again:$'
	# nothing else: TAP (after its build's name as it comes), an empty line, the count
	! grep -v '^\(nowhere: \)\?\(ok \|not ok \|# \|1\.\.[0-9]\|$\|[0-9]* passed, \)' "$out" || false
}

@test "run: each test's result is printed the moment it ends, after the name of its build" {
	t=$BATS_TEST_TMPDIR/s
	mkdir "$t"
	cp "$ROOT/tests/run" "$ROOT/tests/run.d/stream.bats" "$t/"
	# two builds, side by side; the second test of each ends only once
	# the runner has printed that the first passed, in both
	env -i PATH="$(clean_path)" HOME="$HOME" TMPDIR="$BATS_TEST_TMPDIR" TQ_BINS="/a/one /b/two" \
	    TESTS=stream.bats GO="$t/go" "$t/run" > out 2>&1 3>&- &
	RUN=$!
	eventually 30 grep -qx 'one: ok 1 first' out
	eventually 30 grep -qx 'two: ok 1 first' out
	! grep -q 'ok 2' out || false	# the second tests still run
	touch "$t/go"
	wait $RUN
	cat out
	[ "$(tail -n 1 out)" = "4 passed, 0 failed" ]
	grep -qx 'one: # tools in /a/one' out
}

teardown() { # a failed streaming test: let its run end
	[ -z "$RUN" ] || { touch "$BATS_TEST_TMPDIR/s/go"; wait "$RUN" || true; }
}

@test "run: a process or a tmux socket a test leaves behind fails the run" {
	out=$BATS_FILE_TMPDIR/out
	cat "$out"
	grep -q '^not ok processes left running by the tests (now killed)$' "$out"
	pid=$(sed -n 's/^# \([0-9]*\) sleep 1000$/\1/p' "$out" | head -n 1)
	[ -n "$pid" ]
	[ ! -e "/proc/$pid" ] || [ "$(cut -d' ' -f3 "/proc/$pid/stat")" = Z ]
	grep -q '^not ok files or sockets left by the tests in \$TMPDIR$' "$out"
	grep -q "^# ./tmux-$(id -u)/leak\$" "$out"
}

@test "run: a build followed by :FILE,... runs those files only" {
	some=$BATS_FILE_TMPDIR/some
	cat "$some"
	[ "$(tail -n 1 "$some")" = "3 passed, 3 failed, 1 skipped" ]
	grep -q '^# tools in /nowhere$' "$some"
	! grep -q '^# tools in /elsewhere' "$some" || false
}
