// SPDX-License-Identifier: GPL-2.0
/*
 * msr: RDMSR/WRMSR round trips for the MSRs a 64-bit kernel programs,
 * #GP for unknown MSRs and illegal values, and a TSC that counts.
 */
#include "libguest.h"

struct msr_case {
	u32 index;
	const char *name;
	u64 value;
};

/*
 * SYSENTER_ESP/EIP values fit in 32 bits: AMD keeps only the low half
 * (APM Vol. 2 6.1.1).  LSTAR/CSTAR/KERNEL_GS_BASE/FS/GS take canonical
 * addresses.
 */
static const struct msr_case cases[] = {
	{ MSR_STAR, "STAR", 0x0023001000000000ULL },
	{ MSR_LSTAR, "LSTAR", 0xffffffff81234560ULL },
	{ MSR_CSTAR, "CSTAR", 0x00007fffdeadbee0ULL },
	{ MSR_SYSCALL_MASK, "SFMASK", 0x47700 },
	{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", 0xffff888012345678ULL },
	{ MSR_IA32_SYSENTER_CS, "SYSENTER_CS", 0x10 },
	{ MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP", 0x89abcdef },
	{ MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP", 0x76543210 },
	/* PA0-PA3 keep the reset value; PAT bit is never set in our PTEs. */
	{ MSR_IA32_CR_PAT, "PAT", 0x0005010600070406ULL },
	{ MSR_GS_BASE, "GS_BASE", 0x0000123456789000ULL },
};

static u64 fs_target = 0x66735f62617365ULL;

static void check_round_trips(void)
{
	unsigned int i;
	u64 old, v;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct msr_case *c = &cases[i];
		int vec;

		vec = rdmsr_safe(c->index, &old);
		vec = vec == NO_EXCEPTION ? wrmsr_safe(c->index, c->value) : vec;
		v = rdmsr(c->index);
		report(vec == NO_EXCEPTION && v == c->value,
		       "%s (%x) round trip: wrote %lx, read %lx", c->name,
		       c->index, c->value, v);
		wrmsr(c->index, old);
	}

	old = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, old | EFER_SCE);
	v = rdmsr(MSR_EFER);
	report(v == (old | EFER_SCE), "EFER.SCE set: %lx", v);
	wrmsr(MSR_EFER, old & ~EFER_SCE);
	v = rdmsr(MSR_EFER);
	report(v == (old & ~EFER_SCE) && (v & EFER_LMA), "EFER.SCE clear: %lx", v);
	wrmsr(MSR_EFER, old);

	/* FS_BASE must also be the base the CPU uses for %fs: accesses. */
	wrmsr(MSR_FS_BASE, (unsigned long)&fs_target - 0x40);
	asm volatile("mov %%fs:0x40, %0" : "=r"(v));
	report(rdmsr(MSR_FS_BASE) == (unsigned long)&fs_target - 0x40 &&
	       v == fs_target, "FS_BASE round trip and %%fs: load (%lx)", v);
	wrmsr(MSR_FS_BASE, 0);
}

/* The hypervisor signature of CPUID 40000000h is "KVMKVMKVM". */
static bool under_kvm(void)
{
	struct cpuid id = cpuid(0x40000000);

	return id.b == 0x4b4d564b && id.c == 0x564b4d56 && id.d == 0x4d;
}

static void check_faults(void)
{
	u64 v, old;
	int vec;

	vec = rdmsr_safe(0x12345678, &v);
	report(vec == GP_VECTOR, "rdmsr 0x12345678: #GP (vector %d)", vec);
	vec = wrmsr_safe(0x12345678, 0);
	report(vec == GP_VECTOR, "wrmsr 0x12345678: #GP (vector %d)", vec);

	/*
	 * WRMSR of a non-canonical address: SDM Vol. 4 table 2-2, LSTAR.
	 * KVM lets the guest write LSTAR straight to the CPU, so under KVM
	 * this checks the CPU, and the lab's emulated CPU (QEMU TCG) does
	 * not check it: under KVM the check is skipped, not counted.
	 */
	if (under_kvm()) {
		printf("SKIP: non-canonical LSTAR (KVM hands LSTAR to the CPU)\n");
	} else {
		old = rdmsr(MSR_LSTAR);
		vec = wrmsr_safe(MSR_LSTAR, 0x8000000000000000ULL);
		report(vec == GP_VECTOR && rdmsr(MSR_LSTAR) == old,
		       "non-canonical LSTAR: #GP (vector %d), value kept", vec);
	}

	vec = rdmsr_safe(MSR_MTRRCAP, &v);
	report(vec == NO_EXCEPTION, "MTRRcap readable: %lx", v);
}

static void check_tsc(void)
{
	u64 t0, t1, t2;

	t0 = rdtsc();
	t1 = rdmsr(MSR_IA32_TSC);
	t2 = rdtsc();
	report(t0 < t1 && t1 < t2, "TSC increases: %lx < %lx (MSR) < %lx",
	       t0, t1, t2);
}

int main(void)
{
	check_round_trips();
	check_faults();
	check_tsc();
	return report_summary();
}
