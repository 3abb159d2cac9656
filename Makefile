# tq, twatch, tnext, tsend: feed a queue of prompts to agents in tmux.
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
CFLAGS = -O2 -g
override CFLAGS := -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $(CFLAGS)

NAMES = tq tnext twatch tsend
TOOLS = $(NAMES:%=tools/%)
ASAN = $(NAMES:%=tools/asan/%)
NOINOTIFY = $(NAMES:%=tools/noinotify/%)
MUSL = $(NAMES:%=tools/musl/%)
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ = record marker
REPLAY = $(FUZZ:%=tests/fuzz/%-replay)
FUZZTIME = 60

# The shared code, one file for each thing the tools agree on.
SHARED = tools/util.c tools/record.c tools/marker.c tools/state.c tools/tmux.c tools/watch.c tools/screen.c
HEADERS = $(SHARED:.c=.h) tools/system.h
# tsend delivers to each pane in a thread of its own, and tmux.c starts
# tmux from any of them: POSIX threads, a part of libc.
override LDLIBS += -pthread

all: $(if $(NO_INOTIFY),$(NOINOTIFY),$(TOOLS))

# Each build compiles the shared code once, into its own directory.
OBJ = $(SHARED:.c=.o)
tools/%.o: tools/%.c $(HEADERS)
	$(CC) $(CFLAGS) -c -o $@ $<
$(TOOLS): %: %.o $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The same tools built with sanitizers, for the suite's second run.
tools/asan/%.o: tools/%.c $(HEADERS)
	@mkdir -p tools/asan
	$(CC) $(CFLAGS) $(SANITIZE) -c -o $@ $<
$(ASAN): %: %.o $(OBJ:tools/%=tools/asan/%)
	$(CC) $(CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The same tools with inotify compiled out (make NO_INOTIFY=1): they look
# with stat(2) every second, as on a system without inotify.
tools/noinotify/%.o: tools/%.c $(HEADERS)
	@mkdir -p tools/noinotify
	$(CC) $(CFLAGS) -DNO_INOTIFY -c -o $@ $<
$(NOINOTIFY): %: %.o $(OBJ:tools/%=tools/noinotify/%)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Alpine's libc: the tools built with Debian's musl-gcc (musl-tools), for
# CI; make CC=musl-gcc builds them in tools/ instead.
tools/musl/%.o: tools/%.c $(HEADERS)
	@mkdir -p tools/musl
	musl-gcc $(CFLAGS) -c -o $@ $<
$(MUSL): %: %.o $(OBJ:tools/%=tools/musl/%)
	musl-gcc $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

musl: $(MUSL)

# The fuzz targets, run once on each input of their corpus.
$(REPLAY): tests/fuzz/%-replay: tests/fuzz/%.c tests/fuzz/run.c $(OBJ:tools/%=tools/asan/%) $(HEADERS)
	$(CC) $(CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ tests/fuzz/$*.c tests/fuzz/run.c $(OBJ:tools/%=tools/asan/%) $(LDLIBS)

# The suite with each build; the no-inotify one runs the files of the
# tools that wait for files to change.
check: $(TOOLS) $(ASAN) $(NOINOTIFY) $(REPLAY)
	TQ_BINS="$(CURDIR)/tools $(CURDIR)/tools/asan $(CURDIR)/tools/noinotify:tq.bats,tnext.bats,twatch.bats" tests/run

# Static checks: cppcheck, and clang-tidy's bugprone, cert and analyzer
# checks less those that fight C idiom (unchecked printf, strcmp as a
# truth value, feature test macros).  Silent when all is well:
# clang-tidy's "N warnings generated." (warnings it did not report) is
# dropped; its diagnostics and its exit status are kept.
TIDY = -*,bugprone-*,cert-*,clang-analyzer-*,-cert-err33-c,-cert-err34-c,-cert-dcl37-c,-cert-dcl51-cpp,\
	-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,\
	-bugprone-suspicious-string-compare
LINTDIRS = tools tests/fuzz tests/bench
LINTSRC = tools/*.c tests/fuzz/*.c tests/bench/*.c
lint:
	@cppcheck --std=c99 --enable=warning,portability,performance --error-exitcode=1 -q \
	    -D_POSIX_C_SOURCE=200809L -D__linux__ $(LINTDIRS)
	@{ clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY)' $(LINTSRC) -- \
	    -std=c99 -D_POSIX_C_SOURCE=200809L 2>&1; echo $$?; } | \
	    awk 'NR > 1 && last !~ /^[0-9]+ warnings? generated\.$$/ { print last } { last = $$0 } END { exit last }'

# libFuzzer (clang): each target for FUZZTIME seconds; crashes land in
# its corpus, where make check replays them ever after.
fuzz:
	for t in $(FUZZ); do \
		clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L \
		    -o tests/fuzz/$$t-fuzz tests/fuzz/$$t.c $(SHARED) && \
		mkdir -p tests/fuzz/work/$$t && \
		tests/fuzz/$$t-fuzz -max_total_time=$(FUZZTIME) -close_fd_mask=2 \
		    -artifact_prefix=tests/fuzz/corpus/$$t/ \
		    tests/fuzz/work/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

demo: $(TOOLS)
	examples/demo

bench: $(TOOLS) $(NOINOTIFY)
	tests/bench/run

install: $(TOOLS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)
	install -m 755 examples/hooks/tq-hook $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7

# Removes what install installs, the hook scripts of examples/hooks too.
uninstall:
	rm -f $(NAMES:%=$(DESTDIR)$(BINDIR)/%)
	for f in examples/hooks/*; do [ ! -f "$$f" ] || rm -f "$(DESTDIR)$(BINDIR)/$${f##*/}"; done
	for f in man/*.1; do rm -f "$(DESTDIR)$(MANDIR)/man1/$${f##*/}"; done
	for f in man/*.5; do rm -f "$(DESTDIR)$(MANDIR)/man5/$${f##*/}"; done
	for f in man/*.7; do rm -f "$(DESTDIR)$(MANDIR)/man7/$${f##*/}"; done

clean:
	rm -rf $(TOOLS) tools/*.o tools/asan tools/noinotify tools/musl $(REPLAY) tests/fuzz/*-fuzz tests/fuzz/work

.PHONY: all check demo bench fuzz lint musl install uninstall clean
