#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-initramfs.sh INIT OUT: pack a Linux guest's initramfs holding a
# static busybox (as /bin/busybox) and an /init that installs its applets,
# mounts /proc, /sys, /dev (devtmpfs) and /tmp, then runs the shell script
# INIT as PID 1 (copied to /init.main); gzip'ed to OUT.
# Used by linux-guest-test.sh and guest-shell.sh, on the host or in the
# lab (busybox's own cpio when there is no other).
#
# Environment: BUSYBOX, a static busybox (default /bin/busybox).
set -e
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ $# = 2 ] || { echo "usage: guest-initramfs.sh INIT OUT" >&2; exit 64; }
[ -x "$BUSYBOX" ] || {
	echo "guest-initramfs.sh: no static busybox at $BUSYBOX (apt-get install busybox-static)" >&2
	exit 69
}
root=$(mktemp -d "${TMPDIR:-/tmp}/khv-guest-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
cat > "$root/init" <<'PREAMBLE'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
exec /bin/sh /init.main
PREAMBLE
cp "$1" "$root/init.main"
chmod 755 "$root/init" "$root/init.main"
if command -v cpio >/dev/null 2>&1; then
	(cd "$root" && find . | cpio -o -H newc 2>/dev/null) | gzip > "$2"
else
	(cd "$root" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip > "$2"
fi
[ -s "$2" ]
