#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-lab check that khv.ko loads and unloads cleanly many times: CYCLES
# (default 100) cycles of insmod khv.ko, one short guest on khv
# (guest-tests/build/cpuid.elf, which passes with exit status 1), rmmod
# khv.  Then: khv is gone; free memory and unreclaimable slab did not move
# by more than a small bound since the end of cycle 1; the kernel log
# written during the cycles holds no WARNING, BUG, oops or leak report.
# One PASS/FAIL line per property (not per cycle), then
# "N passed, N failed".  KVM's modules are unloaded first if loaded and
# reloaded at the end, as is khv if it was loaded.
# POSIX sh (busybox).
#
# CYCLES: the number of cycles (default 100).
# LAB_CYCLES_MEMFREE_KB, LAB_CYCLES_SLAB_KB, LAB_CYCLES_VMALLOC_KB: the
# bounds on the drop of MemFree and the growth of SUnreclaim and
# VmallocUsed from the end of cycle 1 to the end of the last (defaults
# 32768, 1024 and 1024 kB: over 99 cycles, a leak of more than about
# 330 kB of pages, or 10 kB of slab or vmalloc space, per cycle).  MemFree
# alone moves by some 10 MiB from one measurement to the next in a 3 GiB
# lab, the others by tens of kB.  The values at the middle cycle are
# printed too, to tell a steady leak from noise.

root=$(cd "$(dirname "$0")/.." && pwd)
guest=$root/guest-tests/build/cpuid.elf
cycles=${CYCLES:-100}
memfree_bound=${LAB_CYCLES_MEMFREE_KB:-32768}
slab_bound=${LAB_CYCLES_SLAB_KB:-1024}
vmalloc_bound=${LAB_CYCLES_VMALLOC_KB:-1024}
# shellcheck source=scripts/lib/count.sh
. "$root/scripts/lib/count.sh"

loaded() {
	grep -q "^$1 " /proc/modules
}

# meminfo FIELD: its value in kB.
meminfo() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# snapshot CYCLE: print the meminfo fields that could hold a leak, so that
# a drop of MemFree can be told apart.
snapshot() {
	awk -v c="$1" '$1 ~ /^(MemFree|Cached|Shmem|AnonPages|Slab|SUnreclaim|KernelStack|PageTables|VmallocUsed|Percpu):$/ { s = s " " $1 " " $2 }
		END { print "lab-cycles: after cycle " c " (kB):" s }' /proc/meminfo
}

# Freed slab objects and pages go back lazily (per-CPU lists, RCU): let
# them settle before memory is compared.
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	sleep 1
}

# busybox before 1.30 spells it "timeout -t SECS".
if timeout 5 true >/dev/null 2>&1; then
	tmo="timeout 60"
elif timeout -t 5 true >/dev/null 2>&1; then
	tmo="timeout -t 60"
else
	tmo=
fi

case $cycles in
''|*[!0-9]*|0) echo "lab-cycles: CYCLES must be a positive number"; exit 2 ;;
esac
if [ ! -f /lab/modules/khv.ko ] || [ ! -f "$guest" ]; then
	check 1 "/lab/modules/khv.ko and $guest are present"
	count_finish
fi

# Start from neither hypervisor loaded: KVM's modules out (last loaded
# first, as /lab/use-khv does), khv out so that cycle 1 loads it.
kvm_was_loaded=0
khv_was_loaded=0
for ko in $(tac /lab/modules/kvm/order 2>/dev/null); do
	name=$(basename "$ko" .ko | tr - _)
	if loaded "$name"; then
		kvm_was_loaded=1
		/sbin/rmmod "$name"
	fi
done
if loaded khv; then
	khv_was_loaded=1
	/sbin/rmmod khv
fi
! loaded khv && ! loaded kvm
check $? "start with neither khv nor KVM loaded"

# The kernel log from here on: a marker, since the ring buffer may have
# dropped older lines.
marker="lab-cycles: start $$.$(cut -d' ' -f1 /proc/uptime)"
echo "$marker" >/dev/kmsg

