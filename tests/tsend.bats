#!/usr/bin/env bats
# tsend: prompts typed into real tmux panes, byte for byte.
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

@test "a hostile corpus arrives byte for byte, as TEXT arguments" {
	recorder args
	expect=
	for p in "${hostile[@]}"; do
		tsend -S "$SOCK" -d 0 t:args "$p"
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
	tsend -S "$SOCK" -d 0 < records
	received records ${#expect}
	cmp records.rec <(printf '%s' "$expect")
}

@test "TEXT words are joined by spaces; TARGET alone types all of stdin" {
	recorder words
	tsend -S "$SOCK" -d 0 t:words one '  two' three
	printf 'line one\nline two;\n\n' | tsend -S "$SOCK" -d 0 t:words
	expect=$(pasted 'one   two three')$(pasted "$(printf 'line one\nline two;')")
	received words ${#expect}
	cmp words.rec <(printf '%s' "$expect")
}

@test "a multi-line prompt stays one prompt: LF inside the paste, one Enter" {
	recorder multi
	printf 'M-1 t:multi first line\n\tsecond line\n\t\tindented third\n\n' | tsend -S "$SOCK" -d 0
	expect=$(printf '\033[200~first line\nsecond line\n\tindented third\033[201~\r')
	received multi ${#expect}
	cmp multi.rec <(printf '%s' "$expect")
}

@test "a 64 KB prompt arrives whole" {
	recorder big
	head -c 49152 /dev/urandom | base64 -w 0 > prompt	# 65536 bytes
	tsend -S "$SOCK" -d 0 t:big < prompt
	received big $((65536 + 13))
	cmp big.rec <(pasted "$(cat prompt)")
}

@test "ESC and other control characters are removed, and counted" {
	recorder ctl
	run tsend -S "$SOCK" -d 0 t:ctl "$(printf 'a\033[201~b\007c\tand tab')"
	[ "$status" -eq 0 ]
	[ "$output" = "tsend: t:ctl: removed 2 control characters" ]
	expect=$(printf '\033[200~a[201~bc\tand tab\033[201~\r')
	received ctl ${#expect}
	cmp ctl.rec <(printf '%s' "$expect")
}

@test "CR LF and CR become LF; trailing line breaks are dropped" {
	recorder crlf
	printf 'one\r\ntwo\rthree\r\n\n' | tsend -S "$SOCK" -d 0 t:crlf
	expect=$(printf '\033[200~one\ntwo\nthree\033[201~\r')
	received crlf ${#expect}
	cmp crlf.rec <(printf '%s' "$expect")
}

@test "-n types without the submit key; -k chooses the key" {
	recorder keys
	tsend -S "$SOCK" -n t:keys 'no enter'
	tsend -S "$SOCK" -d 0 -k Tab t:keys 'tab after'
	expect=$(printf '\033[200~no enter\033[201~\033[200~tab after\033[201~\t')
	received keys ${#expect}
	cmp keys.rec <(printf '%s' "$expect")
}

@test "the submit key comes after the delay" {
	recorder delay
	t0=$(date +%s%N)
	tsend -S "$SOCK" -d 400 -w 0 t:delay 'wait for it'
	t1=$(date +%s%N)
	[ $(( (t1 - t0) / 1000000 )) -ge 400 ]
	cmp delay.rec <(pasted 'wait for it')
}

@test "a record is typed the moment it ends, not at the next one" {
	recorder stream
	mkfifo in
	tsend -S "$SOCK" -d 0 < in 3>&- &
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

@test "no such pane: reported with the ID and how to send it again; the next still goes" {
	recorder next
	printf 'BAD-1 t:nosuchwindow lost\n\nGOOD-1 t:next kept\n\n' > records
	run tsend -S "$SOCK" -d 0 < records
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: BAD-1: t:nosuchwindow: can't find window: nosuchwindow; to send it again: tnext -r BAD-1 </dev/null | tsend" ]
	received next 17
	cmp next.rec <(pasted kept)
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
	TM new-window -d -t t -n closer "stty raw -echo; head -c 1 > /dev/null"
	sleep 0.2
	run tsend -S "$SOCK" -d 300 -w 0 t:closer 'the pane is gone before Enter'
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^tsend:\ t:closer:\ can\'t\ find\ pane ]]
}

@test "two tsends into one pane, 50 prompts each, never interleave" {
	recorder both
	for w in a b; do
		for i in $(seq 50); do printf '%s-%d t:both prompt %s %d from writer %s\n\n' $w $i $w $i $w; done > $w.records
	done
	tsend -S "$SOCK" -d 5 -w 0 < a.records &
	tsend -S "$SOCK" -d 5 -w 0 < b.records &
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
}

@test "a lock directory that is not ours alone is refused" {
	mkdir -m 777 tsend-$(id -u)
	recorder lock
	run env TMPDIR="$PWD" XDG_RUNTIME_DIR= tsend -S "$SOCK" -d 0 t:lock 'x'
	[ "$status" -eq 1 ]
	[[ "$output" =~ "lock: Operation not permitted" ]]
	[ ! -s lock.rec ]
}

@test "usage errors exit 2" {
	run tsend -x
	[ "$status" -eq 2 ]
	run tsend -L a -S b t:1 x
	[ "$status" -eq 2 ]
	run tsend -d soon t:1 x
	[ "$status" -eq 2 ]
}

@test "bad records are reported with the line; the good ones are still sent" {
	recorder badrec
	printf 'X nopane hello\n\nOK-1 t:badrec fine\n\n' > records
	run tsend -S "$SOCK" -d 0 < records
	[ "$status" -eq 1 ]
	[ "$output" = "tsend: -:1: bad target 'nopane' (want session:window[.pane], %N or @N)" ]
	received badrec 17
	cmp badrec.rec <(pasted fine)
}
