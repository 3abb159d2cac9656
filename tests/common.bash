# Loaded by every test file: the tools under test first in PATH, a fresh
# directory for each test.
ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PATH="${TQ_BIN:-$ROOT/tools}:$PATH"
unset TQUEUE TMUX TMUX_PANE

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	export TMPDIR=$BATS_TEST_TMPDIR XDG_RUNTIME_DIR=	# tsend's locks too
}

# The queue of the six tasks of the orchestration notes.
six_tasks() {
	cat <<'Q'
TODO-CODEX-003 palm:5 Tu es Codex. TÂCHE BLOQUANTE: corrige la validation TLS;
TODO-CODEX-002 palm:5 Second Codex task
TODO-CODEX-001 palm:5 Third Codex task
TODO-ANTI-001 palm:3 First Antigravity task
TODO-ANTI-002 palm:3 Second Antigravity task
TODO-ANTI-003 palm:3 Third Antigravity task
Q
}

# processes_in DIR: "PID COMMAND" of each process still alive that runs in
# DIR or has TMPDIR=DIR in its environment (read from /proc: procps may be
# absent)
processes_in() {
	{
		grep -lsaF "TMPDIR=$1" /proc/[0-9]*/environ
		find /proc/[0-9]*/cwd -maxdepth 0 -lname "$1/*" 2>/dev/null
	} | cut -d/ -f3 | sort -u | while read -r p; do
		echo "$p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"
	done
}

# eventually SECONDS COMMAND...: until COMMAND succeeds, for up to SECONDS
eventually() {
	local i
	for i in $(seq $(( $1 * 20 ))); do "${@:2}" && return 0; sleep 0.05; done
	return 1
}

# needs_inotify WHY: skips the test, saying so, where the tools under test
# were built without inotify (make NO_INOTIFY=1: they look at the files
# every second), for what only inotify's immediacy gives.  The build is
# known by what it links: a build with inotify calls inotify_init1.
needs_inotify() {
	grep -qa inotify_init1 "${TQ_BIN:-$ROOT/tools}/twatch" || skip "needs inotify: $1"
}

# gone PID: the process has ended (a zombie its parent has not waited for
# counts)
gone() { [ ! -e "/proc/$1" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
