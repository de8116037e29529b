// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid: what the hypervisor reports through CPUID is plausible for a
 * 64-bit x86 guest and hides virtualization extensions; a leaf above the
 * maximum reads as the vendor's CPUs answer it.
 */
#include "libguest.h"

static bool is_vendor(const struct cpuid *r, const char *v)
{
	u32 w[3] = { r->b, r->d, r->c };	/* EBX, EDX, ECX order */

	return !memcmp(w, v, 12);
}

int main(void)
{
	struct cpuid r0 = cpuid(0), r1 = cpuid(1), x0 = cpuid(0x80000000);
	struct cpuid x1, h, top, above, xabove;
	u32 family, model;
	char hv[13];
	char vendor[13];

	memcpy(vendor, &r0.b, 4);
	memcpy(vendor + 4, &r0.d, 4);
	memcpy(vendor + 8, &r0.c, 4);
	vendor[12] = '\0';
	report(is_vendor(&r0, "AuthenticAMD") || is_vendor(&r0, "GenuineIntel"),
	       "leaf 0 vendor \"%s\"", vendor);
	report(r0.a >= 1 && r0.a < 0x100, "max basic leaf %x", r0.a);

	/* Family and model encoding: SDM Vol. 2A CPUID, figure 3-6. */
	family = (r1.a >> 8) & 0xf;
	model = (r1.a >> 4) & 0xf;
	if (family == 0xf)
		family += (r1.a >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((r1.a >> 16) & 0xf) << 4;
	report(family >= 6 && family <= 0x1f,
	       "leaf 1 family %x model %x stepping %x", family, model,
	       r1.a & 0xf);
	report((r1.d & 0x71) == 0x71, "leaf 1 EDX %x: FPU, TSC, MSR, PAE", r1.d);
	report(r1.c & (1u << 31), "leaf 1 ECX %x: hypervisor bit", r1.c);
	report(!(r1.c & (1u << 5)), "VMX (1.ECX[5]) clear");

	h = cpuid(0x40000000);
	memcpy(hv, &h.b, 4);
	memcpy(hv + 4, &h.c, 4);
	memcpy(hv + 8, &h.d, 4);
	hv[12] = '\0';
	printf("hypervisor leaf 0x40000000: max %x, \"%s\"\n", h.a, hv);

	report(x0.a >= 0x80000001 && x0.a < 0x80000100,
	       "max extended leaf %x", x0.a);
	x1 = cpuid(0x80000001);
	report(x1.d & (1u << 29), "0x80000001 EDX %x: long mode", x1.d);
	report(!(x1.c & (1u << 2)), "SVM (0x80000001.ECX[2]) clear");

	/*
	 * Above the maximum basic or extended leaf an Intel CPU returns the
	 * highest basic leaf (SDM Vol. 2A, CPUID), an AMD one zero.
	 */
	top = cpuid_count(r0.a, 0);
	above = cpuid_count(r0.a + 1, 0);
	xabove = cpuid_count(x0.a + 1, 0);
	if (is_vendor(&r0, "GenuineIntel"))
		report(!memcmp(&above, &top, sizeof(top)) &&
		       !memcmp(&xabove, &top, sizeof(top)),
		       "Intel: leaves %x and %x read as leaf %x", r0.a + 1,
		       x0.a + 1, r0.a);
	else
		report(!(above.a | above.b | above.c | above.d) &&
		       !(xabove.a | xabove.b | xabove.c | xabove.d),
		       "AMD: leaves %x and %x read as zero", r0.a + 1, x0.a + 1);
	return report_summary();
}
