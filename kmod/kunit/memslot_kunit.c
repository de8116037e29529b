// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the memory slot lookup and checks (memslot_lookup.c):
 * which slot maps a guest physical address, and which regions
 * KHV_SET_MEMORY_REGION must refuse.
 */
#include <kunit/test.h>
#include <linux/mm.h>

#include "khv.h"

#define UADDR	0x7f0000000000ULL	/* a user address */

static struct khv_vm *vm_alloc(struct kunit *test)
{
	struct khv_vm *vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	return vm;
}

static void put_slot(struct khv_vm *vm, int i, u64 gpa, u64 npages)
{
	vm->slots[i].gpa = gpa;
	vm->slots[i].npages = npages;
	vm->slots[i].uaddr = UADDR + (i << 28);
}

static void memslot_find_bounds(struct kunit *test)
{
	struct khv_vm *vm = vm_alloc(test);

	KUNIT_EXPECT_NULL(test, khv_memslot_find(vm, 0));
	/* Slot 3: [1 MiB, 1 MiB + 64 KiB); slot 7 right after it. */
	put_slot(vm, 3, 0x100000, 16);
	put_slot(vm, 7, 0x110000, 1);
	KUNIT_EXPECT_PTR_EQ(test, khv_memslot_find(vm, 0x100000), &vm->slots[3]);
	KUNIT_EXPECT_PTR_EQ(test, khv_memslot_find(vm, 0x10ffff), &vm->slots[3]);
	KUNIT_EXPECT_PTR_EQ(test, khv_memslot_find(vm, 0x110000), &vm->slots[7]);
	KUNIT_EXPECT_PTR_EQ(test, khv_memslot_find(vm, 0x110fff), &vm->slots[7]);
	KUNIT_EXPECT_NULL(test, khv_memslot_find(vm, 0x111000));
	KUNIT_EXPECT_NULL(test, khv_memslot_find(vm, 0xfffff));
	KUNIT_EXPECT_NULL(test, khv_memslot_find(vm, ~0ULL));
	/* A deleted slot (no pages) maps nothing, whatever its gpa says. */
	vm->slots[7].npages = 0;
	KUNIT_EXPECT_NULL(test, khv_memslot_find(vm, 0x110000));
	/* The last slot and the top of the guest physical space. */
	put_slot(vm, KHV_NR_MEMSLOTS - 1, (1ULL << 48) - 0x2000, 2);
	KUNIT_EXPECT_PTR_EQ(test, khv_memslot_find(vm, (1ULL << 48) - 1),
			    &vm->slots[KHV_NR_MEMSLOTS - 1]);
	KUNIT_EXPECT_NULL(test, khv_memslot_find(vm, 1ULL << 48));
}

static int check(struct khv_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size,
		 u64 uaddr)
{
	struct khv_memory_region mr = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = uaddr,
	};

	return khv_memslot_check(vm, &mr);
}

static void memslot_check_region(struct kunit *test)
{
	struct khv_vm *vm = vm_alloc(test);

	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0, 0x100000, UADDR), 0);
	KUNIT_EXPECT_EQ(test, check(vm, 0, KHV_MEM_READONLY, 0xfff00000,
				    0x100000, UADDR), 0);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 2, 0, 0x1000, UADDR), -EINVAL);
	/* 4 KiB alignment of all three. */
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0x800, 0x1000, UADDR), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0, 0x1800, UADDR), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0, 0x1000, UADDR + 8), -EINVAL);
	/* Guest addresses end at 2^48, exactly there is fine. */
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, (1ULL << 48) - 0x1000, 0x1000,
				    UADDR), 0);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, (1ULL << 48) - 0x1000, 0x2000,
				    UADDR), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, -0x1000ULL, 0x2000, UADDR),
			-EINVAL);
	/* The user range may neither wrap nor reach kernel addresses. */
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0, 0x2000, -0x1000ULL), -EFAULT);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0, 0x1000, PAGE_OFFSET), -EFAULT);
}

static void memslot_check_overlap(struct kunit *test)
{
	struct khv_vm *vm = vm_alloc(test);

	put_slot(vm, 2, 0x100000, 16);		/* [0x100000, 0x110000) */
	/* Overlapping at either end or inside: refused. */
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0xff000, 0x2000, UADDR), -EEXIST);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0x10f000, 0x2000, UADDR), -EEXIST);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0x104000, 0x1000, UADDR), -EEXIST);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0, 0x200000, UADDR), -EEXIST);
	/* Touching is not overlapping. */
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0xf0000, 0x10000, UADDR), 0);
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0x110000, 0x1000, UADDR), 0);
	/* Slot 2 itself may be replaced by an overlapping region. */
	KUNIT_EXPECT_EQ(test, check(vm, 2, 0, 0x108000, 0x10000, UADDR), 0);
	/* A deleted slot is no obstacle. */
	vm->slots[2].npages = 0;
	KUNIT_EXPECT_EQ(test, check(vm, 0, 0, 0x104000, 0x1000, UADDR), 0);
}

static struct kunit_case khv_memslot_cases[] = {
	KUNIT_CASE(memslot_find_bounds),
	KUNIT_CASE(memslot_check_region),
	KUNIT_CASE(memslot_check_overlap),
	{}
};

static struct kunit_suite khv_memslot_suite = {
	.name = "khv_memslot",
	.test_cases = khv_memslot_cases,
};
kunit_test_suite(khv_memslot_suite);
