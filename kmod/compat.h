/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv: the kernel APIs that differ between the kernels khv is built for
 * (Debian 12's 6.1 and bookworm-backports' 6.12), one helper each, chosen
 * at compile time by a macro that kmod/Kbuild defines after looking at the
 * headers (a test that misreads them fails to compile, it cannot pick the
 * wrong form silently).  Documentation/design.rst lists them.
 */
#ifndef KHV_COMPAT_H
#define KHV_COMPAT_H

#include <linux/rcupdate.h>
#include <linux/smp.h>

/*
 * Tell RCU that this CPU passes through a quiescent state on its way into
 * guest mode.  Linux 6.2 dropped the unused CPU argument of
 * rcu_virt_note_context_switch() ("rcu: Remove unused 'cpu' in
 * rcu_virt_note_context_switch()").
 */
static inline void khv_rcu_note_guest_entry(void)
{
#ifdef KHV_RCU_NOTE_TAKES_CPU
	rcu_virt_note_context_switch(smp_processor_id());
#else
	rcu_virt_note_context_switch();
#endif
}

#endif /* KHV_COMPAT_H */
