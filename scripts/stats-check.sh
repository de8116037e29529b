#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-lab checks of khv's exit statistics, exit trace and netlink family
# (Documentation/stats.rst).  Runs inside one lab boot with khv.ko loaded:
#
#   scripts/labvm --cpu svm --add "$PWD/scripts/stats-check.sh" \
#       --add "$PWD/tools/nltest/khv-nltest" -- "$PWD/scripts/stats-check.sh"
#
#   1. guest-tests' exitstat provokes 1000 CPUIDs (leaf 0x40000000), 500
#      OUTs to port 0x2f0 and 100 RDMSRs of 0x1a0, then waits; khv stat
#      --once --json, --hist, --list and the live view must show exactly
#      those counts for its VM while it runs;
#   2. khv run --trace-file records the same exits;
#   3. /sys/kernel/debug/khv/vcpus: exitstat halted with its APIC timer
#      armed (cmdline "sleep") shows as halted, makes no exits, and its
#      APIC timer is the one it programmed;
#   4. tools/nltest/khv-nltest: malformed requests and a caller that drops
#      to uid 65534;
#   5. multicast events: created, guest shutdown (triplefault), destroyed.
# Prints PASS/FAIL lines and "N passed, N failed".  POSIX sh (busybox).

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/guest-tests/build
nltest=$root/tools/nltest/khv-nltest
tmp=/tmp/stats-check.$$
mkdir -p "$tmp"
passed=0
failed=0

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# expect WHAT GOT WANT
expect() {
	if [ "$2" = "$3" ]; then pass "$1: $2"; else fail "$1: got '$2', want '$3'"; fi
}

# wait_for FILE TEXT SECS: true once TEXT shows up in FILE.
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# json_reason FILE REASON FIELD: a field of exits.REASON, or "".
json_reason() {
	grep -o "\"$2\": {\"count\"[^}]*}" "$1" | head -n 1 |
		grep -o "\"$3\": [0-9]*" | sed 's/.* //'
}

# json_key FILE TABLE KEY: a count in ports / msrs / cpuid_leaves, or "".
json_key() {
	grep -o "\"$2\": {[^}]*}" "$1" | head -n 1 |
		grep -o "\"$3\": [0-9]*" | sed 's/.* //'
}

# ------------------------------------------------------------ counters

if [ ! -c /dev/khv ]; then
	fail "khv.ko is not loaded"
	echo "$passed passed, $failed failed"
	exit 1
fi

# start_exitstat MODE WHAT: exitstat with --cmdline MODE in the background
# (its launcher's pid in $guest_pid), checked to print "exitstat: MODE...".
start_exitstat() {
	khv run --kernel "$build/exitstat.elf" --cmdline "$1" >"$tmp/$1.out" 2>&1 &
	guest_pid=$!
	if wait_for "$tmp/$1.out" "exitstat: $1" 120; then
		pass "exitstat guest $2"
	else
		fail "exitstat guest did not get to $2:"
		cat "$tmp/$1.out"
	fi
}

start_exitstat wait "reached its wait loop"
run_pid=$guest_pid

khv stat --once --json --pid "$run_pid" >"$tmp/once.json" 2>"$tmp/once.err"
expect "khv stat --once --json exit status" "$?" 0
if grep -q "\"pid\": $run_pid," "$tmp/once.json"; then
	pass "the VM of pid $run_pid is in the JSON sample"
else
	fail "no VM of pid $run_pid in the JSON sample:"
	cat "$tmp/once.json" "$tmp/once.err"
