#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-lab part of `make bench`: runs inside ONE lab boot.  Alternates
# khv and KVM for ROUNDS rounds of guest-tests/tests/bench.c (so drift in
# the emulated machine hits both alike), then boots the lab's own Linux
# kernel once on each, and prints every measurement as
# "ACCEL BENCH NAME VALUE" (cycles; for Linux, ms to init and the
# launcher's KiB beyond guest RAM).
# POSIX sh: the lab's /bin/sh is busybox.

root=$(cd "$(dirname "$0")/.." && pwd)
elf=$root/guest-tests/build/bench.elf
rounds=${ROUNDS:-3}

run_on() {
	out=$(khv run --accel "$1" --mem 256M --kernel "$elf" 2>&1)
	status=$?
	if [ "$status" != 1 ]; then
		echo "lab-bench: bench.elf on $1 ended with status $status:"
		echo "$out"
		exit 1
	fi
	echo "$out" | grep '^BENCH ' | sed "s/^/$1 /"
}

# linux_on ACCEL: boot the lab's own kernel (scripts/linux-guest-test.sh)
# and print the launcher's boot-time and memory reports as BENCH lines.
linux_on() {
	out=$(ACCEL=$1 sh "$root/scripts/linux-guest-test.sh" 2>&1)
	ms=$(echo "$out" | sed -n 's/.*khv: guest init reached after \([0-9]*\) ms.*/\1/p' | head -n 1)
	kib=$(echo "$out" | sed -n 's/.*beyond guest RAM \([0-9]*\) KiB.*/\1/p' | head -n 1)
	if [ -z "$ms" ] || [ -z "$kib" ]; then
		echo "lab-bench: the Linux guest on $1 reported no boot time or memory:"
		echo "$out" | tail -n 20
		exit 1
	fi
	echo "$1 BENCH linux_boot_ms $ms"
	echo "$1 BENCH launcher_kib $kib"
}

i=0
while [ "$i" -lt "$rounds" ]; do
	/lab/use-khv >/dev/null || { echo "lab-bench: cannot load khv"; exit 1; }
	run_on khv
	/lab/use-kvm >/dev/null || { echo "lab-bench: cannot load KVM"; exit 1; }
	run_on kvm
	i=$((i + 1))
done

# The exit-trace ring off and on (khv only): CPUID exits of the exitstat
# guest, scripts/trace-bench.sh, as "khv BENCH cpuid_trace_off|on".
/lab/use-khv >/dev/null || { echo "lab-bench: cannot load khv"; exit 1; }
sh "$root/scripts/trace-bench.sh" 20000 "$rounds" |
	sed -n 's/^trace \(o[nf]*\): median \([0-9]*\) cycles.*/khv BENCH cpuid_trace_\1 \2/p'

# One Linux boot per accelerator: each takes tens of seconds here.
/lab/use-khv >/dev/null || { echo "lab-bench: cannot load khv"; exit 1; }
linux_on khv
/lab/use-kvm >/dev/null || { echo "lab-bench: cannot load KVM"; exit 1; }
linux_on kvm
