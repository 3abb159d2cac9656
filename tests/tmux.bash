# A private tmux server for a test file, and panes that record, byte for
# byte, what they receive.  The recorder reads its terminal in raw mode,
# as agents' TUIs do, and asks for bracketed paste, as they do.
# The server's socket is in the file's temporary directory (tmux -S), so
# that nothing is left in /tmp/tmux-UID, where tmux 3.3a leaves the
# socket of a server it killed.
TM() { tmux -S "$SOCK" -f /dev/null "$@"; }

start_server() { # in setup_file: one server for the file
	export SOCK=$BATS_FILE_TMPDIR/tmux.sock
	TM new-session -d -s t -x 120 -y 40 -n idle 'sleep 100000' 3>&-
}

stop_server() {
	TM kill-server 2>/dev/null || true
	rm -f "$SOCK"
}

# recorder NAME: a window t:NAME whose pane writes all it reads to NAME.rec
recorder() {
	rm -f "$BATS_TEST_TMPDIR/$1.ready"
	TM new-window -d -t t: -n "$1" \
	    "stty raw -echo; printf '\033[?2004h%s\r\n' 'recording'; : > '$BATS_TEST_TMPDIR/$1.ready'; exec cat > '$BATS_TEST_TMPDIR/$1.rec'"
	eventually 10 test -e "$BATS_TEST_TMPDIR/$1.ready"
	sleep 0.1	# for tmux to have seen the bracketed paste request
}

# received NAME BYTES: wait up to 10 s until NAME.rec holds BYTES bytes
received() { eventually 10 holds "$BATS_TEST_TMPDIR/$1.rec" "$2"; }
holds() { [ "$(wc -c < "$1")" -ge "$2" ]; }	# holds FILE BYTES

shows() { TM capture-pane -p -t "t:$1" | grep -qF -- "$2"; }	# shows WINDOW TEXT

# pasted TEXT: what a recorder receives for TEXT and Enter
pasted() {
	printf '\033[200~%s\033[201~\r' "$1"
}

# agent NAME [STARTUP [WORK]]: a window t:NAME running the simulated agent
# (examples/agent), once it has started; it logs each message it took to
# NAME.log, each Enter to NAME.keys
agent() {
	TM new-window -d -t t: -n "$1" \
	    "AGENT_LOG='$BATS_TEST_TMPDIR/$1.log' AGENT_KEYLOG='$BATS_TEST_TMPDIR/$1.keys' '$ROOT/examples/agent' $1 '$BATS_TEST_TMPDIR/CLAUDE.md' ${2:-0} ${3:-1}"
	eventually 10 shows "$1" "$1: starting"
}
