/* screen.h: what an agent's screen says: a small table of the phrases
 * Claude Code, Codex and Gemini CLI show.  See screen.c. */

/* Claude Code's dialog after a usage limit (claude.ai login): the one
 * dialog tsend closes, with Escape, never an answer. */
#define LIMIT_DIALOG "Stop and wait for limit to reset"

enum condition { CUE_NONE, CUE_BUSY, CUE_EXIT, CUE_ERROR, CUE_LIMIT, CUE_DIALOG };
struct cue {
	enum condition kind;
	const char *agent, *phrase;
};
const struct cue *screen_cue(const char *screen);	/* the most urgent one shown, or 0 */
const char *cue_name(enum condition kind);	/* "busy", "dialog", ... */
int is_shell(const char *command);	/* sh, bash, -bash, zsh, ... */
char *pane_condition(const char *target);	/* gone, dead, shell, a cue; 0: none */
