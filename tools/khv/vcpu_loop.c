// SPDX-License-Identifier: GPL-2.0
/*
 * The shared vCPU loop: it only decodes neutral exits and forwards them to
 * the port and MMIO buses, so a guest behaves the same on every
 * accelerator.  Run-ending decisions and their exit statuses (util.h,
 * Documentation/launcher.rst) are all made here.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "irq.h"
#include "vcpu_loop.h"

#define KICK_SIGNAL	SIGUSR1

volatile sig_atomic_t khv_stop_signal;
static volatile u8 *stop_immediate_exit;
static pthread_t vcpu_thread;

static void stop_handler(int sig)
{
	/* Async-signal-safe: two stores, the loop does the rest. */
	khv_stop_signal = sig;
	if (stop_immediate_exit)
		*stop_immediate_exit = 1;
}

/*
 * The kick: another thread wants the vCPU back in the loop (a PIC
 * interrupt to inject, the run to end).  immediate_exit makes a kick that
 * lands just before the run ioctl count too.
 */
static void kick_handler(int sig)
{
	(void)sig;
	if (stop_immediate_exit)
		*stop_immediate_exit = 1;
}

static void vcpu_kick(struct vm *vm)
{
	(void)vm;
	/* The vCPU thread looks at everything before its next entry anyway. */
	if (!pthread_equal(pthread_self(), vcpu_thread))
		pthread_kill(vcpu_thread, KICK_SIGNAL);
}

int vcpu_signals_init(struct vm *vm, struct accel *a)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the run ioctl must return -EINTR to us. */
	sa.sa_flags = 0;
	stop_immediate_exit = a->immediate_exit;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		pr_err("sigaction: %s", strerror(errno));
		return -1;
	}
	sa.sa_handler = kick_handler;
	if (sigaction(KICK_SIGNAL, &sa, NULL)) {
		pr_err("sigaction: %s", strerror(errno));
		return -1;
	}
	vcpu_thread = pthread_self();
	vm->kick = vcpu_kick;
	return 0;
}

