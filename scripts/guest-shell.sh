#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-shell.sh [khv run options...]: boot a Linux kernel on khv with a
# busybox initramfs whose init gives a shell on the serial console, for a
# person at a terminal: the launcher puts the terminal in raw mode, ^C
# reaches the guest's shell, Ctrl-A x quits, `poweroff` ends the run with
# status 0.  Runs in the lab (scripts/labvm --interactive) or on any
# machine with khv loaded.
#
# Environment: KHV (launcher), ACCEL (khv or kvm, default khv), KERNEL
# (default /boot/vmlinuz-$(uname -r), else the newest /boot/vmlinuz-*),
# MEM (default 256M), BUSYBOX (a static busybox, default /bin/busybox).
here=$(cd "$(dirname "$0")/.." && pwd)
KHV=${KHV:-$here/tools/khv/khv}
[ -x "$KHV" ] || KHV=$(command -v khv)
ACCEL=${ACCEL:-khv}
MEM=${MEM:-256M}
if [ -z "$KERNEL" ]; then
	KERNEL=/boot/vmlinuz-$(uname -r)
	[ -f "$KERNEL" ] || KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
fi
[ -n "$KHV" ] || { echo "guest-shell.sh: no launcher (make tools)" >&2; exit 69; }
[ -f "$KERNEL" ] || { echo "guest-shell.sh: no kernel (set KERNEL=)" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/khv-shell.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cat > "$work/init" <<'INIT'
echo "khv guest shell: $(uname -sr); 'poweroff' or Ctrl-A x to leave"
# busybox init, so that `poweroff` works as a person expects (it signals
# PID 1); cttyhack makes the console the shell's controlling tty, so ^C
# and job control work as on a real terminal.
mkdir -p /etc
echo '::respawn:/bin/cttyhack /bin/sh -l' > /etc/inittab
exec /bin/busybox init
INIT
sh "$here/scripts/guest-initramfs.sh" "$work/init" "$work/initrd.gz" || exit 1
"$KHV" run --accel "$ACCEL" --mem "$MEM" --kernel "$KERNEL" \
	--initrd "$work/initrd.gz" --cmdline "console=ttyS0 quiet" "$@"
