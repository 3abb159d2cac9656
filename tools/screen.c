/* screen.c: what an agent's screen says, for tsend (never answer a
 * dialog; a busy agent queues a prompt) and tq (the condition of a pane
 * whose agent gives no hook for it).
 *
 * A cue is a phrase that one agent shows in one condition, as seen
 * through tmux with Claude Code 2.1.197, Codex 0.171 and Gemini CLI 0.61
 * (December 2026; tsend(1) and tq(1) list them).  A screen shows the most
 * urgent of the cues it holds: a dialog first, then a usage limit, an
 * error, an exit, a busy agent.  Nothing here acts: the callers decide,
 * and a screen can only ever make tsend wait, never type.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "tmux.h"
#include "screen.h"

static const struct cue cues[] = {
	{ CUE_DIALOG, "claude", LIMIT_DIALOG },
	{ CUE_DIALOG, "claude", "Do you want to proceed?" },
	{ CUE_DIALOG, "claude", "Enter to confirm \xc2\xb7 Esc to cancel" },
	{ CUE_DIALOG, "codex", "Would you like to run the following command?" },
	{ CUE_DIALOG, "codex", "Press enter to confirm or esc to cancel" },
	{ CUE_DIALOG, "codex", "enter select \xc2\xb7 esc back" },
	{ CUE_DIALOG, "codex", "Hooks need review" },
	{ CUE_DIALOG, "codex", "hooks need review before they can run" },
	{ CUE_DIALOG, "gemini", "Allow execution of" },
	{ CUE_DIALOG, "gemini", "Do you trust the files in this folder?" },
	{ CUE_DIALOG, "gemini", "Usage limit reached for" },
	{ CUE_LIMIT, "claude", "You've hit your session limit" },
	{ CUE_LIMIT, "claude", "You've hit your weekly limit" },
	{ CUE_LIMIT, "claude", "Session limit reached \xc2\xb7 Retrying in" },
	{ CUE_LIMIT, "claude", "Request rejected (429)" },
	{ CUE_LIMIT, "codex", "You've hit your usage limit" },
	{ CUE_ERROR, "claude", "API Error:" },
	{ CUE_ERROR, "claude", "API error \xc2\xb7 Retrying in" },
	{ CUE_ERROR, "claude", "Overloaded \xc2\xb7 Retrying in" },
	{ CUE_ERROR, "codex", "We're currently experiencing high demand" },
	{ CUE_ERROR, "codex", "Reconnecting..." },
	{ CUE_EXIT, "claude", "Resume this session with:" },
	{ CUE_EXIT, "codex", "To continue this session, run:" },
	{ CUE_EXIT, "gemini", "To resume this session:" },
	{ CUE_BUSY, "claude", "esc to interrupt" },
	{ CUE_BUSY, "codex", "esc to interrupt" },
	{ CUE_BUSY, "gemini", "esc to cancel" },
};

/* Whether the phrase is at s: an apostrophe of it is one on the screen,
 * straight or curly (U+2019, as Codex draws it). */
static int
phrase_at(const char *s, const char *phrase)
{
	for (; *phrase; phrase++)
		if (*phrase == '\'' && !strncmp(s, "\xe2\x80\x99", 3))
			s += 3;
		else if (*s++ != *phrase)
			return 0;
	return 1;
}

static int
shows(const char *screen, const char *phrase)
{
	for (; (screen = strchr(screen, *phrase)); screen++)
		if (phrase_at(screen, phrase))
			return 1;
	return 0;
}

const struct cue *
screen_cue(const char *screen)
{
	const struct cue *found = 0;
	size_t i;

	for (i = 0; i < sizeof cues / sizeof *cues; i++)
		if ((!found || cues[i].kind > found->kind) && shows(screen, cues[i].phrase))
			found = &cues[i];
	return found;
}

int
is_shell(const char *command)
{
	static const char *shells[] = { "sh", "ash", "bash", "dash", "zsh", "fish", "ksh",
	    "mksh", "oksh", "pdksh", "yash", "csh", "tcsh", "rc", "es", "nu", "pwsh", 0 };
	const char **s;

	command += *command == '-';	/* a login shell */
	for (s = shells; *s; s++)
		if (!strcmp(command, *s))
			return 1;
	return 0;
}

/* What the pane of target shows of its agent, for tq: "gone" (no such
 * pane), "dead", "shell (bash)", or a cue other than busy, with its
 * phrase and agent; 0 if nothing worth a word, or no tmux to ask. */
char *
pane_condition(const char *target)
{
	const char *args[] = { "capture-pane", "-p", "-t", target, tmux_then, "display-message",
	    "-p", "-t", target, "#{pane_id}\t#{pane_dead}\t#{pane_current_command}", 0 };
	const struct cue *c;
	char *out, *why, *last, *f, *said = 0;
	size_t n;

	if (run_tmux(0, 0, &out, &why, args) < 0) {
		if (strstr(why, "can't find"))
			said = xstrdup("gone");
		free(why);
		return said;
	}
	for (n = strlen(out); n && out[n - 1] == '\n'; )
		out[--n] = 0;
	last = (last = strrchr(out, '\n')) ? last + 1 : out;
	if (*last == '%' && (f = strchr(last, '\t'))) {
		*last = 0;	/* the screen alone, above */
		if (f[1] == '1')
			said = xstrdup("dead");
		else if ((f = strchr(f + 1, '\t')) && is_shell(f + 1))
			said = format("shell (%s)", f + 1);
		else if ((c = screen_cue(out)) && c->kind != CUE_BUSY)
			said = format("%s: %s (%s)", cue_name(c->kind), c->phrase, c->agent);
	}
	free(out);
	return said;
}

const char *
cue_name(enum condition kind)
{
	static const char *names[] = { "", "busy", "exited", "error", "limit", "dialog" };

	return names[kind];
}
