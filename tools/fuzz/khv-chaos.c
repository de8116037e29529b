// SPDX-License-Identifier: GPL-2.0
/*
 * khv-chaos: random guests in every CPU mode, beside a bystander VM.
 * Runs as root in the lab (scripts/labvm; scripts/chaos-check.sh):
 *
 *   khv-chaos [--seed S] [--count N | --case N] [--ms T] [--exits E]
 *             [--code-len L] [--repeat K] [--set WHAT=VALUE]...
 *             [--probe P] [--idle S] [--no-bystander] [--rmmod]
 *             [--trace] [--dry-run] [--kmsg]
 *
 * Each case creates a VM through /dev/khv with 1-4 MiB of RAM full of
 * random bytes (often salted with I/O, MMIO, HLT, VMMCALL and
 * mode-switching instructions), gives its vCPU a random, mostly valid
 * state of one CPU mode (real mode, 16- or 32-bit protected mode with a
 * GDT in RAM, virtual-8086 mode, long or compatibility mode with page
 * tables in RAM, some entries broken) and runs it for T ms of wall clock
 * (default 150) or E exits (default 400), answering I/O and MMIO reads
 * with random data.  Clean ends: any exit reason Documentation/api.rst
 * documents, or EINTR from the signal that bounds the case.  Failures: an
 * errno the api does not list, a malformed run page, a KHV_RUN that does
 * not return within 5 s of the signals (the vCPU cannot be stopped), a
 * kernel log report during the case, the bystander stalling or computing
 * wrong, and at the end the module's references and VM count not coming
 * back.
 *
 * Everything a case does derives from the seed and the case number, so
 * "--seed S --case N" replays exactly case N (what the guest does before
 * the signal may still vary with timing); --trace prints its state and
 * its exits to stderr, --dry-run only prints it.  To shrink a case:
 * --code-len L keeps only L bytes at the first instruction and fills the
 * rest of the code with HLT, --set overrides part of its state, --repeat
 * runs it again and again.  --probe runs one of the hand-made guests that
 * tell the lab's QEMU flaws apart (Documentation/reliability.rst, "Guest
 * chaos").
 *
 * Output: "PASS: ..." / "FAIL: ..." lines, then "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/khv.h>

#include "check.h"
#include "fuzz_common.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096UL
#define MIB		(1024UL * 1024)

/* How long a KHV_RUN may take once the signals that end it have started. */
#define WEDGE_MS	5000
/* The longest the bystander may go without reporting. */
#define STALL_MS	3000

static bool trace, dry_run;
static int sys_fd = -1, progress_fd = -1;

/*
 * --set WHAT=VALUE: override one part of a case after it is generated
 * (lapic, cr0, cr4, efer, cr3, rflags), to find which part matters.
 */
static struct {
	bool lapic_set, cr0_set, cr4_set, efer_set, cr3_set, rflags_set;
	bool lapic;
	uint64_t cr0, cr4, efer, cr3, rflags;
} force;

/* ---- random numbers: one stream per case, from the seed and the case ---- */

struct rng {
	uint64_t s;
};

/* xorshift64*, as khv-fuzz: the same sequence on every machine. */
static uint64_t rnd(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

/* splitmix64 of seed and case: unrelated streams for neighbouring cases. */
static uint64_t mix(uint64_t seed, uint64_t n, uint64_t salt)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + n * 0xbf58476d1ce4e5b9ULL +
		     salt * 0x94d049bb133111ebULL + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
}

static struct {
	struct khv_cpuid h;
	struct khv_cpuid_entry e[1];
} no_cpuid;

/* ---- the guest: memory layout and CPU state ---- */

enum mode { REAL, PM16, PM32, VM86, LONG64, COMPAT, NR_MODES };
static const char *const mode_name[NR_MODES] = {
	"real", "pm16", "pm32", "vm86", "long", "compat",
};

/*
 * RAM at 0.  The tables live in nine pages at tbl, somewhere in RAM, and
 * random code everywhere else:
 *   tbl + 0000  GDT          tbl + 5000  PD: 2 MiB pages over 0-1 GiB
 *   tbl + 1000  IDT          tbl + 6000  PT: 4 KiB pages over 0-2 MiB
 *   tbl + 2000  TSS          tbl + 7000  32-bit PD: 4 MiB pages
 *   tbl + 3000  PML4         tbl + 8000  PAE PDPT
 *   tbl + 4000  PDPT
 */
#define TBL_PAGES	9

/* GDT selectors. */
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18
#define SEL_CODE16	0x20
#define SEL_DATA16	0x28
#define SEL_TSS		0x30	/* 16 bytes in long mode */
#define SEL_LDT		0x40
#define SEL_CODE32_U	0x4b	/* ring 3 */
#define SEL_DATA_U	0x53
#define GDT_ENTRIES	32

struct chaos_case {
	uint64_t seed, n;
	struct rng rng;		/* the case's state and memory */
	struct rng answers;	/* the data given back to its exits */
	enum mode mode;
	size_t ram_size;
	uint8_t *ram;
	uint64_t tbl;
	uint64_t code_pa;	/* the first instruction's guest physical address */
	bool lapic, rom, salted, broken_state, broken_tables;
	struct khv_regs regs;
	struct khv_sregs sregs;
};

/* I/O ports a PC guest pokes at, and some nobody claims. */
static const uint16_t dev_ports[] = {
	0x20, 0x21, 0x40, 0x43, 0x60, 0x61, 0x64, 0x70, 0x71, 0x80, 0x92,
	0xa0, 0xa1, 0x3f8, 0x3f9, 0x3fd, 0x2f8, 0x3c0, 0x3d4, 0xcf8, 0xcfc,
	0xcfe, 0xe9, 0x402, 0x510, 0x511, 0x604, 0xb000, 0xffff,
};

/* Addresses outside every slot: device windows, holes, the top. */
static uint64_t mmio_addr(struct chaos_case *c)
{
	static const uint64_t addrs[] = {
		0xfee00000, 0xfee000b0, 0xfec00000, 0xfec00010, 0xfed00000,
		0xe0000000, 0xa0000, 0xb8000, 0xfffffff0, 0xc0000000,
		0x80000000,
	};

	switch (below(&c->rng, 3)) {
	case 0:
		return addrs[below(&c->rng, ARRAY_SIZE(addrs))];
	case 1:
		return c->ram_size + below(&c->rng, 4 * MIB);
	default:
		return (uint32_t)rnd(&c->rng);
	}
}

static size_t put(uint8_t *p, const uint8_t *b, size_t n)
{
	memcpy(p, b, n);
	return n;
}

static size_t put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return 4;
}

/*
 * One salting snippet at p (at most 16 bytes): what makes a random
 * guest exit, fault or change mode.  With 32-bit operands in mind; the
 * same bytes decode differently in other modes, which is fine.
 */
