#!/bin/bash
# "meson install" puts every file where the system looks for it. TAP output.
set -u
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
option() {   # python3 is there wherever meson is
        meson introspect "$build" --buildoptions |
                python3 -c "import json,sys; print(next(o['value'] for o in json.load(sys.stdin) if o['name'] == '$1'))"
}
prefix=$(option prefix)
libexec=$(option libexecdir)
root=$dest$prefix
share=$root/share

echo "1..35"
check "resource1d in libexecdir" '[ -x "$root/$libexec/resource1d" ]'
check "its descriptor gate beside it" '[ -x "$root/$libexec/resource1d-gate" ]'
check "the spec in dbus-1/interfaces" 'cmp -s "$share/dbus-1/interfaces/org.example.Resource1.xml" interfaces/org.example.Resource1.xml'
check "the bus policy in dbus-1/system.d" 'cmp -s "$share/dbus-1/system.d/org.example.Resource1.conf" policy/org.example.Resource1.conf'
check "the activation file names the installed daemon and the unit" \
        'grep -qx "Exec=$prefix/$libexec/resource1d --idle-timeout=60" "$share/dbus-1/system-services/org.example.Resource1.service" &&
         grep -qx "SystemdService=resource1d.service" "$share/dbus-1/system-services/org.example.Resource1.service"'
check "the gate name's activation file starts the same daemon and unit" \
        'grep -qx "Exec=$prefix/$libexec/resource1d --idle-timeout=60" "$share/dbus-1/system-services/org.example.Resource1.Pidfd.service" &&
         grep -qx "SystemdService=resource1d.service" "$share/dbus-1/system-services/org.example.Resource1.Pidfd.service"'
check "the polkit actions in polkit-1/actions" 'cmp -s "$share/polkit-1/actions/org.example.resource1.policy" policy/org.example.resource1.policy'
unit=$(find "$dest" -name resource1d.service -path '*systemd/system/*')
check "the unit in the systemd system unit directory" '[ -n "$unit" ] && grep -qx "ExecStart=$prefix/$libexec/resource1d --idle-timeout=60" "$unit"'
check "the unit is Type=dbus with the bus name" 'grep -qx "Type=dbus" "$unit" && grep -qx "BusName=org.example.Resource1" "$unit"'
check "the unit's User= is the system user sysusers.d/resource1d.conf makes, which owns the bus name and the polkit actions" \
        'sysusers=$(find "$dest" -path "*/sysusers.d/resource1d.conf") && cmp -s "$sysusers" policy/resource1d.sysusers &&
         user=$(sed -n "s/^User=//p" "$unit") && [ -n "$user" ] && grep -q "^u $user " "$sysusers" &&
         grep -q "<policy user=\"$user\">" "$share/dbus-1/system.d/org.example.Resource1.conf" &&
         grep -qx "User=$user" "$share/dbus-1/system-services/org.example.Resource1.service" &&
         [ "$(grep -c "<annotate key=\"org.freedesktop.policykit.owner\">unix-user:$user</annotate>" "$share/polkit-1/actions/org.example.resource1.policy")" = \
           "$(grep -c "<action id=" "$share/polkit-1/actions/org.example.resource1.policy")" ]'
check "the example rules in the daemon's docs, where Debian's resource1d has them" '[ -f "$share/doc/resource1d/examples/50-resource1-example.rules" ] &&
        [ -f "$share/doc/resource1d/examples/50-resource1-flatpak-example.rules" ]'
check "libresource1 with its soname, header and pkg-config file" \
        '[ -n "$(find "$dest" -name libresource1.so.1)" ] && [ -f "$root/include/resource1.h" ] && [ -n "$(find "$dest" -name resource1.pc)" ]'
