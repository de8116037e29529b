#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-lab part of scripts/check-debug.sh: runs inside ONE boot of the
# debug kernel (scripts/debug-kernel) with khv.ko loaded by the lab's init.
#
#   lab-debug.sh KUNIT_KO [--no-linux | --guest-kernel BZIMAGE]
#                [--fuzz CALLS --fuzzer KHV_FUZZ]
#
#   1. a kmemleak baseline: what the kernel itself leaked while booting
#      is scanned and cleared, so that only later leaks count;
#   2. insmod KUNIT_KO: every KUnit case is one PASS or FAIL line;
#   3. the guest tests on khv, the statistics check and (unless
#      --no-linux) the Linux guest on khv (BZIMAGE, by default the lab's
#      own kernel), each counted by its last "N passed, N failed" line;
#      with --fuzz, then KHV_FUZZ --calls CALLS (seed FUZZ_SEED, default
#      1): the ioctl fuzzer under the checkers;
#   4. rmmod khv, then a kmemleak scan: each leak is a failure;
#   5. the kernel log since boot is searched for KASAN, UBSAN, lockdep,
#      might-sleep and WARN/BUG reports: each is a failure.
# Ends with one "N passed, N failed" line.  POSIX sh (busybox).

root=$(cd "$(dirname "$0")/.." && pwd)
kunit_ko=$1
shift
linux=1
guest_kernel=
fuzz_calls=0
fuzzer=
while [ $# -gt 0 ]; do
	case $1 in
	--no-linux) linux=0; shift ;;
	--guest-kernel) guest_kernel=$2; shift 2 ;;
	--fuzz) fuzz_calls=$2; shift 2 ;;
	--fuzzer) fuzzer=$2; shift 2 ;;
	*) echo "lab-debug: unknown option $1"; exit 64 ;;
	esac
done
passed=0
failed=0
kmemleak=/sys/kernel/debug/kmemleak

pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# run_counted NAME COMMAND...: add the last "N passed, N failed" of COMMAND.
run_counted() {
	name=$1
	shift
	out=/tmp/lab-debug-$name.out
	t0=$(cut -d. -f1 /proc/uptime)
	{
		"$@" 2>&1
		echo $? >"$out.status"
	} | tee "$out" | sed "s/^/$name: /"
	status=$(cat "$out.status")
	t1=$(cut -d. -f1 /proc/uptime)
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	echo "lab-debug: $name took $((t1 - t0)) s of lab uptime"
	if [ -z "$summary" ]; then
		fail "$name: no 'N passed, N failed' line (status $status)"
		return
	fi
	p=${summary%% passed*}
	f=${summary#*passed, }
	f=${f%% failed*}
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		echo "lab-debug: $name exited with status $status but counted no failure"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

# 1. kmemleak ignores objects younger than 5 s: let the boot's age first.
if [ -w "$kmemleak" ]; then
	up=$(cut -d. -f1 /proc/uptime)
	[ "$up" -lt 6 ] && sleep $((6 - up))
	echo scan >"$kmemleak"
	boot_leaks=$(grep -c '^unreferenced object' "$kmemleak")
	echo "lab-debug: kmemleak: $boot_leaks suspects from boot, cleared"
	echo clear >"$kmemleak"
else
	fail "kmemleak: $kmemleak is missing (CONFIG_DEBUG_KMEMLEAK, debugfs)"
fi

# 2. KUnit: the suites run when the module loads.
if [ ! -f "$kunit_ko" ]; then
	fail "kunit: $kunit_ko is missing"
elif ! /sbin/insmod "$kunit_ko"; then
	fail "kunit: insmod $kunit_ko failed"
else
	found=0
	for res in /sys/kernel/debug/kunit/khv_*/results; do
		[ -f "$res" ] || continue
		suite=$(basename "$(dirname "$res")")
		found=1
		# Case lines are indented; the suite's own line is not.
		seen=0
		while IFS= read -r line; do
			case "$line" in
			"    ok "*"# SKIP"*|"    not ok "*"# SKIP"*)
				seen=$((seen + 1))
				fail "kunit: $suite: skipped: $line" ;;
			"    ok "*)
				seen=$((seen + 1))
				pass "kunit: $suite.$(echo "$line" | awk '{print $3}')" ;;
			"    not ok "*)
				seen=$((seen + 1))
				fail "kunit: $suite.$(echo "$line" | awk '{print $4}')" ;;
			esac
		done <"$res"
		# A case's log is a small fixed buffer in 6.1: one with many
		# failed expectations can lose its result line.  The plan
		# ("1..N") says how many there are.
		plan=$(sed -n 's/^    1\.\.\([0-9]*\)$/\1/p' "$res" | head -n 1)
		if [ -z "$plan" ]; then
			fail "kunit: $suite: no test plan in $res"
		elif [ "$seen" -lt "$plan" ]; then
			failed=$((failed + plan - seen))
			echo "FAIL kunit: $suite: $((plan - seen)) of $plan cases without a result line (see dmesg)"
		fi
		if grep -q '^    not ok ' "$res"; then
			echo "lab-debug: KTAP of $suite:"
			sed 's/^/    /' "$res"
		fi
	done
	[ "$found" = 1 ] || fail "kunit: no /sys/kernel/debug/kunit/khv_*/results"
	/sbin/rmmod khv_kunit || fail "kunit: rmmod khv_kunit failed"
