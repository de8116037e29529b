#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-lab part of `make bench`: runs inside ONE lab boot.  Alternates
# khv and KVM for ROUNDS rounds (so drift in the emulated machine hits
# both alike) and prints every measurement as "ACCEL BENCH NAME CYCLES".
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

i=0
while [ "$i" -lt "$rounds" ]; do
	/lab/use-khv >/dev/null || { echo "lab-bench: cannot load khv"; exit 1; }
	run_on khv
	/lab/use-kvm >/dev/null || { echo "lab-bench: cannot load KVM"; exit 1; }
	run_on kvm
	i=$((i + 1))
done
