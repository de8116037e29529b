/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_VCPU_LOOP_H
#define KHV_VCPU_LOOP_H

#include <signal.h>

#include "accel.h"
#include "vm.h"

/* Set by the SIGINT/SIGTERM handler: the signal number. */
extern volatile sig_atomic_t khv_stop_signal;

/*
 * Install SIGINT/SIGTERM handlers (no SA_RESTART) for this accelerator,
 * and the kick (vm->kick) other threads use to interrupt the run; call
 * from the thread that will run the vCPU.
 */
int vcpu_signals_init(struct vm *vm, struct accel *a);

/* Run the vCPU until the guest or a signal ends it; returns the status. */
int vcpu_loop(struct vm *vm, struct accel *a);

/* One --trace line for an exit, after the devices answered it. */
void trace_exit(unsigned long long nr, const struct accel_exit *exit);

#endif