static size_t snippet(struct chaos_case *c, uint8_t *p)
{
	uint16_t port = chance(&c->rng, 70) ?
		dev_ports[below(&c->rng, ARRAY_SIZE(dev_ports))] : rnd(&c->rng);
	static const uint8_t io1[] = { 0xe4, 0xe5, 0xe6, 0xe7 };
	static const uint8_t io2[] = { 0xec, 0xed, 0xee, 0xef, 0x6c, 0x6d,
				       0x6e, 0x6f };
	static const uint8_t modesw[][4] = {
		{ 0x0f, 0x22, 0xc0 },	/* mov cr0, eax */
		{ 0x0f, 0x22, 0xe0 },	/* mov cr4, eax */
		{ 0x0f, 0x22, 0xd8 },	/* mov cr3, eax */
		{ 0x0f, 0x01, 0x17 },	/* lgdt [edi] */
		{ 0x0f, 0x01, 0x1f },	/* lidt [edi] */
		{ 0x0f, 0x00, 0xd8 },	/* ltr ax */
		{ 0x0f, 0x00, 0xd0 },	/* lldt ax */
		{ 0x8e, 0xd8 },		/* mov ds, ax */
		{ 0x8e, 0xd0 },		/* mov ss, ax */
		{ 0xcf },		/* iret */
		{ 0xcb },		/* retf */
		{ 0x0f, 0x05 },		/* syscall */
		{ 0x0f, 0x07 },		/* sysret */
		{ 0x0f, 0x34 },		/* sysenter */
		{ 0x0f, 0x35 },		/* sysexit */
		{ 0xcd, 0x0d },		/* int 13 */
		{ 0xcc },		/* int3 */
		{ 0xf1 },		/* int1 */
		{ 0x0f, 0x0b },		/* ud2 */
		{ 0x0f, 0x01, 0xd8 },	/* vmrun */
		{ 0x0f, 0x01, 0xdc },	/* stgi */
		{ 0x0f, 0x01, 0xdd },	/* clgi */
		{ 0x0f, 0x01, 0xf8 },	/* swapgs */
		{ 0x0f, 0x32 },		/* rdmsr */
		{ 0x0f, 0xa2 },		/* cpuid */
		{ 0x0f, 0x09 },		/* wbinvd */
		{ 0x0f, 0x08 },		/* invd */
		{ 0x0f, 0x01, 0xc8 },	/* monitor */
		{ 0x0f, 0x01, 0xc9 },	/* mwait */
		{ 0x0f, 0x01, 0x38 },	/* invlpg [eax] */
		{ 0xfa }, { 0xfb },	/* cli, sti */
		{ 0x0f, 0x23, 0xf8 },	/* mov dr7, eax */
		{ 0x0f, 0x21, 0xc0 },	/* mov eax, dr0 */
	};
	uint8_t *q = p;
	uint64_t a;

	switch (below(&c->rng, 10)) {
	case 0:		/* in/out imm8 */
		*q++ = io1[below(&c->rng, ARRAY_SIZE(io1))];
		*q++ = port;
		break;
	case 1:		/* mov dx, port; in/out/ins/outs, maybe rep */
		if (chance(&c->rng, 50))
			*q++ = 0x66;
		*q++ = 0xba;
		*q++ = port;
		*q++ = port >> 8;
		if (chance(&c->rng, 50))
			*q++ = 0x00;	/* the upper half of a 32-bit imm */
		if (chance(&c->rng, 30))
			*q++ = 0xf3;
		*q++ = io2[below(&c->rng, ARRAY_SIZE(io2))];
		break;
	case 2:		/* mov [abs32], eax / mov eax, [abs32] */
		a = mmio_addr(c);
		if (chance(&c->rng, 30))
			*q++ = 0x67;
		*q++ = chance(&c->rng, 50) ? 0xa3 : 0xa1;
		q += put32(q, a);
		break;
	case 3:		/* the ModRM forms: mov/add/xchg with [abs32] */
		a = mmio_addr(c);
		*q++ = (const uint8_t[]){ 0x89, 0x8b, 0x01, 0x87, 0x88,
					  0x39 }[below(&c->rng, 6)];
		*q++ = 0x04;
		*q++ = 0x25;
		q += put32(q, a);
		break;
	case 4:		/* mov esi/edi, mmio; rep movs/stos/lods */
		a = mmio_addr(c);
		*q++ = chance(&c->rng, 50) ? 0xbe : 0xbf;
		q += put32(q, a);
		if (chance(&c->rng, 50))
			*q++ = 0xf3;
		*q++ = (const uint8_t[]){ 0xa4, 0xa5, 0xaa, 0xab, 0xac,
					  0xad }[below(&c->rng, 6)];
		break;
	case 5:
		*q++ = 0xf4;	/* hlt */
		break;
	case 6:		/* vmmcall (sometimes Intel's vmcall) */
		q += put(q, (const uint8_t[]){ 0x0f, 0x01,
			 chance(&c->rng, 80) ? 0xd9 : 0xc1 }, 3);
		break;
	case 7:		/* mov eax, imm32, then a mode switch */
		*q++ = 0xb8;
		q += put32(q, chance(&c->rng, 50) ? rnd(&c->rng) :
			   (const uint32_t[]){ 0x60000010, 0x11, 0x80000011,
					       0x80000001, 0x20, 0x6f0, 0x10,
					       SEL_DATA, SEL_TSS, 0 }
			   [below(&c->rng, 10)]);
		/* fall through */
	default: {
		const uint8_t *m = modesw[below(&c->rng, ARRAY_SIZE(modesw))];
		size_t len = m[0] == 0x0f ? 3 : 1;

		/*
		 * With EFER.LME set, a guest that clears CR0.PG and then
		 * CR4.PAE wedges the lab at its next exit (fuzz_common.h):
		 * no MOV to CR4 in the long-mode cases.
		 */
		if ((c->mode == LONG64 || c->mode == COMPAT) && m[0] == 0x0f &&
		    m[1] == 0x22 && m[2] == 0xe0)
			m = modesw[0];

		if (m[0] == 0x0f && (m[1] == 0x05 || m[1] == 0x07 ||
				     m[1] == 0x34 || m[1] == 0x35 ||
				     m[1] == 0x0b || m[1] == 0x32 ||
				     m[1] == 0xa2 || m[1] == 0x09 ||
				     m[1] == 0x08))
			len = 2;
		if (m[0] == 0x8e || m[0] == 0xcd)
			len = 2;
		if (m[0] == 0x0f && m[1] == 0x00)
			len = 3;
		q += put(q, m, len);
		break;
	}
	case 8:		/* far jump to a GDT selector */
		*q++ = 0xea;
		q += put32(q, below(&c->rng, c->ram_size));
		*q++ = (const uint8_t[]){ SEL_CODE64, SEL_CODE32, SEL_CODE16,
					  SEL_TSS, SEL_DATA,
					  SEL_CODE32_U }[below(&c->rng, 6)];
		*q++ = 0;
		break;
	}
	return q - p;
}

static bool in_tables(const struct chaos_case *c, uint64_t pa)
{
	return pa >= c->tbl && pa < c->tbl + TBL_PAGES * PAGE;
}

static void fill_code(struct chaos_case *c)
{
	uint64_t i, end = c->ram_size - 16;
	unsigned int density;
	uint64_t *w = (uint64_t *)c->ram;

	for (i = 0; i < c->ram_size / 8; i++)
		w[i] = rnd(&c->rng);
	c->salted = chance(&c->rng, 70);
	if (!c->salted)
		return;
	/* A snippet every 4 to 64 bytes on average. */
	density = 4 << below(&c->rng, 5);
	for (i = below(&c->rng, density); i < end; i += 1 + below(&c->rng, 2 * density)) {
		if (in_tables(c, i) || in_tables(c, i + 15))
			continue;
		i += snippet(c, c->ram + i);
	}
}

/* An 8-byte descriptor (SDM Vol. 3A, 3.4.5). */
static uint64_t desc(uint32_t base, uint32_t limit, unsigned int type,
		     unsigned int s, unsigned int dpl, unsigned int l,
		     unsigned int db, unsigned int g)
{
	return (limit & 0xffffULL) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)type << 40) | ((uint64_t)s << 44) |
	       ((uint64_t)dpl << 45) | (1ULL << 47) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)l << 53) |
	       ((uint64_t)db << 54) | ((uint64_t)g << 55) |
	       ((uint64_t)(base >> 24) << 56);
}

/* The hidden part the CPU would load from a descriptor. */
static void seg_from(struct khv_segment *s, uint16_t sel, uint64_t d)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
	s->limit = (d & 0xffff) | (((d >> 48) & 0xf) << 16);
	s->type = (d >> 40) & 0xf;
	s->s = (d >> 44) & 1;
	s->dpl = (d >> 45) & 3;
	s->present = (d >> 47) & 1;
	s->avl = (d >> 52) & 1;
	s->l = (d >> 53) & 1;
	s->db = (d >> 54) & 1;
	s->g = (d >> 55) & 1;
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
}

static void real_seg(struct khv_segment *s, uint16_t sel, unsigned int type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = (uint64_t)sel << 4;
	s->limit = 0xffff;
	s->type = type;
	s->s = 1;
	s->present = 1;
}

static void put64(struct chaos_case *c, uint64_t pa, uint64_t v)
{
	memcpy(c->ram + pa, &v, 8);
}

