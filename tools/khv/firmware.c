// SPDX-License-Identifier: GPL-2.0
/*
 * --firmware: boot a raw image the way a PC boots its BIOS.
 *
 * After RESET an x86 CPU fetches its first instruction at physical
 * FFFFFFF0h: CS.base is FFFF0000h and IP FFF0h (SDM Vol. 3A, 10.1.4 "First
 * Instruction Executed").  The image is mapped so that its last byte is
 * at 4 GiB - 1, and its last 128 KiB are copied to the top of the first
 * MiB (E0000h-FFFFFh), where real-mode code reaches it once it reloads
 * CS, as on a PC.  The vCPU is left in the state the accelerator gives a
 * new vCPU: the reset state, real mode.
 *
 * The mapping is a RAM slot of the launcher's memory: a guest that writes
 * to its ROM changes the copy, not the file.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "firmware.h"
#include "ram.h"

static void *fw_rom;
static u64 fw_rom_size;

int firmware_load(struct vm *vm, const char *path)
{
	size_t size, low;
	const char *why;
	u8 *image;
	void *rom, *dst;

	image = read_file(path, FIRMWARE_MAX, &size, &why);
	if (!image) {
		pr_err("%s: %s", path, why);
		return -1;
	}
	if (size == 0 || size > FIRMWARE_MAX) {
		pr_err("%s: a firmware image must hold 1 to %d bytes", path,
		       FIRMWARE_MAX);
		free(image);
		return -1;
	}
	fw_rom_size = ALIGN_UP(size, SZ_4K);
	rom = mmap(NULL, fw_rom_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rom == MAP_FAILED) {
		pr_err("%s: cannot map %llu bytes", path,
		       (unsigned long long)fw_rom_size);
		free(image);
		return -1;
	}
	/* The image ends where the ROM ends: its last 16 bytes hold the reset vector. */
	memcpy((u8 *)rom + fw_rom_size - size, image, size);

	low = size < FIRMWARE_LOW_MAX ? size : FIRMWARE_LOW_MAX;
	dst = guest_ram_ptr(&vm->ram, SZ_1M - low, low);
	if (!dst) {
		pr_err("%s: guest RAM does not reach 1 MiB", path);
		munmap(rom, fw_rom_size);
		free(image);
		return -1;
	}
	memcpy(dst, image + size - low, low);
	free(image);
	fw_rom = rom;
	return 0;
}

int firmware_map(struct accel *a)
{
	return a->ops->add_ram(a, FIRMWARE_SLOT, (1ULL << 32) - fw_rom_size,
			       fw_rom_size, fw_rom);
}