check "resourcectl in bindir" '[ -x "$root/bin/resourcectl" ]'
# The Python client, when meson found the system's interpreter (-Dpython=auto).
check "resource1 (Python) in the interpreter's site directory, every module of client/python/resource1" \
      '[ "$(option python)" = disabled ] || [ -z "$(command -v /usr/bin/python3)" ] ||
       (for f in client/python/resource1/*.py; do
              cmp -s "$f" "$(find "$dest" -path "*-packages/resource1/$(basename "$f")" | head -1)" || exit 1
       done)'
# What pip builds from client/python (pyproject.toml, flit_core): the same modules.
wheel_files() {
        local w; w=$(mktemp -d)
        (cd client/python && /usr/bin/python3 -c 'import flit_core.buildapi as b, sys; b.build_wheel(sys.argv[1])' "$w" >/dev/null) &&
                /usr/bin/python3 -c 'import zipfile, sys, glob; print("\n".join(sorted(n for n in zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0]).namelist() if n.endswith(".py"))))' "$w"
        local rc=$?; rm -rf "$w"; return $rc
}
check "client/python/pyproject.toml builds a wheel (flit_core) holding every module of resource1" \
      '[ "$(wheel_files)" = "$(cd client/python && ls resource1/*.py | sort)" ]'
check "man pages resourcectl(1), resource1d(8), libresource1(3), rendering without warnings" \
        '(for p in man1/resourcectl.1 man8/resource1d.8 man3/libresource1.3; do
                [ -f "$share/man/$p" ] && [ -z "$(man --warnings -l "$share/man/$p" 2>&1 >/dev/null)" ] || exit 1
         done)'
# The files resource1d(8) names under the prefix, as its FILES and
# DESCRIPTION say where they are, are where they were installed.
man_paths() { MANWIDTH=1000 man -l "$share/man/man8/resource1d.8" 2>/dev/null | col -bx | grep -o "$prefix/[^ ]*[^ .,;:)]" | sort -u; }
check "every path resource1d(8) names under the prefix is installed ($(man_paths | wc -l))" \
      '[ "$(man_paths | wc -l)" -ge 6 ] &&
       (for f in $(man_paths); do [ -e "$dest$f" ] || { echo "# $f" >&2; exit 1; }; done)'
# A word glued to the one before, as roff joins a font macro's arguments
# (".IR /proc/PID/io ). Lowering limits," rendered "/proc/PID/io).Loweringlimits,"):
# after a closing parenthesis, a capital letter with at most one punctuation
# mark between; or a lower-case word, a period or comma and a capitalized
# word, where no dotted name (org.example.Resource1.Error.InvalidArgs,
# polkit.Result.YES, resource1.RLIMIT_NOFILE) is. Every man page of the tree,
# rendered on lines wide enough that nothing is hyphenated.
glued() {
        local f
        # (Outside a git checkout, a package build's, every such file with a
        # .TH line: not libresource1.so.1.)
        for f in $(git ls-files 2>/dev/null | grep -E "\.[1-8]\$" ||
                   find . -path ./build\* -prune -o -name "*.[1-8]" -type f -exec grep -l "^\.TH " {} +); do
                MANWIDTH=2000 MANROFFOPT=-rHY=0 man -l "$f" 2>/dev/null | col -bx |
                        grep -oP "\)[.,;:]?[A-Z]\S*|(?<![A-Za-z0-9_.])[a-z]+[.,;:][A-Z][a-z]+(?![A-Za-z0-9_]|\.[A-Za-z0-9])\S*" |
                        sed "s|^|$f: |"
        done
}
check "no man page of the tree renders a word glued after a closing parenthesis or a period" \
      '! glued | note | grep -q .'
# libresource1 as a third party sees it: only the installed tree, through pkg-config.
pc=$(dirname "$(find "$dest" -name resource1.pc | head -1)")
libdir=$(dirname "$(find "$dest" -name libresource1.so.1 | head -1)")
flags() { PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags --libs "$@"; }
cflags() { PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags "$@"; }
# A sanitizer build's library needs its programs built with the same sanitizers.
san=$(option b_sanitize)
[ "$san" = none ] && san="" || san="-fsanitize=$san"
# As a third party builds them: -Wall -Wextra, nothing turned off.
cc_strict() { cc $san -std=gnu11 -Wall -Wextra -Werror "$@"; }
# The ```c blocks of README.md's libresource1 section.
readme_examples() {
        awk '/^## libresource1/ { s = 1; next } /^## / { s = 0 } s && /^```c/ { f = 1; next } f && /^```/ { f = 0; n++; next }
             f { print > (dir "/readme-" n ".c") }' dir="$1" n=0 README.md
}
# The example NAME of libresource1(3), roff escapes undone.
man_example() {
        awk -v name="$1" '$0 == ".\\\" example: " name { f = 1; next } f && /^\.EX/ { next } f && /^\.EE/ { exit } f { print }' \
                client/lib/libresource1.3 | sed -e 's/\\e/\\/g' -e 's/\\-/-/g' -e 's/^\\&//'
}
ex=$(mktemp -d)
trap 'rm -rf "$dest" "$ex"' EXIT
readme_examples "$ex"
check "README.md's libresource1 example compiles and links against the installed tree (-Wall -Wextra -Werror)" \
      '[ -s "$ex/readme-0.c" ] && (for f in "$ex"/readme-*.c; do cc_strict -o "${f%.c}" "$f" $(flags resource1) || exit 1; done)'
check "libresource1(3)'s synchronous, polkit agent, sd-event and GLib examples compile and link against the installed tree" \
      '(for e in sync polkit-agent sd-event glib; do
              man_example $e > "$ex/man-$e.c" && [ -s "$ex/man-$e.c" ] || exit 1
              extra=""; [ $e = glib ] && extra=$(pkg-config --cflags --libs glib-2.0)   # the system'"'"'s
              cc_strict -o "$ex/man-$e" "$ex/man-$e.c" $(flags resource1) $extra || exit 1
       done)'
printf '#include <resource1.h>\nint main(void) { struct rlimit k = { 1, 2 }; Resource1Limit l = resource1_limit_from_rlimit(&k);\n  struct rusage ru; Resource1Usage u = { 0.5, 0.25, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };\n  resource1_usage_to_rusage(&u, &ru); return resource1_limit_to_rlimit(&l, &k) + (int) ru.ru_maxrss; }\n' > "$ex/header.c"
check "resource1.h compiles as C99 (-pedantic) and as C++11, -Wall -Wextra -Werror" \
      'cc -std=c99 -pedantic -Wall -Wextra -Werror -c -o /dev/null "$ex/header.c" $(cflags resource1) &&
       { ! command -v c++ >/dev/null || c++ -std=c++11 -Wall -Wextra -Werror -x c++ -c -o /dev/null "$ex/header.c" $(cflags resource1); }'
exported() { objdump -T "$libdir/libresource1.so.1" | awk '$4 != "*UND*" && $NF ~ /^resource1_/ { print $(NF-1), $NF }' | sort; }
check "libresource1 exports exactly libresource1.sym's functions, each in its node there and in libresource1(3)" \
      '[ "$(exported | awk "{ print \$2 }" | sort)" = "$(grep -o "resource1_[a-z0-9_]*;" client/lib/libresource1.sym | tr -d ";" | sort)" ] &&
       [ "$(exported | awk "{ print \$2 \"@\" \$1 }" | sort)" = "$(awk "/^LIBRESOURCE1_[0-9.]* [{]/ { node = \$1 } /^ *resource1_[a-z0-9_]*;\$/ { sub(/^ */, \"\"); sub(/;\$/, \"\"); print \$0 \"@\" node }" client/lib/libresource1.sym | sort)" ] &&
       (for f in $(exported | awk "{ print \$2 }"); do grep -q "^\.BI* \"[^\"]*\b$f(" client/lib/libresource1.3 || { echo "# $f is not in libresource1(3)" >&2; exit 1; }; done)'
