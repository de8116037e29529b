// SPDX-License-Identifier: GPL-2.0
/*
 * longmode: the library entered long mode with its own 4-level page
 * tables; check that it really is in 64-bit mode, then map a page at a
 * second virtual address and check both addresses reach the same memory,
 * that unmapping and remapping take effect after INVLPG, and that
 * not-present and read-only pages fault with the right error code.
 */
#include "libguest.h"

#define PTE_P		0x001ULL
#define PTE_W		0x002ULL
#define PTE_PS		0x080ULL
#define PF_PRESENT	0x1	/* #PF error code bits, SDM Vol. 3A 5.7 */
#define PF_WRITE	0x2

#define ALIAS_BASE	0x0000008000000000ULL	/* PML4 slot 1 */
#define ALIAS_4K	(ALIAS_BASE + 0x5000)
#define ALIAS_RO	(ALIAS_BASE + 0x6000)
#define ALIAS_2M	(ALIAS_BASE + 0x200000)

static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pd[512] __attribute__((aligned(4096)));
static u64 pt[512] __attribute__((aligned(4096)));
static volatile u64 page_a[512] __attribute__((aligned(4096)));
static volatile u64 page_b[512] __attribute__((aligned(4096)));
static const u64 marker = 0x6c6f6e676d6f6465ULL;

/* Store through a pointer that may fault; returns the vector or -1. */
static int write_try(unsigned long addr, u64 v)
{
	ex_clear();
	asm volatile("1: movq %1, (%0)\n2:\n\t" EX_TABLE("1b", "2b")
		     : : "r"(addr), "r"(v) : "memory");
	return exception_vector();
}

static void check_mode(void)
{
	u64 efer = rdmsr(MSR_EFER);
	u64 hi = 0x123456789ULL, lo = 0xffffffffULL, sum;
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr;
	u64 desc;

	report((efer & EFER_LMA) && (efer & EFER_LME), "EFER = %lx: LME, LMA",
	       efer);
	report((read_cr0() & X86_CR0_PG) && (read_cr4() & X86_CR4_PAE),
	       "CR0.PG and CR4.PAE set");
	/*
	 * Read the descriptor from the GDT rather than with LAR: LAR hangs
	 * under some nested hypervisors, which is not what this test is for.
	 * L is bit 53 of a code descriptor (SDM Vol. 3A 3.4.5).
	 */
	asm("sgdt %0" : "=m"(gdtr));
	desc = *(u64 *)(gdtr.base + (read_cs() & ~7));
	report(read_cs() == KERNEL_CS64 && (desc & (1ULL << 53)),
	       "CS %x has L=1 (descriptor %lx)", read_cs(), desc);
	/* A carry out of bit 31 survives only with 64-bit registers. */
	asm("add %2, %0" : "=r"(sum) : "0"(hi), "r"(lo));
	report(sum == 0x223456788ULL, "64-bit add: %lx", sum);
	report((unsigned long)&sum > 0x400000, "stack at %p", &sum);
}

static void check_alias(void)
{
	u64 *pml4 = (u64 *)(read_cr3() & ~0xfffUL);
	volatile u64 *alias = (volatile u64 *)ALIAS_4K;
	unsigned long image_off = (unsigned long)&marker - 0x400000;
	int vec;

	report(!(pml4[1] & PTE_P), "PML4 slot 1 unused before the test");
	pml4[1] = (unsigned long)pdpt | PTE_P | PTE_W;
	pdpt[0] = (unsigned long)pd | PTE_P | PTE_W;
	pd[0] = (unsigned long)pt | PTE_P | PTE_W;
	pd[1] = 0x400000 | PTE_P | PTE_W | PTE_PS;	/* 2 MiB: the image */
	pt[5] = (unsigned long)page_a | PTE_P | PTE_W;
	pt[6] = (unsigned long)page_a | PTE_P;		/* read-only */

	page_a[7] = 0x1111222233334444ULL;
	report(alias[7] == 0x1111222233334444ULL, "alias reads what the identity map wrote");
	alias[9] = 0x5555666677778888ULL;
	report(page_a[9] == 0x5555666677778888ULL, "identity map reads what the alias wrote");
	report(*(volatile u64 *)(ALIAS_2M + image_off) == marker,
	       "2 MiB alias of the image reads its data");

	/* Remap to another page: INVLPG must drop the old translation. */
	page_b[7] = 0xbbbbbbbbbbbbbbbbULL;
	pt[5] = (unsigned long)page_b | PTE_P | PTE_W;
	invlpg(alias);
	report(alias[7] == 0xbbbbbbbbbbbbbbbbULL, "remapped alias reads the new page");

	pt[5] = 0;
	invlpg(alias);
	vec = write_try(ALIAS_4K + 8, 1);
	report(vec == PF_VECTOR && read_cr2() == ALIAS_4K + 8 &&
	       (ex_error_code & (PF_PRESENT | PF_WRITE)) == PF_WRITE,
	       "write to unmapped alias: #PF (vector %d, cr2 %lx, error %lx)",
	       vec, read_cr2(), ex_error_code);

	/* Supervisor writes to read-only pages fault only with CR0.WP. */
	asm volatile("mov %0, %%cr0" : : "r"(read_cr0() | X86_CR0_WP));
	vec = write_try(ALIAS_RO, 2);
	report(vec == PF_VECTOR && read_cr2() == ALIAS_RO &&
	       (ex_error_code & (PF_PRESENT | PF_WRITE)) == (PF_PRESENT | PF_WRITE),
	       "write to read-only alias with CR0.WP: #PF (vector %d, error %lx)",
	       vec, ex_error_code);
	report(page_a[0] == 0, "faulting write did not reach memory");
	report(*(volatile u64 *)ALIAS_RO == 0 && page_a[9] == 0x5555666677778888ULL,
	       "read-only alias still readable");
}

int main(void)
{
	check_mode();
	check_alias();
	return report_summary();
}
