// SPDX-License-Identifier: GPL-2.0
/*
 * pmode: the Multiboot entry state in 32-bit protected mode, and that
 * plain 32-bit code (arithmetic, stack, calls) runs correctly.
 */
#include "libguest.h"

static u32 bss_probe[1024];

static const char *const seg_names[6] = { "CS", "DS", "ES", "FS", "GS", "SS" };

static void check_entry_state(void)
{
	unsigned int i;

	report(boot_eax == MULTIBOOT_BOOTLOADER_MAGIC, "EAX = %x (Multiboot magic)",
	       boot_eax);
	report((boot_cr0 & X86_CR0_PE) && !(boot_cr0 & X86_CR0_PG),
	       "CR0 = %x: PE=1, PG=0", boot_cr0);
	report(!(boot_eflags & X86_EFLAGS_IF), "EFLAGS = %x: IF=0", boot_eflags);
	/* A wrong base or limit would have put the tag elsewhere (entry.S). */
	for (i = 0; i < 6; i++)
		report(boot_seg_probe[i] == SEG_PROBE_TAG(i),
		       "%s (selector %x) flat: base 0, limit above 4 MiB",
		       seg_names[i], boot_sel[i]);
	report(!boot_bss_dirty,
	       "memsz beyond filesz zeroed by the loader (first non-zero: %x)",
	       boot_bss_dirty);
	report(read_cs() == KERNEL_CS32 && bss_probe[0] == 0,
	       "running on our own GDT");
}

static void check_mb_info(void)
{
	struct multiboot_info *mb = mb_info();
	u64 ram, top;
	volatile u32 *last;
	const char *cmd, *end, *base;
	size_t len;

	report(boot_ebx && boot_ebx < 0x400000, "EBX = %x: info below the image",
	       boot_ebx);
	if (!boot_ebx)
		return;

	report(mb->flags & MB_INFO_MEM, "info flags %x: mem_* valid", mb->flags);
	top = ((u64)mb->mem_upper + 1024) * 1024;
	printf("mem_lower %u KiB, mem_upper %u KiB\n", mb->mem_lower,
	       mb->mem_upper);
	if (report(fw_cfg_present(), "fw_cfg signature")) {
		ram = fw_cfg_read(FW_CFG_RAM_SIZE, 8);
		/* Below 4 GiB, RAM is contiguous from 1 MiB up to mem_upper. */
		if (ram > 0xc0000000ULL)
			ram = 0xc0000000ULL;
		report(top <= ram && top + 0x100000 >= ram,
		       "mem_upper end %llx matches fw_cfg RAM size %llx",
		       (unsigned long long)top, (unsigned long long)ram);
	}
	/* The last word of what mem_upper promises must be RAM. */
	last = (volatile u32 *)(unsigned long)(top - 4);
	*last = 0xa5c3e1f0;
	report(*last == 0xa5c3e1f0, "RAM at %llx (top of mem_upper) writable",
	       (unsigned long long)(top - 4));

	if (!report(mb->flags & MB_INFO_CMDLINE && mb->cmdline,
		    "command line present"))
		return;
	cmd = (const char *)(unsigned long)mb->cmdline;
	printf("cmdline: \"%s\"\n", cmd);
	for (end = cmd; *end && *end != ' '; end++)
		;
	for (base = end; base > cmd && base[-1] != '/'; base--)
		;
	len = strlen(TEST_NAME ".elf");
	report(end - base == (long)len && !strncmp(base, TEST_NAME ".elf", len),
	       "argv[0] is the kernel's path (ends in " TEST_NAME ".elf)");
}

static unsigned int __attribute__((noinline)) fib(volatile unsigned int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static void check_code(void)
{
	volatile u32 a = 0x12345678, b = 0x9abcdef;
	volatile u64 c = 0xfedcba9876543210ULL;
	unsigned int (*volatile fn)(volatile unsigned int) = fib;
	unsigned long sp0, sp1;
	u32 q, r;

	report((u64)a * b == 0xb00ea4e242d208ULL, "32x32->64 multiply");
	asm("divl %4" : "=a"(q), "=d"(r) : "a"(a), "d"(0), "rm"(b));
	report(q == 1 && r == 0x12345678 - 0x9abcdef, "divl");
	report((c >> 36) == 0xfedcba9 && (u32)(c << 4) == 0x65432100,
	       "64-bit shifts");
	report(fn(20) == 6765, "recursive calls through a pointer");
	asm volatile("mov %%esp, %0; push $0x1234; push $0x5678; pop %%eax; pop %%eax; mov %%esp, %1"
		     : "=r"(sp0), "=r"(sp1) : : "eax");
	report(sp0 == sp1 && sp0 > (unsigned long)__bss_start &&
	       sp0 < (unsigned long)__bss_end, "stack in .bss, push/pop balance");
}

int main(void)
{
	check_entry_state();
	check_mb_info();
	check_code();
	return report_summary();
}
