// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the guest's x87/SSE/AVX state.
 *
 * Neither VMRUN nor VMLAUNCH switches the FPU registers or XCR0, so the
 * guest's state is loaded just before every entry and saved just after
 * the exit, inside a kernel_fpu_begin() section: the kernel has then put
 * the launcher's own state aside and restores it on the way back to
 * userspace.  The guest's image is restored and saved whole, every
 * component the host's XCR0 enables, under the host's XCR0; XCR0 holds
 * the guest's value only from just before the entry to just after the
 * exit (XSETBV is intercepted, so the guest cannot change it behind our
 * back).  Saving only what the guest's XCR0 names would lose its SSE
 * registers whenever it has not enabled XSAVE: XCR0 is then 1, x87 only
 * (SDM Vol. 1, 13.3), yet with CR4.OSFXSR the XMM registers and MXCSR
 * are the guest's (Vol. 3A, 13.1.3); and the components left out would
 * keep the host's values while the guest runs.
 */
#include <linux/slab.h>
#include <asm/fpu/api.h>
#include <asm/cpufeature.h>
#include <asm/pkru.h>
#include <asm/processor.h>

#include "khv.h"

#define XCR0_X87	BIT_ULL(0)
#define XCR0_SSE	BIT_ULL(1)
#define XCR0_AVX	BIT_ULL(2)
#define XCR0_BNDREGS	BIT_ULL(3)
#define XCR0_BNDCSR	BIT_ULL(4)
#define XCR0_AVX512	(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))

/* XSTATE_BV: the first field of the XSAVE header (SDM Vol. 1, 13.4.2). */
#define XSAVE_HDR_XSTATE_BV	512

static bool khv_has_xsave;
static u64 khv_host_xcr0;
static unsigned int khv_fpu_size;

static inline u64 khv_xgetbv(u32 index)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return lo | ((u64)hi << 32);
}

static inline void khv_xsetbv_hw(u32 index, u64 value)
{
	asm volatile("xsetbv" : : "a"((u32)value), "d"((u32)(value >> 32)),
		     "c"(index));
}

int khv_fpu_init(void)
{
	unsigned int eax, ebx, ecx, edx;

	khv_has_xsave = boot_cpu_has(X86_FEATURE_OSXSAVE);
	khv_fpu_size = 512;
	if (khv_has_xsave) {
		khv_host_xcr0 = khv_xgetbv(0);
		/* CPUID.(EAX=0DH,ECX=0):ECX = size for every supported
		 * component (SDM Vol. 1, 13.2).
		 */
		cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx);
		khv_fpu_size = max(ecx, 576u);
	}
	return 0;
}

void *khv_fpu_alloc(void)
{
	/* XSAVE areas are 64-byte aligned (SDM Vol. 1, 13.4). */
	u8 *area = kzalloc(ALIGN(khv_fpu_size, 64), GFP_KERNEL_ACCOUNT);

	if (!area)
		return NULL;
	/* FXSAVE layout: FCW at 0, MXCSR at 24 (SDM Vol. 1, Table 10-2). */
	*(u16 *)area = 0x37f;
	*(u32 *)(area + 24) = 0x1f80;
	return area;
}

void khv_fpu_free(void *fpu)
{
	kfree(fpu);
}

void khv_fpu_enter(struct khv_vcpu *vcpu)
{
	kernel_fpu_begin();
	vcpu->host_pkru = read_pkru();
	if (khv_has_xsave) {
		/*
		 * XRSTOR puts a component whose XSTATE_BV bit is clear in its
		 * initial state, and faults on a bit that XCR0 leaves out
		 * (SDM Vol. 1, 13.8.1): the image stays within the host's.
		 */
		*(u64 *)((u8 *)vcpu->fpu + XSAVE_HDR_XSTATE_BV) &= khv_host_xcr0;
		asm volatile("xrstor64 %0" : : "m"(*(u8 *)vcpu->fpu),
			     "a"(-1), "d"(-1) : "memory");
		if (vcpu->xcr0 != khv_host_xcr0)
			khv_xsetbv_hw(0, vcpu->xcr0);
	} else {
		asm volatile("fxrstor64 %0" : : "m"(*(u8 *)vcpu->fpu));
	}
}

void khv_fpu_exit(struct khv_vcpu *vcpu)
{
	if (khv_has_xsave) {
		/*
		 * XSETBV is intercepted, so XCR0 should still be the guest's
		 * as khv set it; but an emulated CPU without the intercept
		 * (QEMU 7.2's software SVM) lets the guest change it directly.
		 * Take what the CPU holds, which it has already validated.
		 */
		vcpu->xcr0 = khv_xgetbv(0);
		if (vcpu->xcr0 != khv_host_xcr0)
			khv_xsetbv_hw(0, khv_host_xcr0);
		asm volatile("xsave64 %0" : "=m"(*(u8 *)vcpu->fpu)
			     : "a"(-1), "d"(-1) : "memory");
		write_pkru(vcpu->host_pkru);
	} else {
		asm volatile("fxsave64 %0" : "=m"(*(u8 *)vcpu->fpu));
	}
	kernel_fpu_end();
}

/*
 * XSETBV on behalf of the guest (SDM Vol. 2, XSETBV): only XCR0 exists,
 * x87 must stay enabled, AVX needs SSE, the MPX and AVX-512 groups go
 * together, and nothing the host does not enable may be set.
 * Returns 0, or -EINVAL when the guest must get #GP.
 */
int khv_xsetbv(struct khv_vcpu *vcpu, u32 index, u64 value)
{
	if (index != 0 || !khv_has_xsave)
		return -EINVAL;
	if (!(value & XCR0_X87) || (value & ~khv_host_xcr0))
		return -EINVAL;
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return -EINVAL;
	if (!!(value & XCR0_BNDREGS) != !!(value & XCR0_BNDCSR))
		return -EINVAL;
	if ((value & XCR0_AVX512) &&
	    ((value & XCR0_AVX512) != XCR0_AVX512 || !(value & XCR0_AVX)))
		return -EINVAL;
	/* The image is the host's shape whatever XCR0 the guest sets. */
	vcpu->xcr0 = value;
	return 0;
}