static void build_tables(struct chaos_case *c)
{
	uint64_t *gdt = (uint64_t *)(c->ram + c->tbl);
	uint64_t tss = c->tbl + 0x2000, pml4 = c->tbl + 0x3000;
	uint64_t pdpt = c->tbl + 0x4000, pd = c->tbl + 0x5000;
	uint64_t pt = c->tbl + 0x6000, pd32 = c->tbl + 0x7000;
	uint64_t pae = c->tbl + 0x8000;
	unsigned int i, broken;

	memset(c->ram + c->tbl, 0, TBL_PAGES * PAGE);
	gdt[SEL_CODE64 / 8] = desc(0, 0xfffff, 0xb, 1, 0, 1, 0, 1);
	gdt[SEL_DATA / 8] = desc(0, 0xfffff, 0x3, 1, 0, 0, 1, 1);
	gdt[SEL_CODE32 / 8] = desc(0, 0xfffff, 0xb, 1, 0, 0, 1, 1);
	gdt[SEL_CODE16 / 8] = desc(0, 0xffff, 0xb, 1, 0, 0, 0, 0);
	gdt[SEL_DATA16 / 8] = desc(0, 0xffff, 0x3, 1, 0, 0, 0, 0);
	gdt[SEL_TSS / 8] = desc(tss, 0x67, 0xb, 0, 0, 0, 0, 0);
	gdt[SEL_LDT / 8] = desc(c->tbl, 0xff, 0x2, 0, 0, 0, 0, 0);
	gdt[SEL_CODE32_U / 8] = desc(0, 0xfffff, 0xb, 1, 3, 0, 1, 1);
	gdt[SEL_DATA_U / 8] = desc(0, 0xfffff, 0x3, 1, 3, 0, 1, 1);
	/* Call gates, random descriptors, random bases. */
	for (i = 12; i < GDT_ENTRIES; i++)
		gdt[i] = chance(&c->rng, 50) ? rnd(&c->rng) :
			 desc(below(&c->rng, c->ram_size), rnd(&c->rng),
			      below(&c->rng, 16), below(&c->rng, 2),
			      below(&c->rng, 4), below(&c->rng, 2),
			      below(&c->rng, 2), below(&c->rng, 2));
	/* The IDT: random gates, some aimed into RAM with a real selector. */
	for (i = 0; i < 256; i++) {
		uint64_t off = below(&c->rng, c->ram_size);
		uint64_t sel = (const uint16_t[]){ SEL_CODE64, SEL_CODE32,
						   SEL_CODE16 }[below(&c->rng, 3)];
		uint64_t g = (off & 0xffff) | (sel << 16) |
			     ((uint64_t)(chance(&c->rng, 80) ? 0x8e : 0x8f) << 40) |
			     ((off >> 16) << 48);

		if (chance(&c->rng, 20))
			g = rnd(&c->rng);
		put64(c, c->tbl + 0x1000 + i * 16, g);
		put64(c, c->tbl + 0x1000 + i * 16 + 8, chance(&c->rng, 90) ? 0 : rnd(&c->rng));
	}
	/* The real-mode IVT at 0 stays random: it is code too. */
	for (i = 0; i < 0x68; i += 8)
		put64(c, tss + i, rnd(&c->rng));

	/* 4-level paging (SDM Vol. 3A, 4.5): identity over 0-1 GiB. */
	put64(c, pml4, pdpt | 0x7);
	put64(c, pml4 + 511 * 8, pdpt | 0x7);	/* and at -512 GiB */
	put64(c, pdpt, pd | 0x7);
	put64(c, pdpt + 510 * 8, pd | 0x7);	/* -2 GiB: a kernel's place */
	put64(c, pd, pt | 0x7);
	for (i = 1; i < 512; i++)
		put64(c, pd + i * 8, (i * 2 * MIB) | 0x87);
	for (i = 0; i < 512; i++)
		put64(c, pt + i * 8, (i * PAGE) | 0x7);
	/* 32-bit paging with 4 MiB pages (SDM Vol. 3A, 4.3). */
	for (i = 0; i < 1024; i++) {
		uint32_t e = (i << 22) | 0x87;

		memcpy(c->ram + pd32 + i * 4, &e, 4);
	}
	/* PAE (SDM Vol. 3A, 4.4): the first GiB, the rest not present. */
	put64(c, pae, pd | 0x1);

	/* Some broken: reserved bits, not present, tables outside RAM. */
	c->broken_tables = chance(&c->rng, 30);
	if (!c->broken_tables)
		return;
	for (broken = 1 + below(&c->rng, 8); broken; broken--) {
		static const uint64_t bad[] = {
			0, 1ULL << 51, 0x1fe000, 1ULL << 63, 0xfee00000 | 7,
			0x7fff0000000ULL | 7, 0x40000000 | 0x87, 0x2000 | 0x80,
		};
		uint64_t v = bad[below(&c->rng, ARRAY_SIZE(bad))];
		uint64_t where[] = { pml4, pdpt, pd, pt, pd32, pae };
		uint64_t t = where[below(&c->rng, ARRAY_SIZE(where))];
		unsigned int idx = below(&c->rng, 4) ? below(&c->rng, 4) :
				   below(&c->rng, 512);

		if (t == pd32) {
			uint32_t e = v;

			memcpy(c->ram + t + idx * 4, &e, 4);
		} else {
			uint64_t old;

			memcpy(&old, c->ram + t + idx * 8, 8);
			put64(c, t + idx * 8, chance(&c->rng, 50) ? (old | v) : v);
		}
	}
}

/* GPRs: small numbers, addresses in RAM, edges and noise. */
static uint64_t rnd_gpr(struct chaos_case *c)
{
	switch (below(&c->rng, 5)) {
	case 0:
		return below(&c->rng, 0x100);
	case 1:
		return below(&c->rng, c->ram_size);
	case 2:
		return mmio_addr(c);
	case 3:
		/*
		 * Not 0xc0000080: a WRMSR of EFER.LME with paging off wedges
		 * the lab (fuzz_common.h).
		 */
		return (const uint64_t[]){ 0, 0xffffffff, ~0ULL, 0xc0000081,
					   0x80000000, 1ULL << 47 }[below(&c->rng, 6)];
	default:
		return rnd(&c->rng);
	}
}

/* The code start: in RAM, not in the tables, away from the end. */
static uint64_t code_start(struct chaos_case *c, uint64_t limit)
{
	uint64_t pa;

	do
		pa = below(&c->rng, limit - 64);
	while (in_tables(c, pa) || in_tables(c, pa + 63));
	return pa;
}

