#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot an unmodified Linux kernel on khv with a tiny busybox initramfs
# and check what it prints: uname, /proc/cpuinfo, the PCI host bridge
# Linux found at 00:00.0, a CPU and a memory
# workload, the date, how long `sleep 1` lasts (timed by the launcher
# through the boot-mark port 0xf00; the best of three), and a clean
# `poweroff -f`.
#
#   scripts/linux-guest-test.sh [khv run options...]
#
# Environment:
#   KHV        the launcher (default: tools/khv/khv next to this script)
#   ACCEL      khv or kvm (default kvm)
#   KERNEL     the bzImage (default /boot/vmlinuz-$(uname -r), else the
#              newest /boot/vmlinuz-*)
#   BUSYBOX    a static busybox (default /bin/busybox)
#   INITRD     use this initramfs instead of building one
#   MEM        guest RAM (default 256M)
#   CMDLINE_EXTRA  appended to the kernel command line (e.g. "no-kvmclock
#              clocksource=acpi_pm" to time with the PIT and PM timer)
#   TIMEOUT    seconds for the whole boot (default 300)
#   SLEEP_TOLERANCE_MS  allowed error of `sleep 1` (default 50, i.e. 5%)
#   KEEP=1     keep the work folder (log, initramfs)
#
# Prints PASS/FAIL lines and "N passed, N failed"; exits 0 only if all
# checks passed.

here=$(cd "$(dirname "$0")/.." && pwd)
KHV=${KHV:-$here/tools/khv/khv}
ACCEL=${ACCEL:-kvm}
BUSYBOX=${BUSYBOX:-/bin/busybox}
MEM=${MEM:-256M}
TIMEOUT=${TIMEOUT:-300}
SLEEP_TOLERANCE_MS=${SLEEP_TOLERANCE_MS:-50}
if [ -z "$KERNEL" ]; then
	KERNEL=/boot/vmlinuz-$(uname -r)
	[ -f "$KERNEL" ] || KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
fi

pass=0
fail=0
check() {	# check NAME CONDITION-STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then
		echo "PASS $1${3:+: $3}"
		pass=$((pass + 1))
	else
		echo "FAIL $1${3:+: $3}"
		fail=$((fail + 1))
	fi
}

die() {
	echo "linux-guest-test: $*" >&2
	echo "FAIL setup: $*"
	echo "0 passed, 1 failed"
	exit 1
}

[ -x "$KHV" ] || die "no launcher at $KHV (make -C tools)"
[ -f "$KERNEL" ] || die "no kernel (set KERNEL=)"

work=$(mktemp -d "${TMPDIR:-/tmp}/khv-linux.XXXXXX") || die "mktemp failed"
[ "$KEEP" = 1 ] || trap 'rm -rf "$work"' EXIT

# The CPU workload, run by the same shell arithmetic on both sides.
workload() {
	i=0
	s=0
	while [ $i -lt 20000 ]; do
		s=$(((s + i * i) % 1000003))
		i=$((i + 1))
	done
	echo $s
}

if [ -z "$INITRD" ]; then
	cat > "$work/init" <<'INIT'
# Port 0xf00 (3840) is khv's boot mark: the launcher timestamps each byte.
printf '\001' | dd of=/dev/port bs=1 seek=3840 count=1 2>/dev/null
echo "KHV-TEST init"
echo "KHV-TEST uname $(uname -a)"
echo "KHV-TEST cpuinfo-begin"
head -n 8 /proc/cpuinfo
echo "KHV-TEST cpuinfo-end"
i=0
s=0
while [ $i -lt 20000 ]; do
	s=$(((s + i * i) % 1000003))
	i=$((i + 1))
