// SPDX-License-Identifier: GPL-2.0
/*
 * khv: model-specific registers.
 *
 * Every RDMSR and WRMSR of the guest is intercepted.  MSRs whose state the
 * hardware switches (EFER, the SYSCALL/SYSENTER MSRs, segment bases, PAT,
 * TSC) are the backend's; the rest are emulated here.  Any other MSR
 * raises #GP in the guest, as on a CPU that lacks it, and is counted.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>

#include "khv.h"
#include "lapic.h"

#define MTRRCAP_VCNT		8
#define MTRRCAP_FIX		BIT_ULL(8)
#define MTRRCAP_WC		BIT_ULL(10)
#define APIC_BASE_RESERVED	(GENMASK_ULL(7, 0) | BIT_ULL(9) | \
				 GENMASK_ULL(63, 52))
/* MTRR address bits above the widest MAXPHYADDR, 52 (SDM Vol. 3A, 4.1.4). */
#define MTRR_PHYS_RESERVED	GENMASK_ULL(63, 52)
#define MTRR_DEF_TYPE_FE	BIT_ULL(10)
#define MTRR_DEF_TYPE_E		BIT_ULL(11)

/* The fixed-range MTRRs, in the order of SDM Vol. 3A, 12.11.2.2. */
static const u32 khv_mtrr_fixed_msrs[11] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b,
	0x26c, 0x26d, 0x26e, 0x26f,
};

static u64 *khv_mtrr_reg(struct khv_vcpu *vcpu, u32 index)
{
	int i;

	if (index >= 0x200 && index < 0x200 + 2 * MTRRCAP_VCNT)
		return &vcpu->mtrr_var[index - 0x200];
	for (i = 0; i < ARRAY_SIZE(khv_mtrr_fixed_msrs); i++)
		if (khv_mtrr_fixed_msrs[i] == index)
			return &vcpu->mtrr_fixed[i];
	if (index == MSR_MTRRdefType)
		return &vcpu->mtrr_def_type;
	return NULL;
}

/* UC, WC, WT, WP, WB; the other encodings are reserved (Table 12-8). */
static bool khv_mtrr_type_ok(u64 type)
{
	return type < 8 && (BIT(type) & 0x73);
}

/*
 * Whether an MTRR can hold @data: WRMSR of a reserved memory type or with
 * a reserved bit set raises #GP (SDM Vol. 3A, 12.11.2.1 - 12.11.2.3).
 */
static bool khv_mtrr_valid(u32 index, u64 data)
{
	int i;

	if (index == MSR_MTRRdefType)
		return !(data & ~(0xffULL | MTRR_DEF_TYPE_FE |
				  MTRR_DEF_TYPE_E)) &&
		       khv_mtrr_type_ok(data & 0xff);
	/* IA32_MTRR_PHYSMASKn: bits 10:0 reserved, 11 is V. */
	if (index >= 0x200 && index < 0x200 + 2 * MTRRCAP_VCNT && (index & 1))
		return !(data & (GENMASK_ULL(10, 0) | MTRR_PHYS_RESERVED));
	/* IA32_MTRR_PHYSBASEn: the type in 7:0, bits 11:8 reserved. */
	if (index >= 0x200 && index < 0x200 + 2 * MTRRCAP_VCNT)
		return !(data & (GENMASK_ULL(11, 8) | MTRR_PHYS_RESERVED)) &&
		       khv_mtrr_type_ok(data & 0xff);
	/* A fixed-range MTRR: eight type fields of 8 bits. */
	for (i = 0; i < 64; i += 8)
		if (!khv_mtrr_type_ok((data >> i) & 0xff))
			return false;
	return true;
}

int khv_get_msr(struct khv_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *mtrr;
	int ret;

	ret = khv_vendor->get_msr(vcpu, index, data);
	if (ret != -ENOENT)
		return ret;
	ret = khv_lapic_get_msr(vcpu, index, data);
	if (ret != -ENOENT)
		return ret;

	mtrr = khv_mtrr_reg(vcpu, index);
	if (mtrr) {
		*data = *mtrr;
		return 0;
	}
	switch (index) {
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_MTRRcap:
		*data = MTRRCAP_VCNT | MTRRCAP_FIX | MTRRCAP_WC;
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MCG_CAP:		/* no machine-check banks */
	case MSR_IA32_MCG_STATUS:
		*data = 0;
		return 0;
	case MSR_K7_HWCR:
		*data = vcpu->hwcr;
		return 0;
	}
	return -ENOENT;
}

int khv_set_msr(struct khv_vcpu *vcpu, u32 index, u64 data)
{
	u64 *mtrr;
	int ret;

	ret = khv_vendor->set_msr(vcpu, index, data);
	if (ret != -ENOENT)
		return ret;
	ret = khv_lapic_set_msr(vcpu, index, data);
	if (ret != -ENOENT)
		return ret;

	mtrr = khv_mtrr_reg(vcpu, index);
	if (mtrr) {
		if (!khv_mtrr_valid(index, data))
			return -EINVAL;
		*mtrr = data;
		return 0;
	}
	switch (index) {
	case MSR_IA32_APICBASE:
		if (data & APIC_BASE_RESERVED)
			return -EINVAL;
		return khv_lapic_set_base(vcpu, data);
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = data;
		return 0;
	case MSR_IA32_UCODE_REV:	/* written 0 before CPUID, ignored */
		return 0;
	case MSR_IA32_MCG_STATUS:
		return data ? -EINVAL : 0;
	case MSR_K7_HWCR:
		vcpu->hwcr = data;
		return 0;
	}
	return -ENOENT;
}

/* RDMSR: ECX names the MSR, EDX:EAX gets it (SDM Vol. 2, RDMSR). */
int khv_emulate_rdmsr(struct khv_vcpu *vcpu)
{
	u64 *g = vcpu->gpr;
	u64 data;

	if (khv_get_msr(vcpu, (u32)g[KHV_RCX], &data)) {
		vcpu->stat.unknown_msr++;
		return -EINVAL;
	}
	g[KHV_RAX] = (u32)data;
	g[KHV_RDX] = data >> 32;
	return 0;
}

int khv_emulate_wrmsr(struct khv_vcpu *vcpu)
{
	u64 *g = vcpu->gpr;
	u64 data = khv_edx_eax(vcpu);

	if (khv_set_msr(vcpu, (u32)g[KHV_RCX], data)) {
		vcpu->stat.unknown_msr++;
		return -EINVAL;
	}
	return 0;
}

int khv_msrs_ioctl(struct khv_vcpu *vcpu, struct khv_msrs __user *u, bool set)
{
	struct khv_msr_entry *e;
	u32 n, i;
	int ret;

	if (get_user(n, &u->nmsrs))
		return -EFAULT;
	if (n > KHV_MAX_MSR_ENTRIES)
		return -E2BIG;
	e = kcalloc(n ? n : 1, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(e, u->entries, n * sizeof(*e)))
		goto out;
	for (i = 0; i < n; i++) {
		if (set ? khv_set_msr(vcpu, e[i].index, e[i].data) :
			  khv_get_msr(vcpu, e[i].index, &e[i].data))
			break;
	}
	ret = i;
	if (!set && copy_to_user(u->entries, e, n * sizeof(*e)))
		ret = -EFAULT;
out:
	kfree(e);
	return ret;
}
