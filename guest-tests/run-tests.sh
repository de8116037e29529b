#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the guest tests listed in the manifest and compare each exit status
# with the expected one.  POSIX sh only: this runs under busybox ash.
#
#   run-tests.sh [--accel khv|kvm] [--khv PATH] [--timeout SECS]
#                [--build DIR] [--extra-args ARGS] [--qemu]
#                [--skip NAME]... [NAME...]
#
# --khv defaults to $KHV, else "khv" on PATH.  --extra-args are added to
# every "khv run" (e.g. --extra-args "--cmdline mib=16" shrinks mem1g on
# hosts where guest memory is slow).  --timeout is per test (default 60).
# --qemu runs the images under qemu-system-x86_64 -accel kvm instead of
# khv (a development aid: QEMU has no khv test device, so pio and mmio
# fail there, and hlt is skipped because QEMU never ends a HLT).  --skip
# leaves a test out and counts it as skipped (the caller says why).

usage() {
	sed -n '7,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

dir=$(dirname "$0")
accel=khv
khv=${KHV:-khv}
secs=60
build=$dir/build
extra=
qemu=
skip=

while [ $# -gt 0 ]; do
	case $1 in
	--accel)	[ $# -ge 2 ] || usage; accel=$2; shift 2 ;;
	--accel=*)	accel=${1#--accel=}; shift ;;
	--khv)		[ $# -ge 2 ] || usage; khv=$2; shift 2 ;;
	--khv=*)	khv=${1#--khv=}; shift ;;
	--timeout)	[ $# -ge 2 ] || usage; secs=$2; shift 2 ;;
	--build)	[ $# -ge 2 ] || usage; build=$2; shift 2 ;;
	--extra-args)	[ $# -ge 2 ] || usage; extra=$2; shift 2 ;;
	--qemu)		qemu=1; shift ;;
	--skip)		[ $# -ge 2 ] || usage; skip="$skip $2"; shift 2 ;;
	-h|--help)	usage ;;
	--)		shift; break ;;
	-*)		echo "run-tests.sh: unknown option $1" >&2; usage ;;
	*)		break ;;
	esac
done

case $accel in
khv|kvm) ;;
*) echo "run-tests.sh: --accel must be khv or kvm" >&2; exit 2 ;;
esac

if [ -n "$qemu" ]; then
	label=qemu
else
	label=$accel
	if ! command -v "$khv" >/dev/null 2>&1; then
		echo "run-tests.sh: khv binary '$khv' not found" >&2
		exit 2
	fi
fi

# busybox before 1.30 spells it "timeout -t SECS".
if timeout 5 true >/dev/null 2>&1; then
	tmo="timeout $secs"
elif timeout -t 5 true >/dev/null 2>&1; then
	tmo="timeout -t $secs"
else
	echo "run-tests.sh: no timeout command, a hang will hang the run" >&2
	tmo=
fi

# Is $1 among the names given on the command line (or none given)?
selected() {
	[ -z "$names" ] && return 0
	for n in $names; do
		[ "$n" = "$1" ] && return 0
	done
	return 1
}

# QEMU takes only --mem from the manifest's launcher arguments.
qemu_args() {
	mem=128M
	while [ $# -gt 0 ]; do
		[ "$1" = --mem ] && [ $# -ge 2 ] && mem=$2
		shift
	done
	echo "-m $mem"
}

names=$*
passed=0
failed=0
skipped=0

exec 3<"$dir/manifest"
while read -r name expect args <&3; do
	case $name in
	''|'#'*) continue ;;
	esac
	selected "$name" || continue
	case " $skip " in
	*" $name "*)
		echo "SKIP $label/$name (--skip)"
		skipped=$((skipped + 1))
		continue ;;
	esac
	# @sigint=N: SIGINT the launcher after N seconds (not a khv option).
	sig=
	rest=
	for a in $args; do
		case $a in
		@sigint=*) sig=${a#@sigint=} ;;
		*) rest="$rest $a" ;;
		esac
	done
	args=$rest
	elf=$build/$name.elf
	image=--kernel
	# A raw firmware image (build/NAME.bin) starts at the reset vector.
	if [ ! -f "$elf" ] && [ -f "$build/$name.bin" ]; then
		elf=$build/$name.bin
		image=--firmware
	fi
	if [ ! -f "$elf" ]; then
		echo "FAIL $label/$name (missing $elf: run make)"
		failed=$((failed + 1))
		continue
	fi

	if [ -n "$qemu" ]; then
		if [ "$expect" = 0 ]; then
			echo "SKIP $label/$name (QEMU does not end a run on HLT)"
			skipped=$((skipped + 1))
			continue
		fi
		# shellcheck disable=SC2046,SC2086 # word splitting intended
		out=$($tmo qemu-system-x86_64 -accel kvm $(qemu_args $args) \
			-nographic -no-reboot \
			$([ $image = --firmware ] && echo -bios || echo -kernel) "$elf" \
			-device isa-debug-exit,iobase=0xf4,iosize=4 \
			-device pc-testdev </dev/null 2>&1)
		status=$?
		# -no-reboot turns a triple fault into a clean exit: status 0.
		[ $status = 0 ] && status=2
	else
		run=$tmo
		# The launcher's own status, not timeout's 124: busybox's
		# timeout gives it as it is, coreutils' needs --preserve-status.
		if [ -n "$sig" ]; then
			run="timeout -s INT $sig"
			timeout --preserve-status 1 true >/dev/null 2>&1 &&
				run="timeout --preserve-status -s INT $sig"
		fi
		# shellcheck disable=SC2086 # $args is a list of arguments
		out=$($run "$khv" run $image "$elf" --accel "$accel" $args \
			$extra </dev/null 2>&1)
		status=$?
	fi

	if [ "$status" = "$expect" ]; then
		echo "PASS $label/$name"
		passed=$((passed + 1))
	else
		why="status $status, expected $expect"
		case $status in
		124|143) [ -n "$tmo" ] && why="$why; timed out after ${secs}s?" ;;
		esac
		echo "FAIL $label/$name ($why)"
		printf '%s\n' "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
exec 3<&-

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
