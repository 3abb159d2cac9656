#!/usr/bin/env bats
# README.md as a new user follows it: the commands of its ```sh blocks
# run as written, in order, in one shell, from the top of the checkout.
load common

readme_processes() { processes_in "$BATS_TEST_TMPDIR/tmp"; }

teardown() {	# what a failed run left, so that it leaves nothing either
	readme_processes | while read -r p _; do kill -9 "$p"; done
}

@test "README: the tour runs as written, and leaves nothing behind" {
	awk '/^```sh$/ { f = 1; next } /^```/ { f = 0; next } f' "$ROOT/README.md" > commands
	grep -qx 'PATH=$PWD/tools:$PATH' commands
	# the tools under test, where the tour puts them on PATH
	sed -i "s|^PATH=\$PWD/tools:|PATH=${TQ_BIN:-$ROOT/tools}:|" commands
	cat commands
	mkdir tmp run tmux
	# a new user's shell: no tools on PATH; tmux -L or the default server
	# would put their socket in tmux/ (TMUX_TMPDIR), tsend its locks in run/
	cd "$ROOT"
	path=":$PATH:"
	while [[ $path == *":${TQ_BIN:-$ROOT/tools}:"* ]]; do	# it may be there twice in a row
		path=${path//:${TQ_BIN:-$ROOT/tools}:/:}
	done
	path=${path#:} path=${path%:}
	! env PATH="$path" sh -c "command -v tq" || false	# a new user's shell
	before=$(ls -A "$ROOT")
	TMPDIR=$BATS_TEST_TMPDIR/tmp XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run \
	    TMUX_TMPDIR=$BATS_TEST_TMPDIR/tmux PATH=$path run bash -e "$BATS_TEST_TMPDIR/commands" 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ T-1\ +(done|sent)\ +work:claude ]]
	[[ $output =~ T-3\ +(BLOCKED|sent|pending)\ +work:claude ]]
	# the review, two panes: REV-1 waits for IMPL-1, then all are done
	[[ $output =~ REV-1\ +pending\ +review:claude\ +-\ +-\ +after\ IMPL-1\ \((pending|sent)\) ]]
	[[ $output =~ IMPL-2\ +pending\ +review:codex\ +-\ +-\ +after\ REV-1\ \(pending\) ]]
	[[ $output =~ IMPL-2\ +done\ +review:codex ]]
	[[ $output =~ DOC-1\ +done\ +review:claude ]]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmux")" ]
	[ "$(ls -A "$ROOT")" = "$before" ]	# nothing written into the checkout
	for i in $(seq 50); do [ -z "$(readme_processes)" ] && break; sleep 0.1; done
	readme_processes
	[ -z "$(readme_processes)" ]
}
