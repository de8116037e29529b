// SPDX-License-Identifier: GPL-2.0
/*
 * Machine state at a Multiboot entry (Multiboot 0.6.96, section 3.2):
 * 32-bit protected mode with paging off, flat code and data segments,
 * EAX = 0x2BADB002, EBX = the info address, IF = 0.  And at a Linux
 * entry (boot.rst, "32-bit boot protocol" and "64-bit boot protocol").
 */
#include <string.h>

#include "bzimage.h"
#include "multiboot.h"

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_EFER_LME		(1ULL << 8)
#define X86_EFER_LMA		(1ULL << 10)
#define SEG_TYPE_TSS64_BUSY	0xb	/* same encoding as the 32-bit one */
#define LINUX_CS		0x10	/* __BOOT_CS */
#define LINUX_DS		0x18	/* __BOOT_DS */
#define X86_RFLAGS_FIXED	(1ULL << 1)	/* bit 1 always reads 1 */

#define SEG_TYPE_CODE_XRA	0xb	/* execute/read, accessed */
#define SEG_TYPE_DATA_RWA	0x3	/* read/write, accessed */
#define SEG_TYPE_LDT		0x2
#define SEG_TYPE_TSS32_BUSY	0xb

static struct khv_segment flat_segment(u16 selector, u8 type)
{
	return (struct khv_segment) {
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.l = 0,
		.g = 1,
	};
}

/*
 * TR and LDTR as after reset (SDM Vol. 3A 9.1.1): VM entry insists on a
 * present busy TSS even though the guest never switches tasks.
 */
static void reset_system_segments(struct khv_sregs *sregs)
{
	sregs->tr = (struct khv_segment) {
		.limit = 0xffff, .type = SEG_TYPE_TSS32_BUSY, .present = 1,
	};
	sregs->ldt = (struct khv_segment) {
		.limit = 0xffff, .type = SEG_TYPE_LDT, .present = 1,
	};
}

void linux_entry_state(const struct linux_boot *b, struct khv_regs *regs,
		       struct khv_sregs *sregs)
{
	struct khv_segment data = flat_segment(LINUX_DS, SEG_TYPE_DATA_RWA);

	/* ESI/RSI = zero page; EBP, EDI, EBX = 0; interrupts off. */
	memset(regs, 0, sizeof(*regs));
	regs->rsi = b->zero_page;
	regs->rip = b->entry;
	regs->rflags = X86_RFLAGS_FIXED;

	/* The hidden parts match the GDT written by bzimage.c. */
	sregs->cs = flat_segment(LINUX_CS, SEG_TYPE_CODE_XRA);
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
	reset_system_segments(sregs);
	if (b->long_mode)
		sregs->tr.type = SEG_TYPE_TSS64_BUSY;
	sregs->gdt.base = b->gdt_addr;
	sregs->gdt.limit = b->gdt_limit;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr2 = 0;
	sregs->cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
	if (!b->long_mode)
		return;
	/*
	 * 64-bit mode: CS.L = 1, D = 0 (SDM Vol. 3A 5.2.1); paging on with
	 * PAE and EFER.LME/LMA, CR3 = the identity map of 0-4 GiB.
	 */
	sregs->cs.l = 1;
	sregs->cs.db = 0;
	sregs->cr0 |= X86_CR0_PG;
	sregs->cr3 = b->cr3;
	sregs->cr4 = X86_CR4_PAE;
	sregs->efer = X86_EFER_LME | X86_EFER_LMA;
}

void multiboot_entry_state(const struct multiboot_boot *boot,
			   struct khv_regs *regs, struct khv_sregs *sregs)
{
	struct khv_segment data = flat_segment(MB_DATA_SELECTOR,
					       SEG_TYPE_DATA_RWA);

	memset(regs, 0, sizeof(*regs));
	regs->rax = MB_BOOTLOADER_MAGIC;
	regs->rbx = boot->info_addr;
	regs->rip = boot->image.entry;
	regs->rflags = X86_RFLAGS_FIXED;	/* IF = 0 */

	/* The hidden parts match the GDT written by multiboot.c. */
	sregs->cs = flat_segment(MB_CODE_SELECTOR, SEG_TYPE_CODE_XRA);
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;

	reset_system_segments(sregs);

	sregs->gdt.base = boot->gdt_addr;
	sregs->gdt.limit = boot->gdt_limit;
	/* No IDT: any exception before the kernel sets one up is fatal. */
	sregs->idt.base = 0;
	sregs->idt.limit = 0;

	sregs->cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}
