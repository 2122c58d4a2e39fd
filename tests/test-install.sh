#!/bin/bash
# "meson install" puts every file where the system looks for it. TAP output.
set -u
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
option() {   # python3 is there wherever meson is
        meson introspect "$build" --buildoptions |
                python3 -c "import json,sys; print(next(o['value'] for o in json.load(sys.stdin) if o['name'] == '$1'))"
}
prefix=$(option prefix)
libexec=$(option libexecdir)
root=$dest$prefix
share=$root/share

echo "1..14"
check "resource1d in libexecdir" '[ -x "$root/$libexec/resource1d" ]'
check "the spec in dbus-1/interfaces" 'cmp -s "$share/dbus-1/interfaces/org.example.Resource1.xml" interfaces/org.example.Resource1.xml'
check "the bus policy in dbus-1/system.d" 'cmp -s "$share/dbus-1/system.d/org.example.Resource1.conf" policy/org.example.Resource1.conf'
check "the activation file names the installed daemon and the unit" \
        'grep -qx "Exec=$prefix/$libexec/resource1d --idle-timeout=60" "$share/dbus-1/system-services/org.example.Resource1.service" &&
         grep -qx "SystemdService=resource1d.service" "$share/dbus-1/system-services/org.example.Resource1.service"'
check "the polkit actions in polkit-1/actions" 'cmp -s "$share/polkit-1/actions/org.example.resource1.policy" policy/org.example.resource1.policy'
unit=$(find "$dest" -name resource1d.service -path '*systemd/system/*')
check "the unit in the systemd system unit directory" '[ -n "$unit" ] && grep -qx "ExecStart=$prefix/$libexec/resource1d --idle-timeout=60" "$unit"'
check "the unit is Type=dbus with the bus name" 'grep -qx "Type=dbus" "$unit" && grep -qx "BusName=org.example.Resource1" "$unit"'
check "the example rule in the docs" '[ -f "$share/doc/resource1/examples/50-resource1-example.rules" ]'
check "libresource1 with its soname, header and pkg-config file" \
        '[ -n "$(find "$dest" -name libresource1.so.1)" ] && [ -f "$root/include/resource1.h" ] && [ -n "$(find "$dest" -name resource1.pc)" ]'
check "resourcectl in bindir" '[ -x "$root/bin/resourcectl" ]'
check "man pages resourcectl(1), resource1d(8), libresource1(3), rendering without warnings" \
        'for p in man1/resourcectl.1 man8/resource1d.8 man3/libresource1.3; do
                [ -f "$share/man/$p" ] && [ -z "$(man --warnings -l "$share/man/$p" 2>&1 >/dev/null)" ] || exit 1
         done'
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
tap_done
