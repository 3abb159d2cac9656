# A suite for run.bats to run with tests/run: two tests that pass, one
# that fails, one skipped, and two that leave something behind.
@test "passes" { true; }
@test "fails" {
	run sh -c 'echo "tool: queue:3: what went wrong" >&2; exit 1'
	echo "$output"
	[ "$status" -eq 0 ]
}
@test "leaves a process" { sleep 1000 3>&- & }
@test "leaves a socket in tmux's directory" {
	tmux -L leak -f /dev/null new-session -d 'sleep 1000'
	tmux -L leak kill-server
}
@test "skips" { skip "not here"; }
