// SPDX-License-Identifier: GPL-2.0
/*
 * The CMOS RTC, a Motorola MC146818A at index port 0x70 and data port
 * 0x71 (bit 7 of the index is the NMI mask, ignored).  Time is the host's
 * UTC clock plus an offset the guest changes by setting the clock (SET in
 * register B, write the time, clear SET).  Formats follow register B: BCD
 * or binary (DM), 12- or 24-hour (bit 7 of the hour = PM).  Register 0x32
 * is the century, as the FADT says.
 *
 * Update-in-progress (UIP, register A bit 7) reads 1 during the last
 * 244 us of each second, when the real part would be about to update.
 * Register C's flags are derived when read: UF once per second, AF when
 * the alarm matched, PF at the periodic rate of register A; reading C
 * clears them.  With PIE, AIE or UIE set, a timerfd raises IRQ 8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../init.h"
#include "../iothread.h"
#include "../irq.h"
#include "../vm.h"

#define RTC_PORT	0x70
#define RTC_NVRAM	128

#define RTC_SECONDS	0x00
#define RTC_SEC_ALARM	0x01
#define RTC_MINUTES	0x02
#define RTC_MIN_ALARM	0x03
#define RTC_HOURS	0x04
#define RTC_HOUR_ALARM	0x05
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32

#define A_UIP		0x80
#define A_DV		0x70	/* divider: 010 = 32.768 kHz time base */
#define A_RS		0x0f	/* periodic rate select */
#define B_SET		0x80
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_DM		0x04	/* 1 = binary */
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40
#define C_AF		0x20
#define C_UF		0x10
#define D_VRT		0x80	/* valid RAM and time */
#define HOUR_PM		0x80
#define ALARM_DONT_CARE	0xc0	/* 11xxxxxx matches any value */

#define UIP_NS		244000ULL

struct rtc {
	struct vm *vm;
	u8 index;
	u8 ram[RTC_NVRAM];
	s64 offset;		/* guest time - host time, seconds */
	s64 last_sec;		/* last second flags were derived for */
	u64 last_pf_ns;		/* last periodic flag */
	struct khv_timer *timer;
};

static u8 to_bcd(unsigned int v)
{
	return ((v / 10) << 4) | (v % 10);
}

