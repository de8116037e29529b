/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv run --trace-file FILE: the kernel's exit-trace ring of the vCPU,
 * written out as text (format in Documentation/stats.rst).
 */
#ifndef KHV_EXIT_TRACE_H
#define KHV_EXIT_TRACE_H

#include <stdbool.h>

/* Open FILE before the VM exists; 0 or -1 after a message. */
int exit_trace_open(const char *path);

/* True once exit_trace_open succeeded. */
bool exit_trace_wanted(void);

/* Turn the vCPU's ring on and map it; 0 or -1 after a message. */
int exit_trace_start(int vcpu_fd);

/* Append the records written since the last call (after each KHV_RUN). */
void exit_trace_drain(void);

/* Drain, turn tracing off, close the file. */
void exit_trace_close(void);

#endif
