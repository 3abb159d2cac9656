# tq, twatch, tnext, tsend: feed a queue of prompts to agents in tmux.
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
CFLAGS = -O2 -g
override CFLAGS := -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $(CFLAGS)

NAMES = tq tnext twatch tsend
TOOLS = $(NAMES:%=tools/%)

all: $(TOOLS)

$(TOOLS): %: %.c tools/queue.c tools/queue.h
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $@.c tools/queue.c $(LDLIBS)

check: all
	tests/run

demo: all
	examples/demo

bench: all
	tests/bench/run

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5

clean:
	rm -f $(TOOLS)

.PHONY: all check demo bench install clean
