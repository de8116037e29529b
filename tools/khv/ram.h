/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_RAM_H
#define KHV_RAM_H

#include "util.h"

/*
 * Guest physical layout: RAM from 0 up to the hole at most; the rest of
 * [hole, 4 GiB) is left for MMIO devices (testdev, IOAPIC, APIC, ...) and
 * RAM that does not fit below the hole continues at 4 GiB.  Both parts
 * come from one host mapping, back to back.  The memory slots, the
 * Multiboot memory map and the e820 map are all derived from low_size
 * and size, so they cannot disagree.
 *
 * Multiboot guests keep RAM up to MMIO_HOLE_START; Linux guests get the
 * conventional PC hole from PCI_HOLE_START (3 GiB), where an OS expects
 * MMIO space below 4 GiB.
 */
#define MMIO_HOLE_START		0xfef00000ULL
#define PCI_HOLE_START		0xc0000000ULL
#define HIGH_RAM_START		0x100000000ULL

struct guest_ram {
	u8 *hva;
	u64 size;	/* total bytes */
	u64 low_size;	/* bytes at guest physical 0 */
	bool mapped;	/* hva came from mmap */
};

/* Map size bytes of anonymous memory.  Returns 0 or -errno. */
int guest_ram_alloc(struct guest_ram *ram, u64 size);
/* The same with RAM below 4 GiB ending at hole_start at most. */
int guest_ram_alloc_hole(struct guest_ram *ram, u64 size, u64 hole_start);
/* Describe caller-owned memory (unit tests). */
void guest_ram_wrap(struct guest_ram *ram, void *buf, u64 size);
void guest_ram_wrap_hole(struct guest_ram *ram, void *buf, u64 size,
			 u64 hole_start);
void guest_ram_free(struct guest_ram *ram);

static inline u64 guest_ram_high_size(const struct guest_ram *ram)
{
	return ram->size - ram->low_size;
}

/* True if [gpa, gpa + len) is RAM in one piece. */
bool guest_ram_contains(const struct guest_ram *ram, u64 gpa, u64 len);

/* Host pointer for [gpa, gpa + len), or NULL if not wholly RAM. */
void *guest_ram_ptr(const struct guest_ram *ram, u64 gpa, u64 len);

#endif
