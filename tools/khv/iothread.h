/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_IOTHREAD_H
#define KHV_IOTHREAD_H

#include "util.h"

struct vm;

/*
 * The I/O thread: one epoll loop for everything that happens while the
 * vCPU is inside the guest (device timers, console input).  Handlers run
 * with vm->lock held, like port and MMIO handlers on the vCPU thread, and
 * raise interrupts straight from there.
 *
 * Sources can be added before the thread starts (device init) or later.
 * Without iothread_start() nothing is ever called: unit tests and
 * Multiboot guests run that way, and the UART then polls its input.
 */
typedef void (*io_handler_t)(void *opaque);

/* Watch fd for input.  oneshot: disarmed after each event until rearmed. */
int iothread_add_fd(struct vm *vm, int fd, io_handler_t fn, void *opaque,
		    bool oneshot);
int iothread_rearm_fd(struct vm *vm, int fd);

int iothread_start(struct vm *vm);
void iothread_stop(struct vm *vm);
bool iothread_running(const struct vm *vm);

/* A CLOCK_MONOTONIC timer whose expiry calls fn on the I/O thread. */
struct khv_timer;

struct khv_timer *khv_timer_new(struct vm *vm, io_handler_t fn,
				void *opaque);
/*
 * First expiry at the absolute CLOCK_MONOTONIC time first_ns, then every
 * period_ns (0: one-shot).  first_ns 0 disarms.  Expirations missed while
 * the thread was busy are coalesced into one call.
 */
void khv_timer_arm(struct khv_timer *t, u64 first_ns, u64 period_ns);

#endif
