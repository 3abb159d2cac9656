#!/usr/bin/env bats
# The examples users copy: examples/start-agents, examples/crontab and
# examples/tq-loop.service, run for real against a private tmux server.
load common
load tmux

# tq_server: the server `tmux -L tq` names, made private: TMUX_TMPDIR in
# the test's directory (tmux ignores one that does not exist)
tq_server() {
	export TMUX_TMPDIR=$BATS_TEST_TMPDIR/tmux
	mkdir -p -m 700 "$TMUX_TMPDIR/tmux-$(id -u)"
	export SOCK=$TMUX_TMPDIR/tmux-$(id -u)/tq
}

# start_tq_server: starts it, its session t made with the window rec,
# whose pane records what it receives, as recorder() in tmux.bash does
start_tq_server() {
	TM new-session -d -s t -x 120 -y 40 -n rec "stty raw -echo; printf '\033[?2004hrecording\r\n'; \
	    : > '$BATS_TEST_TMPDIR/rec.ready'; exec cat > '$BATS_TEST_TMPDIR/rec.rec'" 3>&-
	eventually 10 test -e "$BATS_TEST_TMPDIR/rec.ready"
	sleep 0.1	# for tmux to have seen the bracketed paste request
}

teardown() {
	loop_processes | while read -r p _; do kill -9 "$p"; done	# a failed test's
	[ "$TMUX_TMPDIR" != "$BATS_TEST_TMPDIR/tmux" ] || { stop_server; rm -rf "$TMUX_TMPDIR"; }
}

# agents NAME...: bin/ holds the commands start-agents needs and a stub
# agent for each NAME, a real program that waits (agent NAME=N exits N)
agents() {
	local a
	mkdir -p bin
	ln -sf "$(command -v tmux)" "$(command -v sleep)" bin/
	for a in "$@"; do
		case $a in
		*=*) printf '#!/bin/sh\necho "not logged in"\nexit %s\n' "${a#*=}" > "bin/${a%=*}" ;;
		*) printf '#!/bin/sh\nexec sleep 1000\n' > "bin/$a" ;;
		esac
		chmod +x "bin/${a%=*}"
	done
}

@test "start-agents: a missing agent is named, and nothing is started" {
	tq_server
	agents claude codex
	mkdir work
	run env PATH="$PWD/bin" "$ROOT/examples/start-agents" work
	[ "$status" -eq 1 ]
	[ "$output" = "start-agents: gemini: not found, for window 3 (antigravity); install it, or edit this script" ]
	[ -z "$(ls -A "$TMUX_TMPDIR/tmux-$(id -u)")" ]
}

@test "start-agents: an agent in each window of the queue, window 3 too, never a shell" {
	tq_server
	agents claude codex gemini
	mkdir work
	run env PATH="$PWD/bin" "$ROOT/examples/start-agents" work
	[ "$status" -eq 0 ]
	[ "$output" = "tmux -L tq attach -t palm-oil-orchestration" ]
	run TM list-windows -t palm-oil-orchestration \
	    -F '#{window_index} #{window_name} #{pane_start_command} #{pane_dead} #{pane_current_path}'
	[ "${lines[1]}" = "3 antigravity gemini 0 $PWD/work" ]
	[ "${lines[2]}" = "4 claude claude 0 $PWD/work" ]
	[ "${lines[3]}" = "5 codex codex 0 $PWD/work" ]
	# every target of the bundled queue is one of these windows
	run tq -c "$ROOT/examples/palm-oil/queue"
	[ "$status" -eq 0 ]
	for w in $(tq "$ROOT/examples/palm-oil/queue" | awk '{ print $3 }' | sort -u); do
		TM list-panes -t "$w" -F '#{pane_start_command}' | grep -qx 'gemini\|claude\|codex'
	done
}

@test "start-agents: an agent that exits at once is reported, its window kept, exit 1" {
	tq_server
	agents claude codex=3 gemini
	mkdir work
	run env PATH="$PWD/bin" "$ROOT/examples/start-agents" work
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "start-agents: codex in window 5 exited; to see why: tmux -L tq attach -t palm-oil-orchestration:5" ]
	[ "$(TM list-panes -t palm-oil-orchestration:5 -F '#{pane_dead}')" = 1 ]
}

