#!/usr/bin/env bats
# The Makefile's targets for users and for CI: install, uninstall, lint.
load common

@test "make uninstall removes all that make install installed (DESTDIR, PREFIX)" {
	make -s -C "$ROOT" install DESTDIR="$PWD/d" PREFIX=/opt/tq
	[ -x d/opt/tq/bin/tq ] && [ -x d/opt/tq/bin/tsend ]
	[ -f d/opt/tq/share/man/man1/tnext.1 ] && [ -f d/opt/tq/share/man/man5/tq.5 ]
	echo keep > d/opt/tq/bin/other
	make -s -C "$ROOT" uninstall DESTDIR="$PWD/d" PREFIX=/opt/tq
	[ "$(find d -type f)" = d/opt/tq/bin/other ]
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