# A program built against the retired development node (struct rlimit days)
# must not load against this library.
cat > "$ex/old.sym" <<'SYM'
LIBRESOURCE1_1 { global: resource1_getpagesize; local: *; };
SYM
printf 'int resource1_getpagesize(void *h, unsigned long *p) { return 0; }\n' > "$ex/old-lib.c"
printf 'int resource1_getpagesize(void *h, unsigned long *p);\nint main(void) { unsigned long p; return resource1_getpagesize(0, &p); }\n' > "$ex/old-prog.c"
check "a program built against the retired LIBRESOURCE1_1 node fails to load (version not found)" \
      'mkdir -p "$ex/old" && cc -shared -fPIC -o "$ex/old/libresource1.so.1" -Wl,-soname,libresource1.so.1 -Wl,--version-script="$ex/old.sym" "$ex/old-lib.c" &&
       cc -o "$ex/old-prog" "$ex/old-prog.c" "$ex/old/libresource1.so.1" && LD_LIBRARY_PATH="$ex/old" "$ex/old-prog" &&
       ! LD_LIBRARY_PATH="$libdir" "$ex/old-prog" 2>"$ex/old.err" && grep -q "LIBRESOURCE1_1.*not found" "$ex/old.err"'

# Versions: the release users read (pkg-config, debian/changelog) and the
# shared object's file version, as libresource1(3) says which is which.
release=$(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --modversion resource1)
file_version=$(basename "$(readlink -f "$libdir/libresource1.so.1")" | sed 's/^libresource1\.so\.//')
versions=$(MANWIDTH=200 man -l "$share/man/man3/libresource1.3" 2>/dev/null | col -bx | awk '/^VERSIONS/ { f = 1; next } /^[A-Z]/ { f = 0 } f' | tr -s ' \n' '  ')
check "pkg-config's Version ($release) is the release: meson's project version and debian/changelog's" \
      '[ "$release" = "$(meson introspect "$build" --projectinfo | python3 -c "import json,sys; print(json.load(sys.stdin)[\"version\"])")" ] &&
       [ "$release" = "$(head -1 debian/changelog | sed -n "s/^resource1 (\([^)-]*\).*/\1/p")" ]'
