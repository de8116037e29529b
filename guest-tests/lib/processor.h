/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single-instruction helpers: port I/O, MSRs, CPUID, TSC, control
 * registers and MMIO.  Each is one instruction the hypervisor must
 * intercept or emulate, so none of them may be split or merged by the
 * compiler: they are all asm volatile.
 */
#ifndef GUEST_PROCESSOR_H
#define GUEST_PROCESSOR_H

#include "types.h"
#include "desc.h"

#define X86_CR0_PE	(1UL << 0)
#define X86_CR0_WP	(1UL << 16)
#define X86_CR0_PG	(1UL << 31)
#define X86_CR4_PAE	(1UL << 5)
#define X86_EFLAGS_IF	(1UL << 9)

#define MSR_IA32_TSC		0x00000010
#define MSR_MTRRCAP		0x000000fe
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 index)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index) : "memory");
	return lo | (u64)hi << 32;
}

static inline void wrmsr(u32 index, u64 val)
{
	asm volatile("wrmsr"
		     : : "c"(index), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
}

/* NO_EXCEPTION, or the vector RDMSR raised (then *val is 0). */
static inline int rdmsr_safe(u32 index, u64 *val)
{
	u32 lo = 0, hi = 0;

	ex_clear();
	asm volatile("1: rdmsr\n2:\n\t" EX_TABLE("1b", "2b")
		     : "+a"(lo), "+d"(hi) : "c"(index) : "memory");
	*val = lo | (u64)hi << 32;
	return exception_vector();
}

static inline int wrmsr_safe(u32 index, u64 val)
{
	ex_clear();
	asm volatile("1: wrmsr\n2:\n\t" EX_TABLE("1b", "2b")
		     : : "c"(index), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
	return exception_vector();
}

struct cpuid {
	u32 a, b, c, d;
};

static inline struct cpuid cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid r;

	asm volatile("cpuid"
		     : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (u64)hi << 32;
}

static inline unsigned long read_cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void write_cr4(unsigned long v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline unsigned long read_flags(void)
{
	unsigned long v;

	asm volatile("pushf; pop %0" : "=r"(v));
	return v;
}

static inline u16 read_cs(void)
{
	u16 v;

	asm volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

static inline void invlpg(const volatile void *va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

/* STI's one-instruction shadow covers the NOP (SDM Vol. 2B, STI). */
static inline void sti_nop_cli(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
}

/*
 * MMIO accessors: exactly one MOV of the given width, through a volatile
 * pointer, so the hypervisor sees one access of that size.
 */
static inline u8 readb(unsigned long addr)
{
	u8 v;

	asm volatile("movb %1, %0" : "=q"(v) : "m"(*(volatile u8 *)addr));
	return v;
}

static inline u16 readw(unsigned long addr)
{
	u16 v;

	asm volatile("movw %1, %0" : "=r"(v) : "m"(*(volatile u16 *)addr));
	return v;
}

static inline u32 readl(unsigned long addr)
{
	u32 v;

	asm volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile u32 *)addr));
	return v;
}

static inline void writeb(unsigned long addr, u8 v)
{
	asm volatile("movb %1, %0"
		     : "=m"(*(volatile u8 *)addr) : "q"(v) : "memory");
}

static inline void writew(unsigned long addr, u16 v)
{
	asm volatile("movw %1, %0"
		     : "=m"(*(volatile u16 *)addr) : "r"(v) : "memory");
}

static inline void writel(unsigned long addr, u32 v)
{
	asm volatile("movl %1, %0"
		     : "=m"(*(volatile u32 *)addr) : "r"(v) : "memory");
}

#ifdef __x86_64__
/* A single 8-byte MOV exists only in 64-bit mode. */
static inline u64 readq(unsigned long addr)
{
	u64 v;

	asm volatile("movq %1, %0" : "=r"(v) : "m"(*(volatile u64 *)addr));
	return v;
}

static inline void writeq(unsigned long addr, u64 v)
{
	asm volatile("movq %1, %0"
		     : "=m"(*(volatile u64 *)addr) : "r"(v) : "memory");
}
#endif

#endif /* GUEST_PROCESSOR_H */
