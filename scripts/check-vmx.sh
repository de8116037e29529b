#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-vmx`, and the VMX part of `make check`, in the VMX lab
# (Bochs, scripts/lab/vmx-boot):
#   1. the in-lab checks of scripts/lab-check.sh (guest tests, ABI checks,
#      statistics, the Linux guest and the load checks, on khv's VMX
#      backend and on kvm_intel) in ONE boot with one CPU.  Bochs
#      emulates every instruction, so this takes many minutes:
#      lab-check.sh --vmx leaves out the foreign kernels and SeaBIOS (both
#      run in the SVM lab) and runs mem1g on 64 MiB;
#   2. a short second boot with two CPUs running khv-migrate: vCPUs whose
#      threads hop between the CPUs, so that each VMCS is VMCLEARed on one
#      CPU and loaded on the other.
# Lines stream as each test ends.  Ends with "N passed, N failed".
#
# VMX_CHECK_TIMEOUT: wall-clock limit of the first boot (default 3600 s).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
PARTS_NAME=check-vmx
# shellcheck source=scripts/lib/parts.sh
. "$ROOT/scripts/lib/parts.sh"

# Bochs emulates its CPUs in turn on one host thread: a single CPU gets
# all of it.
part vmx-lab env LAB_SMP="${LAB_SMP:-1}" \
	scripts/labvm --cpu vmx --timeout "${VMX_CHECK_TIMEOUT:-3600}" -- \
	"$ROOT/scripts/lab-check.sh" --vmx
part vmx-migrate env LAB_SMP=2 \
	scripts/labvm --cpu vmx --timeout 1200 -- \
	"$ROOT/tools/abitest/khv-migrate" 300
parts_finish
