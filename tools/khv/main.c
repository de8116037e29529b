// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the userspace launcher of the khv hypervisor.
 *
 *   khv run --kernel FILE [--initrd FILE] [--cmdline STR] [--mem SIZE]
 *           [--accel khv|kvm] [--trace] [--report-boot-time]
 *
 * Usage, exit statuses and trace format: Documentation/launcher.rst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "cpuid.h"
#include "exit_trace.h"
#include "firmware.h"
#include "init.h"
#include "linux_boot.h"
#include "multiboot.h"
#include "options.h"
#include "stat.h"
#include "vcpu_loop.h"
#include "vm.h"

#define KHV_VERSION	"0.1"

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: khv COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  run       boot a Linux bzImage or Multiboot kernel (khv run --help)\n"
		"  stat      exit statistics of running VMs (khv stat --help)\n"
		"  version   print the launcher and API versions\n"
		"  help      this text\n");
}

/* Load everything that only needs memory, before touching the device. */
static int load_guest(struct vm *vm, const struct run_options *o,
		      struct multiboot_boot *boot)
{
	struct multiboot_params p = {
		.kernel_path = o->kernel,
		.initrd_path = o->initrd,
		.cmdline = o->cmdline,
	};
	u8 *kernel, *initrd = NULL;
	const char *why;
	char err[256];
	int ret;

	kernel = read_file(o->kernel, vm->ram.size, &p.kernel_size, &why);
	if (!kernel) {
		pr_err("%s: %s", o->kernel, why);
		return -1;
	}
	p.kernel = kernel;
	if (o->initrd) {
		initrd = read_file(o->initrd, vm->ram.size, &p.initrd_size,
				   &why);
		if (!initrd) {
			pr_err("%s: %s", o->initrd, why);
			free(kernel);
			return -1;
		}
		p.initrd = initrd;
	}

	ret = multiboot_load(&vm->ram, &p, boot, err, sizeof(err));
	if (ret == MB_NOT_MULTIBOOT)
		pr_err("%s: neither a Linux bzImage nor a Multiboot kernel",
		       o->kernel);
	else if (ret)
		pr_err("%s: %s", o->kernel, err);
	free(kernel);
	free(initrd);
	return ret ? -1 : 0;
}

static int setup_cpuid(struct accel *a, bool lapic)
{
	struct khv_cpuid_entry *e;
	unsigned int nent = 0;
	int ret;

	e = calloc(KHV_MAX_CPUID_ENTRIES, sizeof(*e));
	if (!e) {
		pr_err("out of memory");
		return -1;
	}
	ret = a->ops->get_cpuid(a, e, &nent, KHV_MAX_CPUID_ENTRIES);
	if (!ret && cpuid_filter(e, &nent, KHV_MAX_CPUID_ENTRIES,
				 a->ops->khv_cpuid_leaf, lapic)) {
		pr_err("CPUID table full: no room for the hypervisor leaf");
		ret = -1;
	}
	if (!ret)
		ret = a->ops->set_cpuid(a, e, nent);
	free(e);
	return ret;
}

/*
 * One of boot (Multiboot) and lboot (Linux) is set; neither: --firmware,
 * and the vCPU keeps its reset state.
 */
static int setup_vcpu(struct vm *vm, struct accel *a,
		      const struct multiboot_boot *boot,
		      const struct linux_boot *lboot, bool lapic)
{
	struct khv_sregs sregs;
	struct khv_regs regs;
	u64 high = guest_ram_high_size(&vm->ram);

	if (a->ops->open(a))
		return -1;
	if (a->ops->add_ram(a, 0, 0, vm->ram.low_size, vm->ram.hva))
		return -1;
	if (high && a->ops->add_ram(a, 1, HIGH_RAM_START, high,
				    vm->ram.hva + vm->ram.low_size))
		return -1;
	if ((lboot || lapic) && linux_irqchip_setup(vm, a))
		return -1;
	if (!boot && !lboot && firmware_map(a))
		return -1;
	if (a->ops->create_vcpu(a) || setup_cpuid(a, vm->irqchip))
		return -1;
	if (!boot && !lboot)
		return 0;
	/* Start from the backend's state so apic_base etc. stay valid. */
	if (a->ops->get_sregs(a, &sregs))
		return -1;
	if (lboot)
		linux_entry_state(lboot, &regs, &sregs);
	else
		multiboot_entry_state(boot, &regs, &sregs);
	if (a->ops->set_sregs(a, &sregs) || a->ops->set_regs(a, &regs))
		return -1;
	if (lboot && linux_firmware_msrs(a))
		return -1;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct multiboot_boot boot;
	struct linux_boot lboot;
	const struct accel_ops *ops;
	struct run_options o;
	struct accel a;
	struct vm vm;
	bool is_linux, lapic;
	int ret;

	ret = parse_run_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : KHV_EXIT_USAGE;
	ops = accel_find(o.accel);
	if (!ops)
		return KHV_EXIT_USAGE;
	if (o.trace_file && exit_trace_open(o.trace_file))
		return KHV_EXIT_USAGE;

	vm_init(&vm);
	vm.trace = o.trace;
	vm.report_boot_time = o.report_boot_time;
	is_linux = o.kernel && linux_is_bzimage(o.kernel);
	ret = guest_ram_alloc_hole(&vm.ram, o.mem_size,
				   is_linux ? PCI_HOLE_START : MMIO_HOLE_START);
	if (ret) {
		pr_err("cannot allocate %llu bytes of guest RAM: %s",
		       (unsigned long long)o.mem_size, strerror(-ret));
		return KHV_EXIT_USAGE;
	}
	if (o.firmware ? firmware_load(&vm, o.firmware) :
	    is_linux ? linux_prepare(&vm, &o, &lboot) :
		    load_guest(&vm, &o, &boot)) {
		guest_ram_free(&vm.ram);
		return KHV_EXIT_USAGE;
	}
	if (o.trace && !is_linux && !o.firmware)
		pr_info("trace: entry 0x%x, image 0x%llx-0x%llx, info 0x%x (area 0x%x-0x%x)",
			boot.image.entry, (unsigned long long)boot.image.start,
			(unsigned long long)boot.image.end, boot.info_addr,
			boot.info_area, boot.info_area_end);

	accel_init(&a, ops);
	/*
	 * A PC has a local APIC, and Multiboot test kernels (kvm-unit-tests)
	 * expect one at 0xfee00000; --no-lapic leaves it out, --firmware has
	 * one only with --lapic.
	 */
	lapic = o.firmware ? o.lapic : !o.no_lapic;
	if (setup_vcpu(&vm, &a, is_linux || o.firmware ? NULL : &boot,
		       is_linux ? &lboot : NULL, lapic) ||
	    khv_init_all(&vm) || vcpu_signals_init(&vm, &a) ||
	    (is_linux && linux_platform_start(&vm))) {
		if (is_linux)
			linux_platform_stop(&vm);
		ops->close(&a);
		guest_ram_free(&vm.ram);
		return KHV_EXIT_USAGE;
	}

	ret = vcpu_loop(&vm, &a);
	if (is_linux)
		linux_platform_stop(&vm);
	ops->close(&a);
	guest_ram_free(&vm.ram);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		print_usage(stderr);
		return KHV_EXIT_USAGE;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("khv %s (khv API %d)\n", KHV_VERSION, KHV_API_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc - 1, argv + 1);

	pr_err("unknown command '%s' (try khv --help)", cmd);
	return KHV_EXIT_USAGE;
}
