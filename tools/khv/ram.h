/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHV_RAM_H
#define KHV_RAM_H

#include "util.h"

/*
 * Guest physical layout: RAM from 0 up to MMIO_HOLE_START at most; the
 * rest of [MMIO_HOLE_START, 4 GiB) is left for MMIO devices (testdev,
 * APIC, ...) and RAM that does not fit below the hole continues at 4 GiB.
 * Both parts come from one host mapping, back to back.
 */
#define MMIO_HOLE_START		0xfef00000ULL
#define HIGH_RAM_START		0x100000000ULL

struct guest_ram {
	u8 *hva;
	u64 size;	/* total bytes */
	u64 low_size;	/* bytes at guest physical 0 */
	bool mapped;	/* hva came from mmap */
};

/* Map size bytes of anonymous memory.  Returns 0 or -errno. */
int guest_ram_alloc(struct guest_ram *ram, u64 size);
/* Describe caller-owned memory (unit tests). */
void guest_ram_wrap(struct guest_ram *ram, void *buf, u64 size);
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
