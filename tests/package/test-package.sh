#!/bin/bash
# The Debian packages (debian/): built with "dpkg-buildpackage -us -uc -b"
# from a clean copy of the tracked files (as a clean clone has them, with
# their working-tree contents), as an unprivileged user (Rules-Requires-Root:
# no), then lintian on the .changes, each package's file list, the symbols
# file against the library's exports, the hardening of the binaries and the
# maintainer scripts. The argument is the source tree. TAP output.
set -uo pipefail
src=$(cd "${1:-.}" && pwd)
. "$src/tests/lib/tap.sh"

for tool in dpkg-buildpackage dh lintian readelf git; do
        if ! command -v "$tool" >/dev/null; then
                echo "1..0 # SKIP $tool is missing (tests/install-deps.sh installs it)"
                exit 0
        fi
done
if ! git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        echo "1..0 # SKIP $src is not a git checkout: which files are tracked is unknown"
        exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
git -C "$src" ls-files -z | (cd "$src" && tar --null -T - -cf -) | tar -C "$tmp/src" -xf -
# Nobody but root can be the builder when the suite runs as root: build as
# nobody then, so that a step needing root fails here too.
as_builder=()
if [ "$(id -u)" = 0 ]; then
        chown -R nobody "$tmp"
        as_builder=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$tmp")
fi

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
version=$(cd "$tmp/src" && dpkg-parsechangelog -SVersion)
project_version=$(sed -n "s/^ *version : '\([^']*\)',.*/\1/p" "$src/meson.build" | head -1)
log=$tmp/build.log
deb() { local a=$arch; [ "$1" = python3-resource1 ] && a=all; echo "$tmp/${1}_${version}_${a}.deb"; }
files() { dpkg-deb -c "$(deb "$1")" | awk '{ print $6 }' | grep -v '/$' | sed 's|^\./|/|' | sort; }
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
show() { sed 's/^/# /' "$@"; }
# The expected list against the package's; the difference shown.
same_files() {
        local want=$tmp/want.$1
        sort > "$want"
        files "$1" | diff -u "$want" - > "$tmp/diff" || { show "$tmp/diff"; return 1; }
}

echo "1..19"

check "debian/changelog's version ($version) is the project's ($project_version)" '[ "$version" = "$project_version" ]'

(cd "$tmp/src" && env -u MAKEFLAGS -u MESON_TESTTHREADS "${as_builder[@]}" \
        dpkg-buildpackage -us -uc -b) > "$log" 2>&1
built=$?
check "dpkg-buildpackage -us -uc -b builds, unprivileged" \
        '[ "$built" = 0 ] || { tail -40 "$log" | show; false; }'
[ "$built" = 0 ] || { tap_done; exit; }

# Debian's flags (hardening=+all) with -Werror off in debian/rules: a warning
# would not stop the build, so it is looked for here.
check "no compiler or debhelper warning in the build log" \
        '! grep -E "(^|: )warning: " "$log" > "$tmp/warnings" || { show "$tmp/warnings"; false; }'
check "the build ran the unit suite, and it passed" \
        'grep -q "meson test --suite unit" "$log" && grep -Eq "^Ok: +[1-9]" "$log" && grep -Eq "^Fail: +0 *$" "$log"'

check "lintian on the .changes: no error, no warning" \
        '"${as_builder[@]}" lintian --fail-on error,warning --no-tag-display-limit "$tmp/resource1_${version}_${arch}.changes" > "$tmp/lintian" 2>&1 ||
         { show "$tmp/lintian"; false; }'

check "resource1d: the daemon, its descriptor gate, unit, bus policy, activation files, polkit actions, its user, example rules, resource1d(8), README.Debian" \
        'same_files resource1d <<EOF
