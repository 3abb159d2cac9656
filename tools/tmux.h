/* tmux.h: running tmux, the one program the tools start.  See tmux.c. */
#include <stddef.h>

void tmux_server(int c, const char *arg);	/* -L NAME or -S PATH, once */
extern const char *tmux_flag, *tmux_arg;	/* that option, or 0 */
int run_tmux(const char *input, size_t inlen, char **out, char **why, const char **args);