fi

# 3. khv itself under the checkers.
if [ -c /dev/khv ]; then
	# KASAN and lockdep under TCG make khv several times slower: mem1g
	# (1.2 GiB of guest memory, faulted in page by page) needs more than
	# the runner's 60 s per test.  It also needs the 3 GiB lab of
	# check-debug.sh: in 2 GiB, less KASAN's shadow, it stalled.
	run_counted guest-tests sh "$root/guest-tests/run-tests.sh" --accel khv \
		--timeout "${LAB_DEBUG_TEST_TIMEOUT:-240}"
	run_counted stats sh "$root/scripts/stats-check.sh"
	# The Linux guest runs here for what the checkers see (APIC timer,
	# MSIs, HLT wake-ups under KASAN and lockdep), not for its timing:
	# under them `sleep 1` ran 1096 ms once, so the 5 % bound of the main
	# lab becomes 25 % here.
	[ "$linux" = 1 ] &&
		run_counted linux-khv env ACCEL=khv ${guest_kernel:+KERNEL=$guest_kernel} \
			SLEEP_TOLERANCE_MS="${LAB_DEBUG_SLEEP_TOLERANCE_MS:-250}" \
			sh "$root/scripts/linux-guest-test.sh"
	# The fuzzer's own checks (errnos, run page, refcount, memory, the
	# kernel log) count as usual; the reports of KASAN and the rest in
	# the log are counted once below, with everything else's.
	[ "$fuzz_calls" != 0 ] &&
		run_counted fuzz "$fuzzer" --seed "${FUZZ_SEED:-1}" \
			--calls "$fuzz_calls"
else
	fail "khv: /dev/khv is missing: khv.ko is not loaded"
fi

# 4. Unloading frees everything khv allocated: leaks show now.
if grep -q '^khv ' /proc/modules; then
	if /sbin/rmmod khv; then pass "rmmod khv"; else fail "rmmod khv"; fi
fi
if [ -w "$kmemleak" ]; then
	# Objects freed late (RCU) and the 5 s age limit: wait, scan twice.
	sleep 6
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	leaks=$(grep -c '^unreferenced object' "$kmemleak")
	if [ "$leaks" = 0 ]; then
		pass "kmemleak: no leak"
	else
		fail "kmemleak: $leaks unreferenced objects"
		cat "$kmemleak"
	fi
fi

# 5. Reports anywhere in the kernel log, from boot on.  Each header line
# is one report: KASAN and might-sleep ("BUG: ..."), lockdep ("WARNING:
# possible ...", "WARNING: inconsistent ...", ...), UBSAN, WARN ("WARNING:
# CPU: ..."), oopses.  Only a message that starts with BUG:/WARNING:/UBSAN:
# counts: mitigation notices carry "WARNING:" in their middle.
dmesg >/tmp/lab-debug-dmesg
grep -E '^(\[[ 0-9.]+\] )?(BUG|WARNING|UBSAN): |kernel BUG at|Oops|general protection fault|DEBUG_LOCKS_WARN_ON|INFO: trying to register non-static key' \
	/tmp/lab-debug-dmesg >/tmp/lab-debug-reports
if [ -s /tmp/lab-debug-reports ]; then
	while IFS= read -r line; do
		fail "kernel report: $line"
	done </tmp/lab-debug-reports
	echo "lab-debug: the kernel log:"
	cat /tmp/lab-debug-dmesg
else
	pass "kernel log: no KASAN, UBSAN, lockdep, might-sleep or WARN report"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