static void set_state(struct chaos_case *c)
{
	struct khv_sregs *s = &c->sregs;
	struct khv_regs *r = &c->regs;
	uint64_t *gdt = (uint64_t *)(c->ram + c->tbl);
	uint64_t pa;

	r->rax = rnd_gpr(c); r->rbx = rnd_gpr(c); r->rcx = rnd_gpr(c);
	r->rdx = rnd_gpr(c); r->rsi = rnd_gpr(c); r->rdi = rnd_gpr(c);
	r->rbp = rnd_gpr(c); r->r8 = rnd_gpr(c); r->r9 = rnd_gpr(c);
	r->r10 = rnd_gpr(c); r->r11 = rnd_gpr(c); r->r12 = rnd_gpr(c);
	r->r13 = rnd_gpr(c); r->r14 = rnd_gpr(c); r->r15 = rnd_gpr(c);
	r->rsp = below(&c->rng, c->ram_size) & ~3ULL;
	/* IF, DF, sometimes TF, AC, NT, RF; bit 1 always. */
	r->rflags = 2 | (chance(&c->rng, 60) ? 0x200 : 0) |
		    (chance(&c->rng, 10) ? 0x400 : 0) |
		    (chance(&c->rng, 3) ? 0x100 : 0) |
		    (chance(&c->rng, 5) ? 0x40000 : 0) |
		    (chance(&c->rng, 5) ? 0x4000 : 0) |
		    (chance(&c->rng, 5) ? 0x10000 : 0);

	s->gdt.base = c->tbl;
	s->gdt.limit = GDT_ENTRIES * 8 - 1;
	s->idt.base = c->tbl + 0x1000;
	s->idt.limit = 0xfff;
	s->cr0 = 0x60000010;
	s->cr4 = 0;
	s->efer = 0;
	s->apic_base = 0xfee00900;
	s->cr8 = chance(&c->rng, 80) ? 0 : below(&c->rng, 16);
	seg_from(&s->tr, SEL_TSS, gdt[SEL_TSS / 8]);
	seg_from(&s->ldt, SEL_LDT, gdt[SEL_LDT / 8]);
	s->ldt.type = 2;

	switch (c->mode) {
	case REAL:
	case VM86: {
		uint16_t cs;

		pa = code_start(c, c->ram_size);
		/* CS:IP with CS*16 + IP = pa and IP below 64 KiB. */
		cs = (pa >> 4) - below(&c->rng, (pa >> 4) < 0xfff ? (pa >> 4) + 1 : 0xfff);
		real_seg(&s->cs, cs, 0xb);
		r->rip = pa - ((uint64_t)cs << 4);
		real_seg(&s->ss, below(&c->rng, c->ram_size >> 4), 3);
		r->rsp &= 0xfffe;
		real_seg(&s->ds, below(&c->rng, c->ram_size >> 4), 3);
		real_seg(&s->es, rnd(&c->rng), 3);
		real_seg(&s->fs, rnd(&c->rng), 3);
		real_seg(&s->gs, 0, 3);
		if (c->mode == REAL) {
			if (chance(&c->rng, 30))
				s->ds.limit = 0xffffffff;	/* "unreal" */
			break;
		}
		/* Virtual-8086 mode (SDM Vol. 3A, 20.2): PE, RFLAGS.VM, DPL 3. */
		s->cr0 |= 0x1;
		r->rflags |= 0x20000 | (below(&c->rng, 4) << 12);
		s->cs.dpl = s->ss.dpl = s->ds.dpl = s->es.dpl = 3;
		s->fs.dpl = s->gs.dpl = 3;
		s->cs.type = s->ss.type = 3;
		if (chance(&c->rng, 50))
			s->cr4 |= 0x1;	/* VME */
		break;
	}
	case PM16:
	case PM32: {
		bool p32 = c->mode == PM32;
		bool user = p32 && chance(&c->rng, 15);

		s->cr0 |= 0x1 | (chance(&c->rng, 50) ? 0x10000 : 0) |
			  (chance(&c->rng, 50) ? 0x20 : 0);
		if (p32) {
			seg_from(&s->cs, user ? SEL_CODE32_U : SEL_CODE32,
				 gdt[(user ? SEL_CODE32_U : SEL_CODE32) / 8]);
			seg_from(&s->ss, user ? SEL_DATA_U : SEL_DATA,
				 gdt[(user ? SEL_DATA_U : SEL_DATA) / 8]);
			seg_from(&s->ds, SEL_DATA, gdt[SEL_DATA / 8]);
			pa = code_start(c, c->ram_size);
			r->rip = pa;
			if (chance(&c->rng, 40)) {
				/* Paging: 32-bit with 4 MiB pages, or PAE. */
				s->cr0 |= CR0_PG;
				if (chance(&c->rng, 50)) {
					s->cr4 |= 0x10;	/* PSE */
					s->cr3 = c->tbl + 0x7000;
				} else {
					s->cr4 |= 0x20;	/* PAE */
					s->cr3 = c->tbl + 0x8000;
				}
			}
		} else {
			uint64_t base = code_start(c, c->ram_size) & ~0xfULL;

			gdt[SEL_CODE16 / 8] = desc(base, 0xffff, 0xb, 1, 0, 0, 0, 0);
			seg_from(&s->cs, SEL_CODE16, gdt[SEL_CODE16 / 8]);
			seg_from(&s->ss, SEL_DATA16, gdt[SEL_DATA16 / 8]);
			seg_from(&s->ds, SEL_DATA16, gdt[SEL_DATA16 / 8]);
			r->rip = below(&c->rng, 0x10000 - 64);
			if (base + r->rip >= c->ram_size - 64)
				r->rip = 0;
			pa = base + r->rip;
			r->rsp &= 0xfffe;
		}
		s->es = s->fs = s->gs = s->ds;
		break;
	}
	case LONG64:
	case COMPAT: {
		bool high = c->mode == LONG64 && chance(&c->rng, 20);

		/* Long mode (SDM Vol. 3A, 9.8.5): PG, PE, PAE, LME and LMA. */
		s->cr0 = 0x80000011 | (chance(&c->rng, 50) ? 0x10000 : 0) |
			 (chance(&c->rng, 50) ? 0x20 : 0);
		s->cr4 = 0x20 | (chance(&c->rng, 50) ? 0x80 : 0) |
			 (chance(&c->rng, 50) ? 0x600 : 0) |
			 (chance(&c->rng, 10) ? 0x100000 : 0);	/* SMEP */
		s->efer = EFER_LME | EFER_LMA | (chance(&c->rng, 50) ? 1 : 0) |
			  (chance(&c->rng, 50) ? 0x800 : 0);
		s->cr3 = c->tbl + 0x3000;
		if (c->mode == LONG64)
			seg_from(&s->cs, SEL_CODE64, gdt[SEL_CODE64 / 8]);
		else
			seg_from(&s->cs, SEL_CODE32, gdt[SEL_CODE32 / 8]);
		seg_from(&s->ss, SEL_DATA, gdt[SEL_DATA / 8]);
		seg_from(&s->ds, SEL_DATA, gdt[SEL_DATA / 8]);
		s->es = s->fs = s->gs = s->ds;
		s->tr.type = 0xb;	/* a busy 64-bit TSS */
		/* The code must sit in the first GiB, mapped 1:1. */
		pa = code_start(c, c->ram_size);
		r->rip = pa;
		if (high) {
			r->rip += 0xffffffff80000000ULL;
			r->rsp += 0xffffffff80000000ULL;
		}
		break;
	}
	default:
		pa = 0;
	}
	c->code_pa = pa;

	/* Mostly valid: now and then one thing is broken. */
	c->broken_state = chance(&c->rng, 15);
	if (c->broken_state) {
		struct khv_segment *segs[] = { &s->cs, &s->ss, &s->ds, &s->tr,
					       &s->ldt, &s->fs };
		struct khv_segment *g = segs[below(&c->rng, ARRAY_SIZE(segs))];

		switch (below(&c->rng, 8)) {
		case 0:
			s->cr0 ^= 1ULL << below(&c->rng, 32);
			break;
		case 1:
			s->cr4 ^= 1ULL << below(&c->rng, 24);
			break;
		case 2:
			s->efer ^= 1ULL << below(&c->rng, 16);
			break;
		case 3:
			r->rflags ^= 1ULL << below(&c->rng, 22);
			break;
		case 4:
			g->type = below(&c->rng, 16);
			g->s = below(&c->rng, 2);
			break;
		case 5:
			g->dpl = below(&c->rng, 4);
			g->l = below(&c->rng, 2);
			g->db = below(&c->rng, 2);
			break;
		case 6:
			g->present = 0;
			g->unusable = chance(&c->rng, 50);
			break;
		default:
			s->cr3 = rnd_gpr(c) & ~0xfffULL;
			break;
		}
	}
	/*
	 * Keep out of what the lab's QEMU cannot run (fuzz_common.h), and
	 * say which state it was if the rule changed it.
	 */
	s->efer = lab_safe_efer(s->efer, s->cr0);
	lab_safe_tr(&s->tr, s->efer);
}

/* --code-len L: only L bytes at the first instruction stay code. */
static void shrink_code(struct chaos_case *c, long code_len)
{
	uint64_t i;

	if (code_len < 0)
		return;
	for (i = 0; i < c->ram_size; i++)
		if (!in_tables(c, i) &&
		    (i < c->code_pa || i >= c->code_pa + (uint64_t)code_len))
			c->ram[i] = 0xf4;
}

static void trace_seg(const char *n, const struct khv_segment *g)
{
	fprintf(stderr, " %s=%04x/%llx/%x/t%x p%u d%u s%u l%u db%u g%u u%u", n,
		g->selector, (unsigned long long)g->base, g->limit, g->type,
		g->present, g->dpl, g->s, g->l, g->db, g->g, g->unusable);
}

static void trace_case(const struct chaos_case *c)
{
	const struct khv_sregs *s = &c->sregs;
	const struct khv_regs *r = &c->regs;
	unsigned int i;

	fprintf(stderr, "case %llu (seed %llu): %s, %zu MiB RAM, tables at %llx%s%s%s%s%s\n",
		(unsigned long long)c->n, (unsigned long long)c->seed,
		mode_name[c->mode], c->ram_size / MIB,
		(unsigned long long)c->tbl, c->salted ? ", salted" : "",
		c->lapic ? ", lapic" : "", c->rom ? ", rom" : "",
		c->broken_state ? ", broken state" : "",
		c->broken_tables ? ", broken tables" : "");
	fprintf(stderr, "  rip %llx rflags %llx rsp %llx rax %llx rcx %llx rdx %llx rsi %llx rdi %llx\n",
		(unsigned long long)r->rip, (unsigned long long)r->rflags,
		(unsigned long long)r->rsp, (unsigned long long)r->rax,
		(unsigned long long)r->rcx, (unsigned long long)r->rdx,
		(unsigned long long)r->rsi, (unsigned long long)r->rdi);
	fprintf(stderr, "  cr0 %llx cr3 %llx cr4 %llx efer %llx cr8 %llx\n ",
		(unsigned long long)s->cr0, (unsigned long long)s->cr3,
		(unsigned long long)s->cr4, (unsigned long long)s->efer,
		(unsigned long long)s->cr8);
	trace_seg("cs", &s->cs);
	trace_seg("ss", &s->ss);
	trace_seg("ds", &s->ds);
	fprintf(stderr, "\n ");
	trace_seg("es", &s->es);
	trace_seg("tr", &s->tr);
	fprintf(stderr, " gdt %llx/%x idt %llx/%x\n",
		(unsigned long long)s->gdt.base, s->gdt.limit,
		(unsigned long long)s->idt.base, s->idt.limit);
	fprintf(stderr, "  code at %llx:", (unsigned long long)c->code_pa);
	for (i = 0; i < 32 && c->code_pa + i < c->ram_size; i++)
		fprintf(stderr, " %02x", c->ram[c->code_pa + i]);
	fprintf(stderr, "\n");
}

/* ---- running a case, and the watchdog that bounds it ---- */

static pthread_t main_thread;
/* When the current KHV_RUN must end (ns, 0: none running). */
static _Atomic uint64_t run_deadline;
static _Atomic uint64_t run_started;
static _Atomic uint64_t case_now;
static _Atomic bool wedge_reported;
static _Atomic bool done;