# The job lines of a crontab, each field checked as cron(8) reads it;
# fails, saying why, on anything else.
crontab_jobs() {
	awk '
	function field(f, lo, hi,   n, i, r, p) {
		n = split(f, r, ",")
		for (i = 1; i <= n; i++) {
			p = r[i]
			sub(/\/[1-9][0-9]*$/, "", p)
			if (p == "*") continue
			if (p !~ /^[0-9]+(-[0-9]+)?$/) return 0
			split(p, b, "-")
			if (b[1] < lo || b[1] > hi || (2 in b && (b[2] < b[1] || b[2] > hi))) return 0
			delete b
		}
		return 1
	}
	/^[ \t]*(#|$)/ { next }
	/^[A-Za-z_][A-Za-z0-9_]*=/ { next }
	{
		if (NF < 6 || !field($1, 0, 59) || !field($2, 0, 23) || !field($3, 1, 31) ||
		    !field($4, 1, 12) || !field($5, 0, 7)) {
			print FILENAME ":" NR ": not a cron job: " $0 > "/dev/stderr"; bad = 1; next
		}
		cmd = $0
		for (i = 0; i < 5; i++)
			sub(/^[ \t]*[^ \t]+[ \t]+/, "", cmd)
		if (cmd ~ /%/) {	# cron makes % a line break
			print FILENAME ":" NR ": % in a command" > "/dev/stderr"; bad = 1; next
		}
		print cmd
	}
	END { exit bad }' "$1"
}

@test "crontab: a valid crontab, PATH set to where make install puts the tools" {
	run crontab_jobs "$ROOT/examples/crontab"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	grep -qx 'PATH=/usr/local/bin:/usr/bin:/bin' "$ROOT/examples/crontab"
	# and the checker rejects what cron would
	printf '* * * * cd x\n' > bad
	! crontab_jobs bad || false
	printf '60 * * * * cd x\n' > bad
	! crontab_jobs bad || false
	printf '* * * * * date +%%s\n' > bad
	! crontab_jobs bad || false
	if crontab -T /dev/null 2>/dev/null; then	# cronie
		crontab -T "$ROOT/examples/crontab"
	fi
}

@test "crontab: the job runs with cron's environment; all three tools log to tq.log" {
	tq_server
	start_tq_server
	mkdir -p home/src/palm-oil
	cd home/src/palm-oil
	printf 'T-1 t:rec first\nT-2 t:rec second\nT-3 t:gone third\n' > queue
	echo '### T-1: COMPLETED' > CLAUDE.md
	# cron: sh, HOME, LOGNAME, PATH=/usr/bin:/bin, no LANG, then the
	# crontab's variables; /usr/local/bin stands for the tools under test.
	# TMUX_TMPDIR only keeps tmux -L tq private to the test.
	set -- HOME="$BATS_TEST_TMPDIR/home" LOGNAME="$(id -un)" SHELL=/bin/sh PATH=/usr/bin:/bin
	while IFS= read -r v; do
		set -- "$@" "${v//\/usr\/local\/bin/${TQ_BIN:-$ROOT/tools}}"
	done < <(grep '^[A-Za-z_][A-Za-z0-9_]*=' "$ROOT/examples/crontab")
	job=$(crontab_jobs "$ROOT/examples/crontab")
	cron() { (cd / && env -i "$@" TMUX_TMPDIR="$TMUX_TMPDIR" /bin/sh -c "$job") || true; }
	cron "$@"
	cat tq.log
	received rec "$(pasted second | wc -c)"
	[ "$(cat "$BATS_TEST_TMPDIR/rec.rec")" = "$(pasted second)" ]
	tq queue | grep -q '^T-1 *done'
	tq queue | grep -q '^T-2 *sent'
	grep -qx 'tnext: sent T-2 to t:rec' tq.log	# tnext's stderr
	grep -q '^tsend: T-3: t:gone: ' tq.log		# tsend's: no such pane
	rm CLAUDE.md
	cron "$@"
	cat tq.log
	grep -q '^twatch: CLAUDE.md: ' tq.log		# twatch's
}

@test "tq-loop.service: systemd-analyze verify finds nothing to say" {
	command -v systemd-analyze > /dev/null || skip "no systemd-analyze here"
	run systemd-analyze verify "$ROOT/examples/tq-loop.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -q '^# EDIT THIS' "$ROOT/examples/tq-loop.service"
	grep -A 1 '^# EDIT THIS' "$ROOT/examples/tq-loop.service" | grep -q '^WorkingDirectory='
}

# start_loop: runs the unit's ExecStart command line in the current
# directory, in a session of its own as systemd does, stderr in loop.err
start_loop() {
	local line
	# systemd joins a line ending in a backslash with the next one
	line=$(sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' "$ROOT/examples/tq-loop.service" |
	    sed -n 's/^ExecStart=//p')
	# nothing systemd would expand ($VAR, %h), so the shell reads it as systemd does
	[[ $line != *[%\$]* ]]
	eval "set -- $line"
	[ "$1" = /bin/sh ]
	TQLOOP=$BATS_TEST_TMPDIR setsid -w "$@" 2> loop.err 3>&- &
	loop=$!
}

# loop_processes: the processes the loop started (the command name of each)
loop_processes() {
	local f p
	for f in $(grep -lsaF "TQLOOP=$BATS_TEST_TMPDIR" /proc/[0-9]*/environ); do
		p=${f#/proc/}
		echo "${p%/environ} $(cat "/proc/${p%/environ}/comm" 2>/dev/null)"
	done
}

# loop_ends: waits up to 10 s for the loop to end; its status in $status
loop_ends() {
	local i
	for i in $(seq 100); do
		kill -0 $loop 2>/dev/null || break
		sleep 0.1
	done
	status=0
	wait $loop || status=$?
	cat loop.err
}

@test "tq-loop.service: waits for the tmux server, then sends, one line each in the log" {
	tq_server
	printf 'T-1 t:rec first\nT-2 t:rec second\n' > queue
	: > CLAUDE.md
	start_loop
	sleep 1
	grep -qx 'tq-loop: waiting for tmux -L tq' loop.err
	[ ! -e queue.state ]	# nothing sent, nothing held
	start_tq_server
	received rec 5
	grep -q first rec.rec
	grep -qx 'tnext: sent T-1 to t:rec' loop.err
	echo '### T-1: COMPLETED' >> CLAUDE.md
	received rec "$(( $(wc -c < rec.rec) + 6 ))"
	grep -q second rec.rec
	grep -qx 'tnext: sent T-2 to t:rec' loop.err
	kill $(loop_processes | awk '$2 == "twatch" { print $1 }')
	loop_ends
	[ "$status" -eq 1 ]
	[ -z "$(loop_processes)" ]
}

@test "tq-loop.service: whichever stage dies, the loop ends at once with status 1" {
	tq_server
	start_tq_server
	printf 'T-1 t:rec first\n' > queue
	: > CLAUDE.md
	for stage in twatch tnext tsend; do
		start_loop
		for i in $(seq 100); do
			[ "$(loop_processes | grep -c ' \(twatch\|tnext\|tsend\)$')" -eq 3 ] && break
			sleep 0.1
		done
		kill -9 $(loop_processes | awk -v s=$stage '$2 == s { print $1 }')
		loop_ends
		[ "$status" -eq 1 ]
		grep -qx "tq-loop: $stage ended" loop.err
		[ -z "$(loop_processes)" ]
	done
}

@test "tq-loop.service: stopped, as KillMode=mixed does, tsend ends on its own, status 0" {
	grep -qx 'KillMode=mixed' "$ROOT/examples/tq-loop.service"
	tq_server
	start_tq_server
	printf 'T-1 t:rec first\n' > queue
	: > CLAUDE.md
	start_loop
	for i in $(seq 100); do
		[ "$(loop_processes | grep -c ' \(twatch\|tnext\|tsend\)$')" -eq 3 ] && break
		sleep 0.1
	done
	[ "$(cat /proc/$loop/comm)" = sh ]
	kill -TERM $loop	# the shell alone: systemctl stop with KillMode=mixed
	loop_ends
	[ "$status" -eq 0 ]
	grep -qx 'tq-loop: tsend ended' loop.err	# at end of input, not killed
	[ -z "$(loop_processes)" ]
}
