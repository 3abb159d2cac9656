# Loaded by every test file: the tools under test first in PATH, a fresh
# directory for each test.
ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PATH="${TQ_BIN:-$ROOT/tools}:$PATH"
unset TQUEUE TMUX TMUX_PANE

# Outside tq.bats, tq only reads the state, and often: there the sanitizer
# build of tq (%b, the program's name) does not check for leaks at its
# exit, which costs it 50 ms a run.  tq.bats checks every exit of tq's own.
if [ "${BATS_TEST_FILENAME##*/}" != tq.bats ] && [ -n "$ASAN_OPTIONS" ]; then
	echo detect_leaks=0 > "$BATS_FILE_TMPDIR/asan.tq"
	export ASAN_OPTIONS=$ASAN_OPTIONS:include_if_exists=$BATS_FILE_TMPDIR/asan.%b
fi

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

# eventually SECONDS COMMAND...: until COMMAND succeeds, for up to
# SECONDS of wall time; it looks again after 10 ms, then less and less
# often, up to every 200 ms: quick to see a quick change, and few
# processes on a loaded machine, where each one costs
eventually() {
	local end=$(( ${EPOCHREALTIME/[.,]/} + $1 * 1000000 )) nap=0.01
	until "${@:2}"; do
		[ "${EPOCHREALTIME/[.,]/}" -lt $end ] || return 1
		sleep $nap
		case $nap in 0.01) nap=0.02 ;; 0.02) nap=0.05 ;; 0.05) nap=0.1 ;; *) nap=0.2 ;; esac
	done
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

# eight_tnexts: eight tnext processes on ./queue, each reading the FIFO
# in.K and writing out.K and err.K; their inputs open in fds[1..8], all of
# them before any is written, so that no tnext holds another's input
eight_tnexts() {
	local k fd
	for k in 1 2 3 4 5 6 7 8; do
		mkfifo in.$k
		tnext < in.$k > out.$k 2> err.$k 3>&- &
	done
	for k in 1 2 3 4 5 6 7 8; do
		exec {fd}> in.$k
		fds[k]=$fd
	done
}

# complete_all N: until N tasks are done, marks each task sent COMPLETED,
# twice, each time on the input of one of the eight tnexts picked at
# random, then gives them a moment; fails after 30 s with none done (a
# stall), however long the whole takes on a loaded machine
complete_all() {
	local n done=0 end=$((SECONDS + 30)) id j
	while n=$(tq -s done | wc -l) && [ "$n" -lt "$1" ]; do
		[ "$n" -eq "$done" ] || { done=$n; end=$((SECONDS + 30)); }
		[ $SECONDS -lt $end ] || return 1
		for id in $(tq -s sent | awk '{ print $1 }'); do
			for j in 1 2; do
				printf '%s COMPLETED\n\n' "$id" >&${fds[RANDOM % 8 + 1]}
			done
		done
		sleep 0.05	# not a busy loop, which would only slow them down
	done
}

# done_once N: once the eight inputs are closed and the tnexts ended, N
# tasks are done, each written by one tnext once and marked sent once
done_once() {
	local fd
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	wait
	[ "$(tq -s done | wc -l)" -eq "$1" ] &&
	    [ "$(awk '/^T-/ { print $1 }' out.* | sort | uniq -d | wc -l)" -eq 0 ] &&
	    [ "$(awk '/^T-/ { print $1 }' out.* | wc -l)" -eq "$1" ] &&
	    [ "$(grep -c ' sent ' queue.state)" -eq "$1" ]
}

# in_queue_order P: each pane was sent its tasks in queue order, where
# task T-i is in pane i % P of P
in_queue_order() {
	local p
	for p in $(seq 0 $(($1 - 1))); do
		awk '$2 == "sent" { print $3 }' queue.state |
		    awk -v n="$1" -v p=$p -F- '$2 % n == p { if ($2 <= last) exit 1; last = $2 }' || return 1
	done
}
