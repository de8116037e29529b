#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-lab checks of loading and unloading khv.ko beside Debian's KVM, in
# one lab boot: khv refuses to load while KVM is loaded and says why in
# the kernel log; /dev/khv is root-only; rmmod fails while a VM's fd is
# open and succeeds after; khv and KVM take turns several times, each
# running a guest; KVM's modules loaded beside khv (from 6.12 on, KVM
# takes SVM/VMX as it loads).  Prints PASS/FAIL lines and "N passed, N failed".
# POSIX sh (busybox).

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/guest-tests/build
# shellcheck source=scripts/lib/count.sh
. "$root/scripts/lib/count.sh"

loaded() {
	grep -q "^$1 " /proc/modules
}

# stop_guest PID: SIGINT to a khv launcher in the background, then its
# exit status.  Should it still be there 60 s later (once, the lab kernel
# reported it stuck on a CPU in its teardown: reliability.rst), the lab's
# CPUs' backtraces (SysRq l, an NMI to each busy CPU) are printed from
# the kernel log and the status is 255: a report instead of a silent hang.
stop_guest() {
	kill -INT "$1"
	n=0
	while [ $n -lt 60 ]; do
		# A child that has ended stays a zombie until wait.
		st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] && break
		sleep 1
		n=$((n + 1))
	done
	if [ $n -ge 60 ]; then
		echo "lab-load: khv run (pid $1, state $st) still there 60 s after SIGINT;" \
			"its kernel stack and the lab's CPUs:"
		sed 's/^/  /' "/proc/$1/stack" 2>/dev/null
		echo l >/proc/sysrq-trigger
		sleep 5
		dmesg | tail -n 120 | sed 's/^/  /'
		return 255
	fi
	wait "$1"
}

# run_pmode [--accel kvm]: the pmode guest, which exits with status 1
# when it passes; a hang becomes a failure after 120 s of lab time.
run_pmode() {
	timeout 120 khv run "$@" --kernel "$build/pmode.elf" >/dev/null 2>&1
}

/lab/use-kvm >/dev/null 2>&1
check $? "KVM loaded"

/sbin/insmod /lab/modules/khv.ko 2>/dev/null
st=$?
[ "$st" != 0 ] && ! loaded khv
check $? "insmod khv.ko refused while KVM is loaded (status $st)"
dmesg | grep -q "khv: KVM is loaded (kvm.ko)"
check $? "the kernel log says KVM is the reason"

/lab/use-khv >/dev/null 2>&1
check $? "khv loads once KVM is unloaded"
mode=$(ls -l /dev/khv 2>/dev/null | cut -c1-10)
owner=$(ls -l /dev/khv 2>/dev/null | awk '{ print $3 }')
[ "$mode" = "crw-------" ] && [ "$owner" = root ]
check $? "/dev/khv is crw------- root (got '$mode' '$owner')"

khv run --kernel "$build/spin.elf" >/dev/null 2>&1 &
pid=$!
sleep 2
/sbin/rmmod khv 2>/dev/null
st=$?
[ "$st" != 0 ] && loaded khv
check $? "rmmod khv refused while a VM is open (status $st)"
stop_guest "$pid"
check $(($? != 130)) "the spinning guest ended by SIGINT"
/sbin/rmmod khv
st=$?
[ "$st" = 0 ] && ! loaded khv && [ ! -e /dev/khv ]
check $? "rmmod khv succeeds once the VM is gone, /dev/khv removed"

i=1
while [ "$i" -le 3 ]; do
	/lab/use-khv >/dev/null 2>&1 &&
		run_pmode
	check $(($? != 1)) "round $i: khv loads and runs pmode"
	/lab/use-kvm >/dev/null 2>&1 &&
		run_pmode --accel kvm
	check $(($? != 1)) "round $i: KVM loads and runs pmode"
	i=$((i + 1))
done

# KVM's modules loaded beside khv, without /lab/use-kvm's rmmod khv.
# From 6.12 on, kvm.ko turns SVM/VMX on as soon as kvm_amd/kvm_intel
# loads (its parameter enable_virt_at_load, Y by default), not only while
# KVM has VMs: khv's next VM must then be refused with a message, and a
# KVM vendor module must fail to load while a khv VM holds SVM/VMX.  On
# 6.1 both load, and KVM takes SVM/VMX only for its own VMs.
load_kvm_beside_khv() {
	(cd /lab/modules/kvm && while read -r ko; do
		name=$(basename "$ko" .ko | tr - _)
		loaded "$name" || /sbin/insmod "$ko" 2>/dev/null || exit 1
	done <order)
}
unload_kvm() {
	for m in kvm_amd kvm_intel ccp kvm irqbypass; do
		! loaded "$m" || /sbin/rmmod "$m"
	done
}
in_use() {
	dmesg | grep -c "is in use by another hypervisor"
}

/lab/use-khv >/dev/null 2>&1 && load_kvm_beside_khv
check $? "KVM's modules load beside an idle khv"
at_load=$(cat /sys/module/kvm/parameters/enable_virt_at_load 2>/dev/null)
before=$(in_use)
run_pmode
st=$?
if [ "$at_load" = Y ]; then
	[ "$st" != 1 ] && [ "$(in_use)" -gt "$before" ]
	check $? "KVM enabled SVM/VMX at load: khv refuses a VM and says why (status $st)"
else
	[ "$st" = 1 ]
	check $? "KVM without VMs leaves SVM/VMX free: khv runs pmode (status $st)"
fi

unload_kvm
khv run --kernel "$build/spin.elf" >/dev/null 2>&1 &
pid=$!
sleep 2
load_kvm_beside_khv
st=$?
if [ "$at_load" = Y ]; then
	[ "$st" != 0 ]
	check $? "a KVM vendor module fails to load while a khv VM runs (status $st)"
else
	[ "$st" = 0 ]
	check $? "KVM loads while a khv VM runs (status $st)"
fi
stop_guest "$pid"
check $(($? != 130)) "the khv VM kept running and ended by SIGINT"
unload_kvm
/lab/use-kvm >/dev/null 2>&1 &&
	run_pmode --accel kvm
check $(($? != 1)) "KVM alone again runs pmode"

count_finish
