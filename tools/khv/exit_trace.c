// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's side of the exit-trace ring.  The ring is only written
 * by the vCPU thread inside KHV_RUN and only read here, by the same
 * thread, between two KHV_RUNs: so the reader never races the writer,
 * and the only loss is a burst of more in-kernel exits than the ring
 * holds between two returns to userspace, which the file records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/khv.h>
#include <linux/khv_stats.h>

#include "exit_trace.h"
#include "util.h"

/* 16384 records, 1 MiB: a Linux boot's busiest bursts fit. */
#define EXIT_TRACE_RECORDS	16384

static struct {
	FILE *f;
	const char *path;
	int vcpu_fd;
	const struct khv_trace_header *h;
	size_t map_size;
	u64 tail;		/* next record to write out */
	u64 written;
	u64 lost;
} t = { .vcpu_fd = -1 };

static const char *const reason_names[] = KHV_STAT_NAMES;

int exit_trace_open(const char *path)
{
	t.f = fopen(path, "w");
	if (!t.f) {
		pr_err("--trace-file %s: %s", path, strerror(errno));
		return -1;
	}
	t.path = path;
	return 0;
}

bool exit_trace_wanted(void)
{
	return t.f != NULL;
}

int exit_trace_start(int vcpu_fd)
{
	struct khv_trace_ctl ctl = {
		.flags = KHV_TRACE_ON,
		.nr_records = EXIT_TRACE_RECORDS,
	};
	void *p;

	if (ioctl(vcpu_fd, KHV_TRACE, &ctl) < 0) {
		pr_err("KHV_TRACE: %s", strerror(errno));
		return -1;
	}
	p = mmap(NULL, ctl.map_size, PROT_READ, MAP_SHARED, vcpu_fd,
		 KHV_TRACE_OFFSET);
	if (p == MAP_FAILED) {
		pr_err("mmap of the exit-trace ring: %s", strerror(errno));
		return -1;
	}
	t.h = p;
	t.map_size = ctl.map_size;
	t.vcpu_fd = vcpu_fd;
	t.tail = __atomic_load_n(&t.h->head, __ATOMIC_ACQUIRE);
	fprintf(t.f, "# khv exit trace v%u, tsc_khz %llu\n"
		"# tsc vcpu reason exit_code qual info2 rip gpa key handle_ns\n",
		t.h->version, (unsigned long long)t.h->tsc_khz);
	return 0;
}

static void write_record(const struct khv_trace_record *r)
{
	const char *name = r->reason < ARRAY_SIZE(reason_names) ?
			   reason_names[r->reason] : "unknown";

	fprintf(t.f, "%llu %u %s 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%x %u\n",
		(unsigned long long)r->tsc, r->vcpu, name,
		(unsigned long long)r->exit_code,
		(unsigned long long)r->qual, (unsigned long long)r->info2,
		(unsigned long long)r->rip, (unsigned long long)r->gpa,
		r->key, r->handle_ns);
}

void exit_trace_drain(void)
{
	const struct khv_trace_record *rec;
	u64 head, nr;

	if (!t.h)
		return;
	/* Acquire: pairs with the kernel's release store of head. */
	head = __atomic_load_n(&t.h->head, __ATOMIC_ACQUIRE);
	if (head == t.tail)
		return;
	nr = t.h->nr_records;
	rec = (const void *)((const u8 *)t.h + t.h->records_offset);
	if (head - t.tail > nr) {
		fprintf(t.f, "# lost %llu records\n",
			(unsigned long long)(head - t.tail - nr));
		t.lost += head - t.tail - nr;
		t.tail = head - nr;
	}
	for (; t.tail < head; t.tail++, t.written++)
		write_record(&rec[t.tail & (nr - 1)]);
}

void exit_trace_close(void)
{
	struct khv_trace_ctl ctl = { .flags = 0 };

	if (!t.f)
		return;
	exit_trace_drain();
	if (t.h) {
		ioctl(t.vcpu_fd, KHV_TRACE, &ctl);
		munmap((void *)t.h, t.map_size);
		t.h = NULL;
	}
	if (fclose(t.f))
		pr_err("--trace-file %s: %s", t.path, strerror(errno));
	else
		pr_info("exit trace: %llu records in %s%s", (unsigned long long)t.written,
			t.path, t.lost ? " (some lost: ring overflow)" : "");
	t.f = NULL;
}