/lib/systemd/system/resource1d.service
/usr/lib/sysusers.d/resource1d.conf
/usr/libexec/resource1d
/usr/libexec/resource1d-gate
/usr/share/dbus-1/system-services/org.example.Resource1.Pidfd.service
/usr/share/dbus-1/system-services/org.example.Resource1.service
/usr/share/dbus-1/system.d/org.example.Resource1.conf
/usr/share/doc/resource1d/README.Debian
/usr/share/doc/resource1d/changelog.gz
/usr/share/doc/resource1d/copyright
/usr/share/doc/resource1d/examples/50-resource1-audio-example.rules
/usr/share/doc/resource1d/examples/50-resource1-example.rules
/usr/share/doc/resource1d/examples/50-resource1-flatpak-example.rules
/usr/share/doc/resource1d/examples/50-resource1-games-example.rules
/usr/share/lintian/overrides/resource1d
/usr/share/man/man8/resource1d.8.gz
/usr/share/polkit-1/actions/org.example.resource1.policy
EOF'
check "resourcectl: the CLI, resourcectl(1), its bash completion" \
        'same_files resourcectl <<EOF
/usr/bin/resourcectl
/usr/share/bash-completion/completions/resourcectl
/usr/share/doc/resourcectl/changelog.gz
/usr/share/doc/resourcectl/copyright
/usr/share/man/man1/resourcectl.1.gz
EOF'
check "libresource1-1: the shared library alone" \
        'same_files libresource1-1 <<EOF
/usr/lib/$multiarch/libresource1.so.1
/usr/lib/$multiarch/libresource1.so.1.3.0
/usr/share/doc/libresource1-1/changelog.gz
/usr/share/doc/libresource1-1/copyright
EOF'
check "libresource1-dev: header, .so, .pc, libresource1(3), the spec" \
        'same_files libresource1-dev <<EOF
/usr/include/resource1.h
/usr/lib/$multiarch/libresource1.so
/usr/lib/$multiarch/pkgconfig/resource1.pc
/usr/share/dbus-1/interfaces/org.example.Resource1.xml
/usr/share/doc/libresource1-dev/changelog.gz
/usr/share/doc/libresource1-dev/copyright
/usr/share/man/man3/libresource1.3.gz
EOF'

check "the relations: resource1d on polkitd, a system bus and systemd-sysusers, the libraries Multi-Arch: same, -dev on the same version" \
        'field resource1d Depends | grep -c >/dev/null "polkitd, default-dbus-system-bus | dbus-system-bus, systemd | systemd-standalone-sysusers | systemd-sysusers" &&
         ! field resource1d Depends | grep -c >/dev/null policykit-1 &&
         [ "$(field libresource1-1 Multi-Arch)" = same ] && [ "$(field libresource1-dev Multi-Arch)" = same ] &&
         field libresource1-dev Depends | grep -c >/dev/null "libresource1-1 (= $version)" &&
         field resourcectl Depends | grep -c >/dev/null "libresource1-1 (>= "'

# The symbols file, the version script and the library agree: every symbol
# the library exports is in the version script's node that names it
# (LIBRESOURCE1_1.2, or a later one that inherits it), and in the file.
so=$tmp/src/debian/libresource1-1/usr/lib/$multiarch/libresource1.so.1
# objdump -T: address, flags, section, size, version, name; the version
# node itself is an absolute symbol named as the node.
exports() { objdump -T "$so" | awk '$2 == "g" && $4 != "*UND*" { print $NF "@" $(NF-1) }' | sort; }
check "the symbols file lists exactly the library's exports, all @LIBRESOURCE1_1.2 or later nodes, with Build-Depends-Package" \
        'exports > "$tmp/exports" &&
         sed -n "s/^ \([^ ]*\) .*/\1/p" "$src/debian/libresource1-1.symbols" | sort > "$tmp/symbols" &&
         { diff -u "$tmp/symbols" "$tmp/exports" > "$tmp/diff" || { show "$tmp/diff"; false; }; } &&
         ! grep -v "@LIBRESOURCE1_1\.[2-9]\$" "$tmp/exports" | show | grep -c >/dev/null . &&
         grep -qx "\* Build-Depends-Package: libresource1-dev" "$src/debian/libresource1-1.symbols" &&
         cmp -s "$src/debian/libresource1-1.symbols" "$tmp/src/debian/libresource1-1/DEBIAN/symbols"'