done
echo "KHV-TEST cpu $s"
# RAM as the guest sees it: the firmware map (e820) and, on x86-64, the
# pages of ZONE_NORMAL (RAM above 4 GiB), where the page allocator takes
# the memory workload's pages from first.
echo "KHV-TEST memtotal $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
for d in /sys/firmware/memmap/*; do
	echo "KHV-TEST memmap $(cat $d/start) $(cat $d/end) $(cat $d/type)"
done
echo "KHV-TEST normal $(awk '$1 == "Node" { z = $4 } z == "Normal" && $1 == "managed" { print $2; exit }' /proc/zoneinfo)"
dd if=/dev/zero of=/tmp/blob bs=1024 count=16384 2>/dev/null
echo "KHV-TEST mem $(md5sum < /tmp/blob | cut -d' ' -f1)"
rm /tmp/blob
echo "KHV-TEST date $(date +%s) $(date)"
echo "KHV-TEST clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "KHV-TEST clockevent $(cat /sys/devices/system/clockevents/clockevent0/current_device)"
# How the guest calibrated its clocks: the TSC, the APIC timer (checked
# against the PM timer) and which clock event device it chose.
dmesg | grep -i -m 12 -e "tsc: " -e "calibrat" -e "APIC delta" -e "PM-Timer" \
	-e "clockevent" -e "apic timer" | sed 's/^/KHV-TEST dmesg /'
hb=/sys/bus/pci/devices/0000:00:00.0
echo "KHV-TEST pci $(cat $hb/vendor $hb/device $hb/class 2>/dev/null | tr '\n' ' ')"
dmesg | grep -m 1 -e "PCI: Fatal" -e "ACPI Error" -e "ACPI BIOS Error" |
	sed 's/^/KHV-TEST fwerror /'
# One dd writes both marks, around `sleep 1`: the launcher times the span.
# Three times (marks 2-3, 4-5, 6-7): the emulated lab stalls now and then.
for m in 2 4 6; do
	{ printf "\\$(printf %o $m)"; sleep 1; printf "\\$(printf %o $((m + 1)))"; } |
		dd of=/dev/port bs=1 seek=3840 count=2 2>/dev/null
done
# Marks 8-9, 10-11, 12-13 around `sleep 0`: what starting sleep and the
# marks cost in the emulated guest, which is not time the sleep lasted.
for m in 8 10 12; do
	{ printf "\\$(printf %o $m)"; sleep 0; printf "\\$(printf %o $((m + 1)))"; } |
		dd of=/dev/port bs=1 seek=3840 count=2 2>/dev/null
done
echo "KHV-TEST done"
poweroff -f
INIT
	INITRD=$work/initrd.gz
	BUSYBOX=$BUSYBOX sh "$here/scripts/guest-initramfs.sh" "$work/init" "$INITRD" ||
		die "cannot build the initramfs"
fi

# guest_symbol RIP: the function of the guest kernel at RIP, when the
# guest is the lab's own kernel: booted with nokaslr, its text starts at
# 0xffffffff81000000 (Documentation/x86/x86_64/mm.rst), and the lab's
# /proc/kallsyms gives each function's offset from _text.  Only the low
# 32 bits are compared (awk's numbers are doubles).
guest_symbol() {
	[ "${KERNEL##*/}" = "vmlinuz-$(uname -r)" ] || return 0
	awk -v rip="$1" '
	function hex(s, i, n) {
		s = tolower(s); n = 0
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	function low(a) { return hex(substr(a, length(a) - 7)) }
	BEGIN { sub(/^0x/, "", rip); off = low(rip) - hex("81000000") }
	NF == 3 && $3 == "_text" { text = low($1) }
	NF == 3 && $2 ~ /^[tT]$/ { a[++n] = low($1); name[n] = $3 }
	END {
		want = text + off; best = -1
		for (i = 1; i <= n; i++)
			if (a[i] <= want && (best < 0 || a[i] > a[best]))
				best = i
		if (best > 0)
			printf "  guest RIP %s is %s+%#x\n", rip, name[best], want - a[best]
	}' /proc/kallsyms
}