static unsigned long nr_runs, nr_exits[16], nr_eintr, nr_other_errno;
static unsigned long bad_errno, bad_page, wedges;

static bool run_page_ok(const struct khv_run *run)
{
	switch (run->exit_reason) {
	case KHV_EXIT_IO:
		return run->io.direction <= KHV_EXIT_IO_OUT &&
		       (run->io.size == 1 || run->io.size == 2 ||
			run->io.size == 4) && run->io.count >= 1 &&
		       run->io.data_offset >= sizeof(*run) &&
		       run->io.data_offset + (uint64_t)run->io.count * run->io.size <= PAGE;
	case KHV_EXIT_MMIO:
		return run->mmio.len == 1 || run->mmio.len == 2 ||
		       run->mmio.len == 4 || run->mmio.len == 8;
	case KHV_EXIT_FAIL_ENTRY:
		return memchr(run->fail_entry.description, 0,
			      sizeof(run->fail_entry.description)) &&
		       run->fail_entry.description[0];
	case KHV_EXIT_INTERNAL_ERROR:
		return run->internal.ndata <= 16 &&
		       run->internal.suberror >= KHV_INTERNAL_UNKNOWN_EXIT &&
		       run->internal.suberror <= KHV_INTERNAL_BAD_GUEST_STATE;
	case KHV_EXIT_HLT:
	case KHV_EXIT_HYPERCALL:
	case KHV_EXIT_SHUTDOWN:
	case KHV_EXIT_EOI:
		return true;
	default:
		return false;
	}
}

static void fill(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--)
		*p++ = rnd(r);
}

/*
 * Build case n and run it.  Returns false when it failed (the reason is
 * printed).
 */
static bool run_case(uint64_t seed, uint64_t n, unsigned int ms,
		     unsigned int max_exits, long code_len)
{
	struct chaos_case c = { .seed = seed, .n = n };
	struct khv_memory_region mr = { 0 };
	struct khv_run *run = MAP_FAILED;
	int vm = -1, vcpu = -1, found;
	bool ok = true, end = false;
	unsigned int exits = 0;
	uint64_t deadline;
	const char *why = NULL;

	c.rng.s = mix(seed, n, 1);
	c.answers.s = mix(seed, n, 2);
	c.mode = below(&c.rng, NR_MODES);
	c.ram_size = (const size_t[]){ 1, 2, 4 }[below(&c.rng, 3)] * MIB;
	c.lapic = chance(&c.rng, 30);
	c.rom = chance(&c.rng, 30);
	c.ram = mmap(NULL, c.ram_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c.ram == MAP_FAILED) {
		printf("FAIL: case %llu: mmap of %zu bytes: %s\n",
		       (unsigned long long)n, c.ram_size, strerror(errno));
		return false;
	}
	c.tbl = (PAGE + below(&c.rng, c.ram_size - (TBL_PAGES + 2) * PAGE)) & ~(PAGE - 1);
	fill_code(&c);
	build_tables(&c);
	set_state(&c);
	shrink_code(&c, code_len);
	if (force.lapic_set)
		c.lapic = force.lapic;
	if (force.cr0_set)
		c.sregs.cr0 = force.cr0;
	if (force.cr4_set)
		c.sregs.cr4 = force.cr4;
	if (force.efer_set)
		c.sregs.efer = force.efer;
	if (force.cr3_set)
		c.sregs.cr3 = force.cr3;
	if (force.rflags_set)
		c.regs.rflags = force.rflags;
	if (trace)
		trace_case(&c);
	if (dry_run) {
		uint32_t pde;
		uint64_t e;

		memcpy(&pde, c.ram + c.tbl + 0x7000 + (c.code_pa >> 22) * 4, 4);
		memcpy(&e, c.ram + c.tbl + 0x5000 + ((c.code_pa >> 21) & 511) * 8, 8);
		fprintf(stderr, "  32-bit PDE for the code %08x, PAE/long PDE %016llx\n",
			pde, (unsigned long long)e);
		munmap(c.ram, c.ram_size);
		return true;
	}

	atomic_store(&case_now, n);
	/*
	 * --kmsg: name the case in the kernel log first.  When the lab's
	 * QEMU wedges a CPU (reliability.rst, "Guest chaos"), the other CPU
	 * soon waits for it too and no process output reaches the console
	 * any more, but the kernel's own messages still do.
	 */
	if (progress_fd >= 0) {
		char line[96];
		int len = snprintf(line, sizeof(line),
				   "<3>khv-chaos: seed %llu case %llu (%s)\n",
				   (unsigned long long)seed,
				   (unsigned long long)n, mode_name[c.mode]);

		/* One write() is one record of the kernel log. */
		if (write(progress_fd, line, len) != len) {
			fprintf(stderr, "khv-chaos: --kmsg: %s\n", strerror(errno));
			close(progress_fd);
			progress_fd = -1;
		}
	}
	vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (vm < 0) {
		why = "KHV_CREATE_VM";
		goto fail_errno;
	}
	if (c.lapic && ioctl(vm, KHV_CREATE_LAPIC, 0)) {
		why = "KHV_CREATE_LAPIC";
		goto fail_errno;
	}
	mr.memory_size = c.ram_size;
	mr.userspace_addr = (unsigned long)c.ram;
	if (ioctl(vm, KHV_SET_MEMORY_REGION, &mr)) {
		why = "KHV_SET_MEMORY_REGION";
		goto fail_errno;
	}
	/* The last 64 KiB of RAM again, read-only, below 4 GiB: a ROM. */
	if (c.rom) {
		mr.slot = 1;
		mr.flags = KHV_MEM_READONLY;
		mr.guest_phys_addr = 0xffff0000;
		mr.memory_size = 0x10000;
		mr.userspace_addr = (unsigned long)c.ram + c.ram_size - 0x10000;
		if (ioctl(vm, KHV_SET_MEMORY_REGION, &mr)) {
			why = "KHV_SET_MEMORY_REGION (read-only)";
			goto fail_errno;
		}
	}
	vcpu = ioctl(vm, KHV_CREATE_VCPU, 0);
	if (vcpu < 0) {
		why = "KHV_CREATE_VCPU";
		goto fail_errno;
	}
	run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		why = "mmap of the run page";
		goto fail_errno;
	}
	if (ioctl(vcpu, KHV_SET_CPUID, &no_cpuid)) {
		why = "KHV_SET_CPUID";
		goto fail_errno;
	}
	if (ioctl(vcpu, KHV_SET_SREGS, &c.sregs)) {
		why = "KHV_SET_SREGS";
		goto fail_errno;
	}
	if (ioctl(vcpu, KHV_SET_REGS, &c.regs)) {
		why = "KHV_SET_REGS";
		goto fail_errno;
	}

	deadline = now_ns() + ms * 1000000ULL;
	while (!end && exits < max_exits) {
		long ret;

		atomic_store(&run_started, now_ns());
		atomic_store(&run_deadline, deadline);
		ret = ioctl(vcpu, KHV_RUN, 0);
		atomic_store(&run_deadline, 0);
		nr_runs++;
		if (ret < 0) {
			int e = errno;

			if (e == EINTR) {
				nr_eintr++;
				if (trace) {
					struct khv_regs r;
					struct khv_sregs sr;

					ioctl(vcpu, KHV_GET_REGS, &r);
					ioctl(vcpu, KHV_GET_SREGS, &sr);
					fprintf(stderr, "  -> EINTR after %llu exits in all: rip %llx rsp %llx rflags %llx cr0 %llx cr2 %llx cr4 %llx efer %llx cs %x\n",
						(unsigned long long)run->exit_count,
						(unsigned long long)r.rip,
						(unsigned long long)r.rsp,
						(unsigned long long)r.rflags,
						(unsigned long long)sr.cr0,
						(unsigned long long)sr.cr2,
						(unsigned long long)sr.cr4,
						(unsigned long long)sr.efer,
						sr.cs.selector);
				}
				if (now_ns() >= deadline)
					break;
				continue;
			}
			/* Documented, but the slots here are all good memory. */
			if (e == EFAULT || e == ENOMEM) {
				nr_other_errno++;
				if (trace)
					fprintf(stderr, "  -> %s\n", strerrorname_np(e));
				break;
			}
			bad_errno++;
			printf("FAIL: case %llu (seed %llu, %s): KHV_RUN failed with %s, which api.rst does not list here\n",
			       (unsigned long long)n, (unsigned long long)seed,
			       mode_name[c.mode], strerrorname_np(e) ?: "?");
			ok = false;
			break;
		}
		exits++;
		if (!run_page_ok(run)) {
			bad_page++;
			printf("FAIL: case %llu (seed %llu, %s): malformed run page, exit_reason %u\n",
			       (unsigned long long)n, (unsigned long long)seed,
			       mode_name[c.mode], run->exit_reason);
			ok = false;
			break;
		}
		nr_exits[run->exit_reason & 15]++;
		if (trace) {
			struct khv_regs r;

			ioctl(vcpu, KHV_GET_REGS, &r);
			fprintf(stderr, "  -> exit %u rip %llx", run->exit_reason,
				(unsigned long long)r.rip);
			if (run->exit_reason == KHV_EXIT_IO)
				fprintf(stderr, " io %s port %x size %u count %u",
					run->io.direction ? "out" : "in",
					run->io.port, run->io.size, run->io.count);
			else if (run->exit_reason == KHV_EXIT_MMIO)
				fprintf(stderr, " mmio %s %llx len %u",
					run->mmio.is_write ? "write" : "read",
					(unsigned long long)run->mmio.phys_addr,
					run->mmio.len);
			else if (run->exit_reason == KHV_EXIT_FAIL_ENTRY)
				fprintf(stderr, " %s", run->fail_entry.description);
			else if (run->exit_reason == KHV_EXIT_INTERNAL_ERROR)
				fprintf(stderr, " suberror %u", run->internal.suberror);
			fprintf(stderr, "\n");
		}
		switch (run->exit_reason) {
		case KHV_EXIT_IO:
			if (run->io.direction == KHV_EXIT_IO_IN)
				fill(&c.answers, (uint8_t *)run + run->io.data_offset,
				     run->io.count * run->io.size);
			break;
		case KHV_EXIT_MMIO:
			if (!run->mmio.is_write)
				fill(&c.answers, run->mmio.data, 8);
			break;
		case KHV_EXIT_HYPERCALL:
			run->hypercall.ret = rnd(&c.answers);
			break;
		case KHV_EXIT_HLT:
		case KHV_EXIT_EOI:
			break;
		default:	/* shutdown, failed entry, internal error */
			end = true;
		}
		if (now_ns() >= deadline)
			break;
	}
	goto out;

