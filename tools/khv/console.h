/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_CONSOLE_H
#define KHV_CONSOLE_H

#include "util.h"

/*
 * The interactive console: stdin in raw mode when it is a terminal
 * (restored on every way out: normal exit, fatal signals, errors), and
 * QEMU's escape keys on the input stream:
 *
 *   Ctrl-A x        end the run (status 0)
 *   Ctrl-A Ctrl-A   send one Ctrl-A to the guest
 *   Ctrl-A h        list the keys on stderr
 *
 * Any other key after Ctrl-A is dropped with the Ctrl-A.
 */
#define CONSOLE_ESCAPE	0x01	/* Ctrl-A */

enum console_action {
	CONSOLE_DROP,		/* nothing for the guest */
	CONSOLE_SEND,		/* pass *out to the guest */
	CONSOLE_QUIT,
	CONSOLE_HELP,
};

struct console_escape {
	bool pending;		/* the last byte was Ctrl-A */
};

enum console_action console_filter(struct console_escape *e, u8 c, u8 *out);

/* Put stdin in raw mode if it is a terminal.  Returns 0 or -errno. */
int console_raw_start(void);
/* Restore the terminal; async-signal-safe, idempotent. */
void console_restore(void);

extern const char console_help[];

#endif
