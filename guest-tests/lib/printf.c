// SPDX-License-Identifier: GPL-2.0
/*
 * A small printf: %d %i %u %x %X %p %s %c %%, with the l, ll and z length
 * modifiers, a field width and the '0' and '-' flags.
 */
#include "libguest.h"

struct sink {
	char *buf;		/* NULL: print to the serial port */
	size_t size, len;
};

static void emit(struct sink *s, char c)
{
	if (!s->buf)
		putchar(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

/*
 * Divide by 10 with shifts: 32-bit builds have no libgcc for a 64-bit
 * division.
 */
static unsigned int divmod10(u64 *n)
{
	u64 q = 0, r = 0;
	int bit;

	for (bit = 63; bit >= 0; bit--) {
		r = (r << 1) | ((*n >> bit) & 1);
		if (r >= 10) {
			r -= 10;
			q |= 1ULL << bit;
		}
	}
	*n = q;
	return r;
}

static void emit_number(struct sink *s, u64 v, bool neg, unsigned int base,
			bool upper, unsigned int width, bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned int n = 0, len;

	do {
		if (base == 16) {
			tmp[n++] = digits[v & 15];
			v >>= 4;
		} else {
			tmp[n++] = digits[divmod10(&v)];
		}
	} while (v);

	len = n + neg;
	if (neg && zero)
		emit(s, '-');
	for (; !left && len < width; len++)
		emit(s, zero ? '0' : ' ');
	if (neg && !zero)
		emit(s, '-');
	while (n)
		emit(s, tmp[--n]);
	for (; left && len < width; len++)
		emit(s, ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned int width = 0, lng = 0;
		bool zero = false, left = false, is_signed = false;
		unsigned int base = 10;
		const char *str;
		u64 v;
		s64 sv;

		if (*fmt != '%') {
			emit(s, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '0' || *fmt == '-'; fmt++) {
			if (*fmt == '0')
				zero = true;
			else
				left = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng += *fmt == 'z' ? (sizeof(size_t) > 4 ? 1 : 0) : 1;

		switch (*fmt) {
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'x':
		case 'X':
			base = 16;
			break;
		case 'p':
			emit(s, '0');
			emit(s, 'x');
			emit_number(s, (unsigned long)va_arg(ap, void *), false,
				    16, false, width, zero, left);
			continue;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (width -= width < strlen(str) ? width : strlen(str);
			     !left && width; width--)
				emit(s, ' ');
			while (*str)
				emit(s, *str++);
			for (; width; width--)
				emit(s, ' ');
			continue;
		case 'c':
			emit(s, (char)va_arg(ap, int));
			continue;
		case '%':
			emit(s, '%');
			continue;
		case '\0':
			return;
		default:
			emit(s, '%');
			emit(s, *fmt);
			continue;
		}

		if (is_signed) {
			if (lng >= 2)
				sv = va_arg(ap, long long);
			else if (lng == 1)
				sv = va_arg(ap, long);
			else
				sv = va_arg(ap, int);
			v = sv < 0 ? -(u64)sv : (u64)sv;
			emit_number(s, v, sv < 0, base, false, width, zero,
				    left);
			continue;
		}
		if (lng >= 2)
			v = va_arg(ap, unsigned long long);
		else if (lng == 1)
			v = va_arg(ap, unsigned long);
		else
			v = va_arg(ap, unsigned int);
		emit_number(s, v, false, base, *fmt == 'X', width, zero, left);
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = { NULL, 0, 0 };

	format(&s, fmt, ap);
	return s.len;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct sink s = { buf, size, 0 };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len;
}
