/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv guest page-table walker: guest linear to guest-physical translation
 * for the instruction emulator.  Pure logic, unit-tested in userspace.
 */
#ifndef _KHV_PAGEWALK_H
#define _KHV_PAGEWALK_H

#include <linux/types.h>

/* Kind of access, for khv_gva_to_gpa(). */
#define KHV_ACC_WRITE		(1u << 0)
#define KHV_ACC_USER		(1u << 1)	/* CPL 3, explicit access */
#define KHV_ACC_FETCH		(1u << 2)
#define KHV_ACC_SMAP_AC		(1u << 3)	/* supervisor with EFLAGS.AC=1 */

/* #PF error code bits (SDM Vol. 3A 4.7). */
#define KHV_PFERR_PRESENT	(1u << 0)
#define KHV_PFERR_WRITE		(1u << 1)
#define KHV_PFERR_USER		(1u << 2)
#define KHV_PFERR_RSVD		(1u << 3)
#define KHV_PFERR_FETCH		(1u << 4)

/* Results of khv_gva_to_gpa() besides 0 and -EFAULT. */
#define KHV_WALK_PF		1	/* inject #PF(*pf_error_code), CR2=gva */
#define KHV_WALK_GP		2	/* non-canonical: inject #GP(0) */

struct khv_walk_regs {
	u64 cr0, cr3, cr4, efer;
	/* Physical-address width for reserved-bit checks; 0 means 52. */
	unsigned int maxphyaddr;
};

/*
 * Translate @gva for an access of kind @access (KHV_ACC_*).  read_gpa
 * reads len (4 or 8) bytes of guest-physical memory and returns 0 or
 * -EFAULT.  Returns 0 with *gpa set, KHV_WALK_PF with *pf_error_code set,
 * KHV_WALK_GP, or -EFAULT when a paging structure is not readable.
 * Accessed and dirty bits are not set (see pagewalk.c).
 */
int khv_gva_to_gpa(const struct khv_walk_regs *r, u64 gva, unsigned int access,
		   int (*read_gpa)(void *opaque, u64 gpa, void *buf,
				   unsigned int len),
		   void *opaque, u64 *gpa, u32 *pf_error_code);

#endif /* _KHV_PAGEWALK_H */
