#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug lane, end to end (Documentation/reliability.rst):
#   1. scripts/debug-kernel: build or reuse the debug kernel (KUnit, KASAN,
#      lockdep, kmemleak, UBSAN, might-sleep checks);
#   2. khv.ko and khv_kunit.ko built against it with W=1, from a copy of
#      kmod/ and uapi/ in build/debug/ (kmod/khv.ko stays Debian's);
#   3. one SVM lab boot of that kernel running scripts/lab-debug.sh: the
#      KUnit suites, the guest tests, the statistics check, the Linux guest,
#      a kmemleak scan after rmmod khv and a search of the kernel log for
#      sanitizer, lockdep and WARN reports.
# Prints PASS/FAIL lines (each KUnit case counts) and ends with one line
# "N passed, N failed"; exit status 0 only when nothing failed.
#
# LAB_DEBUG_TIMEOUT: wall-clock limit of the lab boot (default 1500 s: the
# first full run took 894 s on a busy 2-core machine).
# LAB_DEBUG_LINUX=0: leave out the Linux guest (the slowest part).
# DEBUG_FUZZ_CALLS=N (make fuzz-debug: 100000): also N steps of khv-fuzz
# (seed FUZZ_SEED, default 1) in the same boot, under the checkers.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
MAKE=${MAKE:-make}
PARTS_NAME=check-debug
# shellcheck source=scripts/lib/parts.sh
. "$ROOT/scripts/lib/parts.sh"
passed=0
failed=0

pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
now() { date +%s; }

# 1. The kernel.
t0=$(now)
if ! env_out=$(scripts/debug-kernel --print-env); then
	fail "debug-kernel: no debug kernel (see above)"
	finish
fi
eval "$env_out"
export LAB_KERNEL LAB_MODDIR
pass "debug-kernel: $(basename "$LAB_MODDIR") ($(($(now) - t0)) s)"

# 2. The modules, from a fresh copy: kbuild keeps its objects next to the
# sources, and kmod/ holds the ones built for Debian's kernel.
bdir=$ROOT/build/debug
rm -rf "$bdir"
mkdir -p "$bdir"
find kmod uapi -path kmod/tests -prune -o -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.S' -o -name Kbuild \) \
	! -name '*.mod.c' -print0 | xargs -0 cp --parents -t "$bdir"

# build_module NAME DIR: kbuild against the debug tree.  A warning is a
# failure, but the module still goes to the lab (returns 1 only when the
# build itself failed).
build_module() {
	local name=$1 dir=$2 log=$bdir/$1.build.log t
	t=$(now)
	if ! "$MAKE" -C "$KDIR" M="$dir" W=1 modules >"$log" 2>&1; then
		cat "$log"
		fail "build $name against $(basename "$LAB_MODDIR")"
		return 1
	fi
	if grep -q 'warning:' "$log"; then
		grep -B2 -A6 'warning:' "$log"
		fail "build $name: W=1 warnings"
		return 0
	fi
	pass "build $name with W=1 ($(($(now) - t)) s)"
}
build_module khv.ko "$bdir/kmod" || finish
build_module khv_kunit.ko "$bdir/kmod/kunit" || finish
[ -f "$bdir/kmod/kunit/khv_kunit.ko" ] || {
	fail "khv_kunit.ko was not built: has the debug kernel CONFIG_KUNIT?"
	finish
}

# The launcher and the guests the lab runs.
if ! "$MAKE" -s -C tools >/dev/null || ! "$MAKE" -s -C guest-tests >/dev/null; then
	fail "build tools/ and guest-tests/"
	finish
fi
fuzz_calls=${DEBUG_FUZZ_CALLS:-0}
if [ "$fuzz_calls" != 0 ] && ! "$MAKE" -s -C tools fuzz/khv-fuzz >/dev/null; then
	fail "build tools/fuzz/khv-fuzz"
	finish
fi

# 3. One lab boot.  panic_on_warn=0 (after the lab's =1, so it wins): a
# WARN is counted from the log with every other report, rather than end
# the run before the rest has been seen.  oops=panic still holds.
lab_args=("$bdir/kmod/kunit/khv_kunit.ko")
lab_add=()
# The Linux guest is Debian's kernel, as in make check: the debug kernel
# would boot as a guest too, only slower, and it is the host under test.
guest_kernel=$(ls -d /boot/vmlinuz-6.1.* 2>/dev/null | sort -V | tail -n 1)
if [ "${LAB_DEBUG_LINUX:-1}" = 0 ]; then
	lab_args+=(--no-linux)
elif [ -n "$guest_kernel" ]; then
	lab_args+=(--guest-kernel "$guest_kernel")
	lab_add+=(--add "$guest_kernel")
fi
if [ "$fuzz_calls" != 0 ]; then
	lab_args+=(--fuzz "$fuzz_calls" --fuzzer "$ROOT/tools/fuzz/khv-fuzz")
	lab_add+=(--add "$ROOT/tools/fuzz/khv-fuzz")
fi
out=$(mktemp "${TMPDIR:-/tmp}/khv-check-debug.XXXXXX")
trap 'rm -f "$out"' EXIT
t=$(now)
status=0
LAB_KHV_KO=$bdir/kmod/khv.ko LAB_APPEND="panic_on_warn=0${LAB_APPEND:+ $LAB_APPEND}" \
	scripts/labvm --cpu svm --mem 3G --timeout "${LAB_DEBUG_TIMEOUT:-1500}" \
	--add "$bdir/kmod/kunit/khv_kunit.ko" --add "$ROOT/scripts/lab-debug.sh" \
	${lab_add[@]+"${lab_add[@]}"} \
	-- sh "$ROOT/scripts/lab-debug.sh" "${lab_args[@]}" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
echo "check-debug: the lab boot took $(($(now) - t)) s (labvm status $status)"
if parts_parse "$out" "$status"; then
	passed=$((passed + parts_p))
	failed=$((failed + parts_f))
else
	fail "lab: lab-debug.sh printed no count (labvm status $status)"
fi
finish