# What a hung guest leaves to look at, before it is stopped: where the
# launcher's threads are in the host kernel, how the host CPUs take
# interrupts, and (on khv) every vCPU's state from debugfs and its
# exit counters, each twice, a few seconds apart, to tell a guest that
# still runs from one that waits.
hang_report() {	# hang_report PID
	echo "linux-guest-test: the guest did not finish in $TIMEOUT s; its state:"
	[ "$ACCEL" = khv ] && [ ! -d /sys/kernel/debug/khv ] &&
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	for round in 1 2; do
		# The vCPUs first: every process the report starts may wake
		# a lab CPU that sleeps, and with it what the guest waits for.
		[ "$ACCEL" = khv ] &&
			cat /sys/kernel/debug/khv/vcpus >"$work/vcpus" 2>&1
		echo "  --- look $round"
		for t in /proc/$1/task/*; do
			echo "  thread ${t##*/} $(cat $t/comm 2>/dev/null):" \
				"state $(cut -d' ' -f3 $t/stat 2>/dev/null)," \
				"wchan $(cat $t/wchan 2>/dev/null)"
			sed 's/^/      /' $t/stack 2>/dev/null
		done
		grep -e LOC: -e RES: -e CAL: /proc/interrupts | sed 's/^/  /'
		if [ "$ACCEL" = khv ]; then
			sed 's/^/  /' "$work/vcpus"
			for rip in $(sed -n 's/.* rip \(0x[0-9a-f]*\) .*/\1/p' "$work/vcpus"); do
				guest_symbol "$rip"
			done
			"$KHV" stat --once --pid "$1" 2>&1 | sed 's/^/  /'
		fi
		[ $round = 1 ] && sleep 3
	done
}

log=$work/log
start=$(date +%s)
# nokaslr: for guest_symbol in a hang report.
"$KHV" run --accel "$ACCEL" --mem "$MEM" --report-boot-time \
	--kernel "$KERNEL" --initrd "$INITRD" \
	--cmdline "console=ttyS0 panic=-1 quiet nokaslr${CMDLINE_EXTRA:+ $CMDLINE_EXTRA}" "$@" \
	< /dev/null > "$log" 2>&1 &
pid=$!
# After TIMEOUT s, a report of the hang, then SIGTERM; should the
# launcher not end on it, SIGKILL 30 s later: a hang becomes a failure.
(
	trap 'kill $nap 2>/dev/null; exit 0' TERM
	sleep "$TIMEOUT" &
	nap=$!
	wait $nap
	kill -0 $pid 2>/dev/null || exit 0
	hang_report $pid
	kill -TERM $pid
	sleep 30
	kill -KILL $pid 2>/dev/null
) &
watchdog=$!
wait $pid
status=$?
kill $watchdog 2>/dev/null
end=$(date +%s)
tr -d '\r' < "$log" > "$log.txt"
echo "linux-guest-test: $KERNEL on --accel $ACCEL, status $status after $((end - start)) s; log:"
sed 's/^/    /' "$log.txt"

line() { grep "^KHV-TEST $1 " "$log.txt" | head -n 1; }

check "exit status 0" "$([ $status -eq 0 ]; echo $?)" "status $status"
grep -q "khv: guest powered off" "$log.txt"
check "ACPI poweroff" $?
grep -q "^KHV-TEST init" "$log.txt"
check "init ran" $?
case "$(line uname)" in
*Linux*) check uname 0 "$(line uname | cut -d' ' -f3-)" ;;
*) check uname 1 ;;
esac
sed -n '/^KHV-TEST cpuinfo-begin/,/^KHV-TEST cpuinfo-end/p' "$log.txt" |
	grep -q "^processor"
check "/proc/cpuinfo" $?
want=$(workload)
got=$(line cpu | cut -d' ' -f3)
check "CPU workload" "$([ "$got" = "$want" ]; echo $?)" "got '$got', want '$want'"
# RAM: MemTotal between 80 % of --mem (the kernel keeps its image and
# early allocations) and all of it; past 3 GiB the launcher puts the rest
# above 4 GiB, beyond the PCI hole (Documentation/launcher.rst), where
# the e820 map must show it and the kernel must manage it.
mem_kb=$(echo "$MEM" | awk '{ n = $0 + 0; u = toupper(substr($0, length($0)))
	if (u == "G") n *= 1048576; else if (u == "M") n *= 1024
	else if (u == "K") n *= 1; else n /= 1024; printf "%d\n", n }')
got=$(line memtotal | cut -d' ' -f3)
check "RAM: MemTotal of --mem $MEM" \
	"$([ -n "$got" ] && [ "$got" -ge $((mem_kb * 8 / 10)) ] && [ "$got" -le "$mem_kb" ]; echo $?)" \
	"${got:-?} kB"
