#!/usr/bin/env bats
# Agents on another host: the loop over ssh, as README.md's "Agents on
# other hosts" has it, against a real OpenSSH server that this file starts
# on 127.0.0.1, on a free port, as the current user, with a host key, an
# authorized key and a configuration of its own.  The queue and its state
# stay here; twatch and tsend run on "box", where the agents are.
# Skipped, saying why, where there is no sshd.
load common
load tmux

SSHD=/usr/sbin/sshd	# sshd runs only from its absolute path

# no_ssh WHY: every test of the file skips, saying WHY (bats 1.8 cannot
# skip from setup_file); needs_ssh, first in each test, does
no_ssh() { export NO_SSH=$1; }
needs_ssh() { [ -z "$NO_SSH" ] || skip "$NO_SSH"; }

setup_file() {
	local d=$BATS_FILE_TMPDIR/ssh i port
	[ -x "$SSHD" ] || { no_ssh "no $SSHD here (.ci/run installs openssh-server)"; return; }
	command -v ssh > /dev/null || { no_ssh "no ssh here (.ci/run installs openssh-client)"; return; }
	# as root sshd needs its privilege separation directory, which the
	# package's service makes at boot
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ] && ! mkdir -m 755 /run/sshd; then
		no_ssh "sshd needs /run/sshd and it cannot be made"
		return
	fi
	mkdir -m 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$d/id"
	cp "$d/id.pub" "$d/authorized_keys"
	for i in $(seq 20); do
		port=$((20000 + RANDOM % 40000))
		! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || continue	# taken
		cat > "$d/sshd_config" <<-C
		ListenAddress 127.0.0.1:$port
		HostKey $d/host_key
		AuthorizedKeysFile $d/authorized_keys
		AllowUsers $(id -un)
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin prohibit-password
		UsePAM no
		StrictModes no
		PidFile none
		LogLevel ERROR
		C
		cat > "$d/ssh_config" <<-C
		Host box
		    HostName 127.0.0.1
		    Port $port
		    User $(id -un)
		    IdentityFile $d/id
		    IdentitiesOnly yes
		    UserKnownHostsFile $d/known_hosts
		    StrictHostKeyChecking yes
		    BatchMode yes
		    LogLevel ERROR
		C
		echo "[127.0.0.1]:$port $(cat "$d/host_key.pub")" > "$d/known_hosts"
		"$SSHD" -D -e -f "$d/sshd_config" 2>> "$d/sshd.log" 3>&- &
		echo $! > "$d/sshd.pid"
		eventually 10 ssh -F "$d/ssh_config" box true 2> /dev/null && break
		kill "$(cat "$d/sshd.pid")" 2> /dev/null
		rm -f "$d/sshd.pid"
	done
	[ -e "$d/sshd.pid" ] || { no_ssh "sshd would not start: $(tail -n 1 "$d/sshd.log")"; return; }
	export SSHDIR=$d
	start_server
}

teardown_file() {
	[ -n "$SSHDIR" ] || return 0	# skipped
	kill "$(cat "$SSHDIR/sshd.pid")" 2> /dev/null || true
	stop_server
}

teardown() {
	kill $(on_box_processes) 2> /dev/null || true	# a failed test's
	[ ! -S "$SSHDIR/master" ] || ssh -F "$SSHDIR/ssh_config" -O exit box 2> /dev/null || true
}

# box COMMAND: runs COMMAND on "box" through ssh, with the tools under test
# first in its PATH, in this test's directory (its TMPDIR too, so that the
# runner sees whatever it leaves behind)
box() {
	ssh -F "$SSHDIR/ssh_config" box "export PATH='${TQ_BIN:-$ROOT/tools}':\$PATH \
	    TMPDIR='$BATS_TEST_TMPDIR' TQ_ON_BOX='$BATS_TEST_TMPDIR'; cd '$BATS_TEST_TMPDIR' && exec $1"
}

# on_box_processes: the pids of what box() started on "box"
on_box_processes() {
	grep -lsaF "TQ_ON_BOX=$BATS_TEST_TMPDIR" /proc/[0-9]*/environ | cut -d/ -f3
}

nothing_on_box() { [ -z "$(on_box_processes)" ]; }

# connections: how many connections "box" has (sshd makes a process for each)
connections() {
	grep -lx "PPid:[[:space:]]*$(cat "$SSHDIR/sshd.pid")" /proc/[0-9]*/status 2> /dev/null | wc -l
}

