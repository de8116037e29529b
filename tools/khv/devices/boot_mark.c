// SPDX-License-Identifier: GPL-2.0
/*
 * Ports 0xf00-0xf0f, khv's boot-time marker (issue 4's benchmark hook).
 * Every byte written is timestamped against the launcher's start (16
 * ports, so that one dd writing several bytes through /dev/port, whose
 * offset advances, still hits the marker); with
 * --report-boot-time (or --trace) the first write prints
 *
 *   khv: guest init reached after N ms
 *   khv: launcher memory: VmRSS A KiB, guest RAM resident B KiB,
 *        beyond guest RAM C KiB
 *
 * and every write "khv: guest mark V after N.NNN ms", so a guest can time
 * a span of its own (scripts/linux-guest-test.sh times `sleep 1`).  A
 * Linux init writes it through /dev/port.  Reads return all ones.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../report.h"
#include "../vm.h"

#define BOOT_MARK_PORT	0xf00
#define BOOT_MARK_LEN	16

struct boot_mark {
	struct vm *vm;
	bool seen;
};

static void boot_mark_io(void *opaque, u64 offset, u8 *data, u32 len,
			 bool is_write)
{
	struct boot_mark *b = opaque;
	struct vm *vm = b->vm;
	u64 us = (now_ns() - vm->start_ns) / 1000;
	struct mem_report m;

	(void)offset;
	if (!is_write) {
		le_write(data, len, ~0ULL);
		return;
	}
	if (!vm->report_boot_time && !vm->trace)
		return;
	if (!b->seen) {
		b->seen = true;
		pr_info("guest init reached after %llu ms",
			(unsigned long long)us / 1000);
		if (!mem_report(vm, &m))
			pr_info("launcher memory: VmRSS %llu KiB, guest RAM resident %llu KiB, beyond guest RAM %llu KiB",
				(unsigned long long)m.vm_rss_kb,
				(unsigned long long)m.ram_rss_kb,
				(unsigned long long)m.overhead_kb);
	}
	pr_info("guest mark %u after %llu.%03llu ms", data[0],
		(unsigned long long)us / 1000, (unsigned long long)us % 1000);
}

static int boot_mark_init(struct vm *vm)
{
	struct boot_mark *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->vm = vm;
	return bus_register(&vm->pio, BOOT_MARK_PORT, BOOT_MARK_LEN,
			    boot_mark_io, b, "boot-mark");
}
device_init(boot_mark_init);
