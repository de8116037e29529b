// SPDX-License-Identifier: GPL-2.0
/*
 * khv-chaos: building a case.  Random code salted with what makes a guest
 * exit, fault or change mode; the descriptor and page tables of every
 * mode; a random, mostly valid vCPU state for the case's mode.  Everything
 * comes from the case's random stream (chaos.h), so a seed and a case
 * number give the same guest on every machine.
 */
#include <stdio.h>
#include <string.h>

#include "chaos.h"
#include "fuzz_common.h"

const char *const mode_name[NR_MODES] = {
	"real", "pm16", "pm32", "vm86", "long", "compat",
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

void fill_code(struct chaos_case *c)
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
void seg_from(struct khv_segment *s, uint16_t sel, uint64_t d)
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

void real_seg(struct khv_segment *s, uint16_t sel, unsigned int type)
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

void build_tables(struct chaos_case *c)
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

void set_state(struct chaos_case *c)
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
void shrink_code(struct chaos_case *c, long code_len)
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

void trace_case(const struct chaos_case *c)
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
