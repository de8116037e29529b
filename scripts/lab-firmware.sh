#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-lab check of khv run --firmware: Debian's SeaBIOS image starts at the
# reset vector on khv and on KVM and prints its banner on the debug
# console (port 0x402).  SeaBIOS goes on to look for a PCI host bridge
# the launcher does not emulate, so only the banner is checked; the run
# is cut short after it.  Prints PASS/FAIL lines and "N passed, N failed".
# POSIX sh (busybox).

bios=${SEABIOS:-/usr/share/seabios/bios-256k.bin}
passed=0
failed=0

banner_on() {
	out=$(timeout 60 khv run --accel "$1" --firmware "$bios" 2>&1 </dev/null |
		grep -m 1 "^SeaBIOS (version")
	if [ -n "$out" ]; then
		echo "PASS: SeaBIOS on $1: $out"
		passed=$((passed + 1))
	else
		echo "FAIL: SeaBIOS on $1 printed no banner"
		failed=$((failed + 1))
	fi
}

if [ ! -r "$bios" ]; then
	echo "FAIL: no $bios (apt-get install seabios)"
	echo "0 passed, 1 failed"
	exit 1
fi
/lab/use-khv >/dev/null && banner_on khv
/lab/use-kvm >/dev/null && banner_on kvm
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" = 2 ]
