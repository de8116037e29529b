// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/mman.h>

#include "ram.h"

/* The one place that decides where RAM is. */
static void guest_ram_layout(struct guest_ram *ram, u64 size, u64 hole)
{
	ram->size = size;
	ram->low_size = size < hole ? size : hole;
}

int guest_ram_alloc(struct guest_ram *ram, u64 size)
{
	return guest_ram_alloc_hole(ram, size, MMIO_HOLE_START);
}

int guest_ram_alloc_hole(struct guest_ram *ram, u64 size, u64 hole_start)
{
	void *p;

	/*
	 * MAP_NORESERVE: the guest touches only what it uses, so a large
	 * --mem must not be refused by overcommit accounting up front.
	 */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/*
	 * Transparent huge pages, where the host leaves them to madvise:
	 * the accelerator then maps guest RAM with 2 MiB pages, and a guest
	 * touching fresh memory takes 512 times fewer nested page faults
	 * (which are expensive, and very much so under nested virtualization).
	 * Only a hint: failure changes nothing.
	 */
	madvise(p, size, MADV_HUGEPAGE);
	ram->hva = p;
	ram->mapped = true;
	guest_ram_layout(ram, size, hole_start);
	return 0;
}

void guest_ram_wrap(struct guest_ram *ram, void *buf, u64 size)
{
	guest_ram_wrap_hole(ram, buf, size, MMIO_HOLE_START);
}

void guest_ram_wrap_hole(struct guest_ram *ram, void *buf, u64 size,
			 u64 hole_start)
{
	ram->hva = buf;
	ram->mapped = false;
	guest_ram_layout(ram, size, hole_start);
}

void guest_ram_free(struct guest_ram *ram)
{
	if (ram->mapped)
		munmap(ram->hva, ram->size);
	ram->hva = NULL;
	ram->mapped = false;
}

void *guest_ram_ptr(const struct guest_ram *ram, u64 gpa, u64 len)
{
	u64 high = guest_ram_high_size(ram);

	if (gpa <= ram->low_size && len <= ram->low_size - gpa)
		return ram->hva + gpa;
	if (gpa >= HIGH_RAM_START && gpa - HIGH_RAM_START <= high &&
	    len <= high - (gpa - HIGH_RAM_START))
		return ram->hva + ram->low_size + (gpa - HIGH_RAM_START);
	return NULL;
}

bool guest_ram_contains(const struct guest_ram *ram, u64 gpa, u64 len)
{
	return guest_ram_ptr(ram, gpa, len) != NULL;
}
