// SPDX-License-Identifier: GPL-2.0
/*
 * The i8042 keyboard controller, as much as a guest without a keyboard
 * needs: data port 0x60, status/command port 0x64, the controller
 * commands OSes use to probe and configure it, and its reset line.  A
 * pulse of output-port bit 0 (command 0xfe, or 0xf0-0xfe with bit 0
 * clear, or command 0xd1 writing bit 0 = 0) resets the machine, which is
 * how Linux reboots a PC (FADT reset register, then the keyboard
 * controller): the run ends with status 0, "guest rebooted".
 *
 * No keyboard or mouse is attached: bytes written for them are dropped
 * and nothing ever answers, so a driver probing them times out.
 */
#include <errno.h>
#include <stdlib.h>

#include "../init.h"
#include "../vm.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64

#define ST_OBF		0x01	/* output buffer full */
#define ST_SYS		0x04	/* system flag: self-test passed */
#define ST_CMD		0x08	/* last write was to the command port */
#define ST_UNLOCKED	0x10	/* keyboard not inhibited */

#define CTR_SYS		0x04
#define CTR_KBD_DIS	0x10
#define CTR_AUX_DIS	0x20

#define CMD_READ_CTR	0x20
#define CMD_WRITE_CTR	0x60
#define CMD_AUX_DISABLE	0xa7
#define CMD_AUX_ENABLE	0xa8
#define CMD_AUX_TEST	0xa9
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_TEST	0xab
#define CMD_KBD_DISABLE	0xad
#define CMD_KBD_ENABLE	0xae
#define CMD_READ_OUTP	0xd0
#define CMD_WRITE_OUTP	0xd1
#define CMD_PULSE_BASE	0xf0	/* 0xf0-0xff: pulse output bits 0-3 low */

#define SELF_TEST_OK	0x55
#define OUTP_RESET	0x01	/* output port bit 0: system reset, active low */
#define OUTP_A20	0x02

struct i8042 {
	struct vm *vm;
	u8 status;
	u8 ctr;
	u8 outp;
	u8 out;		/* output buffer */
	u8 pending;	/* command waiting for its data byte, or 0 */
};

static void i8042_reply(struct i8042 *k, u8 v)
{
	k->out = v;
	k->status |= ST_OBF;
}

static void i8042_reset(struct i8042 *k)
{
	pr_info("guest rebooted");
	vm_request_exit(k->vm, KHV_EXIT_HALTED, "guest reboot");
}

static void i8042_command(struct i8042 *k, u8 cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		i8042_reply(k, k->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTP:
		k->pending = cmd;
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUX_DIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= ~CTR_AUX_DIS;
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		i8042_reply(k, 0x00);	/* no error on the port lines */
		break;
	case CMD_SELF_TEST:
		k->status |= ST_SYS;
		i8042_reply(k, SELF_TEST_OK);
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBD_DIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= ~CTR_KBD_DIS;
		break;
	case CMD_READ_OUTP:
		i8042_reply(k, k->outp);
		break;
	default:
		if (cmd >= CMD_PULSE_BASE && !(cmd & OUTP_RESET))
			i8042_reset(k);
		break;
	}
}

static void i8042_data_write(struct i8042 *k, u8 v)
{
	u8 cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = v;
		k->status = (k->status & ~ST_SYS) | (v & CTR_SYS);
		break;
	case CMD_WRITE_OUTP:
		k->outp = v;
		if (!(v & OUTP_RESET))
			i8042_reset(k);
		break;
	default:
		break;	/* for the keyboard, and there is none */
	}
}

static void i8042_access(struct i8042 *k, bool cmd_port, u8 *data, u32 len,
			 bool is_write)
{
	if (is_write) {
		if (cmd_port) {
			k->status |= ST_CMD;
			i8042_command(k, data[0]);
		} else {
			k->status &= ~ST_CMD;
			i8042_data_write(k, data[0]);
		}
		return;
	}
	if (cmd_port) {
		data[0] = k->status;
	} else {
		data[0] = k->out;
		k->status &= ~ST_OBF;
	}
	if (len > 1)
		le_write(data + 1, len - 1, 0);
}

static void i8042_data_io(void *opaque, u64 offset, u8 *data, u32 len,
			  bool is_write)
{
	(void)offset;
	i8042_access(opaque, false, data, len, is_write);
}

static void i8042_cmd_io(void *opaque, u64 offset, u8 *data, u32 len,
			 bool is_write)
{
	(void)offset;
	i8042_access(opaque, true, data, len, is_write);
}

static int i8042_init(struct vm *vm)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->vm = vm;
	/* As after the BIOS: self-test passed, A20 on, reset line high. */
	k->status = ST_SYS | ST_UNLOCKED;
	k->ctr = CTR_SYS;
	k->outp = OUTP_RESET | OUTP_A20;
	/* Two ranges: 0x61 (port B) in between belongs to pit.c. */
	return bus_register(&vm->pio, I8042_DATA, 1, i8042_data_io, k,
			    "i8042-data") ?:
	       bus_register(&vm->pio, I8042_CMD, 1, i8042_cmd_io, k,
			    "i8042-cmd");
}
device_init(i8042_init);
