/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What khv-fuzz and khv-chaos share: the checks that the module came back
 * after a run (its reference count, the VMs the "khv" netlink family
 * lists, free memory, the kernel log), thread pinning, and the guest
 * states the lab's
 * emulator cannot run (Documentation/reliability.rst, "QEMU's flaws").
 */
#ifndef KHV_FUZZ_COMMON_H
#define KHV_FUZZ_COMMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/khv.h>

#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define CR0_PG		(1ULL << 31)

/* /sys/module/khv/refcnt, or -1. */
long fuzz_module_refcnt(void);
/* MemFree of /proc/meminfo in kB, or -1. */
long fuzz_mem_free_kb(void);
/* How many VMs the "khv" generic netlink family lists, or -1. */
int fuzz_nl_vm_count(void);

/*
 * The kernel log: fuzz_kmsg_start() remembers where it ends now;
 * fuzz_kmsg_scan() reads what came since and returns how many records
 * report a soft lockup, an RCU stall, a hung task, a BUG, a WARN or an
 * oops (printing the first max_print), or -1 if /dev/kmsg cannot be read.
 */
void fuzz_kmsg_start(void);
int fuzz_kmsg_scan(unsigned int max_print);

/*
 * Pin thread t to CPU cpu, when two CPUs or more are online (with one,
 * there is nothing to keep apart).  The fuzzers keep the threads that
 * watch (kicker, bystander, watchdog) off the CPU that runs the guests:
 * a wedged CPU must not hold the thread that reports it.
 */
void fuzz_pin(pthread_t t, int cpu);

/*
 * EFER as the lab may be given it.  QEMU's #VMEXIT loads the host's CR0
 * while EFER and CR4 are still the guest's; when the guest has EFER.LME
 * set and CR0.PG and CR4.PAE clear, QEMU takes that for an illegal entry
 * into long mode and leaves CR0 as the guest had it, so the host resumes
 * with paging off and GIF clear and that CPU never takes an interrupt
 * again.  LME and LMA are dropped when CR0.PG is clear: with CR4.PAE set
 * the state would be safe, but a guest clears PAE with one MOV.
 */
static inline uint64_t lab_safe_efer(uint64_t efer, uint64_t cr0)
{
	return cr0 & CR0_PG ? efer : efer & ~(EFER_LME | EFER_LMA);
}

/*
 * TR as the lab may be given it.  QEMU aborts (the whole lab dies with
 * "qemu: fatal: invalid tss type" or "invalid tss") when an interrupt or
 * exception outside long mode needs the inner stack from a TSS whose
 * cached type is not an available TSS (1 or 9), or that is not present:
 * its own LTR caches the type before it sets the busy bit, so it never
 * sees a busy type, but VMRUN loads what it is given.  Outside long mode
 * the busy types become the available ones and TR is present.
 */
static inline void lab_safe_tr(struct khv_segment *tr, uint64_t efer)
{
	if (efer & EFER_LMA)
		return;
	tr->present = 1;
	if ((tr->type & 7) != 1)
		tr->type = (tr->type & 8) | 1;
}

#endif