static unsigned int from_bcd(u8 v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static u8 rtc_encode(const struct rtc *r, unsigned int v)
{
	return (r->ram[RTC_REG_B] & B_DM) ? v : to_bcd(v);
}

static unsigned int rtc_decode(const struct rtc *r, u8 v)
{
	return (r->ram[RTC_REG_B] & B_DM) ? v : from_bcd(v);
}

static u8 rtc_encode_hour(const struct rtc *r, unsigned int h)
{
	u8 pm = 0;

	if (!(r->ram[RTC_REG_B] & B_24H)) {
		pm = h >= 12 ? HOUR_PM : 0;
		h %= 12;
		if (!h)
			h = 12;
	}
	return rtc_encode(r, h) | pm;
}

static unsigned int rtc_decode_hour(const struct rtc *r, u8 v)
{
	unsigned int h;

	if (r->ram[RTC_REG_B] & B_24H)
		return rtc_decode(r, v);
	h = rtc_decode(r, v & ~HOUR_PM) % 12;
	return (v & HOUR_PM) ? h + 12 : h;
}

static s64 rtc_now(const struct rtc *r, u64 *frac_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (frac_ns)
		*frac_ns = ts.tv_nsec;
	return ts.tv_sec + r->offset;
}

/* Write the time registers for guest time t. */
static void rtc_store_time(struct rtc *r, s64 t)
{
	time_t tt = t;
	struct tm tm;
	unsigned int year;

	gmtime_r(&tt, &tm);
	year = tm.tm_year + 1900;
	r->ram[RTC_SECONDS] = rtc_encode(r, tm.tm_sec);
	r->ram[RTC_MINUTES] = rtc_encode(r, tm.tm_min);
	r->ram[RTC_HOURS] = rtc_encode_hour(r, tm.tm_hour);
	r->ram[RTC_WDAY] = rtc_encode(r, tm.tm_wday + 1);	/* Sunday = 1 */
	r->ram[RTC_MDAY] = rtc_encode(r, tm.tm_mday);
	r->ram[RTC_MONTH] = rtc_encode(r, tm.tm_mon + 1);
	r->ram[RTC_YEAR] = rtc_encode(r, year % 100);
	r->ram[RTC_CENTURY] = rtc_encode(r, year / 100);
}

/* The time the guest wrote while SET was on, as seconds since 1970. */
static s64 rtc_load_time(const struct rtc *r)
{
	struct tm tm = {
		.tm_sec = rtc_decode(r, r->ram[RTC_SECONDS]),
		.tm_min = rtc_decode(r, r->ram[RTC_MINUTES]),
		.tm_hour = rtc_decode_hour(r, r->ram[RTC_HOURS]),
		.tm_mday = rtc_decode(r, r->ram[RTC_MDAY]),
		.tm_mon = rtc_decode(r, r->ram[RTC_MONTH]) - 1,
		.tm_year = rtc_decode(r, r->ram[RTC_CENTURY]) * 100 +
			   rtc_decode(r, r->ram[RTC_YEAR]) - 1900,
	};

	return timegm(&tm);
}

static bool alarm_field_matches(const struct rtc *r, unsigned int alarm,
				unsigned int now)
{
	u8 a = r->ram[alarm];

	return (a & ALARM_DONT_CARE) == ALARM_DONT_CARE ||
	       a == r->ram[now];
}

/* Periodic interrupt period from register A's rate select, or 0. */
static u64 rtc_period_ns(const struct rtc *r)
{
	unsigned int rs = r->ram[RTC_REG_A] & A_RS;

	if (!rs)
		return 0;
	if (rs < 3)
		rs += 7;	/* 1 and 2 alias 8 and 9 at 32.768 kHz */
	return (NSEC_PER_SEC << (rs - 1)) / 32768;
}

/* Bring register C up to date; returns whether IRQ 8 should fire. */
static bool rtc_update_flags(struct rtc *r)
{
	u8 *c = &r->ram[RTC_REG_C], b = r->ram[RTC_REG_B];
	u64 period = rtc_period_ns(r), now = now_ns();
	s64 sec;

	if (!(b & B_SET)) {
		sec = rtc_now(r, NULL);
		if (sec != r->last_sec) {
			r->last_sec = sec;
			rtc_store_time(r, sec);
			*c |= C_UF;
			if (alarm_field_matches(r, RTC_SEC_ALARM, RTC_SECONDS) &&
			    alarm_field_matches(r, RTC_MIN_ALARM, RTC_MINUTES) &&
			    alarm_field_matches(r, RTC_HOUR_ALARM, RTC_HOURS))
				*c |= C_AF;
		}
	}
	if (period && now - r->last_pf_ns >= period) {
		r->last_pf_ns = now - (now - r->last_pf_ns) % period;
		*c |= C_PF;
	}
	if ((*c & b & (C_PF | C_AF | C_UF)) && !(*c & C_IRQF)) {
		*c |= C_IRQF;
		return true;
	}
	return false;
}

/* Arm the timer for the next event the guest enabled an interrupt for. */
static void rtc_arm(struct rtc *r)
{
	u8 b = r->ram[RTC_REG_B];
	u64 period = (b & B_PIE) ? rtc_period_ns(r) : 0, frac, now;

	if (!r->timer)
		return;
	if (period) {
		khv_timer_arm(r->timer, now_ns() + period, period);
	} else if (b & (B_AIE | B_UIE)) {
		/* At the next host second boundary, then every second. */
		now = now_ns();
		rtc_now(r, &frac);
		khv_timer_arm(r->timer, now + NSEC_PER_SEC - frac, NSEC_PER_SEC);
	} else {
		khv_timer_arm(r->timer, 0, 0);
	}
}

static void rtc_timer_fired(void *opaque)
{
	struct rtc *r = opaque;

	if (rtc_update_flags(r))
		irq_pulse(r->vm, IRQ_RTC);
}

static u8 rtc_read(struct rtc *r, u8 idx)
{
	u64 frac;
	u8 v;

	switch (idx) {
	case RTC_REG_A:
		v = r->ram[RTC_REG_A] & ~A_UIP;
		if (!(r->ram[RTC_REG_B] & B_SET)) {
			rtc_now(r, &frac);
			if (frac >= NSEC_PER_SEC - UIP_NS)
				v |= A_UIP;
		}
		return v;
	case RTC_REG_C:
		rtc_update_flags(r);
		v = r->ram[RTC_REG_C];
		r->ram[RTC_REG_C] = 0;
		return v;
	case RTC_REG_D:
		return D_VRT;
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_WDAY:
	case RTC_MDAY: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
		if (!(r->ram[RTC_REG_B] & B_SET))
			rtc_store_time(r, rtc_now(r, NULL));
		return r->ram[idx];
	}
	return r->ram[idx];
}

static void rtc_write(struct rtc *r, u8 idx, u8 v)
{
	u8 old;

	switch (idx) {
	case RTC_REG_A:
		r->ram[idx] = v & ~A_UIP;
		rtc_arm(r);
		return;
	case RTC_REG_B:
		old = r->ram[RTC_REG_B];
		if (!(old & B_SET) && (v & B_SET))
			rtc_store_time(r, rtc_now(r, NULL));	/* freeze */
		/* DM and 24/12 change only how later reads are encoded. */
		r->ram[RTC_REG_B] = v;
		if ((old & B_SET) && !(v & B_SET)) {
			r->offset += rtc_load_time(r) - rtc_now(r, NULL);
			r->last_sec = rtc_now(r, NULL);
		}
		rtc_arm(r);
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return;		/* read-only */
	}
	r->ram[idx] = v;
}

static void rtc_io(void *opaque, u64 offset, u8 *data, u32 len,
		   bool is_write)
{
	struct rtc *r = opaque;

	if (offset == 0) {
		if (is_write)
			r->index = data[0] & 0x7f;
		else
			data[0] = 0xff;	/* the index register is write-only */
	} else if (is_write) {
		rtc_write(r, r->index, data[0]);
	} else {
		data[0] = rtc_read(r, r->index);
	}
	if (!is_write && len > 1)
		le_write(data + 1, len - 1, 0);
}

static int rtc_init(struct vm *vm)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->vm = vm;
	/* As a BIOS leaves it: 32.768 kHz time base, 1024 Hz rate, 24h BCD. */
	r->ram[RTC_REG_A] = 0x26;
	r->ram[RTC_REG_B] = B_24H;
	r->last_sec = rtc_now(r, NULL);
	r->last_pf_ns = now_ns();
	r->timer = khv_timer_new(vm, rtc_timer_fired, r);
	if (!r->timer)
		return -ENOMEM;
	return bus_register(&vm->pio, RTC_PORT, 2, rtc_io, r, "rtc");
}
device_init(rtc_init);