if [ "$mem_kb" -gt $((3 * 1048576)) ]; then
	high=$(grep "^KHV-TEST memmap 0x100000000 " "$log.txt" | cut -d' ' -f4-)
	want_end=$(printf '0x%x' $((0x100000000 + (mem_kb - 3 * 1048576) * 1024 - 1)))
	check "RAM above 4 GiB in the e820 map" \
		"$([ "$high" = "$want_end System RAM" ]; echo $?)" "0x100000000-${high:-none}"
	got=$(line normal | cut -d' ' -f3)
	check "RAM above 4 GiB managed (ZONE_NORMAL)" \
		"$([ -n "$got" ] && [ "$got" -gt 0 ]; echo $?)" "${got:-?} pages"
fi
want=$(dd if=/dev/zero bs=1024 count=16384 2>/dev/null | md5sum | cut -d' ' -f1)
got=$(line mem | cut -d' ' -f3)
check "memory workload" "$([ "$got" = "$want" ]; echo $?)" "md5 $got"
got=$(line date | cut -d' ' -f3)
check "guest date is the host's" \
	"$([ -n "$got" ] && [ "$got" -ge $((start - 5)) ] && [ "$got" -le $((end + 5)) ]; echo $?)" \
	"$(line date | cut -d' ' -f4-)"
got=$(line clocksource | cut -d' ' -f3)
check "clocksource" "$([ -n "$got" ]; echo $?)" "$got"
got=$(line pci | cut -d' ' -f3-5)
[ "$got" = "0x8086 0x1237 0x060000" ]
check "PCI host bridge at 00:00.0" $? "$got"
err=$(grep "^KHV-TEST fwerror " "$log.txt" | cut -d' ' -f3-)
check "no PCI or ACPI error in the kernel log" "$([ -z "$err" ]; echo $?)" "$err"
grep -q "khv: guest init reached after" "$log.txt"
check "boot time reported" $? "$(grep -o 'init reached after [0-9]* ms' "$log.txt")"
# "khv: guest mark V after N.NNN ms": the spans between marks 2 and 3,
# 4 and 5, 6 and 7 (sleep 1) and 8 and 9, 10 and 11, 12 and 13 (sleep 0).
ms() { grep "khv: guest mark $1 after" "$log.txt" | head -n 1 | sed 's/.* after \([0-9]*\)\.\([0-9]*\) ms.*/\1\2/'; }
# shortest FIRST-MARK...: the shortest span (in us) from mark M to mark
# M+1; empty if no pair was seen.  The shortest of three, so that a stall
# of the emulated lab (other jobs on the host) does not count against khv.
shortest() {
	local best= m a b
	for m in "$@"; do
		a=$(ms $m)
		b=$(ms $((m + 1)))
		[ -n "$a" ] && [ -n "$b" ] || continue
		[ -z "$best" ] || [ $((b - a)) -lt "$best" ] && best=$((b - a))
	done
	echo "$best"
}
# A span holds the sleep and the cost of starting it and of the marks,
# which sleep 0's span estimates; that cost varies by tens of ms in the
# emulated lab, so the sleep lasted between the span less that cost and
# the whole span.  It passes when that range meets 1 s within the
# tolerance: a guest clock that runs fast makes even the whole span short
# (a sleep cannot end early), one that runs slow makes the span less the
# cost long.
fmt_ms() { echo "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }
us=$(shortest 2 4 6)
us0=$(shortest 8 10 12)
if [ -n "$us" ] && [ -n "$us0" ]; then
	tol=$((SLEEP_TOLERANCE_MS * 1000))
	net=$((us - us0))
	[ "$net" -lt 0 ] && net=0
	[ "$us" -ge $((1000000 - tol)) ] && [ "$net" -le $((1000000 + tol)) ]
	check "sleep 1 lasts 1 s" $? \
		"$(fmt_ms "$net") to $(fmt_ms "$us") ms (sleep 0: $(fmt_ms "$us0") ms)"
else
	check "sleep 1 lasts 1 s" 1 "marks not seen"
fi
grep -q "^KHV-TEST done" "$log.txt"
check "reached the end of init" $?

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
