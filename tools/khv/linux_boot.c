// SPDX-License-Identifier: GPL-2.0
/*
 * Booting a Linux bzImage on the PC platform: the glue between the boot
 * protocol loader (bzimage.c), the ACPI tables (acpi.c), the accelerator's
 * local APICs and the launcher's interrupt controllers, console and I/O
 * thread.  Multiboot guests use none of this.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpi.h"
#include "console.h"
#include "iothread.h"
#include "linux_boot.h"

bool linux_is_bzimage(const char *path)
{
	u8 hdr[BZ_HEADER + 4];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	return n == (ssize_t)sizeof(hdr) &&
	       le_read(hdr + BZ_BOOT_FLAG, 2) == BZ_BOOT_FLAG_MAGIC &&
	       le_read(hdr + BZ_HEADER, 4) == BZ_HEADER_MAGIC;
}

int linux_prepare(struct vm *vm, const struct run_options *o,
		  struct linux_boot *b)
{
	struct acpi_config acpi = { .nr_cpus = vm->nr_cpus };
	struct linux_params p = { .cmdline = o->cmdline };
	u8 *kernel, *initrd = NULL, *tables;
	size_t kernel_size, initrd_size = 0;
	struct bzimage bz;
	const char *why;
	char err[256];
	int ret = -1;

	kernel = read_file(o->kernel, vm->ram.size, &kernel_size, &why);
	if (!kernel) {
		pr_err("%s: %s", o->kernel, why);
		return -1;
	}
	if (o->initrd) {
		initrd = read_file(o->initrd, vm->ram.size, &initrd_size, &why);
		if (!initrd) {
			pr_err("%s: %s", o->initrd, why);
			goto out;
		}
	}
	if (bzimage_parse(kernel, kernel_size, &bz, err, sizeof(err))) {
		pr_err("%s: %s", o->kernel, err);
		goto out;
	}
	tables = guest_ram_ptr(&vm->ram, ACPI_TABLES_BASE,
			       ACPI_TABLES_END - ACPI_TABLES_BASE);
	if (tables)
		p.rsdp = acpi_build(tables, ACPI_TABLES_BASE,
				    ACPI_TABLES_END - ACPI_TABLES_BASE, &acpi);
	p.initrd = initrd;
	p.initrd_size = initrd_size;
	if (linux_load(&vm->ram, &bz, &p, b, err, sizeof(err))) {
		pr_err("%s: %s", o->kernel, err);
		goto out;
	}
	if (vm->trace)
		pr_info("trace: Linux boot protocol %u.%02u, %s entry 0x%llx, kernel 0x%llx-0x%llx, initrd 0x%llx+0x%llx, zero page 0x%llx, RSDP 0x%llx",
			bz.version >> 8, bz.version & 0xff,
			b->long_mode ? "64-bit" : "32-bit",
			(unsigned long long)b->entry,
			(unsigned long long)b->load_addr,
			(unsigned long long)b->load_end,
			(unsigned long long)b->initrd_addr,
			(unsigned long long)b->initrd_size,
			(unsigned long long)b->zero_page,
			(unsigned long long)p.rsdp);
	ret = 0;
out:
	free(kernel);
	free(initrd);
	return ret;
}

#define MSR_MTRR_DEF_TYPE	0x2ff
#define MTRR_DEF_TYPE_E		(1ULL << 11)	/* MTRRs enabled */
#define MTRR_DEF_TYPE_FE	(1ULL << 10)	/* fixed-range MTRRs enabled */
#define MTRR_TYPE_WB		6

/*
 * At reset the MTRRs are disabled, which makes all memory uncacheable
 * (SDM Vol. 3A 12.11.2.1); a BIOS enables them with write-back as the
 * default type before booting an OS, and Linux only reads them.  Left
 * at reset, a guest runs with uncached RAM wherever the accelerator
 * honours guest memory types (as nested KVM does): 100 times slower.
 * The fixed-range MTRRs are all zero (UC) after reset, so they stay off.
 */
int linux_firmware_msrs(struct accel *a)
{
	return a->ops->set_msr(a, MSR_MTRR_DEF_TYPE,
			       MTRR_DEF_TYPE_E | MTRR_TYPE_WB);
}

static int linux_signal_msi(struct vm *vm, u64 addr, u32 data)
{
	struct accel *a = vm->accel;

	return a->ops->signal_msi(a, addr, data);
}

static int linux_level_route(struct vm *vm, unsigned int pin, u64 addr,
			     u32 data, bool on)
{
	struct accel *a = vm->accel;

	return a->ops->level_route(a, pin, addr, data, on);
}

int linux_irqchip_setup(struct vm *vm, struct accel *a)
{
	if (a->ops->create_irqchip(a))
		return -1;
	vm->irqchip = true;
	vm->accel = a;
	vm->signal_msi = linux_signal_msi;
	vm->level_route = linux_level_route;
	return 0;
}

int linux_platform_start(struct vm *vm)
{
	int ret;

	ret = console_raw_start();
	if (ret) {
		pr_err("cannot put the terminal in raw mode: %s", strerror(-ret));
		return -1;
	}
	ret = iothread_start(vm);
	if (ret) {
		pr_err("cannot start the I/O thread: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

void linux_platform_stop(struct vm *vm)
{
	iothread_stop(vm);
	console_restore();
}