loads=0
runs=0
unloads=0
first_err=
t0=$(cut -d. -f1 /proc/uptime)
i=1
while [ "$i" -le "$cycles" ]; do
	if /sbin/insmod /lab/modules/khv.ko && [ -c /dev/khv ]; then
		loads=$((loads + 1))
	else
		first_err=${first_err:-"cycle $i: insmod khv.ko failed or no /dev/khv"}
	fi
	# shellcheck disable=SC2086 # $tmo is a command and its arguments
	$tmo khv run --kernel "$guest" >/tmp/lab-cycles.guest 2>&1
	st=$?
	if [ "$st" = 1 ]; then
		runs=$((runs + 1))
	elif [ -z "$first_err" ]; then
		first_err="cycle $i: the guest exited with status $st"
		tail -n 5 /tmp/lab-cycles.guest
	fi
	if /sbin/rmmod khv && ! loaded khv && [ ! -e /dev/khv ]; then
		unloads=$((unloads + 1))
	else
		first_err=${first_err:-"cycle $i: rmmod khv failed or /dev/khv stayed"}
	fi
	if [ "$i" = 1 ]; then
		settle
		free1=$(meminfo MemFree)
		slab1=$(meminfo SUnreclaim)
		vmalloc1=$(meminfo VmallocUsed)
		snapshot "$i"
	elif [ "$i" = $(((cycles + 1) / 2)) ]; then
		settle
		snapshot "$i"
	fi
	i=$((i + 1))
done
t1=$(cut -d. -f1 /proc/uptime)
secs=$((t1 - t0))
echo "lab-cycles: $cycles cycles in $secs s ($((secs * 1000 / cycles)) ms per cycle)"
[ -n "$first_err" ] && echo "lab-cycles: first failure: $first_err"

[ "$loads" = "$cycles" ]
check $? "insmod khv.ko: $loads of $cycles cycles"
[ "$runs" = "$cycles" ]
check $? "cpuid.elf passed on khv: $runs of $cycles cycles"
[ "$unloads" = "$cycles" ]
check $? "rmmod khv: $unloads of $cycles cycles"
! loaded khv && [ ! -e /dev/khv ] && [ ! -d /sys/module/khv ]
check $? "khv is gone after the last cycle (/proc/modules, /dev/khv, /sys/module/khv)"

settle
free2=$(meminfo MemFree)
slab2=$(meminfo SUnreclaim)
vmalloc2=$(meminfo VmallocUsed)
snapshot "$cycles"
[ $((free1 - free2)) -le "$memfree_bound" ]
check $? "MemFree dropped by $((free1 - free2)) kB over $((cycles - 1)) cycles (bound $memfree_bound kB)"
[ $((slab2 - slab1)) -le "$slab_bound" ]
check $? "SUnreclaim grew by $((slab2 - slab1)) kB over $((cycles - 1)) cycles (bound $slab_bound kB)"
[ $((vmalloc2 - vmalloc1)) -le "$vmalloc_bound" ]
check $? "VmallocUsed grew by $((vmalloc2 - vmalloc1)) kB over $((cycles - 1)) cycles (bound $vmalloc_bound kB)"

# The kernel log since the marker: reports start a line (WARNING: from
# WARN(), BUG: from KASAN, slab and might-sleep checks), or name an oops,
# a leak (kmemleak's "unreferenced object", slab's "Objects remaining"
# when a cache is destroyed non-empty) or a corrupted list.
dmesg | sed -n "/$marker/,\$p" >/tmp/lab-cycles.log
if ! grep -q "$marker" /tmp/lab-cycles.log; then
	check 1 "the kernel log still holds the lines of the cycles"
else
	grep -E '\] (WARNING:|BUG:|UBSAN:|kernel BUG|Oops|general protection fault)|unreferenced object|Objects remaining|memory leak|list_(add|del) corruption|Call Trace:' \
		/tmp/lab-cycles.log >/tmp/lab-cycles.reports
	n=$(wc -l </tmp/lab-cycles.reports)
	[ "$n" = 0 ]
	check $? "the kernel log of the cycles has no WARNING, BUG, oops or leak report ($n lines)"
	[ "$n" = 0 ] || head -n 40 /tmp/lab-cycles.reports
fi

# Back to what was loaded before.
if [ "$kvm_was_loaded" = 1 ]; then
	/lab/use-kvm >/dev/null 2>&1
	check $? "KVM loaded again, as before the cycles"
elif [ "$khv_was_loaded" = 1 ]; then
	/sbin/insmod /lab/modules/khv.ko
	check $? "khv loaded again, as before the cycles"
fi
count_finish
