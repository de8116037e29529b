/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry stubs for all 256 vectors: the exceptions 0-31 and the
 * interrupts above.  Each pushes a dummy error code when the CPU does
 * not push one (SDM Vol. 3A 7.15, table 7-1: 8, 10-14, 17, 21, 29 and 30
 * have one; interrupts never do), then its vector, and joins isr_common,
 * which saves the general registers and calls do_exception() with a
 * pointer to struct ex_regs (desc.h).  do_exception() may change the
 * saved RIP (fixups).
 */
#define __ASSEMBLY__
#include "desc.h"

#define HAS_ERROR_CODE(v)	((v) == 8 || ((v) >= 10 && (v) <= 14) || \
				 (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

#ifdef __x86_64__
#define PTR	.quad
#else
#define PTR	.long
#endif

	.text
	.macro	isr vec
isr\vec:
	.if \vec >= NR_EXCEPTIONS || !HAS_ERROR_CODE(\vec)
	push	$0
	.endif
	push	$\vec
	jmp	isr_common
	.endm

	.altmacro
	.macro	isr_ptr vec
	PTR	isr\vec
	.endm

	.set	vec, 0
	.rept	NR_VECTORS
	isr	%vec
	.set	vec, vec + 1
	.endr

isr_common:
#ifdef __x86_64__
	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	push	%rbp
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	mov	%rsp, %rbp
	and	$-16, %rsp		/* the ABI's call alignment */
	call	do_exception
	mov	%rbp, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rbp
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp		/* vector, error code */
	iretq
#else
	pushal
	push	%esp
	call	do_exception
	add	$4, %esp
	popal
	add	$8, %esp
	iret
#endif

	.section .rodata
	.balign 8
	.globl	isr_table
isr_table:
	.set	vec, 0
	.rept	NR_VECTORS
	isr_ptr	%vec
	.set	vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