fi
expect "CPUID exits of the VM" "$(json_reason "$tmp/once.json" cpuid count)" 1000
expect "CPUID exits of leaf 0x40000000" "$(json_key "$tmp/once.json" cpuid_leaves 0x40000000)" 1000
expect "port I/O exits on port 0x2f0" "$(json_key "$tmp/once.json" ports 0x2f0)" 500
expect "MSR exits on MSR 0x1a0" "$(json_key "$tmp/once.json" msrs 0x1a0)" 100
ns=$(json_reason "$tmp/once.json" cpuid kernel_ns)
if [ "${ns:-0}" -gt 0 ]; then pass "kernel time of CPUID exits: $ns ns"; else fail "no kernel time for CPUID exits"; fi
uc=$(json_reason "$tmp/once.json" io user_count)
un=$(json_reason "$tmp/once.json" io user_ns)
if [ "${uc:-0}" -ge 500 ] && [ "${un:-0}" -gt 0 ]; then
	pass "userspace share of I/O exits reported: $uc exits, $un ns"
else
	fail "userspace share of I/O exits: user_count '$uc', user_ns '$un'"
fi

khv stat --hist cpuid --pid "$run_pid" >"$tmp/hist.txt" 2>&1
if grep -q "^cpuid: time in the kernel's handler, 1000 samples" "$tmp/hist.txt"; then
	pass "khv stat --hist cpuid: 1000 samples"
else
	fail "khv stat --hist cpuid:"
	cat "$tmp/hist.txt"
fi
hsum=$(grep '^\[' "$tmp/hist.txt" | awk '{ s += $(NF - 1) } END { print s + 0 }')
expect "sum of the cpuid histogram buckets" "$hsum" 1000

khv stat --list >"$tmp/list.txt" 2>&1
if awk -v p="$run_pid" '$2 == p { found = 1 } END { exit !found }' "$tmp/list.txt"; then
	pass "khv stat --list shows pid $run_pid"
else
	fail "khv stat --list does not show pid $run_pid:"
	cat "$tmp/list.txt"
fi

# The live view without a terminal: one block per second until SIGTERM.
khv stat --pid "$run_pid" >"$tmp/live.txt" 2>&1 &
live_pid=$!
sleep 2.5
kill "$live_pid" 2>/dev/null
wait "$live_pid"
live_status=$?
blocks=$(grep -c '^--- ' "$tmp/live.txt")
if [ "$blocks" -ge 2 ] && grep -q '^cpuid  *1000 ' "$tmp/live.txt"; then
	pass "live view: $blocks blocks, cpuid 1000, status $live_status after SIGTERM"
else
	fail "live view ($blocks blocks, status $live_status):"
	cat "$tmp/live.txt"
fi
expect "live view exit status after SIGTERM" "$live_status" 0

kill "$run_pid" 2>/dev/null
wait "$run_pid"

# ------------------------------------------------------------ exit trace

khv run --kernel "$build/exitstat.elf" --trace-file "$tmp/trace.txt" >"$tmp/trace.out" 2>&1
expect "exitstat under --trace-file: exit status" "$?" 1
if head -n 1 "$tmp/trace.txt" | grep -q '^# khv exit trace v1'; then
	pass "trace file header"
else
	fail "trace file header: $(head -n 1 "$tmp/trace.txt")"
fi
expect "traced CPUID exits of leaf 0x40000000" \
	"$(awk '$3 == "cpuid" && $9 == "0x40000000"' "$tmp/trace.txt" | wc -l)" 1000
expect "traced I/O exits on port 0x2f0" \
	"$(awk '$3 == "io" && $9 == "0x2f0"' "$tmp/trace.txt" | wc -l)" 500
expect "traced RDMSRs of 0x1a0" \
	"$(awk '$3 == "msr_read" && $9 == "0x1a0"' "$tmp/trace.txt" | wc -l)" 100
expect "records lost" "$(grep -c '^# lost' "$tmp/trace.txt")" 0

# ------------------------------------------------------------ debugfs

# vm_state FILE PID: the block of /sys/kernel/debug/khv/vcpus about the
# VM that PID created.
vm_state() {
	cat /sys/kernel/debug/khv/vcpus >"$1" 2>&1
	awk -v p="$2" '/^vm [0-9]+: pid / { on = ($4 == p ",") } on' "$1" >"$1.vm"
}

