#!/usr/bin/env bats
# tests/run itself, run on a small suite of its own (run.d): what a failure looks
# like, the last line, and what a test leaves behind.
load common

setup_file() {
	local t=$BATS_FILE_TMPDIR/t
	mkdir "$t"
	cp "$ROOT/tests/run" "$t/"
	cp "$ROOT/tests/run.d/suite.bats" "$t/"
	local status=0
	# a clean environment: bats would take the outer bats's variables,
	# and its libexec, first in PATH, has a bats that is not the command
	local path=":$PATH:"
	path=${path//:$BATS_LIBEXEC:/:}
	path=${path#:} path=${path%:}
	env -i PATH="$path" HOME="$HOME" TMPDIR="$BATS_FILE_TMPDIR" TQ_BINS=/nowhere \
	    "$t/run" > "$BATS_FILE_TMPDIR/out" 2>&1 || status=$?
	echo $status > "$BATS_FILE_TMPDIR/status"
}

@test "run: the last line counts passed and failed tests, and the run fails" {
	[ "$(cat "$BATS_FILE_TMPDIR/status")" = 1 ]
	[ "$(tail -n 1 "$BATS_FILE_TMPDIR/out")" = "3 passed, 3 failed, 1 skipped" ]
}

@test "run: a failure shows its assertion and what the test printed, again at the end" {
	out=$BATS_FILE_TMPDIR/out
	cat "$out"
	[ "$(grep -c '^not ok 2 fails$' "$out")" -eq 2 ]
	[ "$(grep -c '^#   `\[ "$status" -eq 0 \]'"'"' failed$' "$out")" -eq 2 ]
	[ "$(grep -c '^# tool: queue:3: what went wrong$' "$out")" -eq 2 ]
	# the end: the failures, then the count
	tail -n 14 "$out" | grep -q '^# The failures again:$'
	# nothing else: TAP, the name of the build, an empty line, the count
	! grep -v '^\(ok \|not ok \|# \|1\.\.[0-9]\|$\|[0-9]* passed, \)' "$out" || false
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
