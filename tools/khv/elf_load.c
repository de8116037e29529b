// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough ELF for Multiboot: the loader places each PT_LOAD segment at
 * its physical address itself (Multiboot 3.1.3), so only the ELF header
 * and program headers are read; sections and symbols are ignored.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "multiboot.h"

struct elf_seg {
	u32 type;
	u64 offset, vaddr, paddr, filesz, memsz;
};

static void elf_phdr(const u8 *file, bool is64, u64 off, struct elf_seg *s)
{
	if (is64) {
		Elf64_Phdr p;

		memcpy(&p, file + off, sizeof(p));
		*s = (struct elf_seg) { p.p_type, p.p_offset, p.p_vaddr,
					p.p_paddr, p.p_filesz, p.p_memsz };
	} else {
		Elf32_Phdr p;

		memcpy(&p, file + off, sizeof(p));
		*s = (struct elf_seg) { p.p_type, p.p_offset, p.p_vaddr,
					p.p_paddr, p.p_filesz, p.p_memsz };
	}
}

int elf_load(const struct guest_ram *ram, const u8 *file, size_t size,
	     struct mb_image *img, char *err, size_t errlen)
{
	u64 phoff, entry, phentsize_min;
	unsigned int phnum, phentsize, i;
	bool is64, entry_mapped = false;
	u16 machine;

	memset(img, 0, sizeof(*img));
	if (size < EI_NIDENT || memcmp(file, ELFMAG, SELFMAG)) {
		snprintf(err, errlen, "not an ELF file (bad magic)");
		return -1;
	}
	if (file[EI_CLASS] != ELFCLASS32 && file[EI_CLASS] != ELFCLASS64) {
		snprintf(err, errlen, "bad ELF class %u", file[EI_CLASS]);
		return -1;
	}
	is64 = file[EI_CLASS] == ELFCLASS64;
	if (file[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen, "ELF file is not little-endian");
		return -1;
	}
	if (size < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		snprintf(err, errlen, "truncated ELF header");
		return -1;
	}
	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, file, sizeof(eh));
		machine = eh.e_machine;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		phentsize_min = sizeof(Elf64_Phdr);
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, file, sizeof(eh));
		machine = eh.e_machine;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		phentsize_min = sizeof(Elf32_Phdr);
	}
	if (machine != (is64 ? EM_X86_64 : EM_386)) {
		snprintf(err, errlen, "bad ELF machine %u for %s", machine,
			 is64 ? "ELF64 (want x86-64)" : "ELF32 (want i386)");
		return -1;
	}
	if (!phnum || phentsize < phentsize_min) {
		snprintf(err, errlen, "ELF file has no usable program headers");
		return -1;
	}
	if (phoff > size || (u64)phnum * phentsize > size - phoff) {
		snprintf(err, errlen, "truncated ELF program headers");
		return -1;
	}

	img->start = ~0ULL;
	for (i = 0; i < phnum; i++) {
		struct elf_seg s;
		u8 *dst;

		elf_phdr(file, is64, phoff + (u64)i * phentsize, &s);
		if (s.type != PT_LOAD || !s.memsz)
			continue;
		if (s.filesz > s.memsz) {
			snprintf(err, errlen,
				 "segment %u: file size 0x%llx exceeds memory size 0x%llx",
				 i, (unsigned long long)s.filesz,
				 (unsigned long long)s.memsz);
			return -1;
		}
		if (s.offset > size || s.filesz > size - s.offset) {
			snprintf(err, errlen,
				 "segment %u: truncated file (needs 0x%llx bytes at offset 0x%llx)",
				 i, (unsigned long long)s.filesz,
				 (unsigned long long)s.offset);
			return -1;
		}
		/* Entry is 32-bit protected mode: everything below 4 GiB. */
		if (s.paddr >= ram->low_size ||
		    s.memsz > ram->low_size - s.paddr) {
			snprintf(err, errlen,
				 "segment %u [0x%llx-0x%llx) is outside guest RAM (0-0x%llx)",
				 i, (unsigned long long)s.paddr,
				 (unsigned long long)(s.paddr + s.memsz),
				 (unsigned long long)ram->low_size);
			return -1;
		}
		if (img->nseg == MB_MAX_SEGMENTS) {
			snprintf(err, errlen, "more than %d PT_LOAD segments",
				 MB_MAX_SEGMENTS);
			return -1;
		}
		dst = guest_ram_ptr(ram, s.paddr, s.memsz);
		memcpy(dst, file + s.offset, s.filesz);
		memset(dst + s.filesz, 0, s.memsz - s.filesz);

		img->seg[img->nseg].start = s.paddr;
		img->seg[img->nseg].end = s.paddr + s.memsz;
		img->nseg++;
		if (s.paddr < img->start)
			img->start = s.paddr;
		if (s.paddr + s.memsz > img->end)
			img->end = s.paddr + s.memsz;

		/*
		 * e_entry is virtual; with paging off the CPU needs the
		 * physical address, so translate through the segment that
		 * holds it (a no-op when vaddr == paddr).
		 */
		if (!entry_mapped && entry >= s.vaddr &&
		    entry - s.vaddr < s.memsz) {
			entry = entry - s.vaddr + s.paddr;
			entry_mapped = true;
		}
	}
	if (!img->nseg) {
		snprintf(err, errlen, "ELF file has no PT_LOAD segment");
		return -1;
	}
	if (!entry_mapped) {
		snprintf(err, errlen,
			 "entry point 0x%llx is not inside a loaded segment",
			 (unsigned long long)entry);
		return -1;
	}
	img->entry = entry;
	return 0;
}