[ -d /sys/kernel/debug/khv ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
start_exitstat sleep "armed its APIC timer and halted"
sleep_pid=$guest_pid
sleep 1
vm_state "$tmp/vcpus1" "$sleep_pid"
sleep 1
vm_state "$tmp/vcpus2" "$sleep_pid"
if grep -q "^vm [0-9]*: pid $sleep_pid, 1 vCPUs, in-kernel APIC yes$" "$tmp/vcpus1.vm"; then
	pass "debugfs vcpus lists the VM of pid $sleep_pid with its APIC"
else
	fail "debugfs vcpus has no VM of pid $sleep_pid:"
	cat "$tmp/vcpus1"
fi
if grep -q "^vm [0-9]* vcpu 0: in KHV_RUN, halted, exits " "$tmp/vcpus1.vm"; then
	pass "debugfs: vCPU 0 sleeps in HLT inside KHV_RUN"
else
	fail "debugfs: vCPU 0 is not shown halted:"
	cat "$tmp/vcpus1.vm"
fi
exits1=$(sed -n 's/.* exits \([0-9]*\),.*/\1/p' "$tmp/vcpus1.vm")
exits2=$(sed -n 's/.* exits \([0-9]*\),.*/\1/p' "$tmp/vcpus2.vm")
if [ -n "$exits1" ] && [ "$exits1" = "$exits2" ]; then
	pass "debugfs: no exits while halted ($exits1 a second apart)"
else
	fail "debugfs: exits '$exits1' then '$exits2' while halted"
fi
if grep -q "^  apic timer: lvt 0xec (mode 0) icr 4294967280 dcr 0xa .*, hrtimer armed," "$tmp/vcpus1.vm"; then
	pass "debugfs: the APIC timer the guest armed (vector 0xec, one-shot, count 0xfffffff0, divide by 128)"
else
	fail "debugfs: not the APIC timer the guest armed:"
	cat "$tmp/vcpus1.vm"
fi
if grep -q -e "^  svm: virq -1 int_ctl " -e "^  vmx: intr-window " "$tmp/vcpus1.vm"; then
	pass "debugfs: the vendor backend's event state is shown"
else
	fail "debugfs: no vendor event state:"
	cat "$tmp/vcpus1.vm"
fi
kill "$sleep_pid" 2>/dev/null
wait "$sleep_pid"
expect "halted guest: exit status after SIGTERM" "$?" 143
vm_state "$tmp/vcpus3" "$sleep_pid"
expect "debugfs: lines about the VM after its launcher ended" "$(wc -l <"$tmp/vcpus3.vm")" 0

# ------------------------------------------------------------ netlink

if [ -x "$nltest" ]; then
	"$nltest" >"$tmp/nltest.txt" 2>&1
	nl_status=$?
	grep -E '^(PASS|FAIL): ' "$tmp/nltest.txt"
	p=$(grep -c '^PASS: ' "$tmp/nltest.txt")
	f=$(grep -c '^FAIL: ' "$tmp/nltest.txt")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$nl_status" != 0 ] && [ "$f" = 0 ]; then
		fail "khv-nltest exited with status $nl_status:"
		cat "$tmp/nltest.txt"
	fi

	"$nltest" events 60 >"$tmp/events.txt" 2>&1 &
	ev_pid=$!
	wait_for "$tmp/events.txt" listening 10
	khv run --kernel "$build/triplefault.elf" >"$tmp/tf.out" 2>&1 &
	tf_pid=$!
	wait "$tf_pid"
	expect "triplefault guest: exit status" "$?" 2
	for ev in vm_created shutdown vm_destroyed; do
		if wait_for "$tmp/events.txt" "^event $ev vm=[0-9]* pid=$tf_pid" 10; then
			pass "event $ev for the triplefault VM (pid $tf_pid)"
		else
			fail "no event $ev for pid $tf_pid:"
			cat "$tmp/events.txt"
		fi
	done
	kill "$ev_pid" 2>/dev/null
	wait "$ev_pid"
else
	fail "$nltest is missing (labvm --add it)"
fi

rm -rf "$tmp"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
