#!/usr/bin/env bats
# tsend: prompts typed into real tmux panes, byte for byte; failures held
# as UNSENT with the command that sends them again; the per-pane lock.
# (The submit check, and panes that are slow, busy or many: submit.bats.)
load common
load tmux

setup_file() { start_server; }
teardown_file() { stop_server; }

# The prompts users actually write, and that tmux send-keys mangles.
hostile=(
	'ends with a semicolon;'
	'-starts with a dash'
	'Enter'
	'C-c'
	'quotes: "double" and '"'"'single'"'"
	'$(rm -rf /tmp/nothing) and `backticks` and $HOME and \n'
	'Tu es Codex. TÂCHE BLOQUANTE: vérifie la sécurité — voilà, ça marche; à bientôt'
	'\;'
	';'
)

# logged NAME LINES: wait up to 10 s until the agent NAME took LINES messages
logged() { eventually 10 took "$1" "$2"; }
took() { [ "$(cat "$BATS_TEST_TMPDIR/$1.log" 2>/dev/null | wc -l)" -ge "$2" ]; }

# stream QUEUE: QUEUE's records after the "#state" line tnext begins with
stream() {
	printf '#state %s/%s.state\n' "$PWD" "$1"
	tq -p "$1"
}

@test "a hostile corpus arrives byte for byte, as TEXT arguments" {
	recorder args
	expect=
	for p in "${hostile[@]}"; do
		tsend -S "$SOCK" -d 0 -w 0 t:args "$p"
		expect+=$(pasted "$p")
	done
	received args ${#expect}
	sleep 0.1
	[ "$(cat args.rec)" = "$expect" ]
	cmp args.rec <(printf '%s' "$expect")
}

@test "a hostile corpus arrives byte for byte, as task records" {
	recorder records
	expect=
	n=0
	for p in "${hostile[@]}"; do
		printf 'T-%d t:records %s\n\n' $((n += 1)) "$p"
		expect+=$(pasted "$p")
	done > records
	tsend -S "$SOCK" -d 0 -w 0 < records
	received records ${#expect}
	cmp records.rec <(printf '%s' "$expect")
}

@test "TEXT words are joined by spaces; TARGET alone types all of stdin" {
	recorder words
	tsend -S "$SOCK" -d 0 -w 0 t:words one '  two' three
	printf 'line one\nline two;\n\n' | tsend -S "$SOCK" -d 0 -w 0 t:words
	expect=$(pasted 'one   two three')$(pasted "$(printf 'line one\nline two;')")
	received words ${#expect}
	cmp words.rec <(printf '%s' "$expect")
}

@test "a multi-line prompt stays one prompt: LF inside the paste, one Enter" {
	recorder multi
	printf 'M-1 t:multi first line\n\tsecond line\n\t\tindented third\n\n' | tsend -S "$SOCK" -d 0 -w 0
	expect=$(printf '\033[200~first line\nsecond line\n\tindented third\033[201~\r')
	received multi ${#expect}
	cmp multi.rec <(printf '%s' "$expect")
}

@test "a 64 KB prompt arrives whole" {
	recorder big
	head -c 49152 /dev/urandom | base64 -w 0 > prompt	# 65536 bytes
	tsend -S "$SOCK" -d 0 -w 0 t:big < prompt
	received big $((65536 + 13))
	cmp big.rec <(pasted "$(cat prompt)")
}

@test "ESC and other control characters are removed, and counted" {
	recorder ctl
	run tsend -S "$SOCK" -d 0 -w 0 t:ctl "$(printf 'a\033[201~b\007c\tand tab')"
	[ "$status" -eq 0 ]
	[ "$output" = "tsend: t:ctl: removed 2 control characters" ]
	expect=$(printf '\033[200~a[201~bc\tand tab\033[201~\r')
	received ctl ${#expect}
	cmp ctl.rec <(printf '%s' "$expect")
}

@test "C1 control characters go too: CSI as UTF-8 and as a lone byte; other UTF-8 stays" {
	recorder c1
	run tsend -S "$SOCK" -d 0 -w 0 t:c1 "$(printf 'a\302\2332Jb\2332Jc \303\251t\303\251')"
	[ "$status" -eq 0 ]
	[ "$output" = "tsend: t:c1: removed 2 control characters" ]
	expect=$(printf '\033[200~a2Jb2Jc \303\251t\303\251\033[201~\r')
	received c1 ${#expect}
	cmp c1.rec <(printf '%s' "$expect")
}

@test "CR LF and CR become LF; trailing line breaks are dropped" {
	recorder crlf
	printf 'one\r\ntwo\rthree\r\n\n' | tsend -S "$SOCK" -d 0 -w 0 t:crlf
	expect=$(printf '\033[200~one\ntwo\nthree\033[201~\r')
	received crlf ${#expect}
	cmp crlf.rec <(printf '%s' "$expect")
}

@test "-n types without the submit key; -k chooses the key" {
	recorder keys
	tsend -S "$SOCK" -n t:keys 'no enter'
	tsend -S "$SOCK" -d 0 -w 0 -k Tab t:keys 'tab after'
	tsend -S "$SOCK" -d 0 -w 0 -k C-m t:keys 'C-m after'
	expect=$(printf '\033[200~no enter\033[201~\033[200~tab after\033[201~\t\033[200~C-m after\033[201~\r')
	received keys ${#expect}
	cmp keys.rec <(printf '%s' "$expect")
}

@test "a key or a target that ends in ';' is not taken by tmux for the end of a command" {
	recorder semi
	tsend -S "$SOCK" -d 0 -w 0 -k ';' t:semi 'then a semicolon key'
	expect=$(printf '\033[200~then a semicolon key\033[201~;')
	received semi ${#expect}
	cmp semi.rec <(printf '%s' "$expect")
	run tsend -S "$SOCK" -d 0 -w 0 't:semi;' 'x'
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: t:semi;: can't find window: semi;" ]
	recorder quoted	# records go through the control client: quoted there
	for k in ';' "'" '\' '"'; do
		printf 'K-1 t:quoted k\n\n' | tsend -S "$SOCK" -d 1 -w 0 -k "$k"
	done
	expect=$(printf '\033[200~k\033[201~%s' ';' "'" '\' '"')
	received quoted ${#expect}
	cmp quoted.rec <(printf '%s' "$expect")
}

@test "with stdout and stderr closed, no message lands in the state file or a prompt" {
	for i in 1 2 3 4; do recorder closed$i; done
	for i in $(seq 12); do
		printf 'OK-%d t:closed%d prompt %d\n' $i $((i % 4 + 1)) $i
		printf 'BAD-%d t:gone%d lost %d\n' $i $i $i
	done > queue
	tsend -S "$SOCK" -d 0 -w 0 < <(stream queue) >&- 2>&- || true
	for i in 1 2 3 4; do received closed$i 30; done
	sleep 0.3
	! grep -a 'tsend' closed*.rec || false
	[ "$(grep -c ' UNSENT BAD-' queue.state)" -eq 12 ]
	[ "$(grep -vc ' UNSENT BAD-' queue.state)" -eq 0 ]
}

@test "a key name tmux does not know is a usage error, and nothing is typed" {
	recorder nokey
	for k in Return enter2 C-Return X- ''; do
		run tsend -S "$SOCK" -k "$k" t:nokey 'never typed'
		[ "$status" -eq 2 ]
		[ "${lines[0]}" = "tsend: -k $k: not a key name tmux knows (Enter, C-m, Tab, ...)" ]
		[[ "${lines[1]}" =~ ^usage:\ tsend ]]
	done
	for k in Enter enter C-m M-Enter S-Tab ^M Escape KPEnter F12 x é 0x0d; do
		tsend -S "$SOCK" -n -k "$k" t:nokey '' || { echo "-k $k refused"; false; }
	done
	sleep 0.2
	[ ! -s nokey.rec ]
}

@test "the submit key comes after the delay, with the check on or off" {
	recorder delay
	t0=$(date +%s%N)
	tsend -S "$SOCK" -d 400 -w 0 t:delay 'wait for it'
	t1=$(date +%s%N)
	[ $(( (t1 - t0) / 1000000 )) -ge 400 ]
	cmp delay.rec <(pasted 'wait for it')
	recorder slow	# shows nothing: the check presses blind at 1 s, never before -d
	t0=$(date +%s%N)
	tsend -S "$SOCK" -d 1500 -w 3 t:slow 'pasted' 3>&- &
	eventually 30 grep -q $'\r' slow.rec
	t1=$(date +%s%N)
	wait
	[ $(( (t1 - t0) / 1000000 )) -ge 1500 ]
	cmp slow.rec <(pasted 'pasted')
}

@test "a record is typed the moment it ends, not at the next one" {
	recorder stream
	mkfifo in
	tsend -S "$SOCK" -d 0 -w 0 < in 3>&- &
	exec 5> in
	printf 'S-1 t:stream first\n\n' >&5
	expect=$(pasted first)
	received stream ${#expect}
	cmp stream.rec <(printf '%s' "$expect")
	printf 'S-2 t:stream second\n' >&5
	exec 5>&-
	wait
	received stream $(( ${#expect} + 17 ))
	cmp stream.rec <(printf '%s%s' "$expect" "$(pasted second)")
}

@test "a record cut off by the end of a stream from tnext is not typed, and not held" {
	recorder cut
	echo 'CUT-1 t:cut a prompt' > queue
	mkfifo in
	tsend -S "$SOCK" -d 0 -w 0 < in 2> err 3>&- &
	reader=$!
	# the writer dies in the middle of the record: no empty line after it
	sh -c 'printf "#state %s/queue.state\nCUT-1 t:cut first line of it\n\tsecond" "$PWD"; exec sleep 60' > in 3>&- &
	writer=$!
	sleep 0.3
	kill -9 $writer
	wait $writer || true
	wait $reader || status=$?
	[ "$status" -eq 1 ]
	[ "$(cat err)" = "tsend: CUT-1: t:cut: cut off by the end of input: not typed" ]
	sleep 0.2
	[ ! -s cut.rec ]
	[ ! -e queue.state ]
	[ "$(tq queue | awk '{ print $2 }')" = pending ]
}

@test "without a #state line, a record ended by the end of input is typed" {
	recorder uncut
	printf 'U-1 t:uncut typed by hand, no empty line after it' | tsend -S "$SOCK" -d 0 -w 0
	expect=$(pasted 'typed by hand, no empty line after it')
	received uncut ${#expect}
	cmp uncut.rec <(printf '%s' "$expect")
}

@test "no such pane: held UNSENT with the reason; the printed command sends it again" {
	agent here
	echo 'GONE-1 t:later Fais la tâche GONE-1;' > queue
	run tsend -S "$SOCK" < <(stream queue; printf 'HERE-1 t:here the next one still goes\n\n')
	[ "$status" -eq 1 ]
	retry="tnext -r GONE-1 $PWD/queue </dev/null | tsend -S $SOCK"
	[ "$output" = "tsend: GONE-1: t:later: can't find window: later; to send it again: $retry" ]
	logged here 1
	[ "$(cat here.log)" = 'the next one still goes' ]
	grep -q "UNSENT GONE-1 can't find window: later\$" queue.state
	[ "$(tq queue | awk '$1 == "GONE-1" { print $2 }')" = UNSENT ]
	agent later
	sh -c "$retry"
	logged later 1
	[ "$(cat later.log)" = 'Fais la tâche GONE-1;' ]
	[ "$(tq queue | awk '$1 == "GONE-1" { print $2 }')" = sent ]
}

@test "no server: held UNSENT with the reason; the printed command sends it again" {
	sock=$PWD/later.sock
	echo 'EARLY-1 t:0 before the server started' > queue
	run tsend -S "$sock" < <(stream queue)
	[ "$status" -eq 1 ]
	[ ! -e "$sock" ]	# no server was started
	retry="tnext -r EARLY-1 $PWD/queue </dev/null | tsend -S $sock"
	[[ "$output" =~ ^tsend:\ EARLY-1:\ t:0:\ (no\ server\ running|error\ connecting).*\;\ to\ send\ it\ again:\ (.*)$ ]]
	[ "${BASH_REMATCH[2]}" = "$retry" ]
	grep -Eq "UNSENT EARLY-1 (no server running|error connecting)" queue.state
	[ "$(tq queue | awk '{ print $2 }')" = UNSENT ]
	tmux -S "$sock" -f /dev/null new-session -d -s t -x 80 -y 20 \
	    "AGENT_LOG='$PWD/early.log' '$ROOT/examples/agent' early '$PWD/CLAUDE.md' 0 1"
	sh -c "$retry" || { tmux -S "$sock" kill-server; false; }
	logged early 1
	tmux -S "$sock" kill-server
	[ "$(cat early.log)" = 'before the server started' ]
	[ "$(tq queue | awk '{ print $2 }')" = sent ]
}

@test "stopped by SIGTERM, every task not yet typed is held UNSENT, the unread ones too" {
	recorder scrolled
	TM copy-mode -t t:scrolled
	printf 'ST-%d t:scrolled task %d\n' 1 1 2 2 3 3 > queue
	mkfifo in
	tsend -S "$SOCK" -w 30 < in 2> err 3>&- &
	pid=$!
	exec 5> in
	stream queue >&5	# ST-3 has no end yet: tsend has not taken it
	sleep 0.5
	t0=$(date +%s%N)
	kill -TERM $pid
	wait $pid || status=$?
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 10000 ]	# at once, not after -w 30
	! (printf "ST-4 t:scrolled after the stop\n\n" >&5) 2>/dev/null || false	# EPIPE: tsend closed its input
	exec 5>&-
	[ "$status" -eq 143 ]
	for i in 1 2 3; do
		grep -qx "tsend: ST-$i: t:scrolled: tsend was stopped before typing it; to send it again: tnext -r ST-$i $PWD/queue </dev/null | tsend -S $SOCK" err
		grep -q "UNSENT ST-$i tsend was stopped before typing it\$" queue.state
	done
	# and nothing else, but for why ST-1 waits, said after a second on a loaded machine
	[ "$(grep -vc '^tsend: ST-1: t:scrolled: waiting: the pane is in copy-mode$' err)" -eq 3 ]
	[ "$(tq queue | awk '{ print $2 }' | sort -u)" = UNSENT ]
	TM send-keys -t t:scrolled -X cancel
	sleep 0.3
	[ ! -s scrolled.rec ]
}

@test "the stop race: a record tnext writes while tsend stops is read and held, or never written" {
	command -v strace > /dev/null || skip "no strace here (.ci/run installs it)"
	recorder racing
	TM copy-mode -t t:racing	# nothing typed: each task is held at the stop
	printf 'RC-1 t:racing first\n' > queue
	mkfifo markers records
	tnext queue < markers > records 2> tnext.err &
	# the window between tsend's last read and its closing its input,
	# a microsecond, made a second long
	strace -f -qq -o /dev/null -e trace=dup2 -e inject=dup2:delay_enter=1000000 \
	    tsend -S "$SOCK" -w 30 < records 2> err 3>&- &
	exec 5> markers
	echo >&5	# the go: RC-1 is sent
	eventually 10 grep -q 'UNSENT\| sent RC-1' queue.state
	sleep 0.5
	pid=$(pgrep -f "^tsend -S $SOCK -w 30" | head -1)
	kill -TERM "$pid"
	sleep 0.3	# tsend is in its stop now, its dup2 delayed
	echo 'RC-2 t:racing2 a task for an idle pane, added while tsend stops' >> queue
	sleep 1.5
	exec 5>&-
	wait
	TM send-keys -t t:racing -X cancel
	# no task is sent and untyped: each is held, or was never written
	[ -z "$(tq queue | awk '$2 == "sent"')" ] || { tq queue; cat err tnext.err; false; }
	grep -q "UNSENT RC-1 tsend was stopped before typing it" queue.state
}

@test "stopped mid-delivery, a prompt already typed is submitted, not held" {
	recorder typed	# shows nothing: the key comes at -d
	echo 'TY-1 t:typed one prompt' > queue
	mkfifo in
	tsend -S "$SOCK" -d 1500 -w 5 < in 2> err 3>&- &
	pid=$!
	exec 5> in
	{ stream queue; echo; } >&5
	received typed 10
	t0=$(date +%s%N)
	kill -HUP $pid
	wait $pid || status=$?
	exec 5>&-
	[ "$status" -eq 129 ]
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2200 ]	# at the key, not a second after
	cmp typed.rec <(pasted 'one prompt')
	[ ! -s err ]
	! grep -q UNSENT queue.state 2>/dev/null || false
}

@test "SIGHUP ignored, as under nohup, does not stop it" {
	recorder nohup
	mkfifo in
	sh -c 'trap "" HUP; exec tsend -S "$1" -d 0 -w 5 < in' sh "$SOCK" 2> err 3>&- &
	pid=$!
	exec 5> in
	sleep 0.3
	kill -HUP $pid
	printf 'NH-1 t:nohup still here\n\n' >&5
	exec 5>&-
	wait $pid
	cmp nohup.rec <(pasted 'still here')
}

@test "the retry command quotes what the shell would split, and names -L" {
	printf 'Q-1 t:nowhere x\n' > 'my queue'
	TMUX_TMPDIR=$BATS_TEST_TMPDIR run tsend -L "it's mine" < <(stream 'my queue')
	[ "$status" -eq 1 ]
	[[ "$output" == *"; to send it again: tnext -r Q-1 '$PWD/my queue' </dev/null | tsend -L 'it'\\''s mine'" ]]
}

@test "no server, no tmux: reported, exit 1" {
	run tsend -S "$SOCK-none" -d 0 t:x 'hello'
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^tsend:\ t:x:\ (no\ server|error\ connecting) ]]
	PATH=/nonexistent run /bin/sh -c "'$ROOT/tools/tsend' -d 0 t:x hello"
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: t:x: tmux: No such file or directory" ]
}

@test "a pane that closes mid-delivery is reported" {
	TM new-window -d -t t: -n closer "stty raw -echo; echo closer; exec head -c 1 > /dev/null"
	sleep 0.2
	run tsend -S "$SOCK" -d 300 -w 0 t:closer 'the pane is gone before Enter'
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^tsend:\ t:closer:\ can\'t\ find\ pane ]]
}

@test "a pane that closes between load-buffer and paste-buffer leaves no buffer" {
	recorder victim
	pane=$(TM display-message -p -t t:victim '#{pane_id}')
	TM set-hook -g after-load-buffer "kill-pane -t $pane"
	run tsend -S "$SOCK" -w 0 t:victim 'a prompt nobody else may read'
	TM set-hook -gu after-load-buffer
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: t:victim: can't find pane: $pane" ]
	[ -z "$(TM list-buffers)" ]
}

@test "a pane running a shell gets nothing, and the task is held UNSENT" {
	TM new-window -d -t t: -n shell "exec bash --norc --noprofile -i"
	printf 'SH-1 t:shell rm -rf important\n' > queue
	run tsend -S "$SOCK" -w 0.5 < <(stream queue)
	[ "$status" -eq 1 ]
	[[ "$output" == "tsend: SH-1: t:shell: the pane runs a shell (bash), not an agent; to send it again: "* ]]
	[ "$(tq queue | awk '{ print $2 }')" = UNSENT ]
	grep -q 'UNSENT SH-1 the pane runs a shell (bash), not an agent$' queue.state
	[ "$(TM capture-pane -p -t t:shell | grep -c important)" -eq 0 ]
	run tsend -S "$SOCK" -w 0 t:shell 'echo by hand'
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: t:shell: the pane runs a shell (bash), not an agent" ]
}

@test "-s types into a shell on purpose" {
	TM new-window -d -t t: -n shellok "exec bash --norc --noprofile -i"
	sleep 0.3
	tsend -S "$SOCK" -s t:shellok "echo typed on purpose > '$PWD/shell.out'"
	eventually 10 test -s shell.out
	[ "$(cat shell.out)" = 'typed on purpose' ]
}

@test "a program that is a login shell (-bash) counts as a shell" {
	TM new-window -d -t t: -n login "exec -a -bash bash --norc --noprofile -i"
	sleep 0.3
	run tsend -S "$SOCK" -w 0 t:login 'x'
	[ "$status" -eq 1 ]
	[[ "$output" =~ "the pane runs a shell (" ]]
}

@test "started with SIGCHLD ignored, it still delivers" {
	recorder ignored
	printf '#include <signal.h>\n#include <unistd.h>\nint main(int c, char **v) { (void)c; signal(SIGCHLD, SIG_IGN); execvp(v[1], v + 1); return 127; }\n' > ign.c
	cc -o ign ign.c
	# the wrapper really passes SIGCHLD on ignored (bit 17 of SigIgn)
	mask=$(./ign grep SigIgn /proc/self/status | awk '{ print $2 }')
	[ $(( (16#$mask >> 16) & 1 )) -eq 1 ]
	./ign tsend -S "$SOCK" -d 0 -w 0 t:ignored 'delivered all the same'
	received ignored 35
	cmp ignored.rec <(pasted 'delivered all the same')
}

@test "two tsends, one as from cron and one as from a login shell, 50 prompts each into one pane, never interleave" {
	recorder both
	for w in a b; do
		for i in $(seq 50); do printf '%s-%d t:both prompt %s %d from writer %s\n\n' $w $i $w $i $w; done > $w.records
	done
	mkdir tmp run
	# cron: no XDG_RUNTIME_DIR, no TMPDIR; a login shell: both, and the
	# socket spelled another way
	env -i PATH="$PATH" HOME="$HOME" tsend -S "$SOCK" -d 5 -w 0 < a.records &
	env XDG_RUNTIME_DIR="$PWD/run" TMPDIR="$PWD/tmp" tsend -S "$(dirname "$SOCK")/./$(basename "$SOCK")" -d 5 -w 0 < b.records &
	wait
	sleep 0.2
	# the recording is 100 whole pastes, each followed by its Enter
	tr '\r' '\n' < both.rec | sed 's/\x1b\[200~//; s/\x1b\[201~$//' > got
	[ "$(wc -l < got)" -eq 100 ]
	[ "$(grep -cE '^prompt (a|b) [0-9]+ from writer (a|b)$' got)" -eq 100 ]
	[ "$(grep -c 'prompt a' got)" -eq 50 ]
	# each writer's prompts in its own order
	[ "$(grep 'prompt a' got | awk '{ print $3 }' | tr '\n' ' ')" = "$(seq 50 | tr '\n' ' ')" ]
	# and both really ran at once: their prompts alternate somewhere
	[ "$(awk '{ print $2 }' got | uniq | wc -l)" -gt 2 ]
	# the lock is beside the socket, nowhere else
	[ -z "$(find run tmp -mindepth 1)" ]
	[ -f "$SOCK.tsend/$(TM display-message -p -t t:both '#{pane_id}')" ]
}

# clients: the clients of the test server, a line each
clients() { TM list-clients -F '#{client_pid} #{client_control_mode} #{session_name}'; }

@test "one control client while tsend reads records: no size, no environment, gone at the end" {
	recorder solo
	mkfifo in
	DISPLAY=:tsend-was-here tsend -S "$SOCK" -d 0 < in 3>&- &
	pid=$!
	exec 5> in
	printf 'C-1 t:solo first\n\n' >&5
	expect=$(pasted first)
	received solo ${#expect}
	[ "$(clients | wc -l)" -eq 1 ]
	[ "$(clients | awk '{ print $2 }')" = 1 ]
	read -r cpid _ < <(clients)
	[ "$(sed 's/.*) //' "/proc/$cpid/stat" | cut -d' ' -f2)" = "$pid" ]	# its parent (no ps: procps may be absent)
	[ "$(sed 's/.*) //' "/proc/$cpid/stat" | cut -d' ' -f3)" = "$cpid" ]	# a group of its own
	! TM show-environment -g DISPLAY 2>/dev/null | grep -q tsend-was-here || false
	! TM show-environment DISPLAY 2>/dev/null | grep -q tsend-was-here || false
	[ "$(TM display-message -p -t t:solo '#{window_width}x#{window_height}')" = 120x40 ]
	printf 'C-2 t:solo second\n\n' >&5
	exec 5>&-
	wait $pid
	cmp solo.rec <(printf '%s%s' "$expect" "$(pasted second)")
	[ -z "$(clients)" ]
	! kill -0 "$cpid" 2>/dev/null || false
	[ -z "$(ls "$SOCK.tsend" | grep -v '^%')" ]	# no text left behind
}

@test "kill -9 of tsend takes its control client with it" {
	recorder k9
	mkfifo in
	tsend -S "$SOCK" -d 0 < in 3>&- &
	pid=$!
	exec 5> in
	printf 'K9-1 t:k9 first\n\n' >&5
	expect=$(pasted first)
	received k9 ${#expect}
	read -r cpid _ < <(clients)
	kill -9 $pid
	wait $pid || true
	exec 5>&-
	eventually 10 eval '[ -z "$(clients)" ]'
	eventually 10 eval '! kill -0 $cpid 2>/dev/null'
}

@test "the session the control client attached to is killed: deliveries go on" {
	recorder survive
	TM new-session -d -s newest 'sleep 100000'	# the one it attaches to
	mkfifo in
	tsend -S "$SOCK" -d 0 < in 2> err 3>&- &
	pid=$!
	exec 5> in
	printf 'SV-1 t:survive before\n\n' >&5
	one=$(pasted before)
	received survive ${#one}
	[ "$(clients | awk '{ print $3 }')" = newest ]
	TM kill-session -t newest
	printf 'SV-2 t:survive after\n\n' >&5
	printf 'SV-3 t:survive and after that\n\n' >&5
	exec 5>&-
	wait $pid
	cmp survive.rec <(printf '%s%s%s' "$one" "$(pasted after)" "$(pasted 'and after that')")
	[ ! -s err ]
}

@test "the control client killed: deliveries go on without it" {
	recorder orphan
	mkfifo in
	tsend -S "$SOCK" -d 0 < in 2> err 3>&- &
	pid=$!
	exec 5> in
	printf 'OR-1 t:orphan before\n\n' >&5
	one=$(pasted before)
	received orphan ${#one}
	read -r cpid _ < <(clients)
	kill -9 "$cpid"
	printf 'OR-2 t:orphan after\n\n' >&5
	exec 5>&-
	wait $pid
	cmp orphan.rec <(printf '%s%s' "$one" "$(pasted after)")
	[ ! -s err ]
}

@test "a '#' in the socket's path is not a format: delivered, and nothing run" {
	d="$PWD/a#S#(touch \"\$TQ_PWNED\")b"
	mkdir "$d"
	TQ_PWNED=$PWD/PWNED tmux -S "$d/sock" -f /dev/null new-session -d -s h -x 80 -y 10 \
	    "stty raw -echo; printf '\033[?2004hrecording\r\n'; exec cat > '$PWD/hash.rec'"
	sleep 0.3
	printf 'H-1 h:0 with a hash in the path\n\n' | tsend -S "$d/sock" -d 0 || status=$?
	sleep 0.3
	tmux -S "$d/sock" kill-server
	[ "${status:-0}" -eq 0 ]
	cmp hash.rec <(pasted 'with a hash in the path')
	[ ! -e PWNED ]
}

@test "a stop in the middle of a line: the rest of the line is read with it" {
	recorder split
	TM copy-mode -t t:split
	echo 'SPLIT-1 t:split the prompt' > queue
	mkfifo in
	tsend -S "$SOCK" -w 30 < in 2> err 3>&- &
	pid=$!
	exec 5> in
	printf '#state %s/queue.state\nSPL' "$PWD" >&5
	sleep 0.3	# tsend waits for the rest of the line
	kill -STOP $pid
	printf 'IT-1 t:split the prompt\n\n' >&5
	kill -TERM $pid	# it comes as the read resumes
	kill -CONT $pid
	wait $pid || status=$?
	exec 5>&-
	TM send-keys -t t:split -X cancel
	[ "$status" -eq 143 ]
	[ "$(cat err)" = "tsend: SPLIT-1: t:split: tsend was stopped before typing it; to send it again: tnext -r SPLIT-1 $PWD/queue </dev/null | tsend -S $SOCK" ]
	grep -q 'UNSENT SPLIT-1 tsend was stopped before typing it$' queue.state
}

@test "a second signal while it stops changes nothing" {
	agent twice 0 1
	TM copy-mode -t t:twice
	printf 'TW-%d t:twice task %d\n' 1 1 2 2 > queue
	mkfifo in
	tsend -S "$SOCK" -w 30 < in 2> err 3>&- &
	pid=$!
	exec 5> in
	{ stream queue; echo; } >&5
	sleep 0.5
	kill -TERM $pid
	kill -HUP $pid 2>/dev/null || true
	wait $pid || status=$?
	exec 5>&-
	TM send-keys -t t:twice -X cancel
	[ "$status" -eq 143 ]
	[ "$(wc -l < queue.state)" -eq 2 ]
	[ "$(grep -cE '^[0-9T:-]+Z UNSENT TW-[12] tsend was stopped before typing it$' queue.state)" -eq 2 ]
}

@test "the text file of a tsend killed mid-delivery is removed by the next" {
	recorder leftover
	printf 'LO-0 t:leftover x\n\n' | tsend -S "$SOCK" -d 0	# the pane's lock is made
	dead=$(sh -c 'echo $$')
	echo 'a prompt' > "$SOCK.tsend/tsend-$dead-0"
	echo 'mine' > "$SOCK.tsend/tsend-$$-0"	# a live process's
	printf 'LO-1 t:leftover x\n\n' | tsend -S "$SOCK" -d 0
	[ ! -e "$SOCK.tsend/tsend-$dead-0" ]
	[ -e "$SOCK.tsend/tsend-$$-0" ]
	rm "$SOCK.tsend/tsend-$$-0"
}

@test "the lock files of panes that are gone are removed" {
	recorder old
	old=$(TM display-message -p -t t:old '#{pane_id}')
	tsend -S "$SOCK" -d 0 -w 0 t:old 'x'
	[ -f "$SOCK.tsend/$old" ]
	TM kill-pane -t "$old"
	recorder new
	new=$(TM display-message -p -t t:new '#{pane_id}')
	tsend -S "$SOCK" -d 0 -w 0 t:new 'y'
	[ -f "$SOCK.tsend/$new" ]
	[ ! -e "$SOCK.tsend/$old" ]
	TM list-panes -a -F '#{pane_id}' > live
	for f in "$SOCK.tsend"/*; do grep -qxF -- "${f##*/}" live; done
}

@test "a lock directory that is not ours alone is refused" {
	sock=$PWD/own.sock
	tmux -S "$sock" -f /dev/null new-session -d -s o -x 80 -y 20 \
	    "stty raw -echo; echo recording; exec cat > '$PWD/own.rec'"
	mkdir -m 777 "$sock.tsend"
	run tsend -S "$sock" -d 0 -w 0 o:0 'x'
	tmux -S "$sock" kill-server
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: o:0: lock: $sock.tsend: not a directory of this user's alone" ]
	[ ! -s own.rec ]
}

@test "input that cannot be read is said once, and tsend ends" {
	mkdir dir
	run timeout 5 tsend < dir
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: -:0: Is a directory" ]
}

@test "usage errors exit 2" {
	run tsend -x
	[ "$status" -eq 2 ]
	run tsend -L a -S b t:1 x
	[ "$status" -eq 2 ]
	run tsend -d soon t:1 x
	[ "$status" -eq 2 ]
	run tsend -w -1 t:1 x
	[ "$status" -eq 2 ]
}

@test "bad records are reported with the line; the good ones are still sent" {
	recorder badrec
	printf 'X nopane hello\n\nOK-1 t:badrec fine\n\n' > records
	run tsend -S "$SOCK" -d 0 -w 0 < records
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: -:1: bad target 'nopane' (want session:window[.pane], %N or @N)" ]
	received badrec 17
	cmp badrec.rec <(pasted fine)
}

@test "a server started with a relative -S: the lock beside it, from anywhere, and the retry names its path" {
	mkdir a b
	(cd a && tmux -S tmux.sock -f /dev/null new-session -d -s r -x 80 -y 10 \
	    "stty raw -echo; printf '\\033[?2004hrecording\\r\\n'; exec cat > '$BATS_TEST_TMPDIR/rel.rec'")
	(cd b && tmux -S tmux.sock -f /dev/null new-session -d -s other -x 80 -y 10 'sleep 100')
	sleep 0.3
	(cd b && tsend -S ../a/tmux.sock -d 0 -w 0 r:0 'to the right server') || status=$?
	[ -z "$status" ]
	received rel $(pasted 'to the right server' | wc -c)
	[ -d a/tmux.sock.tsend ]
	[ ! -e b/tmux.sock.tsend ]	# never beside another server's socket of that name
	run sh -c "cd b && printf 'R-1 r:9 nowhere\n\n' | tsend -S ../a/tmux.sock -w 0"
	[[ "$output" =~ "| tsend -S $PWD/b/../a/tmux.sock"$ ]]
	tmux -S a/tmux.sock kill-server
	tmux -S b/tmux.sock kill-server
	rm -rf a/tmux.sock* b/tmux.sock*
}

@test "a socket path with a line break in it is no 'no pane id': delivered" {
	d="$PWD/two
lines"
	mkdir "$d"
	tmux -S "$d/sock" -f /dev/null new-session -d -s n -x 80 -y 10 \
	    "stty raw -echo; printf '\\033[?2004hrecording\\r\\n'; exec cat > '$PWD/nl.rec'"
	sleep 0.3
	run tsend -S "$d/sock" -d 0 -w 0 n:0 'through a strange path'
	tmux -S "$d/sock" kill-server
	rm -rf "$d"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	received nl $(pasted 'through a strange path' | wc -c)
}

@test "a shell behind a wrapper (script, sudo, ssh...) is refused, said so; -a names a program that runs an agent" {
	TM new-window -d -t t: -n wrapped "exec script -qfc 'stty raw -echo; echo recording; exec cat > $PWD/wrapped.rec' /dev/null"
	for i in $(seq 50); do TM capture-pane -p -t t:wrapped | grep -q recording && break; sleep 0.1; done
	sleep 0.3
	[ "$(TM display-message -p -t t:wrapped '#{pane_current_command}')" = script ]
	run tsend -S "$SOCK" -w 0.5 t:wrapped 'touch PWNED'
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "tsend: t:wrapped: the pane runs script, which may run a shell: tsend -a script if an agent runs behind it" ]
	sleep 0.3
	[ ! -s wrapped.rec ]
	run tsend -S "$SOCK" -a ssh -a script -w 5 t:wrapped 'for the agent behind it'
	[ "$status" -eq 0 ]
	for i in $(seq 50); do grep -q 'for the agent behind it' wrapped.rec && break; sleep 0.1; done
	grep -q 'for the agent behind it' wrapped.rec
	TM kill-window -t t:wrapped
	pkill -f "cat > $PWD/wrapped.rec" || true	# script's own pane: not tmux's to end
}

@test "a hold the full disk refused is said so, kept, and written once the disk has room" {
	command -v prlimit > /dev/null || skip "no prlimit(1) here"
	echo 'F-1 t:gone1 first' > queue && echo 'F-2 t:gone2 second' >> queue
	printf '2026-11-25T08:00:01Z sent F-1\n2026-11-25T08:00:01Z sent F-2\n' > queue.state
	# 1024 bytes, the file size limit below: a full disk for this file
	id=P$(head -c $(( 1024 - 60 - 28 )) /dev/zero | tr '\0' x)
	echo "2026-11-25T08:00:00Z sent $id" >> queue.state
	[ "$(wc -c < queue.state)" -eq 1024 ]
	mkfifo in
	( trap '' XFSZ; ulimit -S -f 1; exec tsend -S "$SOCK" -w 0 < in 2> err ) &
	pid=$!
	exec 5> in
	printf '#state %s/queue.state\nF-1 t:gone1 first\n\n' "$PWD" >&5
	eventually 10 grep -q 'F-1: ' err
	grep -q "^tsend: F-1: t:gone1: .*; it could not be held UNSENT, so tq shows it sent: it was not delivered; to send it again: " err
	[ "$(tq | awk '$1 == "F-1" { print $2 }')" = sent ]
	prlimit --pid $pid --fsize=unlimited:	# the soft limit, as the disk gains room
	printf 'F-2 t:gone2 second\n\n' >&5
	exec 5>&-
	wait $pid || true
	grep -q '^tsend: F-1: held UNSENT at last, as tq now shows$' err
	[ "$(tq | awk '{ print $1, $2 }' | tr '\n' ' ')" = "F-1 UNSENT F-2 UNSENT " ]
}
