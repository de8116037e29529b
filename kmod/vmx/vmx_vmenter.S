/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv/vmx: the world switch.
 *
 * int khv_vmx_vmenter(u64 *gprs, bool launched)
 *
 * Called with IRQs off and the vCPU's VMCS current.  VM entry loads the
 * guest's RSP, RIP, RFLAGS and the rest of its state from the VMCS (SDM
 * Vol. 3C, 28.3.2 "Loading Guest State"), but no general-purpose register
 * other than RSP: this code loads them from gprs[] (the khv_gpr order)
 * and saves them back after the exit.  VM exit loads RSP and RIP from the
 * host-state area (29.5.3), so HOST_RSP is set here to the stack pointer
 * of this very frame and HOST_RIP (written once, vmx_setup.c) points at
 * khv_vmx_vmexit below; all other registers come back with guest values.
 *
 * Returns 0 after a VM exit (a failed VM entry included: the exit reason
 * says so), 1 when VMLAUNCH/VMRESUME failed (VMfail: RFLAGS.CF or ZF,
 * 32.2 "Conventions"), in which case no guest register is saved.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define GPR(n)		(n * 8)
#define HOST_RSP	0x6c14		/* SDM Vol. 3D, Appendix B.4 */

	.text
SYM_FUNC_START(khv_vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi		/* 0(%rsp): guest GPR array */

	mov	$HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lvmfail

	/* ZF=1: VMCS not launched yet.  MOVs below leave RFLAGS alone. */
	cmpb	$0, %sil

	mov	GPR(0)(%rdi), %rax
	mov	GPR(1)(%rdi), %rcx
	mov	GPR(2)(%rdi), %rdx
	mov	GPR(3)(%rdi), %rbx
	mov	GPR(5)(%rdi), %rbp
	mov	GPR(6)(%rdi), %rsi
	mov	GPR(8)(%rdi), %r8
	mov	GPR(9)(%rdi), %r9
	mov	GPR(10)(%rdi), %r10
	mov	GPR(11)(%rdi), %r11
	mov	GPR(12)(%rdi), %r12
	mov	GPR(13)(%rdi), %r13
	mov	GPR(14)(%rdi), %r14
	mov	GPR(15)(%rdi), %r15
	mov	GPR(7)(%rdi), %rdi

	/* The stack as it is here is the one the exit comes back to. */
	UNWIND_HINT_SAVE
	jnz	.Lresume
	vmlaunch
	jmp	.Lvmfail
.Lresume:
	vmresume
	jmp	.Lvmfail

SYM_INNER_LABEL(khv_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	/* RSP = HOST_RSP: 0(%rsp) is the GPR array; RFLAGS is 2 (29.5.3). */
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, GPR(0)(%rdi)
	mov	%rcx, GPR(1)(%rdi)
	mov	%rdx, GPR(2)(%rdi)
	mov	%rbx, GPR(3)(%rdi)
	mov	%rbp, GPR(5)(%rdi)
	mov	%rsi, GPR(6)(%rdi)
	mov	%r8, GPR(8)(%rdi)
	mov	%r9, GPR(9)(%rdi)
	mov	%r10, GPR(10)(%rdi)
	mov	%r11, GPR(11)(%rdi)
	mov	%r12, GPR(12)(%rdi)
	mov	%r13, GPR(13)(%rdi)
	mov	%r14, GPR(14)(%rdi)
	mov	%r15, GPR(15)(%rdi)
	popq	GPR(7)(%rdi)
	xor	%eax, %eax
	jmp	.Lout

.Lvmfail:
	mov	$1, %eax

.Lout:
	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the host's next RET (the same
	 * protection the kernel applies on its own VM exits).
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Leave no guest value in a caller-saved register. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(khv_vmx_vmenter)
