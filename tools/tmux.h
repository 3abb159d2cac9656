/* tmux.h: running tmux, the one program the tools start.  See tmux.c. */
#include <stddef.h>

void tmux_server(int c, const char *arg);	/* -L NAME or -S PATH, once */
extern const char *tmux_flag, *tmux_arg;	/* that option, or 0 */
extern const char tmux_then[];	/* in ARGS, between two commands */
extern int tmux_control;	/* set: one control-mode client runs them */
void tmux_done(void);		/* ends that client */
int run_tmux(const char *input, size_t inlen, char **out, char **why, const char **args);
