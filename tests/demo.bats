#!/usr/bin/env bats
# make demo, end to end: the real tools drive the simulated agents.
load common

demo_processes() { processes_in "$PWD/tmp"; }

@test "the demo runs the six tasks in order in under 30 s and leaves nothing behind" {
	mkdir tmp tmux
	# TMUX_TMPDIR (tmux ignores it unless it exists): had the demo used a
	# named server (-L) or the default one, its socket would be in
	# tmux/tmux-UID, where tmux 3.3a leaves it after kill-server; with -S
	# it is in the demo's own directory, which it removes.
	t0=$(date +%s)
	TMPDIR=$PWD/tmp TMUX_TMPDIR=$PWD/tmux run "$ROOT/examples/demo" 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	[ $(( $(date +%s) - t0 )) -lt 30 ]
	[[ "$output" =~ "all six tasks done, in order" ]]
	[ "$(printf '%s\n' "$output" | grep -c '  sent ')" -eq 6 ]
	[ "$(printf '%s\n' "$output" | grep -cE '^TODO-[A-Z]+-00[1-3] +done ')" -eq 6 ]
	sock=$(printf '%s\n' "$output" | sed -n 's/^tmux -S \([^ ]*\) attach .*/\1/p')
	[[ $sock == "$PWD/tmp/tq-demo."*/tmux.sock ]]
	[ ! -e "$sock" ]
	[ -z "$(ls -A tmux)" ]
	[ -z "$(ls -A tmp)" ]
	for i in $(seq 50); do [ -z "$(demo_processes)" ] && break; sleep 0.1; done
	demo_processes
	[ -z "$(demo_processes)" ]
}
