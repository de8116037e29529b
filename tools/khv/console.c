// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"

const char console_help[] =
	"khv: console keys: Ctrl-A x  quit | Ctrl-A Ctrl-A  send Ctrl-A | Ctrl-A h  this help\n";

enum console_action console_filter(struct console_escape *e, u8 c, u8 *out)
{
	if (!e->pending) {
		if (c == CONSOLE_ESCAPE) {
			e->pending = true;
			return CONSOLE_DROP;
		}
		*out = c;
		return CONSOLE_SEND;
	}
	e->pending = false;
	switch (c) {
	case CONSOLE_ESCAPE:
		*out = c;
		return CONSOLE_SEND;
	case 'x':
	case 'X':
		return CONSOLE_QUIT;
	case 'h':
	case 'H':
	case '?':
		return CONSOLE_HELP;
	}
	return CONSOLE_DROP;
}

static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;

void console_restore(void)
{
	/* tcsetattr is async-signal-safe (POSIX.1-2008, 2.4.3). */
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
}

/*
 * Fatal signals: restore the terminal, then die of the same signal with
 * the default action, so the shell sees what happened.
 */
static void console_fatal(int sig)
{
	console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = {
	SIGHUP, SIGQUIT, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGPIPE,
};

int console_raw_start(void)
{
	struct sigaction sa;
	struct termios t;
	unsigned int i;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &saved_termios))
		return -errno;
	termios_saved = 1;
	atexit(console_restore);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = console_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, NULL);

	/*
	 * Raw input: every key, Ctrl-C included, goes to the guest.  Output
	 * processing stays on (as QEMU keeps it), so the launcher's own
	 * "khv: ..." lines still start at the left margin.
	 */
	t = saved_termios;
	cfmakeraw(&t);
	t.c_oflag |= OPOST;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t))
		return -errno;
	return 0;
}