check "the version script (client/lib/libresource1.sym) names the same functions, each in its node" \
        'awk "/^LIBRESOURCE1_[0-9.]* [{]/ { node = \$1 } /^ *resource1_[a-z0-9_]*;\$/ { sub(/^ */, \"\"); sub(/;\$/, \"\"); print \$0 \"@\" node }" \
             "$src/client/lib/libresource1.sym" | sort > "$tmp/script" &&
         grep -v "^LIBRESOURCE1_[0-9.]*@" "$tmp/exports" | diff -u "$tmp/script" - > "$tmp/diff" || { show "$tmp/diff"; false; }'

# (grep -c, not grep -q, after a pipe: with pipefail, grep -q's early exit
# would make the writer's SIGPIPE a failure.)
# hardening=+all as Debian 12's dpkg gives it: PIE, full RELRO (now), the
# stack protector and _FORTIFY_SOURCE's checked functions.
check "python3-resource1: the Python package, architecture-independent, on python3-jeepney" \
        'same_files python3-resource1 <<EOF &&
/usr/lib/python3/dist-packages/resource1/__init__.py
/usr/lib/python3/dist-packages/resource1/_agent.py
/usr/lib/python3/dist-packages/resource1/_bus.py
/usr/lib/python3/dist-packages/resource1/_common.py
/usr/lib/python3/dist-packages/resource1/_explain.py
/usr/lib/python3/dist-packages/resource1/_pam_limits.py
/usr/lib/python3/dist-packages/resource1/_procfs.py
/usr/lib/python3/dist-packages/resource1/aio.py
/usr/share/doc/python3-resource1/changelog.gz
/usr/share/doc/python3-resource1/copyright
EOF
         [ "$(field python3-resource1 Architecture)" = all ] &&
         field python3-resource1 Depends | grep -c >/dev/null "python3-jeepney"'
hardened() {
        readelf -lW "$1" | grep -c >/dev/null GNU_RELRO && readelf -dW "$1" | grep -c >/dev/null "BIND_NOW" &&
        { [ "${2:-}" = lib ] || readelf -hW "$1" | grep -c >/dev/null "DYN (Position-Independent Executable"; } &&
        readelf -W --dyn-syms "$1" | grep -c >/dev/null " __stack_chk_fail@" &&
        readelf -W --dyn-syms "$1" | grep -Ec >/dev/null " __[a-z]+_chk@"
}
check "resource1d, resourcectl and the library are hardened: PIE, relro and now, stack protector, fortify" \
        'hardened "$tmp/src/debian/resource1d/usr/libexec/resource1d" &&
         hardened "$tmp/src/debian/resourcectl/usr/bin/resourcectl" && hardened "$so" lib'

# The nocheck profile, as distributions build without tests: -Dtests=false,
# so no GLib looked for; the same packages, with the same files.
# A folder of its own: its .debs land beside the tree, as the others did.
mkdir -p "$tmp/nc/src"
git -C "$src" ls-files -z | (cd "$src" && tar --null -T - -cf -) | tar -C "$tmp/nc/src" -xf -
[ "$(id -u)" != 0 ] || chown -R nobody "$tmp/nc"
(cd "$tmp/nc/src" && env -u MAKEFLAGS -u MESON_TESTTHREADS DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck \
        "${as_builder[@]}" dpkg-buildpackage -us -uc -b -Pnocheck) > "$tmp/nocheck.log" 2>&1
nocheck=$?
same_debs() {
        for p in resource1d resourcectl libresource1-1 libresource1-dev python3-resource1; do
                diff -u <(files "$p") <(dpkg-deb -c "$(deb "$p" | sed "s|^$tmp/|$tmp/nc/|")" 2>/dev/null |
                                        awk '{ print $6 }' | grep -v '/$' | sed 's|^\./|/|' | sort) || return 1
        done
}
check "built with the nocheck profile: no test suite, no GLib, the same files" \
        '{ [ "$nocheck" = 0 ] || { tail -20 "$tmp/nocheck.log" | show; false; }; } &&
         grep -c >/dev/null "Dtests=false" "$tmp/nocheck.log" && ! grep -c >/dev/null "meson test" "$tmp/nocheck.log" &&
         ! grep -c >/dev/null "glib-2.0" "$tmp/nc/src"/obj-*/meson-logs/meson-log.txt && same_debs'

