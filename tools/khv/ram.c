// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/mman.h>

#include "ram.h"

static void guest_ram_layout(struct guest_ram *ram, u64 size)
{
	ram->size = size;
	ram->low_size = size < MMIO_HOLE_START ? size : MMIO_HOLE_START;
}

int guest_ram_alloc(struct guest_ram *ram, u64 size)
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
	ram->hva = p;
	ram->mapped = true;
	guest_ram_layout(ram, size);
	return 0;
}

void guest_ram_wrap(struct guest_ram *ram, void *buf, u64 size)
{
	ram->hva = buf;
	ram->mapped = false;
	guest_ram_layout(ram, size);
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
