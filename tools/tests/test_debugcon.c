// SPDX-License-Identifier: GPL-2.0
/*
 * The 0xe9 debug console (devices/debugcon.c) through the real port bus:
 * bytes written reach console_out, reads return 0xe9, and an access wider
 * than the one-byte port is left to the unclaimed path.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../khv/init.h"
#include "../khv/vm.h"
#include "test.h"

static u8 debugcon_ram[SZ_1M];

TEST(debugcon_port_e9)
{
	int in[2], out[2];
	struct vm vm;
	char buf[8];
	u8 d[4];
	ssize_t n;

	CHECK(!pipe(in) && !pipe(out), "pipe");
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	vm_init(&vm);
	guest_ram_wrap(&vm.ram, debugcon_ram, sizeof(debugcon_ram));
	vm.console_in = in[0];
	vm.console_out = out[1];
	CHECK(!khv_init_all(&vm), "vm");

	d[0] = 'o';
	bus_access(&vm.pio, 0xe9, d, 1, true);
	d[0] = 'k';
	bus_access(&vm.pio, 0xe9, d, 1, true);
	le_write(d, 2, 0x2121);		/* 16 bits: runs past the port */
	bus_access(&vm.pio, 0xe9, d, 2, true);
	n = read(out[0], buf, sizeof(buf));
	CHECK(n == 2 && !memcmp(buf, "ok", 2),
	      "console_out got %zd bytes, want \"ok\"", n);

	d[0] = 0;
	bus_access(&vm.pio, 0xe9, d, 1, false);
	CHECK(d[0] == 0xe9, "read 0x%x, want 0xe9", d[0]);
	bus_access(&vm.pio, 0xe9, d, 2, false);
	CHECK(le_read(d, 2) == 0xffff, "16-bit read 0x%llx, want unclaimed",
	      (unsigned long long)le_read(d, 2));

	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}