# three_tasks NAME: a queue of three tasks for the agent NAME
three_tasks() {
	for i in 1 2 3; do
		echo "T-$i t:$1 Task $i. When done, write \"### T-$i: COMPLETED\" in CLAUDE.md."
	done > queue
	: > CLAUDE.md
}

# done_in_order NAME: T-1, T-2 and T-3 done here, NAME took them in order
done_in_order() {
	[ "$(tq queue | awk '{ print $1, $2 }' | tr '\n' ' ')" = "T-1 done T-2 done T-3 done " ] &&
	    [ "$(grep -o 'Task [0-9]' "$1.log" | tr '\n' ' ')" = "Task 1 Task 2 Task 3 " ]
}

@test "ssh box 'twatch CLAUDE.md' | tnext queue | ssh box tsend: three tasks in order, the state here" {
	needs_ssh
	agent claude
	three_tasks claude
	{ box "twatch CLAUDE.md" | tnext queue | box "tsend -S '$SOCK'"; } 2> loop.err 3>&- &
	eventually 60 done_in_order claude
	grep -q " sent T-3$" queue.state
	# stopped here (^C), the loop ends on the box too, though no marker comes
	[ -n "$(on_box_processes)" ]
	kill $(pgrep -f "^ssh -F $SSHDIR/ssh_config box ")
	wait
	eventually 10 nothing_on_box
	cat loop.err
}

@test "with ControlMaster and ControlPersist, and ssh -fN first, a pipeline to a box is one connection" {
	needs_ssh
	cat >> "$SSHDIR/ssh_config" <<-C
	    ControlMaster auto
	    ControlPath $SSHDIR/master
	    ControlPersist 60
	C
	agent codex
	three_tasks codex
	ssh -F "$SSHDIR/ssh_config" -fN box 3>&-	# the connection, first
	{ box "twatch CLAUDE.md" | tnext queue | box "tsend -S '$SOCK'"; } 2> loop.err 3>&- &
	eventually 60 done_in_order codex
	[ "$(connections)" -eq 1 ]
	kill $(on_box_processes)
	wait
	ssh -F "$SSHDIR/ssh_config" -O exit box 2> /dev/null
	sed -i '/Control/d' "$SSHDIR/ssh_config"
	cat loop.err
}

# box_agent BOX: the simulated agent of "box" BOX, in window t:BOX, its
# notes in BOX/CLAUDE.md, its log in BOX.log
box_agent() {
	mkdir "$1"
	: > "$1/CLAUDE.md"
	TM new-window -d -t t: -n "$1" \
	    "AGENT_LOG='$BATS_TEST_TMPDIR/$1.log' '$ROOT/examples/agent' $1 '$BATS_TEST_TMPDIR/$1/CLAUDE.md' 0 1"
	eventually 10 shows "$1" "$1: starting"
}

@test "several boxes, one queue: a pipeline per box with tnext -t, after= across boxes, a failed delivery held UNSENT here" {
	needs_ssh
	box_agent b1
	box_agent b2
	for i in 1 2 3; do echo "Task $i. When done, write \"### T-$i: COMPLETED\" in CLAUDE.md."; done > prompts
	{
		echo "T-1 t:b1 $(sed -n 1p prompts)"
		echo "T-2 t:b2 after=T-1 $(sed -n 2p prompts)"
		echo "T-3 t:b1 after=T-2 $(sed -n 3p prompts)"
		echo "T-4 t:b2-gone after=T-3 a pane that box 2 does not have"
	} > queue
	for b in b1 b2; do	# as README.md's "Agents on other hosts" has it
		{ box "twatch $b/CLAUDE.md" | tnext -t "t:$b*" queue | box "tsend -S '$SOCK' -w 1" |
		    tnext -H queue; } 2> $b.err 3>&- &
	done
	eventually 60 eval '[[ "$(tq queue)" =~ T-4\ +UNSENT ]]'
	[ "$(tq queue | awk '{ print $1, $2 }' | tr '\n' ' ')" = "T-1 done T-2 done T-3 done T-4 UNSENT " ]
	[ "$(grep -o 'Task [0-9]' b1.log | tr '\n' ' ')" = "Task 1 Task 3 " ]
	[ "$(grep -o 'Task [0-9]' b2.log | tr '\n' ' ')" = "Task 2 " ]
	[ "$(grep -c ' sent T-' queue.state)" -eq 4 ]	# each once, by the tnext of its box
	grep -q "T-4: t:b2-gone: " b2.err	# said where it failed, on the pipeline's stderr
	[ ! -s b1.err ]
	kill $(on_box_processes)
	wait
	eventually 10 nothing_on_box
}
