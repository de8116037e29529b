#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The "Kernel 6.12" lane end to end (Documentation/lab.rst):
#   1. fetch-k612: Debian's 6.12 from bookworm-backports, or the cached one;
#   2. the launcher and the guest tests (make tools guest-tests);
#   3. khv.ko built against 6.12 with W=1 in build/k612/ (a fresh copy of
#      kmod/ and uapi/, so kmod/khv.ko, the 6.1 module, is left alone):
#      any compiler or kbuild warning fails;
#   4. one lab boot of 6.12 running scripts/lab-check.sh: the guest tests
#      on khv and on KVM, the statistics checks, the lab's own kernel
#      (6.12) booted as a guest on khv and on KVM, --firmware, the load
#      checks;
#   5. with --guest-on-61: the same sources built for 6.1 in build/k61/,
#      and one more boot, of the 6.1 lab, booting the 6.12 bzImage as a
#      guest on khv.
# --committed builds the module from HEAD's kmod/ and uapi/ instead of the
# working tree (whose uncommitted work may not build yet).
# Each part's last "N passed, N failed" line is added up; a part that
# prints none counts as one test.  The last line is the total; exit 0 only
# when nothing failed.
#
# The 6.12 lab's QEMU runs its vCPUs on one emulation thread
# ("-accel tcg,thread=single", as chaos-check's): with a thread per vCPU
# the 6.12 lab kernel died twice in QEMU 7.2 (Documentation/lab.rst,
# "Kernel 6.12"), once in an int3 of kernel text patching, the way of
# QEMU's MTTCG flaw with code one vCPU changes under another
# (reliability.rst, flaw 4).  K612_MTTCG=1 runs a thread per vCPU.
#
# Environment: MAKE, KHV_K612_CACHE (see scripts/fetch-k612),
# K612_LAB_TIMEOUT (the 6.12 lab boot's limit, default 1200 s),
# K612_MTTCG (with it, the Linux guest on KVM runs too), LAB_QEMU_EXTRA.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
MAKE=${MAKE:-make}
guest_on_61=0
committed=0
for arg; do
	case "$arg" in
	--guest-on-61) guest_on_61=1 ;;
	--committed) committed=1 ;;
	*) echo "usage: scripts/check-k612.sh [--committed] [--guest-on-61]" >&2; exit 64 ;;
	esac
done

PARTS_NAME=check-k612
# shellcheck source=scripts/lib/parts.sh
. "$ROOT/scripts/lib/parts.sh"

echo "== fetch: scripts/fetch-k612"
if ! vars=$(scripts/fetch-k612); then
	parts_add fetch 0 1
	parts_finish
fi
eval "$vars"
parts_add fetch 1 0
echo "kernel $K612_RELEASE: $K612_KERNEL"

part tools "$MAKE" tools guest-tests

# shellcheck disable=SC2317 # called through part
# module DIR KDIR RELEASE: a fresh copy of the sources in DIR and a full
# build against KDIR (an incremental one would not repeat the warnings of
# files that did not change).
module() {
	local dir=$1 kdir=$2 rel=$3 log=$1/build.log n st
	rm -rf "$dir/kmod" "$dir/uapi"
	mkdir -p "$dir"
	if [ "$committed" = 1 ]; then
		git archive --format=tar HEAD kmod uapi | tar -x -C "$dir" \
			--exclude=kmod/tests || return 1
		echo "module: built from HEAD $(git rev-parse --short HEAD)"
	else
		(find kmod uapi -path kmod/tests -prune -o -type f \
			\( -name '*.[chS]' -o -name Kbuild -o -name Makefile \) -print |
			grep -v -e '\.mod\.c$' | cpio -pdm --quiet "$dir") || return 1
	fi
	"$MAKE" -C "$kdir" M="$dir/kmod" W=1 modules >"$log" 2>&1
	st=$?
	cat "$log"
	n=$(grep -c -i 'warning' "$log")
	if [ "$st" != 0 ]; then
		echo "FAIL: khv.ko against $rel (make status $st)"
	elif [ "$n" != 0 ]; then
		echo "FAIL: khv.ko against $rel: $n warning lines"
	elif [ "$(modinfo -F vermagic "$dir/kmod/khv.ko" | awk '{ print $1 }')" != "$rel" ]; then
		echo "FAIL: khv.ko's vermagic is not $rel"
	else
		echo "PASS: khv.ko against $rel with W=1, no warnings"
		echo "1 passed, 0 failed"
		return 0
	fi
	echo "0 passed, 1 failed"
	return 1
}
build=$ROOT/build/k612
part module module "$build" "$K612_KDIR" "$K612_RELEASE"
if [ ! -f "$build/kmod/khv.ko" ]; then
	parts_finish
fi

extra=${LAB_QEMU_EXTRA:-}
lab_check_args=()
if [ "${K612_MTTCG:-0}" != 1 ]; then
	extra="-accel tcg,thread=single${extra:+ $extra}"
	# There, Debian's 6.12 as a guest on KVM did not reach its init in
	# 300 s (on khv it passes): KVM's, not khv's, and left out.
	lab_check_args+=(--no-linux-kvm)
fi
# The lab's own kernel is 6.12 here, so lab-check's linux-khv part boots
# Debian's 6.12 as a guest on khv.
part lab env LAB_KERNEL="$K612_KERNEL" LAB_MODDIR="$K612_MODDIR" \
	LAB_KHV_KO="$build/kmod/khv.ko" LAB_QEMU_EXTRA="$extra" \
	scripts/labvm --cpu svm --mem 3G --timeout "${K612_LAB_TIMEOUT:-1200}" \
	-- "$ROOT/scripts/lab-check.sh" ${lab_check_args[@]+"${lab_check_args[@]}"}

# The same sources built for the 6.1 lab in build/k61 (kmod/khv.ko may be
# another state of the tree).
if [ "$guest_on_61" = 1 ]; then
	kdir61=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
	rel61=${kdir61#/usr/src/linux-headers-}
	if [ -z "$kdir61" ]; then
		echo "check-k612: no /usr/src/linux-headers-6.1.*-amd64 (apt-get install linux-headers-amd64)"
		parts_add module-61 0 1
	elif part module-61 module "$ROOT/build/k61" "$kdir61" "$rel61"; [ -f "$ROOT/build/k61/kmod/khv.ko" ]; then
		part guest-on-61 env LAB_KVER="$rel61" LAB_KHV_KO="$ROOT/build/k61/kmod/khv.ko" \
			scripts/labvm --cpu svm --mem 3G --add "$K612_KERNEL" \
			-- env ACCEL=khv KERNEL="$K612_KERNEL" sh "$ROOT/scripts/linux-guest-test.sh"
	fi
fi
parts_finish