fail_errno:
	printf("FAIL: case %llu (seed %llu): %s: %s\n", (unsigned long long)n,
	       (unsigned long long)seed, why, strerror(errno));
	ok = false;
out:
	if (run != MAP_FAILED)
		munmap(run, PAGE);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	munmap(c.ram, c.ram_size);
	/* The kernel log, case by case: a stall names the case behind it. */
	found = fuzz_kmsg_scan(5);
	if (found > 0) {
		printf("FAIL: case %llu (seed %llu, %s): %d kernel log reports (replay: khv-chaos --seed %llu --case %llu --trace)\n",
		       (unsigned long long)n, (unsigned long long)seed,
		       mode_name[c.mode], found, (unsigned long long)seed,
		       (unsigned long long)n);
		ok = false;
	}
	fflush(stdout);
	return ok;
}

/*
 * With two CPUs or more, the cases run on the last one and the bystander
 * and the watchdog on CPU 0: a wedged CPU must not hold the thread (or
 * the sleep timer) that reports it, and the bystander shows that the
 * other CPUs go on.
 */
static int nr_cpus;

static void pin(pthread_t t, int cpu)
{
	cpu_set_t set;

	if (nr_cpus < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

/* ---- the bystander: a VM that counts, whatever the others do ---- */

/*
 * Real mode, at 1000h:
 *	xor eax, eax; xor ebx, ebx
 * 1:	inc eax; add ebx, eax
 *	out 10h, eax; xchg eax, ebx; out 11h, eax; xchg eax, ebx
 *	mov cx, 1000; 2: loop 2b
 *	jmp 1b
 * Port 10h reports n, port 11h n(n+1)/2: each report checks the last.
 */
static const uint8_t bystander_code[] = {
	0x66, 0x31, 0xc0, 0x66, 0x31, 0xdb,
	0x66, 0x40, 0x66, 0x01, 0xc3,
	0x66, 0xe7, 0x10, 0x66, 0x93, 0x66, 0xe7, 0x11, 0x66, 0x93,
	0xb9, 0xe8, 0x03, 0xe2, 0xfe,
	0xeb, 0xea,
};

static struct {
	pthread_t thread;
	_Atomic uint64_t reports;
	_Atomic uint64_t last_ns;	/* the last report */
	_Atomic uint64_t max_gap_ns;
	_Atomic uint64_t gap_case;	/* the case running at the longest gap */
	unsigned long wrong, anomalies;
	char error[320];
} by;

static void *bystander(void *arg)
{
	struct khv_memory_region mr = { .memory_size = 64 * 1024 };
	struct khv_regs r = { .rip = 0x1000, .rflags = 2 };
	struct khv_sregs s;
	struct khv_run *run;
	uint32_t n = 0, expect_n = 1, sum = 0;
	uint8_t *ram;
	int vm, vcpu;
	sigset_t set;

	(void)arg;
	pin(pthread_self(), 0);
	/* Only the main thread takes the case's signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	ram = mmap(NULL, mr.memory_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(ram, 0xf4, mr.memory_size);
	memcpy(ram + 0x1000, bystander_code, sizeof(bystander_code));
	mr.userspace_addr = (unsigned long)ram;
	vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KHV_SET_MEMORY_REGION, &mr) ||
	    (vcpu = ioctl(vm, KHV_CREATE_VCPU, 0)) < 0 ||
	    (run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
			0)) == MAP_FAILED ||
	    ioctl(vcpu, KHV_SET_CPUID, &no_cpuid) ||
	    ioctl(vcpu, KHV_GET_SREGS, &s)) {
		snprintf(by.error, sizeof(by.error), "setting up: %s", strerror(errno));
		return NULL;
	}
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(vcpu, KHV_SET_SREGS, &s) || ioctl(vcpu, KHV_SET_REGS, &r)) {
		snprintf(by.error, sizeof(by.error), "setting up: %s", strerror(errno));
		return NULL;
	}
	atomic_store(&by.last_ns, now_ns());
	while (!atomic_load(&done)) {
		uint32_t v;

		if (ioctl(vcpu, KHV_RUN, 0)) {
			if (errno == EINTR)
				continue;
			snprintf(by.error, sizeof(by.error), "KHV_RUN: %s",
				 strerror(errno));
			break;
		}
		if (run->exit_reason != KHV_EXIT_IO || run->io.size != 4 ||
		    run->io.direction != KHV_EXIT_IO_OUT) {
			struct khv_regs g;

			/*
			 * Say where it went and start it again: how often
			 * this happens matters as much as that it did.
			 */
			size_t k, changed = 0, first_changed = 0;

			ioctl(vcpu, KHV_GET_REGS, &g);
			ioctl(vcpu, KHV_GET_SREGS, &s);
			/* Did anything write to its memory? */
			for (k = 0; k < mr.memory_size; k++) {
				uint8_t want = k >= 0x1000 && k < 0x1000 + sizeof(bystander_code) ?
					       bystander_code[k - 0x1000] : 0xf4;

				if (ram[k] != want && !changed++)
					first_changed = k;
			}
			printf("khv-chaos: bystander: exit %u instead of its OUT after %llu reports, during case %llu: rip %llx rax %llx rbx %llx rcx %llx rflags %llx; %zu bytes of its RAM changed (first at %zx)\n",
			       run->exit_reason,
			       (unsigned long long)atomic_load(&by.reports),
			       (unsigned long long)atomic_load(&case_now),
			       (unsigned long long)g.rip, (unsigned long long)g.rax,
			       (unsigned long long)g.rbx, (unsigned long long)g.rcx,
			       (unsigned long long)g.rflags, changed, first_changed);
			fflush(stdout);
			if (changed)
				memcpy(ram + 0x1000, bystander_code, sizeof(bystander_code));
			if (!by.anomalies++)
				snprintf(by.error, sizeof(by.error),
					 "exit %u instead of its OUT after %llu reports, during case %llu: rip %llx cs %x/%llx rax %llx rbx %llx rcx %llx rflags %llx cr0 %llx",
					 run->exit_reason,
					 (unsigned long long)atomic_load(&by.reports),
					 (unsigned long long)atomic_load(&case_now),
					 (unsigned long long)g.rip, s.cs.selector,
					 (unsigned long long)s.cs.base,
					 (unsigned long long)g.rax,
					 (unsigned long long)g.rbx,
					 (unsigned long long)g.rcx,
					 (unsigned long long)g.rflags,
					 (unsigned long long)s.cr0);
			s.cs.selector = 0;
			s.cs.base = 0;
			r.rip = 0x1000;
			r.rflags = 2;
			if (by.anomalies > 100 || ioctl(vcpu, KHV_SET_SREGS, &s) ||
			    ioctl(vcpu, KHV_SET_REGS, &r))
				break;
			expect_n = 1;
			sum = 0;
			continue;
		}
		memcpy(&v, (uint8_t *)run + run->io.data_offset, 4);
		if (run->io.port == 0x10) {
			n = v;
			if (n != expect_n)
				by.wrong++;
			expect_n = n + 1;
			sum += n;
		} else if (run->io.port == 0x11) {
			uint64_t t = now_ns(), gap;

			if (v != sum)
				by.wrong++;
			gap = t - atomic_load(&by.last_ns);
			if (gap > atomic_load(&by.max_gap_ns)) {
				atomic_store(&by.max_gap_ns, gap);
				atomic_store(&by.gap_case, atomic_load(&case_now));
			}
			atomic_store(&by.last_ns, t);
			atomic_fetch_add(&by.reports, 1);
		} else {
			by.wrong++;
		}
	}
	munmap(run, PAGE);
	close(vcpu);
	close(vm);
	munmap(ram, mr.memory_size);
	return NULL;
}

