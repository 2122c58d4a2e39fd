#!/bin/bash
# The system test: the installed service under a real systemd, with real
# CAP_SYS_RESOURCE, in a VM (qemu, -accel tcg). As root:
#
#   tests/vm/run.sh
#
# 1. A Debian 12 root filesystem by debootstrap from the mirror apt already
#    uses, cached outside the checkout (/var/cache/resource1-vm, keyed on the
#    package list), so a second run skips it.
# 2. The project's Debian packages (debian/) built and installed with apt;
#    test users, polkit rules and a unit that runs tests/vm/inside.sh at
#    boot.
# 3. Boots it (serial console, no network) with Debian's default system bus,
#    dbus-daemon, and the checks (tests/vm/inside.sh) run; inside.sh makes
#    dbus-broker the system bus and reboots, which ends qemu (-no-reboot);
#    the same disk is booted again and the checks run on dbus-broker, then
#    the packages' autopkgtest (debian/tests). Reads the "R1TEST" lines the
#    checks print on the console, and prints them as TAP. On failure the
#    console log of each boot with a failed check, and of the last, follows.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
timeout_s=${VM_TIMEOUT:-900}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (debootstrap, mkfs)"; exit 0; }
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# tmux: a terminal for the password check (a login session that types at pkttyagent's prompt).
# bubblewrap, xdg-dbus-proxy: the flatpak checks (an app as `flatpak run` starts it).
# dbus-broker: the second system bus the checks run on (Debian's package, which
# enables itself on installation: disabled below for the first boot).
# autopkgtest: Debian's test harness, for debian/tests; dpkg-dev: its
# dpkg-source, which unpacks the source tree it is given.
packages=systemd,systemd-sysv,libpam-systemd,dbus,polkitd,linux-image-amd64,libglib2.0-0,util-linux,procps,tmux,python3,python3-jeepney,bubblewrap,xdg-dbus-proxy,dbus-broker,autopkgtest,dpkg-dev
# The mirror apt is configured with: named nowhere in this repository.
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
key=$(printf '%s\n' "$packages" bookworm 1 | sha256sum | cut -c1-16)
cache=/var/cache/resource1-vm/$key
mkdir -p "$cache"