static int stop_status(void)
{
	int sig = khv_stop_signal;

	pr_info("stopped by %s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	return sig == SIGINT ? KHV_EXIT_SIGINT : KHV_EXIT_SIGTERM;
}

static void handle_io(struct vm *vm, const struct accel_exit *e)
{
	u32 i;

	/* String I/O: each element is one access to the same port. */
	for (i = 0; i < e->io.count; i++)
		bus_access(&vm->pio, e->io.port, e->io.data + i * e->io.size,
			   e->io.size, e->io.out);
}

/*
 * HLT exits to us only in guests without local APICs (Multiboot guests:
 * with an irqchip the accelerator blocks in the kernel until an
 * interrupt is due).  Nothing can interrupt such a guest, so it can
 * never wake up: every HLT ends the run.
 */
static int handle_hlt(struct vm *vm, const struct accel_exit *e)
{
	if (e->if_flag) {
		pr_err("guest halted waiting for an interrupt, but no device can raise one");
		return KHV_EXIT_DEADLOCK;
	}
	if (vm->shutdown_requested)
		pr_info("guest shut down (\"Shutdown\" on port 0x8900, then HLT)");
	else
		pr_info("guest halted with interrupts disabled");
	return KHV_EXIT_HALTED;
}

static void report_internal(struct accel *a, const struct accel_exit *e)
{
	u32 i;

	fprintf(stderr, "khv: %s internal error: suberror %u (%s), data:",
		a->ops->name, e->internal.suberror, e->internal.name);
	for (i = 0; i < e->internal.ndata; i++)
		fprintf(stderr, " 0x%llx", (unsigned long long)e->internal.data[i]);
	fputc('\n', stderr);
	accel_dump_regs(a);
}

/* Give the guest its answer: the devices fill the run page in place. */
static void answer_exit(struct vm *vm, const struct accel_exit *e)
{
	switch (e->reason) {
	case ACCEL_EXIT_IO:
		handle_io(vm, e);
		break;
	case ACCEL_EXIT_MMIO:
		bus_access(&vm->mmio, e->mmio.addr, e->mmio.data, e->mmio.len,
			   e->mmio.write);
		break;
	case ACCEL_EXIT_HYPERCALL:
		/* No hypercalls are defined yet: succeed quietly. */
		*e->hypercall.ret = 0;
		break;
	case ACCEL_EXIT_EOI:
		/* Clears the remote IRR of the pins that sent the vector. */
		if (vm->ioapic)
			ioapic_eoi(vm->ioapic, e->eoi.vector);
		break;
	default:
		break;
	}
}

#define RUN_CONTINUE	(-1)

/* Decide whether the run goes on: RUN_CONTINUE or an exit status. */
static int finish_exit(struct vm *vm, struct accel *a,
		       const struct accel_exit *e)
{
	switch (e->reason) {
	case ACCEL_EXIT_IO:
	case ACCEL_EXIT_MMIO:
	case ACCEL_EXIT_HYPERCALL:
		break;
	case ACCEL_EXIT_INTR:
		if (khv_stop_signal) {
			/* Where a guest that had to be stopped was. */
			if (vm->trace)
				accel_dump_regs(a);
			return stop_status();
		}
		/* A kick or another signal: the loop looks, then re-enters. */
		break;
	case ACCEL_EXIT_IRQ_WINDOW:
		break;	/* the ExtINT goes in before the next entry */
	case ACCEL_EXIT_EOI:
		break;	/* answered by the IOAPIC (answer_exit) */
	case ACCEL_EXIT_HLT:
		return handle_hlt(vm, e);
	case ACCEL_EXIT_SHUTDOWN:
		pr_err("guest triple fault (shutdown)");
		accel_dump_regs(a);
		return KHV_EXIT_TRIPLE_FAULT;
	case ACCEL_EXIT_FAIL_ENTRY:
		pr_err("VM entry failed: hardware reason 0x%llx on host cpu %u%s%s",
		       (unsigned long long)e->fail_entry.reason,
		       e->fail_entry.cpu,
		       e->fail_entry.description ? ": " : "",
		       e->fail_entry.description ?
		       e->fail_entry.description : "");
		accel_dump_regs(a);
		return KHV_EXIT_VCPU_ERROR;
	case ACCEL_EXIT_INTERNAL_ERROR:
		report_internal(a, e);
		return KHV_EXIT_VCPU_ERROR;
	default:
		pr_err("unhandled %s exit reason %u", a->ops->name,
		       e->raw_reason);
		accel_dump_regs(a);
		return KHV_EXIT_VCPU_ERROR;
	}

	if (vm->exit_requested) {
		if (vm->trace)
			pr_info("run ended by %s, status %d", vm->exit_reason,
				vm->exit_status);
		return vm->exit_status;
	}
	return RUN_CONTINUE;
}

/*
 * The PIC's INTR reaches the vCPU as ExtINT through LINT0 (SDM Vol. 3A
 * 11.5.1): run the INTA cycle only when the vCPU can take the vector at
 * once, otherwise ask the accelerator for an interrupt-window exit.
 * Called with vm->lock held.
 */
static int deliver_extint(struct vm *vm, struct accel *a)
{
	if (!vm->pic || !pic_intr(vm->pic)) {
		a->ops->request_irq_window(a, false);
		return 0;
	}
	if (!a->ops->extint_ready(a)) {
		a->ops->request_irq_window(a, true);
		return 0;
	}
	a->ops->request_irq_window(a, false);
	return a->ops->inject_extint(a, pic_ack(vm->pic));
}

/* Before each entry: act on what other threads asked for. */
static int before_run(struct vm *vm, struct accel *a)
{
	int ret = RUN_CONTINUE;

	/* Consume kicks first, so that one arriving from now on counts. */
	if (a->immediate_exit)
		*a->immediate_exit = 0;
	if (khv_stop_signal)
		return stop_status();
	pthread_mutex_lock(&vm->lock);
	if (vm->exit_requested)
		ret = vm->exit_status;
	else if (vm->irqchip && deliver_extint(vm, a))
		ret = KHV_EXIT_VCPU_ERROR;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

int vcpu_loop(struct vm *vm, struct accel *a)
{
	unsigned long long nr = 0;
	struct accel_exit e;
	int ret;

	for (;;) {
		ret = before_run(vm, a);
		if (ret != RUN_CONTINUE)
			return ret;
		if (a->ops->run(a, &e))
			return KHV_EXIT_VCPU_ERROR;
		pthread_mutex_lock(&vm->lock);
		answer_exit(vm, &e);
		pthread_mutex_unlock(&vm->lock);
		if (vm->trace)
			trace_exit(++nr, &e);
		ret = finish_exit(vm, a, &e);
		if (ret != RUN_CONTINUE)
			return ret;
	}
}