/*
 * The watchdog: signals the main thread from a case's deadline on, every
 * 10 ms, until its KHV_RUN returns; reports one that does not return
 * within WEDGE_MS.  If it never does, the run cannot finish: print the
 * counts and leave (the stuck thread keeps the process alive).
 */
static uint64_t cur_seed;

static void *watchdog(void *arg)
{
	(void)arg;
	pin(pthread_self(), 0);
	while (!atomic_load(&done)) {
		uint64_t d = atomic_load(&run_deadline), t = now_ns();

		if (d && t >= d) {
			pthread_kill(main_thread, SIGUSR1);
			if (t - d > WEDGE_MS * 1000000ULL &&
			    !atomic_exchange(&wedge_reported, true)) {
				wedges++;
				printf("FAIL: case %llu (seed %llu): KHV_RUN has not returned %d ms after the signals began: the vCPU cannot be stopped (replay: khv-chaos --seed %llu --case %llu --trace)\n",
				       (unsigned long long)atomic_load(&case_now),
				       (unsigned long long)cur_seed, WEDGE_MS,
				       (unsigned long long)cur_seed,
				       (unsigned long long)atomic_load(&case_now));
				fflush(stdout);
			}
			if (t - d > 120 * 1000000000ULL) {
				printf("khv-chaos: the vCPU of case %llu has been stuck for 120 s; giving up\n",
				       (unsigned long long)atomic_load(&case_now));
				printf("%d passed, %d failed\n", passed, failed + 1);
				fflush(stdout);
				_exit(1);
			}
		}
		usleep(10000);
	}
	return NULL;
}

/*
 * --probe N: one hand-made guest that tells apart what wedges the lab's
 * CPU (Documentation/reliability.rst, "Guest chaos"); it runs for a
 * second under the watchdog, then the usual end checks follow.
 *   1  real mode, EFER.LME set by KHV_SET_SREGS, CR4.PAE clear: jmp $
 *   2  the same with CR4.PAE set
 *   3  compatibility mode; the guest clears CR0.PG, then CR4.PAE: jmp $
 *   4  the same without clearing CR4.PAE
 *   5  32-bit paging whose page directory points at a page table outside
 *      guest memory: every fetch is a nested page fault khv cannot
 *      resolve (20 s)
 *   6  real mode, CPUID in a loop: exits handled in the kernel (20 s)
 *   7  real mode, jmp $: host interrupts only (20 s)
 */
