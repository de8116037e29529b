#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-lab part of `make check`: runs inside ONE lab boot (scripts/labvm)
# and compares khv with Debian's KVM on the same emulated machine.
#   1. the guest tests on khv (loaded at boot by the lab's init), the
#      ABI test, the statistics check, and the lab's own kernel as a
#      Linux guest with 256 MiB and (not with --vmx) 4.5 GiB of RAM,
#   2. /lab/use-kvm: rmmod khv, insmod kvm-amd and its dependencies,
#   3. the same guest tests on KVM,
#   4. with --foreign DIR: scripts/lab-foreign.sh DIR, Multiboot kernels
#      nobody wrote for khv, on KVM and on khv, compared with each other;
#   5. SeaBIOS (scripts/lab-firmware.sh), 100 load/unload cycles of khv
#      (scripts/lab-cycles.sh), loading beside KVM (scripts/lab-load.sh).
# With --vmx (the Bochs lab of scripts/check-vmx.sh, where every emulated
# instruction counts): the same minus the foreign kernels and SeaBIOS,
# 10 load/unload cycles instead of 100, and mem1g on 64 MiB
# (--cmdline mib=64).
# --no-linux-kvm leaves out the Linux guest on KVM (the 6.12 lane on one
# QEMU thread, where KVM's own Linux guest hangs: Documentation/lab.rst).
# Every line of guest-tests/run-tests.sh is printed with its accelerator in
# front, then one count per accelerator and the combined count last.
# POSIX sh: the lab's /bin/sh is busybox.

root=$(cd "$(dirname "$0")/.." && pwd)
runner=$root/guest-tests/run-tests.sh
foreign=
vmx=0
linux_kvm=1
while [ $# -gt 0 ]; do
	case $1 in
	--foreign) foreign=$2; shift 2 ;;
	--vmx) vmx=1; shift ;;
	--no-linux-kvm) linux_kvm=0; shift ;;
	*) echo "lab-check: unknown option $1"; exit 2 ;;
	esac
done
runner_args=
[ $vmx = 1 ] && runner_args="--timeout 300 --extra-args --cmdline=mib=64"
passed=0
failed=0
summaries=

# count ACCEL PASSED FAILED
count() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	summaries="$summaries$1: $2 passed, $3 failed
"
}

# run_pass ACCEL: run the guest tests on ACCEL and count them.
run_pass() {
	out=/tmp/lab-check-$1.out
	: >"$out"
	if [ -x "$runner" ]; then
		set -- "$1" "$runner"
	else
		set -- "$1" sh "$runner"
	fi
	accel=$1
	shift
	skip_args=
	if [ $vmx = 1 ] && [ "$accel" = kvm ]; then
		# Bochs 2.7 keeps host interrupts masked in a guest entered
		# with RFLAGS.IF=0 until the guest changes IF, although
		# external-interrupt exiting is set: spin would freeze the
		# lab's only CPU for good.  khv's VMX-preemption-timer
		# backstop gets the CPU back; kvm_intel has none.
		echo "$accel: spin skipped: kvm_intel would freeze the Bochs lab (Documentation/vmx.rst)"
		skip_args="--skip spin"
	fi
	{
		# shellcheck disable=SC2086 # lists of arguments
		"$@" --accel "$accel" $runner_args $skip_args 2>&1
		echo $? >"$out.status"
	} | while IFS= read -r line; do
		printf '%s: %s\n' "$accel" "$line"
		printf '%s\n' "$line" >>"$out"
	done
	status=$(cat "$out.status")
	summary=$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "lab-check: run-tests.sh --accel $accel printed no 'N passed, N failed' line (status $status)"
		count "$accel" 0 1
		return
	fi
	p=$(echo "$summary" | sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
	f=$(echo "$summary" | sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		echo "lab-check: run-tests.sh --accel $accel exited with status $status but counted no failure"
		f=1
	fi
	count "$accel" "$p" "$f"
}

# run_counted NAME COMMAND...: run an in-lab script and count its last
# "N passed, N failed" line as NAME.
run_counted() {
	name=$1
	shift
	out=/tmp/lab-check-$name.out
	{
		"$@" 2>&1
		echo $? >"$out.status"
	} | tee "$out"
	status=$(cat "$out.status")
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "lab-check: $name printed no 'N passed, N failed' line (status $status)"
		count "$name" 0 1
		return
	fi
	p=${summary%% passed*}
	f=${summary#*passed, }
	f=${f%% failed*}
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		echo "lab-check: $name exited with status $status but counted no failure"
		f=1
	fi
	count "$name" "$p" "$f"
}

if [ ! -f "$runner" ]; then
	echo "lab-check: $runner is missing"
	count guest-tests 0 1
elif [ -c /dev/khv ] || /lab/use-khv; then
	run_pass khv
	# The entry checks on demand and a failed entry (KHV_CHECK_ENTRY).
	run_counted abi "$root/tools/abitest/khv-abitest"
	# Exit statistics and the netlink family need khv loaded.
	run_counted stats sh "$root/scripts/stats-check.sh"
	# The lab's own kernel booted as a guest, to its shell and poweroff.
	run_counted linux-khv env ACCEL=khv sh "$root/scripts/linux-guest-test.sh"
	# More RAM than fits below the PCI hole: 3 GiB under it, 1.5 GiB
	# above 4 GiB, in a second memory slot (not in Bochs: too slow).
	[ $vmx = 1 ] || run_counted linux-khv-4g env ACCEL=khv MEM=4608M \
		sh "$root/scripts/linux-guest-test.sh"
else
	echo "lab-check: khv is not loaded and /lab/use-khv failed: no khv pass"
	count khv 0 1
fi

if [ -f "$runner" ]; then
	if /lab/use-kvm; then
		run_pass kvm
		if [ $linux_kvm = 1 ]; then
			run_counted linux-kvm env ACCEL=kvm sh "$root/scripts/linux-guest-test.sh"
		else
			echo "lab-check: the Linux guest on KVM left out (--no-linux-kvm)"
		fi
	else
		echo "lab-check: /lab/use-kvm failed: no KVM pass"
		count kvm 0 1
	fi
fi

if [ -n "$foreign" ]; then
	run_counted foreign sh "$root/scripts/lab-foreign.sh" "$foreign"
fi

# --firmware: SeaBIOS from the reset vector on khv and on KVM.
[ $vmx = 1 ] || run_counted firmware sh "$root/scripts/lab-firmware.sh"

# 100 cycles of insmod khv, a guest, rmmod khv, then memory and the
# kernel log (Documentation/reliability.rst, "Load and unload").  It
# unloads KVM first and loads it again after.  10 cycles in the Bochs lab,
# where one takes much longer.
if [ ! -f "$root/scripts/lab-cycles.sh" ]; then
	echo "lab-check: $root/scripts/lab-cycles.sh is not in this lab (scripts/labvm puts the lab scripts in)"
	count cycles 0 1
elif [ $vmx = 1 ]; then
	run_counted cycles env CYCLES=10 sh "$root/scripts/lab-cycles.sh"
else
	run_counted cycles sh "$root/scripts/lab-cycles.sh"
fi

# Loading and unloading khv beside KVM; ends with KVM loaded.
run_counted load sh "$root/scripts/lab-load.sh"

printf '%s' "$summaries"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
