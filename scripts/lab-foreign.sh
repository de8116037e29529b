#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lab-foreign.sh DIR: run every DIR/*.elf, Multiboot kernels that nobody
# wrote for khv (scripts/foreign-guests.sh builds QEMU's i386 system tests
# into DIR), on khv and on Debian's KVM inside the lab, and compare the two
# runs: exit status and everything the guest wrote to stdout (the launcher's
# own stderr lines are not compared).  A kernel passes when both agree and
# the status is the guest's own (0: it halted or powered off; odd: it wrote
# to debug-exit), not a launcher failure, a triple fault or a timeout.
# Runs on the hypervisor that is loaded first, then switches once
# (/lab/use-khv, /lab/use-kvm).  Prints PASS/FAIL per kernel and
# "N passed, N failed".  POSIX sh: the lab's /bin/sh is busybox.
#
# Environment: KHV (the launcher, default khv), FOREIGN_TIMEOUT (seconds
# per run, default 120).

dir=${1:-}
khv=${KHV:-khv}
secs=${FOREIGN_TIMEOUT:-120}
passed=0
failed=0

if [ -z "$dir" ] || [ $# -ne 1 ]; then
	echo "usage: lab-foreign.sh DIR (the folder scripts/foreign-guests.sh printed)" >&2
	exit 64
fi
kernels=
for k in "$dir"/*.elf; do
	[ -f "$k" ] && kernels="$kernels $k"
done
if [ -z "$kernels" ]; then
	echo "FAIL foreign (no *.elf in $dir: run scripts/foreign-guests.sh and --add its folder)"
	echo "0 passed, 1 failed"
	exit 1
fi
[ -f "$dir/SOURCE" ] && sed 's/^/# /' "$dir/SOURCE"

out=$(mktemp -d /tmp/lab-foreign.XXXXXX) || exit 1

# busybox before 1.30 spells it "timeout -t SECS".
if timeout 5 true >/dev/null 2>&1; then
	tmo="timeout $secs"
elif timeout -t 5 true >/dev/null 2>&1; then
	tmo="timeout -t $secs"
else
	tmo=
fi

# run_all ACCEL: switch to ACCEL unless it is loaded, run every kernel.
run_all() {
	accel=$1
	if [ ! -c "/dev/$accel" ] && ! "/lab/use-$accel" >"$out/use-$accel" 2>&1; then
		echo "lab-foreign: /lab/use-$accel failed: $(tail -n 1 "$out/use-$accel")"
		return
	fi
	for k in $kernels; do
		n=$(basename "$k" .elf)
		# shellcheck disable=SC2086 # $tmo is a command and its arguments
		# --no-lapic: QEMU's test kernels end with HLT and IF = 0,
		# which ends the run only without an in-kernel APIC on KVM.
		$tmo "$khv" run --kernel "$k" --accel "$accel" --no-lapic \
			>"$out/$n.$accel.out" 2>"$out/$n.$accel.err" </dev/null
		echo $? >"$out/$n.$accel.status"
	done
}

# Whichever hypervisor is loaded goes first: one switch in all.
if [ -c /dev/kvm ]; then
	run_all kvm
	run_all khv
else
	run_all khv
	run_all kvm
fi

# last_line FILE: the file's last non-empty line, for the report.
last_line() {
	tr -d '\r' <"$1" | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c1-60
}

for k in $kernels; do
	n=$(basename "$k" .elf)
	if [ ! -f "$out/$n.khv.status" ] || [ ! -f "$out/$n.kvm.status" ]; then
		echo "FAIL foreign/$n (not run on $([ -f "$out/$n.khv.status" ] && echo KVM || echo khv))"
		failed=$((failed + 1))
		continue
	fi
	s_khv=$(cat "$out/$n.khv.status")
	s_kvm=$(cat "$out/$n.kvm.status")
	why=
	if [ "$s_khv" != "$s_kvm" ]; then
		why="khv status $s_khv, KVM status $s_kvm"
	elif ! cmp -s "$out/$n.khv.out" "$out/$n.kvm.out"; then
		why="same status $s_khv, different output"
	else
		case $s_khv in
		124|137|143) why="both timed out after ${secs}s or were killed (status $s_khv)" ;;
		0|*[13579]) ;;
		*) why="both ended with status $s_khv, not the guest's own" ;;
		esac
	fi
	if [ -z "$why" ]; then
		echo "PASS foreign/$n (khv and KVM agree: status $s_khv)"
		echo "#   $(wc -c <"$out/$n.khv.out" | tr -d ' ') bytes of output, last line: $(last_line "$out/$n.khv.out")"
		passed=$((passed + 1))
		continue
	fi
	echo "FAIL foreign/$n ($why)"
	for a in khv kvm; do
		echo "  --- $a: status $(cat "$out/$n.$a.status"), stderr:"
		sed 's/^/    /' "$out/$n.$a.err" | tail -n 20
	done
	if ! cmp -s "$out/$n.khv.out" "$out/$n.kvm.out"; then
		echo "  --- stdout, khv (-) against KVM (+):"
		diff -u "$out/$n.khv.out" "$out/$n.kvm.out" | tail -n +3 | head -n 40 | sed 's/^/    /'
	fi
	failed=$((failed + 1))
done
rm -rf "$out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
