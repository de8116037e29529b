/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot (v1) header and the 32-bit entry point shared by every test.
 *
 * The loader enters at _start in 32-bit protected mode with paging off,
 * EAX = 0x2BADB002 and EBX = the physical address of the Multiboot info
 * (Multiboot 0.6.96, section 3.2).  ESP is undefined, so nothing may be
 * pushed before we load our own stack.
 *
 * A 64-bit build (__x86_64__) is still entered here in 32-bit mode; it
 * builds identity page tables for the first 4 GiB and switches to long
 * mode before calling C.
 */
#define __ASSEMBLY__
#include "desc.h"

#define MB_HEADER_MAGIC	0x1BADB002
#define MB_HEADER_FLAGS	0	/* no a.out kludge: the loader parses the ELF */

#define X86_CR0_PG	0x80000000
#define X86_CR4_PAE	0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100

#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_PS		0x080

#define STACK_SIZE	0x10000

	.section .multiboot, "a"
	.balign 4
	.long MB_HEADER_MAGIC
	.long MB_HEADER_FLAGS
	.long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	/*
	 * Record the entry state first.  Each store goes through a different
	 * segment register, so a segment whose base is not 0 (or whose limit
	 * is below our load address) leaves a tag missing; the pmode test
	 * checks them.
	 */
	movl	%eax, %ds:boot_eax
	movl	%ebx, %es:boot_ebx
	movl	$0x5e600000, %eax
	movl	%cs:cs_probe_src, %ecx		/* CS: a read, code is not writable */
	movl	%ecx, %ds:boot_seg_probe
	incl	%eax
	movl	%eax, %ds:boot_seg_probe + 4
	incl	%eax
	movl	%eax, %es:boot_seg_probe + 8
	incl	%eax
	movl	%eax, %fs:boot_seg_probe + 12
	incl	%eax
	movl	%eax, %gs:boot_seg_probe + 16
	incl	%eax
	movl	%eax, %ss:boot_seg_probe + 20
	movw	%cs, boot_sel
	movw	%ds, boot_sel + 2
	movw	%es, boot_sel + 4
	movw	%fs, boot_sel + 6
	movw	%gs, boot_sel + 8
	movw	%ss, boot_sel + 10
	movl	%cr0, %eax
	movl	%eax, boot_cr0
	movl	%cr4, %eax
	movl	%eax, boot_cr4

	/*
	 * The loader must zero memsz beyond filesz.  Note whether it did
	 * (the pmode test reports it), then zero .bss ourselves so that a
	 * loader bug fails one check instead of corrupting every test.
	 */
	cld
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	repe scasl
	je	1f
	subl	$4, %edi		/* the first non-zero dword */
	movl	%edi, boot_bss_dirty
1:
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	rep stosl

	movl	$stack_top, %esp
	pushfl
	popl	boot_eflags

	lgdt	gdt_desc
	ljmp	$KERNEL_CS32, $2f
2:	movl	$KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss

#ifndef __x86_64__
	call	lib_main
2:	cli
	hlt
	jmp	2b
#else
	/*
	 * Identity map 0-4 GiB with 2 MiB pages: PML4[0] -> PDPT,
	 * PDPT[0..3] -> four page directories of 512 PDEs with PS=1
	 * (SDM Vol. 3A 5.5.4, table 5-17; APM Vol. 2 5.3.4).  The top GiB
	 * holds the MMIO windows and is mapped with PCD|PWT (uncached,
	 * SDM Vol. 3A 13.12.3 with the default PAT) so that accesses reach
	 * the device in order, as on real hardware.  .bss was zeroed, so
	 * every other entry is not present.
	 */
	movl	$(pdpt + PTE_P + PTE_W), pml4
	xorl	%ecx, %ecx
3:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$(pd + PTE_P + PTE_W), %eax
	movl	%eax, pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	3b

	xorl	%ecx, %ecx
4:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P + PTE_W + PTE_PS), %eax
	cmpl	$(3 * 512), %ecx
	jb	5f
	orl	$(PTE_PCD + PTE_PWT), %eax
5:	movl	%eax, pd(, %ecx, 8)
	incl	%ecx
	cmpl	$(4 * 512), %ecx
	jb	4b

	/*
	 * Enable long mode in the order SDM Vol. 3A 10.8.5 and APM Vol. 2
	 * 14.6.1 require: CR4.PAE, CR3, EFER.LME, then CR0.PG (which sets
	 * EFER.LMA), then a far jump to a code segment with L=1.
	 */
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$X86_CR0_PG, %eax
	movl	%eax, %cr0
	ljmp	$KERNEL_CS64, $start64

	.code64
start64:
	movl	$KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movq	$stack_top, %rsp
	call	lib_main
6:	cli
	hlt
	jmp	6b
#endif

	.section .rodata
	.balign 4
cs_probe_src:
	.long	0x5e600000

	.section .data
	.balign 8
	.globl boot_eax, boot_ebx, boot_cr0, boot_cr4, boot_eflags
	.globl boot_sel, boot_seg_probe, boot_bss_dirty
boot_eax:	.long 0
boot_ebx:	.long 0
boot_cr0:	.long 0
boot_cr4:	.long 0
boot_eflags:	.long 0
boot_seg_probe:	.fill 6, 4, 0
boot_sel:	.fill 6, 2, 0
boot_bss_dirty:	.long 0

	/*
	 * Null, flat 32-bit code, flat data, 64-bit code.  Accessed bits are
	 * preset so the CPU never writes the table.
	 */
	.balign 8
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff
	.quad	0x00cf93000000ffff
	.quad	0x00af9b000000ffff
gdt_end:
	.balign 8
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
	.long	0

	.section .bss
	.balign 4096
#ifdef __x86_64__
	.globl pml4
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
#endif
stack:	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
