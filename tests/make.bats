#!/usr/bin/env bats
# The Makefile's targets for users and for CI: install, uninstall, lint.
load common

@test "make uninstall removes all that make install installed (DESTDIR, PREFIX)" {
	make -s -C "$ROOT" install DESTDIR="$PWD/d" PREFIX=/opt/tq
	[ -x d/opt/tq/bin/tq ] && [ -x d/opt/tq/bin/tsend ]
	[ -f d/opt/tq/share/man/man1/tnext.1 ] && [ -f d/opt/tq/share/man/man5/tq.5 ] && [ -f d/opt/tq/share/man/man7/tq.7 ]
	echo keep > d/opt/tq/bin/other
	make -s -C "$ROOT" uninstall DESTDIR="$PWD/d" PREFIX=/opt/tq
	[ "$(find d -type f)" = d/opt/tq/bin/other ]
}

@test "make NO_INOTIFY=1 builds the four tools into tools/noinotify, inotify compiled out" {
	run make -s -C "$ROOT" -n -B NO_INOTIFY=1
	[ "$status" -eq 0 ]
	[ "$(grep -c -- '-o tools/noinotify/[a-z]* ' <<< "$output")" -eq 4 ]	# linked there
	! grep -- ' -c ' <<< "$output" | grep -v -- '-DNO_INOTIFY -c -o tools/noinotify/' || false	# compiled so
	! grep -q -- '-o tools/[a-z]*[ .]' <<< "$output" || false	# not the others
	# what the suite's run against it relies on (common.bash: needs_inotify)
	cc -std=c99 -D_POSIX_C_SOURCE=200809L -DNO_INOTIFY -c -o watch.o "$ROOT/tools/watch.c"
	! grep -qa inotify_init1 watch.o || false
	cc -std=c99 -D_POSIX_C_SOURCE=200809L -c -o watch.o "$ROOT/tools/watch.c"
	grep -qa inotify_init1 watch.o
}

@test "make lint is silent when all is well, and fails with the diagnostic when not" {
	command -v clang-tidy > /dev/null && command -v cppcheck > /dev/null ||
	    skip "no clang-tidy or cppcheck here (.ci/run installs them)"
	# a clean file for which clang-tidy says "11 warnings generated."
	run make -s -C "$ROOT" lint LINTDIRS="$ROOT/tools/util.c" LINTSRC="$ROOT/tools/util.c"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	mkdir bad
	printf '#include <string.h>\nvoid copy(char *to, const char *from) { strcpy(to, from); }\n' > bad/copy.c
	run make -s -C "$ROOT" lint LINTDIRS="$PWD/bad" LINTSRC="$PWD/bad/copy.c"
	[ "$status" -ne 0 ]
	[[ ${lines[0]} == "$PWD/bad/copy.c:2:"*"strcpy"*"[clang-analyzer-security.insecureAPI.strcpy"* ]]
}

# ci LINT CHECK [MUSL]: runs .ci/run in a checkout whose make lint, make
# check and make musl run LINT, CHECK and MUSL (true), with what .ci/run
# would otherwise install present
ci() {
	local t
	for t in gcc make tmux bats mandoc strace cppcheck clang-tidy musl-gcc ssh /usr/sbin/sshd; do
		command -v $t > /dev/null || skip "no $t here (.ci/run installs it)"
	done
	mkdir -p ci/.ci
	cp "$ROOT/.ci/run" ci/.ci/
	printf 'lint:\n\t@$(LINT)\nmusl:\n\t@$(MUSL)\ncheck:\n\t@$(CHECK)\n' > ci/Makefile
	# as CI runs it: not under make check's make
	LINT=$1 CHECK=$2 MUSL=${3:-true} run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ci/.ci/run
	echo "$output"
}

@test ".ci/run: lint, the musl build, then check; the last line counts; any failure fails it" {
	ci true 'echo ok 1; echo ok 2; echo 2 passed, 0 failed'
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 passed, 0 failed" ]
	ci true 'echo ok 1; echo not ok 2; echo 1 passed, 1 failed; exit 1'
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "1 passed, 1 failed" ]
	ci true 'echo "cc: error: no such file"; exit 2'	# no test ran
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "0 passed, 1 failed" ]
	ci 'echo "x.c:1:1: error: bad"; exit 1' 'touch checked; echo 1 passed, 0 failed'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "x.c:1:1: error: bad" ]
	[ "${lines[-1]}" = "0 passed, 1 failed" ]
	[ ! -e ci/checked ]
	# the musl build: a warning fails it too, before the suite
	ci true 'touch checked; echo 1 passed, 0 failed' 'echo "x.c:1:1: warning: unused"'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "x.c:1:1: warning: unused" ]
	[ "${lines[-1]}" = "0 passed, 1 failed" ]
	[ ! -e ci/checked ]
}
