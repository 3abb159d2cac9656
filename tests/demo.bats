#!/usr/bin/env bats
# make demo, end to end: the real tools drive the simulated agents.
load common

@test "the demo runs the six tasks in order in under 30 s and leaves nothing behind" {
	mkdir tmp
	t0=$(date +%s)
	TMPDIR=$PWD/tmp run "$ROOT/examples/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	[ $(( $(date +%s) - t0 )) -lt 30 ]
	[[ "$output" =~ "all six tasks done, in order" ]]
	[ "$(printf '%s\n' "$output" | grep -c '  sent ')" -eq 6 ]
	[ "$(printf '%s\n' "$output" | grep -cE '^TODO-[A-Z]+-00[1-3] +done ')" -eq 6 ]
	[ -z "$(ls tmp)" ]
	sock=$(printf '%s\n' "$output" | sed -n 's/^tmux -L \(tq-demo-[0-9]*\) .*/\1/p')
	[ -n "$sock" ]
	! tmux -L "$sock" list-sessions 2>/dev/null
	# no process of the demo's is left: none runs in its directory, none
	# names its server (read from /proc: procps may be absent)
	! ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -q "$PWD/tmp/tq-demo"
	! grep -qsaP -- "-L\\x00$sock" /proc/[0-9]*/cmdline
}