# dh_installsystemd's scripts: no enabling (bus-activated, no [Install]), no
# start on installation, try-restart on upgrade, a stop on removal only.
scripts=$tmp/src/debian/resource1d/DEBIAN
check "maintainer scripts: not started on installation, try-restart on upgrade, stopped on removal" \
        '! grep -q "deb-systemd-helper\|deb-systemd-invoke start\|invoke restart" "$scripts"/* &&
         grep -q "deb-systemd-invoke try-restart .resource1d.service." "$scripts/postinst" &&
         grep -A2 "\"\$1\" = remove" "$scripts/prerm" | grep -c >/dev/null "deb-systemd-invoke stop resource1d.service" &&
         ! [ -e "$scripts/preinst" ] && ! [ -e "$scripts/conffiles" ]'
# The user is made, and the bus reloaded for a new one, before the restart:
# the bus policy names it.
user_line=$(grep -n "systemd-sysusers .*resource1d.conf" "$scripts/postinst" | cut -d: -f1 | head -1)
reload_line=$(grep -n "invoke-rc.d dbus reload" "$scripts/postinst" | cut -d: -f1 | head -1)
restart_line=$(grep -n "deb-systemd-invoke try-restart" "$scripts/postinst" | cut -d: -f1 | head -1)
check "postinst: the system user resource1 (sysusers.d), then the bus reloaded, then the restart; the entry has no home" \
        '[ -n "$user_line" ] && [ -n "$reload_line" ] && [ -n "$restart_line" ] &&
         [ "$user_line" -lt "$reload_line" ] && [ "$reload_line" -lt "$restart_line" ] &&
         grep -Eqx "u resource1 - \"[^\"]+\" /nonexistent" "$tmp/src/debian/resource1d/usr/lib/sysusers.d/resource1d.conf"'

# What the package's documents name is what it ships: every path of the
# system resource1d(8) (as packaged) and README.Debian name is a file of a
# package built here or a folder holding one; README.Debian's group is the
# one the shipped example rule names, and the one the sysusers.d entry makes
# (with the user of the same name).
all_files() { for p in resource1d resourcectl libresource1-1 libresource1-dev python3-resource1; do files "$p"; done; }
named_paths() { grep -oE "(^|[ (])/(usr|lib)/[^ ]*[^ .,;:)]" | sed "s/^[ (]//" | sort -u; }
man8=$tmp/src/debian/resource1d/usr/share/man/man8/resource1d.8.gz
readme_debian=$tmp/src/debian/resource1d/usr/share/doc/resource1d/README.Debian
shipped() {   # the paths on standard input, each a file or a folder of one
        local p ok=0
        all_files > "$tmp/all-files"
        while IFS= read -r p; do
                grep -qxF "$p" "$tmp/all-files" || grep -qF "${p%/}/" "$tmp/all-files" || { echo "# not shipped: $p"; ok=1; }
        done
        return $ok
}
check "every path resource1d(8) names is in a package ($(MANWIDTH=1000 man -l "$man8" 2>/dev/null | col -bx | named_paths | wc -l))" \
      '[ -f "$man8" ] && [ "$(MANWIDTH=1000 man -l "$man8" 2>/dev/null | col -bx | named_paths | wc -l)" -ge 6 ] &&
       MANWIDTH=1000 man -l "$man8" 2>/dev/null | col -bx | named_paths | shipped'
check "every path README.Debian names is in a package; its group is the one the example rule names and the sysusers.d entry makes" \
      '[ -f "$readme_debian" ] && named_paths < "$readme_debian" | shipped &&
       rule_group=$(sed -n "s/.*isInGroup(\"\([^\"]*\)\").*/\1/p" "$tmp/src/debian/resource1d/usr/share/doc/resource1d/examples/50-resource1-example.rules") &&
       [ -n "$rule_group" ] && grep -qx " *adduser USER $rule_group" "$readme_debian" &&
       grep -q "^u $rule_group " "$tmp/src/debian/resource1d/usr/lib/sysusers.d/resource1d.conf"'

tap_done
