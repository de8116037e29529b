// SPDX-License-Identifier: GPL-2.0
/*
 * khv: the exit-trace ring of a vCPU.
 *
 * A flight recorder: one 64-byte record per exit while tracing is on,
 * overwriting the oldest when full, in vmalloc'd memory that userspace
 * maps read-only at KHV_TRACE_OFFSET of the vCPU fd.  Only the vCPU's own
 * thread writes it.  khv keeps the authoritative head in struct
 * khv_vcpu_stats and only copies it into the shared header, so nothing
 * userspace could do to the mapping changes what the kernel writes where.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/tsc.h>

#include "khv.h"
#include "stats.h"

#define KHV_TRACE_DEFAULT_RECORDS	4096		/* 256 KiB */
#define KHV_TRACE_MAX_RECORDS		(1u << 18)	/* 16 MiB */

struct khv_trace_record *khv_trace_write(struct khv_vcpu *vcpu,
					 const struct khv_exit_stat *es)
{
	struct khv_vcpu_stats *s = vcpu->stats;
	struct khv_trace_record *rec = &s->records[s->head & s->ring_mask];

	rec->tsc = es->start_tsc;
	rec->exit_code = es->info.code;
	rec->qual = es->info.qual;
	rec->info2 = es->info.info2;
	rec->rip = vcpu->rip;
	rec->gpa = es->info.gpa;
	rec->key = es->key;
	rec->reason = es->info.reason;
	rec->vcpu = vcpu->id;
	rec->handle_ns = 0;
	return rec;
}

/* After the handler: complete the record, then make it visible. */
void khv_trace_publish(struct khv_vcpu_stats *s, struct khv_trace_record *rec,
		       u64 ns)
{
	rec->handle_ns = min_t(u64, ns, U32_MAX);
	s->head++;
	/* Pairs with the reader's load of head: the record is complete. */
	smp_store_release(&s->ring->head, s->head);
}

void khv_trace_free(struct khv_vcpu_stats *s)
{
	vfree(s->ring);
	s->ring = NULL;
}

static int khv_trace_create(struct khv_vcpu_stats *s, u32 nr)
{
	struct khv_trace_header *h;
	unsigned long bytes;

	bytes = PAGE_SIZE + PAGE_ALIGN((unsigned long)nr *
				       sizeof(struct khv_trace_record));
	/* vmalloc_user: zeroed and allowed in remap_vmalloc_range. */
	h = vmalloc_user(bytes);
	if (!h)
		return -ENOMEM;
	h->version = KHV_TRACE_VERSION;
	h->record_size = sizeof(struct khv_trace_record);
	h->nr_records = nr;
	h->records_offset = PAGE_SIZE;
	h->tsc_khz = tsc_khz;
	s->records = (void *)h + PAGE_SIZE;
	s->ring_mask = nr - 1;
	s->ring_bytes = bytes;
	s->head = 0;
	/* Pairs with khv_trace_mmap, which runs without the vCPU mutex. */
	smp_store_release(&s->ring, h);
	return 0;
}

/* Under the vCPU mutex, so never while the vCPU runs. */
long khv_trace_ioctl(struct khv_vcpu *vcpu, struct khv_trace_ctl __user *u)
{
	struct khv_vcpu_stats *s = vcpu->stats;
	struct khv_trace_ctl ctl;
	u32 nr;
	int ret;

	if (copy_from_user(&ctl, u, sizeof(ctl)))
		return -EFAULT;
	if (ctl.flags & ~KHV_TRACE_ON)
		return -EINVAL;
	nr = ctl.nr_records ?: KHV_TRACE_DEFAULT_RECORDS;
	if (!is_power_of_2(nr) || nr > KHV_TRACE_MAX_RECORDS)
		return -EINVAL;

	if (!s->ring) {
		if (!(ctl.flags & KHV_TRACE_ON))
			return 0;	/* off, and nothing to map */
		ret = khv_trace_create(s, nr);
		if (ret)
			return ret;
	} else if (ctl.nr_records && nr != s->ring_mask + 1) {
		/* The ring may be mapped: it keeps its size for good. */
		return -EBUSY;
	}
	s->tracing = ctl.flags & KHV_TRACE_ON;

	ctl.nr_records = s->ring_mask + 1;
	ctl.map_size = s->ring_bytes;
	if (copy_to_user(u, &ctl, sizeof(ctl)))
		return -EFAULT;
	return 0;
}

int khv_trace_mmap(struct khv_vcpu *vcpu, struct vm_area_struct *vma)
{
	/* Pairs with khv_trace_create: a ring seen is initialised. */
	struct khv_trace_header *h = smp_load_acquire(&vcpu->stats->ring);

	if (!h)
		return -ENODEV;		/* KHV_TRACE first */
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_end - vma->vm_start > vcpu->stats->ring_bytes)
		return -EINVAL;
	/*
	 * VM_MAYWRITE stays (clearing it needs vm_flags_clear() from 6.3 on
	 * and a direct store before): a process that mprotect()s its own
	 * view writable can only garble its own copy of the trace, since
	 * khv never reads the ring back.
	 */
	return remap_vmalloc_range(vma, h, 0);
}
