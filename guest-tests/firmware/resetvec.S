/* SPDX-License-Identifier: GPL-2.0 */
/*
 * resetvec: a 64 KiB firmware image that starts where a PC's BIOS starts,
 * at the reset vector F000:FFF0 in real mode (SDM Vol. 3A, 10.1.4 "First
 * Instruction Executed"), and walks the guest through every mode switch
 * a BIOS and its OS make:
 *
 *   1. real mode at the reset vector, CS.base FFFF0000h, CR0.PE = 0;
 *   2. a far jump to F000: code runs from the copy below 1 MiB;
 *   3. a software interrupt through the real-mode IVT;
 *   4. 32-bit protected mode (paging off), memory above 1 MiB;
 *   5. back to real mode through a 16-bit protected-mode segment
 *      (SDM Vol. 3A, 10.9.2 "Switching Back to Real-Address Mode");
 *      the IVT works again;
 *   6. protected mode again, then IA-32e mode with 4-level paging
 *      (10.8.5 "Initializing IA-32e Mode"), 64-bit code.
 *
 * Booted with "khv run --firmware build/resetvec.bin" (guest-tests/manifest).
 * Progress goes to COM1; the result to the isa-debug-exit port: exit
 * status 1 when every step passed, 3 when a check failed.  Any fault
 * triple-faults (no IDT): status 2.
 *
 * Addresses: the image is linked at 0 and is the 64 KiB segment F000, so
 * an offset is its real-mode IP and F0000h + offset its linear address
 * once CS has been reloaded (the copy below 1 MiB).
 */

#define COM1		0x3f8
#define DEBUG_EXIT	0xf4
#define LOW		0xf0000		/* linear base of segment F000 */
#define MARK		0x12345678
#define PML4		0x1000		/* page tables in low RAM */
#define PDPT		0x2000
#define PD		0x3000
#define IVT_VEC		0x40		/* a free real-mode vector */

#define SEL_CODE32	0x08
#define SEL_DATA32	0x10
#define SEL_CODE16	0x18
#define SEL_DATA16	0x20
#define SEL_CODE64	0x28

	.text
	.code16
	.globl	start
start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ss
	movw	$0x7000, %sp
	movw	%ax, %ds
	movw	%ax, %es

	movw	$msg_real, %si
	call	puts16

	/* 1. Real mode: CR0.PE clear. */
	movl	%cr0, %eax
	testb	$1, %al
	jnz	fail16

	/* 2. CS was reloaded by the far jump at the reset vector. */
	movw	%cs, %ax
	cmpw	$0xf000, %ax
	jne	fail16

	/* 3. INT through the IVT at 0: the handler counts in 0:0500. */
	movw	$0, 0x500
	movw	$int_handler, 4 * IVT_VEC
	movw	$0xf000, 4 * IVT_VEC + 2
	int	$IVT_VEC
	cmpw	$1, 0x500
	jne	fail16

	/* 4. Protected mode, 32-bit, no paging. */
	lgdtl	%cs:gdt_desc
	movl	%cr0, %eax
	orb	$1, %al
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $(LOW + pm32)

	.code32
pm32:
	movw	$SEL_DATA32, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	$0x7000, %esp
	movl	$MARK, 0x200000
	cmpl	$MARK, 0x200000
	jne	fail32

	/* 5. Back to real mode: 16-bit segments first, then PE off. */
	ljmpl	$SEL_CODE16, $pm16

	.code16
pm16:
	movw	$SEL_DATA16, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr0, %eax
	andb	$0xfe, %al
	movl	%eax, %cr0
	ljmpw	$0xf000, $real_again

real_again:
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0x7000, %sp
	int	$IVT_VEC
	cmpw	$2, 0x500
	jne	fail16
	movw	$msg_back, %si
	call	puts16

	/* 6. Protected mode again, then IA-32e mode. */
	lgdtl	%cs:gdt_desc
	movl	%cr0, %eax
	orb	$1, %al
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $(LOW + pm32_again)

	.code32
pm32_again:
	movw	$SEL_DATA32, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss

	/* Identity map the first 2 MiB with one large page. */
	xorl	%eax, %eax
	movl	$PML4, %edi
	movl	$(3 * 4096 / 4), %ecx
	rep stosl
	movl	$(PDPT | 3), PML4
	movl	$(PD | 3), PDPT
	movl	$0x83, PD			/* P, RW, PS */
	movl	$PML4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$0x100, %eax			/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax		/* PG: IA-32e mode */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $(LOW + lm64)

	.code64
lm64:
	movl	$0xc0000080, %ecx
	rdmsr
	testl	$0x400, %eax			/* LMA */
	jz	fail64
	movq	$0x7000, %rsp
	movl	$MARK, 0x100000
	cmpl	$MARK, 0x100000
	jne	fail64
	leaq	msg_long(%rip), %rsi
1:	lodsb
	testb	%al, %al
	jz	2f
	movw	$COM1, %dx
	outb	%al, %dx
	jmp	1b
2:	xorl	%eax, %eax			/* exit(0): status 1 */
	movw	$DEBUG_EXIT, %dx
	outl	%eax, %dx
	hlt

fail64:
	movl	$1, %eax
	movw	$DEBUG_EXIT, %dx
	outl	%eax, %dx
	hlt

	.code32
fail32:
	movl	$1, %eax
	movw	$DEBUG_EXIT, %dx
	outl	%eax, %dx
	hlt

	.code16
fail16:
	movw	$msg_fail, %si
	call	puts16
	movl	$1, %eax
	movw	$DEBUG_EXIT, %dx
	outl	%eax, %dx
	hlt

int_handler:
	incw	0x500
	iret

/* Print the string at CS:SI. */
puts16:
	movw	$COM1, %dx
1:	movb	%cs:(%si), %al
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	incw	%si
	jmp	1b
2:	ret

msg_real:	.asciz	"resetvec: real mode at the reset vector\n"
msg_back:	.asciz	"resetvec: back in real mode after protected mode\n"
msg_long:	.asciz	"resetvec: 64-bit mode, all mode switches passed\n"
msg_fail:	.asciz	"resetvec: FAIL\n"

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* 08: code, 32-bit, flat */
	.quad	0x00cf93000000ffff	/* 10: data, flat */
	.quad	0x00009b0f0000ffff	/* 18: code, 16-bit, base F0000 */
	.quad	0x000093000000ffff	/* 20: data, 16-bit, 64 KiB */
	.quad	0x00af9b000000ffff	/* 28: code, 64-bit */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	LOW + gdt

	/* The reset vector: 16 bytes below the end of the image. */
	.org	0xfff0
	ljmpw	$0xf000, $start
	.org	0x10000
