#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-vmx`: the guest tests on khv's VMX backend and on
# kvm_intel, in ONE boot of the VMX lab (Bochs, scripts/lab/vmx-boot).
# Bochs emulates every instruction, so this takes many minutes: mem1g
# runs on 16 MiB instead of 1 GiB (--cmdline mib=16), and the Linux
# guest, the foreign kernels and the statistics checks of make check are
# left to the SVM lab.  Ends with "N passed, N failed".
#
# VMX_CHECK_TIMEOUT: wall-clock limit of the boot (default 3000 s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
runner=$ROOT/guest-tests/run-tests.sh

# shellcheck disable=SC2016 # expanded inside the lab
scripts/labvm --cpu vmx --timeout "${VMX_CHECK_TIMEOUT:-3000}" -- sh -c '
	p=0; f=0
	pass() {
		out=$(sh "$1" --accel "$2" --timeout 600 --extra-args "--cmdline mib=16" 2>&1)
		echo "$out" | sed "s/^/$2: /"
		line=$(echo "$out" | grep -E "^[0-9]+ passed, [0-9]+ failed" | tail -n 1)
		[ -n "$line" ] || line="0 passed, 1 failed"
		p=$((p + ${line%% passed*})); t=${line#*passed, }; f=$((f + ${t%% failed*}))
	}
	pass "$1" khv
	if /lab/use-kvm; then pass "$1" kvm; else echo "kvm: cannot load kvm_intel"; f=$((f + 1)); fi
	echo "$p passed, $f failed"
	[ "$f" = 0 ]
' check-vmx "$runner"
