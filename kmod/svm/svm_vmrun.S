/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khv/svm: the world switch.
 *
 * void khv_svm_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_save_pa)
 *
 * Called with GIF clear (CLGI), so no interrupt and no NMI can arrive
 * between the VMSAVE of the host state and its VMLOAD afterwards: in that
 * window the CPU holds the guest's FS/GS bases, so per-CPU data is out of
 * reach.
 *
 * VMRUN saves and restores only part of the host state (APM Vol. 2, 15.5.1
 * "Basic Operation": RAX, RSP, RIP, RFLAGS, the CRs, EFER and the segment
 * registers' visible parts).  FS, GS, TR and LDTR with their hidden parts,
 * KernelGsBase, STAR, LSTAR, CSTAR, SFMASK and the SYSENTER MSRs are
 * handled by VMSAVE/VMLOAD (APM Vol. 2, 15.5.2), and the general-purpose
 * registers other than RAX and RSP by this code.  The guest's RAX and RSP
 * live in the VMCB.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

#define GPR(n)	(n * 8)

	.text
SYM_FUNC_START(khv_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rsi		/* 16(%rsp): guest GPR array */
	push	%rdi		/*  8(%rsp): VMCB physical address */
	push	%rdx		/*  0(%rsp): host save area */

	mov	%rdx, %rax
	vmsave	%rax

	mov	16(%rsp), %rax
	mov	GPR(1)(%rax), %rcx
	mov	GPR(2)(%rax), %rdx
	mov	GPR(3)(%rax), %rbx
	mov	GPR(5)(%rax), %rbp
	mov	GPR(6)(%rax), %rsi
	mov	GPR(7)(%rax), %rdi
	mov	GPR(8)(%rax), %r8
	mov	GPR(9)(%rax), %r9
	mov	GPR(10)(%rax), %r10
	mov	GPR(11)(%rax), %r11
	mov	GPR(12)(%rax), %r12
	mov	GPR(13)(%rax), %r13
	mov	GPR(14)(%rax), %r14
	mov	GPR(15)(%rax), %r15

	mov	8(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	/* #VMEXIT: RSP and RAX (the VMCB address) are the host's again. */
	vmsave	%rax

	mov	16(%rsp), %rax
	mov	%rcx, GPR(1)(%rax)
	mov	%rdx, GPR(2)(%rax)
	mov	%rbx, GPR(3)(%rax)
	mov	%rbp, GPR(5)(%rax)
	mov	%rsi, GPR(6)(%rax)
	mov	%rdi, GPR(7)(%rax)
	mov	%r8, GPR(8)(%rax)
	mov	%r9, GPR(9)(%rax)
	mov	%r10, GPR(10)(%rax)
	mov	%r11, GPR(11)(%rax)
	mov	%r12, GPR(12)(%rax)
	mov	%r13, GPR(13)(%rax)
	mov	%r14, GPR(14)(%rax)
	mov	%r15, GPR(15)(%rax)

	mov	0(%rsp), %rax
	vmload	%rax

	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the host's next RET (the same
	 * protection the kernel applies on its own VM exits).
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Leave no guest value in a caller-saved register. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	xor	%eax, %eax
	RET
SYM_FUNC_END(khv_svm_vmrun)