if [ ! -f "$cache/rootfs.tar" ]; then
        echo "# building the Debian 12 image (debootstrap from $mirror; cached in $cache)" >&2
        rm -rf "$cache/root"
        debootstrap --variant=minbase --include="$packages" bookworm "$cache/root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
                { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
        tar -C "$cache/root" -cf "$cache/rootfs.tar.tmp" .
        mv "$cache/rootfs.tar.tmp" "$cache/rootfs.tar"
        rm -rf "$cache/root"
fi

work=$(mktemp -d /var/tmp/resource1-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir "$root"
tar -C "$root" -xf "$cache/rootfs.tar"
# The first boot on Debian's default system bus, dbus-daemon: dbus-broker's
# postinst enabled it (Alias=dbus.service) when debootstrap installed it;
# inside.sh enables it again for the second boot.
chroot "$root" systemctl disable --quiet dbus-broker.service
chroot "$root" systemctl --global disable --quiet dbus-broker.service
[ ! -e "$root/etc/systemd/system/dbus.service" ] ||
        { echo "run.sh: /etc/systemd/system/dbus.service is still there: the first boot would not run dbus-daemon" >&2; exit 1; }

# The project as its Debian packages (debian/), built from the tracked files
# as the package suite builds them (nocheck: that suite runs the unit tests in
# the build), installed with apt in the image as a user installs them; the
# .debs stay there for inside.sh's removing and reinstalling. Everything they
# depend on is in the image already: apt needs no network.
# (Output to stderr: stdout is TAP.)
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 ||
        { echo "run.sh: $src is not a git checkout: which files make the packages is unknown" >&2; exit 1; }
pkg=$work/pkg
mkdir -p "$pkg/src"
git -C "$src" ls-files -z | (cd "$src" && tar --null -T - -cf -) | tar -C "$pkg/src" -xf -
(cd "$pkg/src" && env -u MAKEFLAGS DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -Pnocheck) \
        > "$work/dpkg-buildpackage.log" 2>&1 || { tail -30 "$work/dpkg-buildpackage.log" >&2; exit 1; }
# The flatpak checks' libresource1 program, linked against the library just
# built (the image gets the same from libresource1-1), and rcall (GDBus).
fp=/usr/local/lib/resource1-vmtest/flatpak
mkdir -p "$root$fp"
built=$(ls -d "$pkg"/src/obj-*/client/lib | head -1)
${CC:-cc} -O2 -Wall -o "$root$fp/flatpak-app-lib" -I"$src/client/lib" "$src/tests/helpers/flatpak-app-lib.c" \
        -L"$built" -lresource1 $(pkg-config --cflags libsystemd) >&2
${CC:-cc} -O2 -Wall -o "$root$fp/rcall" -I"$src/interfaces" "$src/tests/helpers/rcall.c" \
        "$src/interfaces/resource1-names.c" "$src/interfaces/resource1-errors.c" \
        $(pkg-config --cflags --libs gio-2.0 gio-unix-2.0 libsystemd) >&2
debs=/var/cache/resource1-vmtest/debs
mkdir -p "$root$debs"
for p in resource1d resourcectl libresource1-1 python3-resource1; do cp "$pkg/${p}_"*.deb "$root$debs/"; done
rm -rf "$pkg"
in_image=()
for f in "$root$debs"/*.deb; do in_image+=("$debs/${f##*/}"); done
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${in_image[@]}" >&2

# Test users: gamer is in group resource1 (the example rule); plain is in
# nothing; sessmgr is a session manager a rule grants manage-other; tester has
# a password.
chroot "$root" groupadd -f resource1
chroot "$root" useradd -m -G resource1 gamer
chroot "$root" useradd -m plain
chroot "$root" useradd -m sessmgr
# tester logs in on a terminal with a password, which polkit asks for (AUTH_SELF)
# before it may raise its shell's hard limit.
chroot "$root" useradd -m -s /bin/bash tester
# player starts a Flatpak app from its login session (the flatpak checks); in
# no group a rule names.
chroot "$root" useradd -m -s /bin/bash player
# The rules section (issue 27): steamer, in group gamers (made as the games
# example rule's comment says), logs in and starts a game; musician is in
# Debian's group audio, which the audio example rule names.
chroot "$root" groupadd --system gamers
chroot "$root" useradd -m -s /bin/bash -G gamers steamer
chroot "$root" useradd -m -s /bin/bash -G audio musician
echo "tester:r1-vm-secret" | chroot "$root" chpasswd
cat > "$root/etc/polkit-1/rules.d/45-resource1-vmtest-auth.rules" <<'JS'
polkit.addRule(function(action, subject) {
        if (action.id == "org.example.resource1.raise-hard-limit" && subject.user == "tester")
                return polkit.Result.AUTH_SELF;
});
JS
chmod 644 "$root/etc/polkit-1/rules.d/45-resource1-vmtest-auth.rules"
# The example rule as the package ships it.
install -m 644 "$root/usr/share/doc/resource1d/examples/50-resource1-example.rules" "$root/etc/polkit-1/rules.d/"
# The example rule for one Flatpak app, where the package ships it.
flatpak_rule=$root/usr/share/doc/resource1d/examples/50-resource1-flatpak-example.rules
[ ! -e "$flatpak_rule" ] || install -m 644 "$flatpak_rule" "$root/etc/polkit-1/rules.d/"
cat > "$root/etc/polkit-1/rules.d/60-sessmgr.rules" <<'JS'
polkit.addRule(function(action, subject) {
        if (action.id == "org.example.resource1.manage-other" && subject.user == "sessmgr")
                return polkit.Result.YES;
});
JS
chmod 644 "$root/etc/polkit-1/rules.d/60-sessmgr.rules"

# The race check (issue #1): a setuid-root program for its target to exec,
# and the helper a test rule spawns to make the target exec it mid-decision.
${CC:-cc} -O2 -Wall -o "$work/suid-wait" "$here/suid-wait.c" >&2
install -D -o root -g root -m 4755 "$work/suid-wait" "$root/usr/local/lib/resource1-vmtest/suid-wait"
install -m 755 "$here/race-helper.sh" "$root/usr/local/lib/resource1-vmtest/race-helper"
install -m 644 "$here/40-resource1-vmtest-race.rules" "$root/etc/polkit-1/rules.d/"
# The descriptor policy checks' sender (Python, jeepney).
install -m 755 "$here/fd-call.py" "$root/usr/local/lib/resource1-vmtest/fd-call"
# The undo check: the attack program of the security-undo suite (sd-bus; the
# image's libsystemd0 is that of the same Debian release).
${CC:-cc} -O2 -Wall -pthread -o "$work/attack-undo" -I"$src/interfaces" "$src/tests/helpers/attack-undo.c" $(pkg-config --cflags --libs libsystemd) >&2
install -m 755 "$work/attack-undo" "$root/usr/local/lib/resource1-vmtest/attack-undo"

# A short idle timeout, so that idling out and activating again fit in the run.
mkdir -p "$root/etc/systemd/system/resource1d.service.d"
cat > "$root/etc/systemd/system/resource1d.service.d/test.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=/usr/libexec/resource1d --idle-timeout=3
UNIT

install -D -m 755 "$here/inside.sh" "$root/usr/local/lib/resource1-vmtest/inside.sh"
# The source tree autopkgtest reads debian/tests from: the tracked files.
mkdir -p "$root/usr/local/lib/resource1-vmtest/src"
git -C "$src" ls-files -z | (cd "$src" && tar --null -T - -cf -) | tar -C "$root/usr/local/lib/resource1-vmtest/src" -xf -
# The flatpak suite's script and helpers, as the fixture runs them.
install -m 755 "$src/tests/client/test-flatpak.sh" "$src/tests/helpers/flatpak-run.py" "$src/tests/helpers/flatpak-app.py" \
        "$src/tests/helpers/flatpak-app-shell.sh" "$root$fp/"
install -m 644 "$src/tests/lib/tap.sh" "$here/flatpak-session.sh" "$root$fp/"
cat > "$root/etc/systemd/system/resource1-vmtest.service" <<'UNIT'
[Unit]
Description=Resource1 system test
After=multi-user.target dbus.service polkit.service
Wants=polkit.service

[Service]
Type=oneshot
ExecStart=/usr/local/lib/resource1-vmtest/inside.sh
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/resource1-vmtest.service "$root/etc/systemd/system/multi-user.target.wants/"
echo "resource1-vm" > "$root/etc/hostname"
echo "root:x:0:0:root:/root:/bin/bash" > /dev/null   # root stays locked: nothing logs in
printf '/dev/vda / ext4 rw 0 1\n' > "$root/etc/fstab"
# No getty on the serial console: the checks own it.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"

kernel=$(ls "$root"/boot/vmlinuz-* | head -1)
initrd=$(ls "$root"/boot/initrd.img-* | head -1)
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"
mkfs.ext4 -q -F -L root -d "$root" "$work/root.img" 3G >&2   # stdout is TAP
rm -rf "$root"

# One boot per system bus (inside.sh's "buses"): a boot that ends with
# "R1TEST reboot" is followed by the next, on the same disk. One deadline for
# them all.
deadline=$(( $(date +%s) + timeout_s ))
: > "$work/results"
for boot in 1 2; do
        console=$work/console$boot.log
        start=$(date +%s)
        timeout $(( deadline > start ? deadline - start : 1 )) qemu-system-x86_64 -accel tcg -m 1536 -smp 2 -display none -no-reboot \
                -kernel "$work/vmlinuz" -initrd "$work/initrd.img" \
                -append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 panic=-1" \
                -drive "file=$work/root.img,format=raw,if=virtio" \
                -serial "file:$console" -nic none || true
        echo "# boot $boot: the VM ran for $(( $(date +%s) - start )) s" >&2
        tr -d '\r' < "$console" | sed -n 's/.*R1TEST //p' > "$work/results.$boot"
        cat "$work/results.$boot" >> "$work/results"
        [ "$(tail -1 "$work/results.$boot")" = reboot ] || break
done

grep -v '^done\|^reboot$' "$work/results"
# (A failed check is a failure whatever the count the VM kept says.)
if ! grep -q '^done 0$' "$work/results" || grep -q '^not ok' "$work/results"; then
        # The console of each boot with a failed check, and of the last one.
        for b in $(seq "$boot"); do
                [ "$b" = "$boot" ] || grep -q "^not ok" "$work/results.$b" || continue
                echo "# the checks did not all pass (or did not finish); the console of boot $b said:"
                tr -d '\r' < "$work/console$b.log" | tail -150 | sed 's/^/# /'
        done
        exit 1
fi
