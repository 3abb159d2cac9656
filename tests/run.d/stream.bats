# A suite for run.bats: the second test ends only once the runner has
# printed that the first one passed (run.bats creates $GO then).
@test "first" { true; }
@test "second" {
	for i in $(seq 200); do [ -e "$GO" ] && return 0; sleep 0.05; done
	false
}