check "libresource1(3) says which number is which: release $release (pkg-config), file version $file_version (not a release)" \
      '[[ $versions == *"release $release of resource1"* ]] && [[ $versions == *"pkg-config --modversion resource1"* ]] &&
       [[ $versions == *"libresource1.so.$file_version"* ]] && [[ $versions == *"LIBRESOURCE1_${file_version%.*}"* ]]'

# The tests' rcall: where the README says it is built, with a --help that
# explains every option it takes.
check "the README's rcall command names the program the build makes (build/ as the build directory)" \
      'paths=$(grep -o "\`[^\` ]*/rcall " README.md | tr -d "\`" | sort -u) && [ -n "$paths" ] &&
       (for p in $paths; do [ -x "$build/${p#build/}" ] && [[ $p == build/* ]] || { echo "# $p" >&2; exit 1; }; done)'
rcall_help=$("$build/tests/helpers/rcall" --help)
check "rcall --help explains each option, and the METHOD SIGNATURE ARGS it takes" \
      'opts=$(grep -o "\"[a-z-]*\", 0, 0, G_OPTION" tests/helpers/rcall.c | cut -d\" -f2) && [ $(echo "$opts" | wc -l) -ge 7 ] &&
       (for o in $opts; do echo "$rcall_help" | grep -Eq "^  --$o(=[A-Z]+)? +[A-Z][a-z]" || { echo "# --$o" >&2; exit 1; }; done) &&
       echo "$rcall_help" | grep -q "SIGNATURE its input arguments" && echo "$rcall_help" | grep -q "PrlimitPidfd"'

comp=$share/bash-completion/completions/resourcectl
complete_words() { bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _resourcectl; echo "${COMPREPLY[*]}"' _ "$comp" "$@"; }
check "bash completion offers subcommands" '[ "$(complete_words resourcectl pa)" = pagesize ]'
check "bash completion offers resource names, for each RESOURCE VALUE pair of set" \
        '[ "$(complete_words resourcectl set NOF)" = NOFILE ] && [ "$(complete_words resourcectl --who ch)" = children ] &&
         [ "$(complete_words resourcectl set NOFILE 1 CO)" = CORE ] && [ -z "$(complete_words resourcectl set NOFILE "")" ]'
check "bash completion: resource names where the SYNOPSIS has them, prlimit's options, columns, JSON modes, run's COMMAND" \
        '[ "$(complete_words resourcectl NOF)" = NOFILE ] && [ "$(complete_words resourcectl --nof)" = --nofile ] &&
         [ "$(complete_words resourcectl -o RESOURCE,so)" = RESOURCE,SOFT ] && [ "$(complete_words resourcectl --json = pr)" = pretty ] &&
         [ "$(complete_words resourcectl set --pid 5 NICE -5 CO)" = CORE ] &&
         complete_words resourcectl run --limit NOFILE=5 ba | grep -qw bash && complete_words resourcectl --nofile=5 ba | grep -qw bash'

# A prefix of one's own, as a user without root installs: a build of the
# same tree configured with --prefix (no DESTDIR), as nobody, writes only
# under that prefix, and what it installed runs from there.
own=$(mktemp -d)
trap 'rm -rf "$dest" "$ex" "$own"' EXIT
chown nobody "$own"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$own" "$@"; }
if [ "$(id -u)" != 0 ]; then
        for i in 1 2 3 4 5; do echo "ok $((n + i)) # SKIP a prefix of one's own: needs root to become nobody"; done
        n=$((n + 5))
elif ! as_nobody test -r meson.build; then
        for i in 1 2 3 4 5; do echo "ok $((n + i)) # SKIP a prefix of one's own: nobody cannot read the source tree $PWD"; done
        n=$((n + 5))
else
        prefix_own=$own/x
        # -Dtests=false and no optimization: the least to build, in seconds.
        as_nobody sh -c 'meson setup "$1/b" --prefix="$2" --buildtype=plain -Dtests=false &&
                         ninja -C "$1/b" && meson install -C "$1/b"' _ "$own" "$prefix_own" > "$own/log" 2>&1
        built=$?
        check "as nobody, meson install --prefix=$prefix_own (no DESTDIR) succeeds" \
              '[ "$built" = 0 ] || { tail -5 "$own/log" | note; false; }'
        outside() { # what meson installed, or plans to, outside the prefix
                { grep -v "^#" "$own/b/meson-logs/install-log.txt"
                  meson introspect "$own/b" --installed | python3 -c "import json,sys; print(\"\\n\".join(json.load(sys.stdin).values()))"
                } | grep -v -e "^$prefix_own\$" -e "^$prefix_own/"
        }
        check "every file it installed is under the prefix, the unit and the sysusers.d file too" \
              '[ -s "$own/b/meson-logs/install-log.txt" ] && ! outside | note | grep -q . &&
               grep -qx "ExecStart=$prefix_own/libexec/resource1d --idle-timeout=60" "$prefix_own/lib/systemd/system/resource1d.service" &&
               [ -f "$prefix_own/lib/sysusers.d/resource1d.conf" ]'
        # resourcectl loads libresource1 with dlopen() when it asks the
        # service (--service here), through the same rpath.
        check "the installed resourcectl runs --help without LD_LIBRARY_PATH, and loads libresource1 from the prefix's libdir (an rpath) to ask the service, as nobody" \
              'as_nobody env -u LD_LIBRARY_PATH "$prefix_own/bin/resourcectl" --help | grep -q "^Usage: resourcectl" &&
               as_nobody env -u LD_LIBRARY_PATH LD_DEBUG=libs DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent \
                        "$prefix_own/bin/resourcectl" --service pagesize 2>&1 | grep -q "calling init: $prefix_own/.*/libresource1\.so\.1$"'
        check "resource1 (Python) imports from the prefix's site directory, with PYTHONPATH as the README says" \
              '[ "$(option python)" = disabled ] || [ -z "$(command -v /usr/bin/python3)" ] ||
               as_nobody env PYTHONPATH="$prefix_own/lib/python3/dist-packages" /usr/bin/python3 -c "import resource1, sys; sys.exit(not resource1.__file__.startswith(sys.argv[1]))" "$prefix_own/"'
        # With the system's prefix, systemd's directories are systemd.pc's.
        meson setup "$own/usr" --prefix=/usr -Dtests=false > "$own/usr.log" 2>&1
        installed_usr=$(meson introspect "$own/usr" --installed 2>/dev/null)
        check "with --prefix=/usr, the unit and the sysusers.d file go where systemd.pc says ($(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null))" \
              '! pkg-config --exists systemd ||
               { [[ $installed_usr == *"\"$(pkg-config --variable=systemdsystemunitdir systemd)/resource1d.service\""* ]] &&
                 [[ $installed_usr == *"\"$(pkg-config --variable=sysusersdir systemd)/resource1d.conf\""* ]]; }'
fi
tap_done
