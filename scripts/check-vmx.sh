#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-vmx`, and the VMX part of `make check`: the in-lab checks of
# scripts/lab-check.sh (guest tests, statistics, the Linux guest and the
# load checks, on khv's VMX backend and on kvm_intel) in ONE boot of the
# VMX lab (Bochs, scripts/lab/vmx-boot).  Bochs emulates every
# instruction, so this takes many minutes: lab-check.sh --vmx leaves out
# the foreign kernels and SeaBIOS (both run in the SVM lab) and runs
# mem1g on 64 MiB.  Lines stream as each test ends.  Ends with
# "N passed, N failed".
#
# VMX_CHECK_TIMEOUT: wall-clock limit of the boot (default 3600 s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# Bochs emulates its CPUs in turn on one host thread: a single CPU gets
# all of it.
export LAB_SMP=${LAB_SMP:-1}
exec scripts/labvm --cpu vmx --timeout "${VMX_CHECK_TIMEOUT:-3600}" -- \
	"$ROOT/scripts/lab-check.sh" --vmx