static bool run_probe(unsigned int probe)
{
	static const uint8_t leave_lm[] = {
		0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
		0x25, 0xff, 0xff, 0xff, 0x7f,		/* and eax, ~PG */
		0x0f, 0x22, 0xc0,			/* mov cr0, eax */
		0x0f, 0x20, 0xe0,			/* mov eax, cr4 */
		0x25, 0xdf, 0xff, 0xff, 0xff,		/* and eax, ~PAE */
		0x0f, 0x22, 0xe0,			/* mov cr4, eax */
		0xeb, 0xfe,				/* jmp $ */
	};
	struct chaos_case c = { .seed = 0, .n = 0 };
	struct khv_memory_region mr = { 0 };
	struct khv_run *run;
	uint64_t *gdt;
	int vm, vcpu;
	long ret;

	c.ram_size = MIB;
	c.ram = mmap(NULL, c.ram_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(c.ram, 0xf4, c.ram_size);
	c.rng.s = 1;
	c.tbl = 0x10000;
	build_tables(&c);
	gdt = (uint64_t *)(c.ram + c.tbl);
	c.sregs.gdt.base = c.tbl;
	c.sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	c.sregs.idt.limit = 0x3ff;
	c.regs.rip = 0x1000;
	c.regs.rflags = 2;
	c.regs.rsp = 0x8000;
	seg_from(&c.sregs.tr, SEL_TSS, gdt[SEL_TSS / 8]);
	seg_from(&c.sregs.ldt, SEL_LDT, gdt[SEL_LDT / 8]);
	c.sregs.apic_base = 0xfee00900;
	if (probe <= 2 || probe >= 6) {
		static const uint8_t cpuid_loop[] = { 0x0f, 0xa2, 0xeb, 0xfc };

		if (probe == 6) {
			memcpy(c.ram + 0x1000, cpuid_loop, sizeof(cpuid_loop));
		} else {
			c.ram[0x1000] = 0xeb;
			c.ram[0x1001] = 0xfe;
		}
		real_seg(&c.sregs.cs, 0, 0xb);
		real_seg(&c.sregs.ss, 0, 3);
		real_seg(&c.sregs.ds, 0, 3);
		c.sregs.cr0 = 0x60000010;
		c.sregs.cr4 = probe == 2 ? 0x20 : 0;
		c.sregs.efer = probe <= 2 ? EFER_LME : 0;
	} else if (probe == 5) {
		uint32_t pde = 0xf0000007;

		memcpy(c.ram + c.tbl + 0x7000, &pde, 4);
		seg_from(&c.sregs.cs, SEL_CODE32, gdt[SEL_CODE32 / 8]);
		seg_from(&c.sregs.ss, SEL_DATA, gdt[SEL_DATA / 8]);
		seg_from(&c.sregs.ds, SEL_DATA, gdt[SEL_DATA / 8]);
		c.sregs.cr0 = 0x80000011;
		c.sregs.cr3 = c.tbl + 0x7000;
		c.sregs.cr4 = 0x10;
		c.sregs.tr.type = 0x9;
	} else {
		memcpy(c.ram + 0x1000, leave_lm, sizeof(leave_lm));
		if (probe == 4)
			memset(c.ram + 0x1000 + 11, 0x90, 11);	/* nop */
		seg_from(&c.sregs.cs, SEL_CODE32, gdt[SEL_CODE32 / 8]);
		seg_from(&c.sregs.ss, SEL_DATA, gdt[SEL_DATA / 8]);
		seg_from(&c.sregs.ds, SEL_DATA, gdt[SEL_DATA / 8]);
		c.sregs.cr0 = 0x80000011;
		c.sregs.cr3 = c.tbl + 0x3000;
		c.sregs.cr4 = 0x20;
		c.sregs.efer = EFER_LME | EFER_LMA;
		c.sregs.tr.type = 0xb;
	}
	c.sregs.es = c.sregs.fs = c.sregs.gs = c.sregs.ds;
	printf("khv-chaos: probe %u: cr0 %llx cr4 %llx efer %llx\n", probe,
	       (unsigned long long)c.sregs.cr0, (unsigned long long)c.sregs.cr4,
	       (unsigned long long)c.sregs.efer);
	fflush(stdout);

	mr.memory_size = c.ram_size;
	mr.userspace_addr = (unsigned long)c.ram;
	vm = ioctl(sys_fd, KHV_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KHV_SET_MEMORY_REGION, &mr) ||
	    (vcpu = ioctl(vm, KHV_CREATE_VCPU, 0)) < 0 ||
	    (run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
			0)) == MAP_FAILED ||
	    ioctl(vcpu, KHV_SET_CPUID, &no_cpuid) ||
	    ioctl(vcpu, KHV_SET_SREGS, &c.sregs) ||
	    ioctl(vcpu, KHV_SET_REGS, &c.regs)) {
		printf("FAIL: probe %u: setting up: %s\n", probe, strerror(errno));
		return false;
	}
	{
		uint64_t until = now_ns() + (probe >= 5 ? 20 : 1) * 1000000000ULL;
		unsigned long runs = 0;

		do {
			atomic_store(&run_started, now_ns());
			atomic_store(&run_deadline, now_ns() + 200000000ULL);
			ret = ioctl(vcpu, KHV_RUN, 0);
			atomic_store(&run_deadline, 0);
			runs++;
		} while (now_ns() < until &&
			 ((ret < 0 && errno == EINTR) ||
			  (ret == 0 && run->exit_reason == KHV_EXIT_HLT)));
		printf("khv-chaos: probe %u: %lu runs, %llu exits\n", probe, runs,
		       (unsigned long long)run->exit_count);
	}
	printf("khv-chaos: probe %u: KHV_RUN returned %ld (%s), exit %u, after %.2f s\n",
	       probe, ret, ret ? strerrorname_np(errno) : "-", run->exit_reason,
	       (now_ns() - atomic_load(&run_started)) / 1e9);
	if (ret == 0 && run->exit_reason == KHV_EXIT_FAIL_ENTRY)
		printf("khv-chaos: probe %u: %s\n", probe, run->fail_entry.description);
	munmap(run, PAGE);
	close(vcpu);
	close(vm);
	munmap(c.ram, c.ram_size);
	return true;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: khv-chaos [--seed S] [--count N | --case N] [--ms T] [--exits E]\n"
		"                 [--code-len L] [--repeat K] [--set WHAT=VALUE]...\n"
		"                 [--probe P] [--idle S] [--kmsg] [--dry-run]\n"
		"                 [--no-bystander]\n"
		"                 [--rmmod]\n"
		"                 [--trace]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	unsigned long long seed = 0, count = 200, first = 0, n, case_fail = 0;
	unsigned int ms = 150, max_exits = 400, i, probe = 0, idle_s = 0;
	unsigned int repeat = 1, k;
	bool have_seed = false, one = false, with_bystander = true;
	bool do_rmmod = false;
	long code_len = -1, ref0, ref1 = -1;
	int vms0, vms1 = -1, found;
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t wd;
	uint64_t t0, reports0;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc) {
			seed = strtoull(argv[++i], NULL, 0);
			have_seed = true;
		} else if (!strcmp(argv[i], "--count") && i + 1 < (unsigned int)argc) {
			count = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--case") && i + 1 < (unsigned int)argc) {
			first = strtoull(argv[++i], NULL, 0);
			count = 1;
			one = true;
		} else if (!strcmp(argv[i], "--ms") && i + 1 < (unsigned int)argc) {
			ms = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--exits") && i + 1 < (unsigned int)argc) {
			max_exits = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--code-len") && i + 1 < (unsigned int)argc) {
			code_len = strtol(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--probe") && i + 1 < (unsigned int)argc) {
			probe = strtoul(argv[++i], NULL, 0);
			count = 0;
		} else if (!strcmp(argv[i], "--set") && i + 1 < (unsigned int)argc) {
			char *a = argv[++i], *eq = strchr(a, '=');
			uint64_t v;

			if (!eq)
				usage();
			*eq = 0;
			v = strtoull(eq + 1, NULL, 0);
			if (!strcmp(a, "lapic"))
				force.lapic_set = true, force.lapic = v;
			else if (!strcmp(a, "cr0"))
				force.cr0_set = true, force.cr0 = v;
			else if (!strcmp(a, "cr4"))
				force.cr4_set = true, force.cr4 = v;
			else if (!strcmp(a, "efer"))
				force.efer_set = true, force.efer = v;
			else if (!strcmp(a, "cr3"))
				force.cr3_set = true, force.cr3 = v;
			else if (!strcmp(a, "rflags"))
				force.rflags_set = true, force.rflags = v;
			else
				usage();
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < (unsigned int)argc) {
			repeat = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--idle") && i + 1 < (unsigned int)argc) {
			idle_s = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--no-bystander")) {
			with_bystander = false;
		} else if (!strcmp(argv[i], "--rmmod")) {
			do_rmmod = true;
		} else if (!strcmp(argv[i], "--kmsg")) {
			int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY);

			/* Writes to /dev/kmsg are rate-limited by default. */
			if (fd >= 0) {
				if (write(fd, "on\n", 3) != 3)
					fprintf(stderr, "khv-chaos: printk_devkmsg stays rate-limited\n");
				close(fd);
			}
			progress_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		} else if (!strcmp(argv[i], "--dry-run")) {
			/* Print the cases with --trace; run nothing. */
			dry_run = true;
			trace = true;
		} else if (!strcmp(argv[i], "--trace")) {
			trace = true;
		} else {
			usage();
		}
	}
	if (!have_seed)
		seed = (unsigned long long)time(NULL) ^ getpid();
	cur_seed = seed;
	if (one)
		printf("khv-chaos: seed %llu, case %llu, %u ms, %u exits\n",
		       seed, first, ms, max_exits);
	else
		printf("khv-chaos: seed %llu, %llu cases, %u ms, %u exits each\n",
		       seed, count, ms, max_exits);
	fflush(stdout);

	if (dry_run) {
		for (n = first; n < first + count; n++)
			run_case(seed, n, ms, max_exits, code_len);
		return 0;
	}
	/* No SA_RESTART: the signal must end KHV_RUN with EINTR. */
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pin(main_thread, nr_cpus - 1);
	fuzz_kmsg_start();
	ref0 = fuzz_module_refcnt();
	vms0 = fuzz_nl_vm_count();

	sys_fd = open("/dev/khv", O_RDWR | O_CLOEXEC);
	if (sys_fd < 0) {
		check(false, "open /dev/khv: %s", strerror(errno));
		printf("%d passed, %d failed\n", passed, failed);
		return 1;
	}
	if (with_bystander &&
	    pthread_create(&by.thread, NULL, bystander, NULL)) {
		check(false, "starting the bystander thread");
		with_bystander = false;
	}
	pthread_create(&wd, NULL, watchdog, NULL);
	/* Let the bystander get going. */
	usleep(200000);
	reports0 = atomic_load(&by.reports);
	atomic_store(&by.max_gap_ns, 0);

	if (probe && !run_probe(probe))
		case_fail++;
	/* --idle S: the bystander alone for S seconds, before the cases. */
	if (idle_s)
		sleep(idle_s);
	t0 = now_ns();
	for (n = first; n < first + count; n++) {
		for (k = 0; k < repeat; k++)
			if (!run_case(seed, n, ms, max_exits, code_len))
				case_fail++;
		if (atomic_load(&wedge_reported)) {
			/* It came back after all: count it once, go on. */
			atomic_store(&wedge_reported, false);
			case_fail++;
		}
	}
	printf("khv-chaos: %llu cases in %.1f s, %lu runs, %lu EINTR, %lu EFAULT/ENOMEM; exits:",
	       count, (now_ns() - t0) / 1e9, nr_runs, nr_eintr, nr_other_errno);
	for (i = 0; i < 10; i++)
		printf(" %lu", nr_exits[i]);
	printf("\n");

	check(!case_fail,
	      "seed %llu: %llu cases ended cleanly or kept running until their bound (%llu failed)",
	      seed, count, case_fail);
	check(!bad_errno && !bad_page,
	      "seed %llu: every KHV_RUN returned a documented errno and a well-formed run page (%lu errnos, %lu pages not)",
	      seed, bad_errno, bad_page);
	check(!wedges, "every vCPU stopped within %d ms of its signals (%lu did not)",
	      WEDGE_MS, wedges);
	atomic_store(&done, true);
	if (with_bystander) {
		uint64_t gap = atomic_load(&by.max_gap_ns);

		pthread_join(by.thread, NULL);
		check(!by.error[0] && !by.wrong,
		      "bystander: its results were right (%lu wrong, %lu unexpected exits)%s%s",
		      by.wrong, by.anomalies, by.error[0] ? "; first: " : "",
		      by.error);
		check(atomic_load(&by.reports) > reports0 &&
		      gap < STALL_MS * 1000000ULL,
		      "bystander: kept reporting during the chaos (%llu reports, longest gap %llu ms during case %llu, limit %d ms)",
		      (unsigned long long)(atomic_load(&by.reports) - reports0),
		      (unsigned long long)(gap / 1000000),
		      (unsigned long long)atomic_load(&by.gap_case), STALL_MS);
	}
	pthread_join(wd, NULL);

	close(sys_fd);
	/* Releases may finish after close() returns (RCU, work items). */
	for (i = 0; i < 50; i++) {
		ref1 = fuzz_module_refcnt();
		vms1 = fuzz_nl_vm_count();
		if (ref1 == ref0 && vms1 == vms0)
			break;
		usleep(100000);
	}
	check(ref1 == ref0, "module refcount back to %ld (now %ld)", ref0, ref1);
	check(vms1 == vms0 && vms0 >= 0,
	      "netlink lists as many VMs as at start (%d, now %d)", vms0, vms1);
	found = fuzz_kmsg_scan(5);
	check(!found, "kernel log: no lockup, RCU stall, hung task, BUG or WARN after the cases (%d found)",
	      found);
	if (do_rmmod) {
		fflush(stdout);
		check(system("rmmod khv") == 0 &&
		      access("/sys/module/khv", F_OK) != 0,
		      "rmmod khv after the chaos");
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
