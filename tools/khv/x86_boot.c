// SPDX-License-Identifier: GPL-2.0
/*
 * Machine state at a Multiboot entry (Multiboot 0.6.96, section 3.2):
 * 32-bit protected mode with paging off, flat code and data segments,
 * EAX = 0x2BADB002, EBX = the info address, IF = 0.
 */
#include <string.h>

#include "multiboot.h"

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_ET		(1ULL << 4)
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

	/*
	 * TR and LDTR as after reset (SDM Vol. 3A 9.1.1): VM entry insists
	 * on a present busy TSS even though the guest never switches tasks.
	 */
	sregs->tr = (struct khv_segment) {
		.limit = 0xffff, .type = SEG_TYPE_TSS32_BUSY, .present = 1,
	};
	sregs->ldt = (struct khv_segment) {
		.limit = 0xffff, .type = SEG_TYPE_LDT, .present = 1,
	};

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
