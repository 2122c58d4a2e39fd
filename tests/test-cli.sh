#!/bin/bash
# resourcectl against the real daemon on the fixture's bus (with-bus.sh), as
# root and as unprivileged users; and a program built only from an installed
# tree. TAP output. Needs RESOURCECTL, BUILD_ROOT.
set -u
: "${RESOURCECTL:?}" "${BUILD_ROOT:?}" "${RESOURCE1_FIXTURE:?}"

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# Runs resourcectl, keeping stdout, stderr and the exit status.
rc() { "$@" >"$T/out" 2>"$T/err"; status=$?; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
proc_limit() { # pid, label → "soft hard" as the kernel shows them
        grep "^$2 " "/proc/$1/limits" | sed "s/^$2 *//" | awk '{print $1, $2}'
}

T=$RESOURCE1_FIXTURE/cli
mkdir -p "$T" && chmod 755 "$T"
# Unprivileged users must be able to run it wherever the build tree is.
install -m 755 "$RESOURCECTL" "$T/resourcectl"
install -m 755 "$(dirname "$RESOURCECTL")"/libresource1.so.1 "$T/"
R=$T/resourcectl
export LD_LIBRARY_PATH=$T

sleep 600 & child=$!
setpriv --reuid=5 --regid=60 --clear-groups sleep 600 & other=$!
sleep 0.1

echo "1..43"

# limits
rc "$R"
check "default command is the limits table with a heading" \
      '[ $status = 0 ] && head -1 "$T/out" | grep -q "^RESOURCE *DESCRIPTION *SOFT *HARD UNITS" && [ $(wc -l < "$T/out") = 17 ]'
rc "$R" limits --pid "$child" --raw --no-headings
norm() { sed 's/18446744073709551615/unlimited/g'; }
"$R" --pid "$child" --raw --no-headings | sed -E 's/^([A-Z]+) "[^"]*" ([0-9]+) ([0-9]+).*/\1 \2 \3/' | norm | sort > "$T/mine"
prlimit --pid "$child" --raw --noheadings -o RESOURCE,SOFT,HARD | sort > "$T/theirs"
check "limits agree with prlimit --pid for the same process" 'diff -u "$T/theirs" "$T/mine" >&2'
rc "$R" limits nofile RLIMIT_CORE
check "limits of named resources only" '[ $status = 0 ] && [ $(wc -l < "$T/out") = 3 ] && grep -q "^NOFILE" "$T/out" && grep -q "^CORE" "$T/out"'
rc "$R" --json limits --pid "$other"
check "--json parses, with stable fields, for another user's process" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==16; assert set(d[0])=={\"resource\",\"description\",\"soft\",\"hard\",\"units\"}" "$T/out"'
check "unlimited in tables, exact numbers in --json" \
      '"$R" limits CPU | grep -q unlimited && grep -q 18446744073709551615 "$T/out"'

# set, every form of VALUE
rc "$R" set --pid "$child" NOFILE 100:200
check "set soft:hard prints old -> new and the kernel agrees" \
      '[ $status = 0 ] && grep -Eq "^NOFILE: .* (->|→) 100:200$" "$T/out" && [ "$(proc_limit $child "Max open files")" = "100 200" ]'
rc "$R" set --pid "$child" NOFILE 50:
check "set soft: keeps the hard limit" '[ $status = 0 ] && [ "$(proc_limit $child "Max open files")" = "50 200" ]'
rc "$R" set --pid "$child" NOFILE :150
check "set :hard keeps the soft limit" '[ $status = 0 ] && [ "$(proc_limit $child "Max open files")" = "50 150" ]'
rc "$R" set --pid "$child" NOFILE 120
check "set N sets both" '[ $status = 0 ] && [ "$(proc_limit $child "Max open files")" = "120 120" ]'
rc "$R" set --pid "$child" STACK 4M:
check "sizes take 1024-based suffixes" '[ $status = 0 ] && [ "$(proc_limit $child "Max stack size" | cut -d" " -f1)" = 4194304 ]'
rc "$R" set --pid "$child" CPU 1h:unlimited
check "CPU takes h, and unlimited" '[ $status = 0 ] && [ "$(proc_limit $child "Max cpu time")" = "3600 unlimited" ]'
rc "$R" set --pid "$child" RTTIME 20ms:
check "RTTIME takes ms" '[ $status = 0 ] && [ "$(proc_limit $child "Max realtime timeout" | cut -d" " -f1)" = 20000 ]'
rc "$R" --no-ask-password set --pid "$child" -- NICE -20
check "NICE takes a nice level: -20 is the raw 40 (a hard raise, which only CAP_SYS_RESOURCE may make)" \
      'grep -q "NICE of pid $child to 40:40" "$T/err" || grep -Eq "^NICE: .* (->|→) 40:40$" "$T/out"'
rc "$R" --json set --pid "$child" NOFILE 100
check "set --json parses" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"old\"]==dict(soft=120,hard=120) and d[\"new\"]==dict(soft=100,hard=100)" "$T/out"'

# several limits in one request
rc "$R" set --pid "$child" NOFILE 90:100 CORE 0 STACK 2M:
check "set with several RESOURCE VALUE pairs: one line each, and the kernel agrees" \
      '[ $status = 0 ] && [ $(wc -l < "$T/out") = 3 ] && grep -Eq "^NOFILE: 100:100 (->|→) 90:100$" "$T/out" &&
       grep -Eq "^CORE: .* (->|→) 0:0$" "$T/out" && grep -Eq "^STACK: 4194304:.* (->|→) 2097152:" "$T/out" &&
       [ "$(proc_limit $child "Max open files")" = "90 100" ] && [ "$(proc_limit $child "Max core file size")" = "0 0" ] &&
       [ "$(proc_limit $child "Max stack size" | cut -d" " -f1)" = 2097152 ]'
rc "$R" --json set --pid "$child" NOFILE 80 CORE 0
check "set --json with several limits is an array of the one-limit objects" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert [x[\"resource\"] for x in d]==[\"NOFILE\",\"CORE\"] and d[0][\"old\"]==dict(soft=90,hard=100) and d[0][\"new\"]==dict(soft=80,hard=80)" "$T/out"'
rc "$R" set --pid "$child" NOFILE 10 nofile 20
check "a resource given twice: usage error 2, nothing asked" '[ $status = 2 ] && grep -q "NOFILE is given twice" "$T/err" && [ "$(proc_limit $child "Max open files")" = "80 80" ]'
rc "$R" set --pid "$child" NOFILE 10 CORE
check "a RESOURCE without its VALUE: usage error 2" '[ $status = 2 ] && grep -q "RESOURCE VALUE \[RESOURCE VALUE...\]" "$T/err"'
can_raise=$(busctl --system get-property org.example.Resource1 /org/example/Resource1 org.example.Resource1 CanRaiseHardLimits)
before_core=$(proc_limit "$child" "Max core file size") before_fsize=$(proc_limit "$child" "Max file size")
rc "$R" set --pid "$child" CORE 0:0 FSIZE 1M: NOFILE :81
if [ "$can_raise" = "b false" ]; then
        check "a batch whose last limit the kernel refuses: exit 3, one line naming it, the others restored" \
              '[ $status = 3 ] && [ $(wc -l < "$T/err") = 1 ] && grep -q "the kernel refused NOFILE" "$T/err" &&
               grep -q "the limits set were restored" "$T/err" && [ ! -s "$T/out" ] &&
               [ "$(proc_limit $child "Max core file size")" = "$before_core" ] &&
               [ "$(proc_limit $child "Max file size")" = "$before_fsize" ] && [ "$(proc_limit $child "Max open files")" = "80 80" ]'
else
        check "a batch with a hard raise, by a service that holds CAP_SYS_RESOURCE: all set" \
              '[ $status = 0 ] && [ "$(proc_limit $child "Max open files")" = "80 81" ]'
fi

# one request, one authorization: what the bus carries, seen by a monitor
dbus-monitor --system "type='method_call',interface='org.freedesktop.PolicyKit1.Authority',member='CheckAuthorization'" \
             "type='method_call',interface='org.example.Resource1'" > "$T/monitor" 2>/dev/null & monitor=$!
pagesizes() { grep -c "member=PageSize" "$T/monitor"; }
mon_sync() { # every message routed before this point has reached the monitor (tries: of 10 ms)
        local n; n=$(pagesizes)
        busctl --system call org.example.Resource1 /org/example/Resource1 org.example.Resource1 PageSize >/dev/null
        for _ in $(seq "${1:-1000}"); do [ "$(pagesizes)" -gt "$n" ] && return; sleep 0.01; done
}
for _ in $(seq 200); do mon_sync 5; [ "$(pagesizes)" -gt 0 ] && break; done   # the monitor is listening
mon_mark() { mon_sync; mark=$(wc -l < "$T/monitor"); }
mon_since() { tail -n +"$((mark + 1))" "$T/monitor"; }
mq_hard=$(proc_limit $$ "Max msgqueue size" | cut -d" " -f2)
mon_mark
rc as_nobody prlimit --nofile=400:800 -- "$R" --no-ask-password run --limit NOFILE=400:900 \
        --limit MSGQUEUE=:$((mq_hard + 1)) --limit CORE=0 -- touch "$T/ran2"
mon_sync
check "run with three limits: one SetRlimits call, one polkit check naming both hard raises, the command not run" \
      '[ $status = 3 ] && [ ! -e "$T/ran2" ] && [ "$(mon_since | grep -c "member=SetRlimits$")" = 1 ] &&
       [ "$(mon_since | grep -c "member=SetRlimit$")" = 0 ] && [ "$(mon_since | grep -c "member=CheckAuthorization")" = 1 ] &&
       mon_since | grep -A1 "string \"resources\"" | grep -q "string \"NOFILE MSGQUEUE\"" &&
       grep -q "setting NOFILE to 400:900, MSGQUEUE to 0*[0-9]*:$((mq_hard + 1)), CORE to 0:0 of pid [0-9]*: .*raise-hard-limit" "$T/err"'
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 & nobodys=$!
sleep 0.1
before_nobodys=$(proc_limit $nobodys "Max open files")
mon_mark
rc as_nobody "$R" --no-ask-password set --pid "$nobodys" NOFILE :1048576 MSGQUEUE :$((mq_hard + 1))
mon_sync
check "set of two hard raises on one's own process: one SetRlimitsPidfd call, one polkit check, nothing changed" \
      '[ $status = 3 ] && [ "$(mon_since | grep -c "member=SetRlimitsPidfd$")" = 1 ] &&
       [ "$(mon_since | grep -c "member=CheckAuthorization")" = 1 ] && grep -q "raise-hard-limit" "$T/err" &&
       [ "$(proc_limit $nobodys "Max open files")" = "$before_nobodys" ]'
mon_mark
rc "$R" limits --pid "$child" NOFILE
mon_sync
check "--pid is passed as a pidfd (ListRlimitsPidfd), never as a number" \
      '[ $status = 0 ] && [ "$(mon_since | grep -c "member=ListRlimitsPidfd$")" = 1 ] && [ "$(mon_since | grep -c "member=ListRlimits$")" = 0 ]'
kill "$monitor" "$nobodys" 2>/dev/null

# --pid is a pid of resourcectl's own pid namespace, as for prlimit(1): in a
# nested one (as in a container), pid 1 is that namespace's init
outer_before=$(proc_limit 1 "Max open files")
rc unshare --pid --fork --mount-proc sh -c '
        [ $$ = 1 ] || exit 90
        "$0" set --pid 1 NOFILE 77:77 || exit 91
        "$0" limits --raw --no-headings --pid 1 NOFILE
        echo "ulimit $(ulimit -Sn) $(ulimit -Hn)"
        while read -r line; do case $line in "Max open files"*) echo "self $line" ;; esac; done < /proc/self/limits
        ' "$R"
check "resourcectl set --pid 1 in a nested pid namespace changes that namespace's pid 1 (its own /proc/self/limits)" \
      '[ $status = 0 ] && grep -Eq "^NOFILE: .* (->|→) 77:77$" "$T/out" && grep -q "^NOFILE \".*\" 77 77 files$" "$T/out" &&
       grep -qx "ulimit 77 77" "$T/out" && grep -Eq "^self Max open files +77 +77 +files" "$T/out"'
check "... and not pid 1 of the namespace the service sees" \
      '[ "$(proc_limit 1 "Max open files")" = "$outer_before" ] && [ "$outer_before" != "77 77" ]'
rc unshare --pid --fork --mount-proc sh -c '
        busctl --system call org.example.Resource1 /org/example/Resource1 org.example.Resource1 Prlimit usbtt 1 NOFILE true 77 77
        echo "busctl $?"
        gdbus call --system --dest org.example.Resource1 --object-path /org/example/Resource1 \
                --method org.example.Resource1.Prlimit 1 NOFILE true 77 77'
check "a raw pid number from a nested pid namespace is refused with OtherPidNamespace; outer pid 1 untouched" \
      'grep -qx "busctl 1" "$T/out" && grep -q "pid 1 was named from another pid namespace" "$T/err" &&
       grep -q "org.example.Resource1.Error.OtherPidNamespace" "$T/err" && [ "$(proc_limit 1 "Max open files")" = "$outer_before" ]'

# refusals: one line naming the resource, the value and the reason; nothing changed
before=$(proc_limit "$other" "Max open files")
rc as_nobody "$R" set --pid "$other" NOFILE 1
check "another user's process: refused with exit 3, one line naming resource, value and reason" \
      '[ $status = 3 ] && [ $(wc -l < "$T/err") = 1 ] && grep -q "NOFILE.*1:1.*manage-other" "$T/err" && [ "$(proc_limit $other "Max open files")" = "$before" ]'
rc "$R" set --pid "$child" NOFILE 5:4
check "soft above hard: usage error 2, said before asking" '[ $status = 2 ] && grep -q "soft limit exceeds the hard limit" "$T/err"'
rc "$R" set NOFILE 4k
check "a bad suffix: usage error 2 with the reason" '[ $status = 2 ] && grep -q "invalid value .4k. for NOFILE: this resource takes a plain number" "$T/err"'
rc "$R" set VMEM 1
check "a resource Linux lacks: usage error 2" '[ $status = 2 ] && grep -q "not available on this platform" "$T/err"'
rc "$R" --pid 999999999
check "no such process: exit 5" '[ $status = 5 ] && grep -q "no such process" "$T/err"'
rc env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent "$R" pagesize
check "service unavailable: exit 4" '[ $status = 4 ] && grep -q "cannot connect to the system bus" "$T/err"'
rc "$R" frobnicate
check "unknown command: exit 2" '[ $status = 2 ]'

# usage and pagesize
rc "$R" usage --pid "$child"
check "usage names all 16 fields with units" '[ $status = 0 ] && [ $(grep -c "(ru_" "$T/out") = 16 ] && grep -q "ru_maxrss .* KiB$" "$T/out"'
rc "$R" usage --who both --json
check "usage --json has the 16 fields" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==16 and isinstance(d[\"ru_utime\"], float)" "$T/out"'
rc "$R" usage --who everyone
check "invalid --who: exit 2" '[ $status = 2 ]'
rc "$R" pagesize
check "pagesize is getconf PAGESIZE" '[ $status = 0 ] && [ "$(cat "$T/out")" = "$(getconf PAGESIZE)" ]'

# run
rc "$R" run --limit NOFILE=64:128 --limit CORE=0 -- cat /proc/self/limits
check "run: the command's /proc/PID/limits shows the new limits" \
      '[ $status = 0 ] && grep -q "^Max open files *64 *128 " "$T/out" && grep -q "^Max core file size *0 *0 " "$T/out"'
rc as_nobody prlimit --nofile=400:800 -- "$R" --no-ask-password run --limit NOFILE=400:900 -- touch "$T/ran"
check "run with a refused hard raise: exit 3, the command not run" \
      '[ $status = 3 ] && [ ! -e "$T/ran" ] && grep -q "NOFILE.*400:900.*raise-hard-limit" "$T/err"'
rc as_nobody prlimit --nofile=400:800 -- "$R" run --limit NOFILE=100: -- sh -c 'ulimit -Sn; ulimit -Hn'
check "run as an unprivileged user lowering its limit" '[ $status = 0 ] && [ "$(tr "\n" " " < "$T/out")" = "100 800 " ]'
rc "$R" run --limit NOFILE=64 --limit nofile=32 -- true
check "run with a resource given twice: usage error 2" '[ $status = 2 ] && grep -q "NOFILE is given twice" "$T/err"'

# help and version
check "--help and --version" '"$R" --help | grep -q "Exit status" && "$R" --version | grep -q "^resourcectl "'

# a third party builds against an installed tree
dest=$T/destdir
meson install -C "$BUILD_ROOT" --destdir "$dest" --no-rebuild --quiet >/dev/null
pc=$(dirname "$(find "$dest" -name resource1.pc | head -1)")
cat > "$T/third.c" <<'C'
#include <resource1.h>
#include <stdio.h>
int main(void) {
        uint64_t p;
        Resource1Limit l;
        int r = resource1_getpagesize(NULL, &p);
        if (r < 0 || resource1_getrlimit(NULL, resource1_resource_from_name("nofile"), &l) < 0)
                return 1;
        printf("%llu %llu\n", (unsigned long long) p, (unsigned long long) l.soft);
        return 0;
}
C
flags=$(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags --libs resource1)
check "pkg-config finds resource1 in the installed tree" '[ -n "$flags" ] && [[ $flags == *-lresource1* ]]'
libdir=$(dirname "$pc")
# A sanitizer build's library needs its program built with the same sanitizers.
san=""
[ "${SANITIZE:-none}" != none ] && san="-fsanitize=$SANITIZE"
check "a program built only from the installed tree links and calls the service" \
      'cc $san -o "$T/third" "$T/third.c" $flags && [ "$(LD_LIBRARY_PATH=$libdir "$T/third" | cut -d" " -f1)" = "$(getconf PAGESIZE)" ]'

kill "$child" "$other" 2>/dev/null
tap_done
