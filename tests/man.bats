#!/usr/bin/env bats
# The man pages are the contract: every tool has one, and mandoc finds
# nothing wrong in any of them.
load common

@test "every tool has a man page" {
	[ "$(grep -l '^main(' "$ROOT"/tools/*.c | wc -l)" -eq 4 ]
	for c in $(grep -l '^main(' "$ROOT"/tools/*.c); do
		n=$(basename "$c" .c)
		[ -f "$ROOT/man/$n.1" ] || { echo "no man/$n.1"; return 1; }
	done
}

@test "mandoc -Tlint finds nothing in man/" {
	command -v mandoc > /dev/null || skip "no mandoc here (.ci/run installs it)"
	run mandoc -Tlint -Wwarning "$ROOT"/man/*.[1-9]
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "the overview is tq(7), installed; tq(1) opens with the tools and points to it; footers name tq" {
	[ -f "$ROOT/man/tq.7" ]
	sed -n '/^\.Sh DESCRIPTION/,/^\.Pp/p' "$ROOT/man/tq.1" | grep -qx '\.Xr tq 7'
	for t in twatch tnext tsend; do
		sed -n '/^\.Sh DESCRIPTION/,/^\.Pp/p' "$ROOT/man/tq.1" | grep -qx ".Xr $t 1"
	done
	! grep -L '^\.Os tq$' "$ROOT"/man/*.[1-9] | grep . || false	# not "BSD"
}
