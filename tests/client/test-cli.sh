#!/bin/bash
# resourcectl against the real daemon on the fixture's bus (with-bus.sh), as
# root and as unprivileged users; and a program built only from an installed
# tree. TAP output. Needs RESOURCECTL, BUILD_ROOT.
set -u
: "${RESOURCECTL:?}" "${BUILD_ROOT:?}" "${RESOURCE1_FIXTURE:?}"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/resourcectl-copy.sh"
# Runs resourcectl, keeping stdout, stderr and the exit status.
rc() { "$@" >"$T/out" 2>"$T/err"; status=$?; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
proc_limit() { # pid, label → "soft hard" as the kernel shows them
        grep "^$2 " "/proc/$1/limits" | sed "s/^$2 *//" | awk '{print $1, $2}'
}

T=$RESOURCE1_FIXTURE/cli
# A failed check shows what the last command printed.
check() {
        n=$((n+1))
        if eval "$2"; then echo "ok $n - $1"; else
                echo "not ok $n - $1"; failed=$((failed+1))
                sed 's/^/# out: /' "$T/out" 2>/dev/null | head -30
                sed 's/^/# err: /' "$T/err" 2>/dev/null | head -10
        fi
}
resourcectl_copy "$T" 755

sleep 600 & child=$!
setpriv --reuid=5 --regid=60 --clear-groups sleep 600 & other=$!
sleep 0.1


# limits
rc "$R"
check "default command is the limits table with a heading" \
      '[ $status = 0 ] && head -1 "$T/out" | grep -q "^RESOURCE *DESCRIPTION *SOFT *HARD UNITS" && [ $(wc -l < "$T/out") = 17 ]'
"$R" --pid "$child" --raw --no-headings -o RESOURCE,SOFT,HARD | sed 's/infinity/unlimited/g' | sort > "$T/mine"
prlimit --pid "$child" --raw --noheadings -o RESOURCE,SOFT,HARD | sort > "$T/theirs"
check "limits agree with prlimit --pid for the same process (-o RESOURCE,SOFT,HARD as prlimit's)" 'diff -u "$T/theirs" "$T/mine" >&2'
rc "$R" limits nofile RLIMIT_CORE
check "limits of named resources only" '[ $status = 0 ] && [ $(wc -l < "$T/out") = 3 ] && grep -q "^NOFILE" "$T/out" && grep -q "^CORE" "$T/out"'
rc "$R" --json limits --pid "$other"
check "--json parses, with stable fields, for another user's process" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==16; assert set(d[0])=={\"resource\",\"description\",\"soft\",\"hard\",\"units\"}" "$T/out"'
check "infinity is \"infinity\" in tables and in --json (a string, not 18446744073709551615)" \
      '"$R" limits CPU | grep -q "^CPU .* infinity infinity seconds$" && grep -q "\"hard\":\"infinity\"" "$T/out" &&
       ! grep -q 18446744073709551615 "$T/out" && ! "$R" limits | grep -q unlimited'

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
rc "$R" --verbose --no-ask-password set --pid "$child" -- NICE -20
check "NICE takes a nice level: -20 is the raw 40 (a hard raise, which only CAP_SYS_RESOURCE may make)" \
      'grep -q "^resourcectl: the service answered .*40:40" "$T/err" || grep -Eq "^NICE: .* (->|→) 40:40$" "$T/out"'
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
# Root's batch with a hard raise is the daemon's own act: on a process of the
# daemon's own user (the unit's User=, with-bus.sh's RESOURCE1D_USER) its
# prlimit(2) sets the others without CAP_SYS_RESOURCE, which the fixture may
# lack, before the kernel refuses the raise.
prlimit --nofile=80:80 -- setpriv --reuid="${RESOURCE1D_USER:?}" --regid="$RESOURCE1D_USER" --clear-groups sleep 600 &
svc=$!
wait_for 5 '[ "$(cat /proc/$svc/comm 2>/dev/null)" = sleep ]'
before_core=$(proc_limit "$svc" "Max core file size") before_fsize=$(proc_limit "$svc" "Max file size")
rc "$R" set --pid "$svc" CORE 0:0 FSIZE 1M: NOFILE :81
if [ "$can_raise" = "b false" ]; then
        check "a batch whose last limit the kernel refuses the service (it lacks CAP_SYS_RESOURCE): exit 6, one line naming it, the others restored" \
              '[ $status = 6 ] && [ $(wc -l < "$T/err") = 1 ] && grep -q "the kernel refused NOFILE (the service lacks CAP_SYS_RESOURCE)" "$T/err" &&
               grep -q "^resourcectl: setting CORE, FSIZE, NOFILE of pid $svc (sleep): allowed, but the service cannot: " "$T/err" &&
               grep -q "the limits set were restored" "$T/err" && [ ! -s "$T/out" ] &&
               [ "$(proc_limit $svc "Max core file size")" = "$before_core" ] &&
               [ "$(proc_limit $svc "Max file size")" = "$before_fsize" ] && [ "$(proc_limit $svc "Max open files")" = "80 80" ]'
else
        check "a batch with a hard raise, by a service that holds CAP_SYS_RESOURCE: all set" \
              '[ $status = 0 ] && [ "$(proc_limit $svc "Max open files")" = "80 81" ]'
fi
kill "$svc" 2>/dev/null

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
# The *Pidfd calls go to the gate's name (the service's own takes no descriptors).
gate='org\.example\.Resource1\.Pidfd'
mq_hard=$(proc_limit $$ "Max msgqueue size" | cut -d" " -f2)
mon_mark
rc as_nobody prlimit --nofile=400:800 -- "$R" --no-ask-password run --limit NOFILE=400:900 \
        --limit MSGQUEUE=:$((mq_hard + 1)) --limit CORE=0 -- touch "$T/ran2"
mon_sync
# run names its own process by a pidfd (SetRlimitsPidfd), never as the
# service's pid 0 "caller", which behind a bus proxy is the proxy.
check "run with three limits: one SetRlimitsPidfd call (its own process by pidfd), one polkit check naming both hard raises, the command not run" \
      '[ $status = 3 ] && [ ! -e "$T/ran2" ] && [ "$(mon_since | grep -c "destination=$gate .*member=SetRlimitsPidfd$")" = 1 ] &&
       [ "$(mon_since | grep -c "member=SetRlimits\?$")" = 0 ] && [ "$(mon_since | grep -c "member=CheckAuthorization")" = 1 ] &&
       mon_since | grep -A1 "string \"resources\"" | grep -q "string \"NOFILE MSGQUEUE\"" &&
       grep -q "^resourcectl: setting NOFILE, MSGQUEUE, CORE of pid [0-9]* (resourcectl): not allowed: polkit refused (needs authentication)$" "$T/err"'
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 & nobodys=$!
sleep 0.1
before_nobodys=$(proc_limit $nobodys "Max open files")
mon_mark
rc as_nobody "$R" --no-ask-password set --pid "$nobodys" NOFILE :1048576 MSGQUEUE :$((mq_hard + 1))
mon_sync
check "set of two hard raises on one's own process: one SetRlimitsPidfd call, one polkit check, nothing changed" \
      '[ $status = 3 ] && [ "$(mon_since | grep -c "destination=$gate .*member=SetRlimitsPidfd$")" = 1 ] &&
       [ "$(mon_since | grep -c "member=CheckAuthorization")" = 1 ] &&
       grep -q "^resourcectl: setting NOFILE, MSGQUEUE of pid $nobodys (sleep): not allowed: " "$T/err" &&
       [ "$(proc_limit $nobodys "Max open files")" = "$before_nobodys" ]'
# What the service is asked (--service: a process of one's own resourcectl
# reads and changes itself otherwise, test-cli-local.sh).
mon_mark
rc "$R" --service limits --pid "$child" NOFILE
mon_sync
check "--pid is passed as a pidfd (ListRlimitsPidfd), never as a number" \
      '[ $status = 0 ] && [ "$(mon_since | grep -c "destination=$gate .*member=ListRlimitsPidfd$")" = 1 ] && [ "$(mon_since | grep -c "member=ListRlimits$")" = 0 ]'
mon_mark
rc sh -c '"$0" --service limits NOFILE' "$R"
mon_sync
check "without --pid, the parent is named by a pidfd too" \
      '[ $status = 0 ] && [ "$(mon_since | grep -c "destination=$gate .*member=ListRlimitsPidfd$")" = 1 ] && [ "$(mon_since | grep -c "member=ListRlimits$")" = 0 ]'
mon_mark
rc "$R" --service set --pid "$child" NOFILE 80:80 CORE 0:0
mon_sync
check "a change that needs no authentication is one request, not two (nothing is asked again)" \
      '[ $status = 0 ] && [ "$(mon_since | grep -c "destination=$gate .*member=SetRlimitsPidfd$")" = 1 ]'
# Without a terminal resourcectl starts no agent, so nothing could answer a
# second asking: one request (allowing interaction, which an agent of a login
# session could answer), one polkit check, one refusal in the service's log.
# A uid of its own (sys, 3), so that the log's per-uid burst is all its, and
# one polkit wants authenticated under this suite's rules and under the
# memcheck suite's (tests/rules/test.rules, where uid 1 is simply allowed).
setpriv --reuid=3 --regid=3 --clear-groups sleep 600 & daemons=$!
sleep 0.1
log=$RESOURCE1_FIXTURE/resource1d.log
mon_mark
off=$(log_size)
rc setpriv --reuid=3 --regid=3 --clear-groups "$R" set --pid "$daemons" NOFILE :1048576 </dev/null
mon_sync
refusals() { log_since "$off" | grep -c "Refused for uid 3: "; }
check "a change polkit wants authenticated, with no terminal: sent once allowing interaction, one polkit check, one refusal logged" \
      '[ $status = 3 ] && [ "$(mon_since | grep -c "destination=$gate .*member=SetRlimitsPidfd$")" = 1 ] &&
       [ "$(mon_since | grep -c "member=CheckAuthorization")" = 1 ] &&
       mon_since | grep -A80 "member=CheckAuthorization" | grep -qx " *uint32 1" && wait_for 2 "[ \$(refusals) = 1 ]" &&
       sleep 0.2 && [ "$(refusals)" = 1 ] || { mon_since | note; log_since "$off" | note; false; }'
kill "$daemons" 2>/dev/null
kill "$monitor" 2>/dev/null

# --pid is a pid of resourcectl's own pid namespace, as for prlimit(1): in a
# nested one (as in a container), pid 1 is that namespace's init; as
# resourcectl reads and sets it itself, and through the service (--service).
outer_before=$(proc_limit 1 "Max open files")
for via in "" --service; do
rc unshare --pid --fork --mount-proc sh -c '
        [ $$ = 1 ] || exit 90
        "$0" $1 set --pid 1 NOFILE 77:77 || exit 91
        "$0" $1 limits --raw --no-headings --pid 1 NOFILE
        echo "ulimit $(ulimit -Sn) $(ulimit -Hn)"
        while read -r line; do case $line in "Max open files"*) echo "self $line" ;; esac; done < /proc/self/limits
        ' "$R" "$via"
check "resourcectl $via set --pid 1 in a nested pid namespace changes that namespace's pid 1 (its own /proc/self/limits)" \
      '[ $status = 0 ] && grep -Eq "^NOFILE: .* (->|→) 77:77$" "$T/out" && grep -q "^NOFILE [^ ]* 77 77 files$" "$T/out" &&
       grep -qx "ulimit 77 77" "$T/out" && grep -Eq "^self Max open files +77 +77 +files" "$T/out"'
check "... and not pid 1 of the namespace the service sees" \
      '[ "$(proc_limit 1 "Max open files")" = "$outer_before" ] && [ "$outer_before" != "77 77" ]'
done
rc unshare --pid --fork --mount-proc sh -c '
        busctl --system call org.example.Resource1 /org/example/Resource1 org.example.Resource1 Prlimit usbtt 1 NOFILE true 77 77
        echo "busctl $?"
        gdbus call --system --dest org.example.Resource1 --object-path /org/example/Resource1 \
                --method org.example.Resource1.Prlimit 1 NOFILE true 77 77'
check "a raw pid number from a nested pid namespace is refused with OtherPidNamespace; outer pid 1 untouched" \
      'grep -qx "busctl 1" "$T/out" && grep -q "pid 1 was named from another pid namespace" "$T/err" &&
       grep -q "org.example.Resource1.Error.OtherPidNamespace" "$T/err" && [ "$(proc_limit 1 "Max open files")" = "$outer_before" ]'
for via in "" --service; do
rc prlimit --nofile=500:700 unshare --pid --fork sh -c '"$0" $1 --verbose set --pid 1 NOFILE 66: && "$0" $1 limits --raw --no-headings --pid 1 NOFILE' \
        "$R" "$via"
check "$via set --pid 1 NOFILE 66: in a nested pid namespace whose /proc is the outer one's: the hard limit kept and the name are its pid 1's" \
      '[ $status = 0 ] && grep -q "^NOFILE [^ ]* 66 700 files$" "$T/out" && [ "$(proc_limit 1 "Max open files")" = "$outer_before" ] &&
       grep -qx "Set limits of pid 1 (sh)." "$T/err"'
done

# refusals: one line naming the resource, the value and the reason; nothing changed
before=$(proc_limit "$other" "Max open files")
rc as_nobody "$R" set --pid "$other" NOFILE 1
check "another user's process: refused with exit 3; the first line says what failed and why, the second why nobody asked" \
      '[ $status = 3 ] && [ $(wc -l < "$T/err") = 2 ] &&
       [ "$(head -1 "$T/err")" = "resourcectl: setting NOFILE of pid $other (sleep): not allowed: polkit refused (needs authentication)" ] &&
       sed -n 2p "$T/err" | grep -q "^resourcectl: no authentication agent answered" && [ "$(proc_limit $other "Max open files")" = "$before" ]'
rc as_nobody "$R" --verbose set --pid "$other" NOFILE 1
check "... and --verbose adds the service's error name and message on a line of its own" \
      '[ $status = 3 ] && [ $(wc -l < "$T/err") = 3 ] && head -1 "$T/err" | grep -q "^resourcectl: setting NOFILE of pid $other (sleep): not allowed: " &&
       sed -n 3p "$T/err" | grep -q "^resourcectl: the service answered org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: .*NOFILE"'
rc "$R" set --pid "$child" NOFILE 5:4
check "soft above hard: usage error 2, said before asking" '[ $status = 2 ] && grep -q "soft limit exceeds the hard limit" "$T/err"'
rc "$R" set NOFILE 4k
check "a bad suffix: usage error 2 with the reason" '[ $status = 2 ] && grep -q "invalid value .4k. for NOFILE: this resource takes a plain number" "$T/err"'
rc "$R" set VMEM 1
check "a resource Linux lacks: usage error 2" '[ $status = 2 ] && grep -q "not available on this platform" "$T/err"'
rc "$R" --pid 999999999
check "no such process: exit 5, said once" '[ $status = 5 ] && [ "$(cat "$T/err")" = "resourcectl: pid 999999999: no such process" ]'
rc "$R" usage --pid 999999999
check "... for usage too" '[ $status = 5 ] && [ "$(cat "$T/err")" = "resourcectl: pid 999999999: no such process" ]'
rc as_nobody "$R" usage --pid "$other"
check "a usage read the service refuses: one line, what and why (exit 3)" \
      '[ $status = 3 ] && [ $(wc -l < "$T/err") = 1 ] && grep -q "^resourcectl: cannot read the usage of pid $other (sleep): not allowed: ." "$T/err" &&
       [ $(grep -o "usage of pid" "$T/err" | wc -l) = 1 ]'
rc env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent "$R" --service pagesize
check "service unavailable: exit 4" '[ $status = 4 ] && grep -q "cannot connect to the system bus" "$T/err"'
rc "$R" frobnicate
check "neither a command nor a resource: exit 2, said so, and where to look" \
      '[ $status = 2 ] && [ "$(cat "$T/err")" = "$(printf "%s\n" "resourcectl: '"'frobnicate'"' is neither a command nor a resource" "Try '"'resourcectl --help'"' for more information.")" ]'
rc "$R" NOFLIE
check "a typo of a resource (resourcectl NOFLIE): the close match suggested" \
      '[ $status = 2 ] && [ ! -s "$T/out" ] && grep -qx "resourcectl: '"'NOFLIE'"' is neither a command nor a resource; did you mean '"'NOFILE'"'?" "$T/err"'
rc "$R" limts
check "... and of a command (limts)" '[ $status = 2 ] && grep -q "did you mean '"'limits'"'?$" "$T/err"'
rc "$R" set NOFLIE 1
check "... and of set's RESOURCE" '[ $status = 2 ] && grep -qx "resourcectl: unknown resource '"'NOFLIE'"'; did you mean '"'NOFILE'"'?" "$T/err"'

# usage and pagesize
rc "$R" usage --pid "$child"
check "usage names all 16 fields with units" '[ $status = 0 ] && [ $(grep -c "(ru_" "$T/out") = 16 ] && grep -q "ru_maxrss .* KiB$" "$T/out"'
rc "$R" usage --who both --json
check "usage --json has the 16 fields" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==16 and isinstance(d[\"ru_utime\"], float)" "$T/out"'
check "usage times in clock ticks: two decimals (CLK_TCK $(getconf CLK_TCK)), not six" \
      '[ "$(getconf CLK_TCK)" != 100 ] || { grep -Eq "\"ru_utime\":[0-9]+\.[0-9]{2}," "$T/out" &&
       "$R" usage --pid "$child" | grep -Eq "^time in user mode +\(ru_utime +\) = [0-9]+\.[0-9]{2} seconds$"; }'
# unknown is not zero: the fields Linux does not report (the spec's GetRusage)
never="ru_ixrss ru_idrss ru_isrss ru_nswap ru_msgsnd ru_msgrcv ru_nsignals"
rc "$R" usage --pid "$child"
check "usage: the fields Linux never reports are -, with a footnote; ru_maxrss is a number" \
      '[ $status = 0 ] && (for f in $never; do grep -Eq "\($f *\) = -$" "$T/out" || exit 1; done) &&
       grep -Eq "\(ru_maxrss *\) = [0-9]+ KiB$" "$T/out" && [ "$(tail -1 "$T/out")" = "-: not reported by Linux" ]'
rc "$R" usage --pid "$child" --who children
check "usage --who children: ru_maxrss and the other fields /proc lacks for children are -, not 0 KiB" \
      '[ $status = 0 ] && (for f in ru_maxrss ru_inblock ru_oublock ru_nvcsw ru_nivcsw $never; do grep -Eq "\($f *\) = -$" "$T/out" || exit 1; done) &&
       grep -Eq "\(ru_minflt *\) = [0-9]+$" "$T/out" && ! grep -q "= 0 KiB" "$T/out"'
rc "$R" usage --pid "$child" --who children --json
check "... null in --json, numbers for the rest" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); n=[k for k,v in d.items() if v is None]
assert sorted(n)==sorted(\"ru_maxrss ru_inblock ru_oublock ru_nvcsw ru_nivcsw $never\".split()), n
assert isinstance(d[\"ru_minflt\"], int)" "$T/out"'
rc "$R" usage --pid "$child" --who children --raw
check "... - in --raw (its empty field), two fields a line" \
      '[ $status = 0 ] && [ $(wc -l < "$T/out") = 16 ] && grep -qx "ru_maxrss -" "$T/out" && grep -qx "ru_nsignals -" "$T/out" &&
       grep -Eqx "ru_minflt [0-9]+" "$T/out" && [ -z "$(awk "NF != 2" "$T/out")" ]'
rc "$R" usage --pid "$child" --who both
check "usage --who both: ru_maxrss and the context switches marked as the process's alone" \
      '[ $status = 0 ] && grep -Eq "\(ru_maxrss *\) = [0-9]+ KiB \*$" "$T/out" && grep -Eq "\(ru_nvcsw *\) = [0-9]+ \*$" "$T/out" &&
       grep -Eq "\(ru_inblock *\) = [0-9]+$" "$T/out" && grep -q "^\*: the process.s own alone: Linux does not report its children.s$" "$T/out"'
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
      '[ $status = 3 ] && [ ! -e "$T/ran" ] &&
       grep -q "^resourcectl: setting NOFILE of pid [0-9]* (resourcectl): not allowed: polkit refused (needs authentication)$" "$T/err"'
rc as_nobody prlimit --nofile=400:800 -- "$R" run --limit NOFILE=100: -- sh -c 'ulimit -Sn; ulimit -Hn'
check "run as an unprivileged user lowering its limit" '[ $status = 0 ] && [ "$(tr "\n" " " < "$T/out")" = "100 800 " ]'
rc "$R" run --limit NOFILE=64 --limit nofile=32 -- true
check "run with a resource given twice: usage error 2" '[ $status = 2 ] && grep -q "NOFILE is given twice" "$T/err"'
rc "$R" run -- /nonexistent/command
check "run: COMMAND not found is 127" '[ $status = 127 ] && grep -q "cannot run ./nonexistent/command.: No such file" "$T/err"'
rc "$R" run -- /etc/passwd
check "run: COMMAND not executable is 126" '[ $status = 126 ] && grep -q "Permission denied" "$T/err"'
rc "$R" run --limit CORE=0 -- sh -c 'exit 7'
check "run: otherwise COMMAND's own status" '[ $status = 7 ]'

# Without --pid: the process resourcectl was started from (the shell it was
# typed in), as ulimit; said on stderr for a change
rc sh -c '"$0" set NOFILE 100:200; echo "after $(ulimit -Sn) $(ulimit -Hn) pid $$"' "$R"
shpid=$(sed -n 's/^after .* pid //p' "$T/out")
check "set without --pid changes the invoking shell, which keeps the change" \
      '[ $status = 0 ] && grep -qx "after 100 200 pid $shpid" "$T/out" && grep -Eq "^NOFILE: .* (->|→) 100:200$" "$T/out"'
check "... and says which process it changed" \
      '[ "$(cat "$T/err")" = "Set limits of pid $shpid (sh), resourcectl'"'"'s parent process." ]'
rc sh -c '"$0" set NOFILE -1; echo "pid $$"' "$R"
check "a change the service refuses as invalid: one line naming the process, and no note of a change before it" \
      'pid=$(sed -n "s/^pid //p" "$T/out") && [ "$(cat "$T/err")" = "$(cat "$T/err" | grep "^resourcectl: setting NOFILE of pid $pid (sh): invalid limits: .")" ] &&
       [ $(wc -l < "$T/err") = 1 ]'
rc sh -c '"$0" --quiet --json set NOFILE 90:90; echo "pid $$"' "$R"
check "--quiet: no note; --json set names the pid changed" \
      '[ $status = 0 ] && [ ! -s "$T/err" ] && python3 -c "import json,sys; l=open(sys.argv[1]).read().splitlines(); d=json.loads(l[0]);
assert d[\"pid\"]==int(l[1].split()[1]) and d[\"new\"]==dict(soft=90,hard=90)" "$T/out"'
sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; "$0" --json usage' "$R" > "$T/busy"
check "usage without --pid reports the parent's (a shell that counted to 300000 first), not resourcectl's own" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"ru_utime\"] + d[\"ru_stime\"] >= 0.1, d" "$T/busy"'
rc unshare --pid --fork --mount-proc sh -c '"$0" set NOFILE 55:55; echo "status $?"; "$0" limits --raw --no-headings NOFILE' "$R"
check "set without --pid from pid 1 (a container's init) is refused: say --pid 1; reading works" \
      'grep -qx "status 2" "$T/out" && grep -q "started by pid 1 (init).*--pid 1" "$T/err" && grep -q "^NOFILE " "$T/out"'

# the command line: options end where set's pairs and run's command begin;
# getopt's errors as resourcectl's
rc "$R" run --limit NOFILE=256 sh -c "ulimit -n"
check "run --limit NOFILE=256 sh -c \"ulimit -n\": options end at the command (no --)" '[ $status = 0 ] && [ "$(cat "$T/out")" = 256 ]'
rc "$R" --verbose set --pid "$child" NICE -5
check "set NICE -5: a value with a minus sign, no --" \
      '! grep -q "option" "$T/err" && { grep -Eq "^NICE: .* (->|→) 25:25$" "$T/out" || grep -q "^resourcectl: the service answered .*NICE.* 25:25" "$T/err"; }'
rc "$R" set --pid "$child" FSIZE -1
check "set FSIZE -1: -1 is infinity (Python's RLIM_INFINITY)" \
      '[ $status = 0 ] && [ "$(proc_limit $child "Max file size")" = "unlimited unlimited" ]'
rc "$R" --verbose set --pid "$child" NOFILE -1
check "set NOFILE -1 reaches the service, which refuses infinity for NOFILE (exit 2)" \
      '[ $status = 2 ] && grep -q "^resourcectl: setting NOFILE of pid $child (sleep): invalid limits: " "$T/err" &&
       grep -q "^resourcectl: the service answered org.example.Resource1.Error.InvalidLimits: .*infinity" "$T/err" && ! grep -q "option" "$T/err"'
rc "$R" set --pid "$child" NOFILE 1 --pid 4
check "an option after set's pairs: said so (exit 2)" '[ $status = 2 ] && grep -q "options go before the first RESOURCE" "$T/err"'
rc "$R" --bogus
check "an unknown option: resourcectl: and a Try --help line, not the program's path" \
      '[ $status = 2 ] && [ "$(cat "$T/err")" = "$(printf "%s\n" "resourcectl: invalid option '"'--bogus'"'" "Try '"'resourcectl --help'"' for more information.")" ]'
rc "$R" -z
check "an unknown short option, the same way" '[ $status = 2 ] && grep -qx "resourcectl: invalid option -- '"'z'"'" "$T/err" && grep -q "^Try" "$T/err"'
rc "$R" limits --pid
check "an option without its argument, the same way" '[ $status = 2 ] && grep -q "^resourcectl: option .*requires an argument" "$T/err" && grep -q "^Try" "$T/err"'
rc "$R" limits NOFILE --pid "$child" --raw
check "limits takes options after its arguments too" '[ $status = 0 ] && [ "$(cat "$T/out")" = "$(printf "RESOURCE DESCRIPTION SOFT HARD UNITS\nNOFILE max\\\\x20number\\\\x20of\\\\x20open\\\\x20files 80 80 files")" ]'

# prlimit's options, and its forms
rc "$R" --pid "$child" --nofile=50:60
check "--nofile=soft:hard --pid sets it (prlimit's form)" '[ $status = 0 ] && [ "$(proc_limit $child "Max open files")" = "50 60" ]'
rc "$R" --pid "$child" -n40: --core
check "-n40: (prlimit's -n) sets NOFILE, and --core without a value shows CORE afterwards" \
      '[ $status = 0 ] && [ "$(proc_limit $child "Max open files")" = "40 60" ] && grep -Eq "^NOFILE: 50:60 (->|→) 40:60$" "$T/out" &&
       grep -q "^CORE " "$T/out" && ! grep -q "^NOFILE  " "$T/out"'
rc "$R" --pid "$child" -n -r -l --raw --no-headings -o RESOURCE
check "-n -r -l without values show NOFILE, RTPRIO and MEMLOCK, as in prlimit" '[ $status = 0 ] && [ "$(tr "\n" " " < "$T/out")" = "NOFILE RTPRIO MEMLOCK " ]'
rc "$R" --nofile=30 sh -c 'ulimit -n'
check "--nofile=30 COMMAND runs COMMAND with it (prlimit's form)" '[ $status = 0 ] && [ "$(cat "$T/out")" = 30 ]'
rc "$R" --pid "$child" --stack=1.5M: --fsize=10k: --cpu=1m: --rttime=1.5s: --msgqueue=100k:
check "values as systemd's parsers take them: 1.5M, 10k, 1m (a minute), 1.5s, 100k" \
      '[ $status = 0 ] && [ "$(proc_limit $child "Max stack size" | cut -d" " -f1)" = 1572864 ] &&
       [ "$(proc_limit $child "Max file size" | cut -d" " -f1)" = 10240 ] && [ "$(proc_limit $child "Max cpu time" | cut -d" " -f1)" = 60 ] &&
       [ "$(proc_limit $child "Max realtime timeout" | cut -d" " -f1)" = 1500000 ] &&
       [ "$(proc_limit $child "Max msgqueue size" | cut -d" " -f1)" = 102400 ]'
rc "$R" set --pid "$child" CPU 1d:
check "... and 1d" '[ $status = 0 ] || grep -q "the kernel refused" "$T/err"'
rc "$R" --nofile=5 --core true
check "prlimit's form with a command and a resource option without a value: exit 2, said" \
      '[ $status = 2 ] && grep -q "^resourcectl: --core needs a value with a command (--core=VALUE)$" "$T/err"'
rc "$R" limits --nofile=5
check "limits with a --RESOURCE=VALUE: exit 2, said why" '[ $status = 2 ] && grep -q "changes a limit" "$T/err"'
rc "$R" NOFILE
check "resourcectl NOFILE (the SYNOPSIS's limits without the word)" '[ $status = 0 ] && [ $(wc -l < "$T/out") = 2 ] && grep -q "^NOFILE " "$T/out"'
rc "$R" --pid "$child" -o soft,RESOURCE NOFILE
check "-o chooses and orders columns" '[ $status = 0 ] && [ "$(tail -1 "$T/out")" = "  40 NOFILE" ] && head -1 "$T/out" | grep -q "^SOFT RESOURCE$"'
rc "$R" --pid "$child" -o +SOFT --raw --no-headings NOFILE
check "-o +LIST appends to the default columns" '[ $status = 0 ] && [ "$(awk "{print NF, \$NF}" "$T/out")" = "6 40" ]'
rc "$R" -o SIZE
check "an unknown column: exit 2" '[ $status = 2 ] && grep -q "unknown column .SIZE." "$T/err"'
rc "$R" --verbose limits --pid "$child" NOFILE
check "--verbose says which process is read" '[ $status = 0 ] && grep -qx "Limits of pid $child (sleep)." "$T/err"'
rc "$R" --json=pretty limits --pid "$child" NOFILE CPU
check "--json=pretty: indented, the same data" \
      '[ $status = 0 ] && [ $(wc -l < "$T/out") -gt 5 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[0][\"soft\"]==40 and d[1][\"hard\"]==\"infinity\"" "$T/out"'
rc "$R" --json=short limits NOFILE
check "--json=short: one line" '[ $status = 0 ] && [ $(wc -l < "$T/out") = 1 ]'
rc "$R" --json=off limits NOFILE
check "--json=off: the table" '[ $status = 0 ] && head -1 "$T/out" | grep -q "^RESOURCE"'
rc "$R" -j limits NOFILE
check "-j when standard output is no terminal: short" '[ $status = 0 ] && [ $(wc -l < "$T/out") = 1 ] && grep -q "^\[{" "$T/out"'
rc "$R" --json=yaml
check "--json=MODE: an unknown mode is exit 2" '[ $status = 2 ] && grep -q "expected short, pretty or off" "$T/err"'

# output for scripts
hard=$("$R" --json limits --pid "$child" FSIZE | jq -r '.[0].hard')
rc "$R" set --pid "$child" FSIZE "1M:$hard"
check "a limit read with --json and jq goes back into set as it is (\"infinity\", not 18446744073709552000)" \
      '[ "$hard" = infinity ] && [ $status = 0 ] && [ "$(proc_limit $child "Max file size")" = "1048576 unlimited" ]'
rc "$R" --raw --pid "$child"
check "--raw: five fields on every line (- for no units), no quotes, no trailing space" \
      '[ $status = 0 ] && [ $(wc -l < "$T/out") = 17 ] && [ -z "$(awk "NF != 5" "$T/out")" ] && ! grep -q "[\" ]$" "$T/out" &&
       ! grep -q "\"" "$T/out" && grep -q "^NICE max\\\\x20nice\\\\x20prio\\\\x20allowed\\\\x20to\\\\x20raise 0 0 -$" "$T/out"'
"$R" --pid "$child" | awk '{ if ($0 ~ / $/) bad=1 } END { exit bad }'
check "tables have no trailing spaces either" '[ $? = 0 ]'
rc sh -c '"$0" limits > /dev/full' "$R"
check "a write error (limits >/dev/full) is exit 1, said" '[ $status = 1 ] && grep -q "^resourcectl: write error: No space left on device$" "$T/err"'
rc sh -c '"$0" --help > /dev/full' "$R"
check "... for --help too" '[ $status = 1 ] && grep -q "write error" "$T/err"'

# reads when the service cannot be reached: /proc/PID/limits, which anyone may
# read (--service: without it resourcectl reads them there first, unasked)
"$R" --service limits --pid "$other" --raw --no-headings -o RESOURCE,SOFT,HARD | sort > "$T/theirs"
rc env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent "$R" --service limits --pid "$other" --raw --no-headings \
        -o RESOURCE,SOFT,HARD
check "limits with no service: read from /proc/PID/limits (exit 0), said on stderr, the values the service gives" \
      '[ $status = 0 ] && grep -q "the service is unavailable (cannot connect to the system bus.*); read /proc/$other/limits instead" "$T/err" &&
       sort "$T/out" | diff -u "$T/theirs" - >&2'
daemon=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
         GetConnectionUnixProcessID s org.example.Resource1 | awk '{print $2}')
kill -STOP "$daemon"
rc env SYSTEMD_BUS_TIMEOUT=1 "$R" --service limits --pid "$child" NOFILE
lim_status=$status; cp "$T/err" "$T/err-limits"
rc env SYSTEMD_BUS_TIMEOUT=1 "$R" --service pagesize
kill -CONT "$daemon"
check "a stopped service: limits falls back to /proc" '[ $lim_status = 0 ] && grep -q "it did not answer in time); read /proc/$child/limits" "$T/err-limits"'
check "a stopped service: anything else is exit 4 (unavailable), not 1 (Connection timed out)" \
      '[ $status = 4 ] && grep -q "the service did not answer in time" "$T/err"'
rc "$R" --service pagesize
check "the service answers again once continued" '[ $status = 0 ]'
rc sh -c 'DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent "$0" --service set NOFILE 5:; echo "status $?"; echo "pid $$"' "$R"
check "a change with no service: exit 4, naming the process as pid N (name), never \"of 0\"" \
      'pid=$(sed -n "s/^pid //p" "$T/out") && grep -q "^resourcectl: setting NOFILE of pid $pid (sh): cannot connect to the system bus" "$T/err" &&
       ! grep -q " of 0" "$T/err" && grep -qx "status 4" "$T/out"'

# more than 16 names: each shown once, none dropped
rc "$R" limits --pid "$child" --raw --no-headings -o RESOURCE CPU CPU CPU CPU CPU CPU CPU CPU CPU CPU CPU CPU CPU CPU CPU CPU NOFILE CORE nofile
check "limits with 19 names, 3 of them distinct: all 3, in order" '[ $status = 0 ] && [ "$(tr "\n" " " < "$T/out")" = "CPU NOFILE CORE " ]'

# authentication: what stood in the way, said; the agent only when needed and
# never for root; and a password typed on a terminal
rc as_nobody "$R" set --pid "$nobodys" NOFILE :1048576
check "no terminal: the message says no agent could ask (not 'allow interactive authorization')" \
      '[ $status = 3 ] && grep -qx "resourcectl: setting NOFILE of pid $nobodys (sleep): not allowed: polkit refused (needs authentication)" "$T/err" &&
       grep -q "^resourcectl: no authentication agent answered: standard input is not a terminal, so resourcectl started none" "$T/err" &&
       ! grep -q "allow interactive" "$T/err"'
rc as_nobody "$R" --no-ask-password set --pid "$nobodys" NOFILE :1048576
check "--no-ask-password: said so" '[ $status = 3 ] && grep -q "not allowed: polkit refused (needs authentication)$" "$T/err" && grep -qx "resourcectl: --no-ask-password forbids asking" "$T/err"'
PTY=$(dirname "${BASH_SOURCE[0]}")/../helpers/pty-answer.py
mkdir -p "$T/noagent" "$T/fakeagent" "$T/agentlog"
printf '#!/bin/sh\necho "started $*" >> %s/agentlog/log\nexit 1\n' "$T" > "$T/fakeagent/pkttyagent"
chmod 755 "$T/noagent" "$T/fakeagent" "$T/fakeagent/pkttyagent"
chmod 1777 "$T/agentlog"
SETPRIV=$(command -v setpriv)
rc python3 "$PTY" --timeout 20 -- env PATH="$T/noagent" "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups \
        "$R" set --pid "$nobodys" NOFILE :1048576
check "on a terminal without pkttyagent: said so, not ignored" \
      '[ $status = 3 ] && grep -q "not allowed: polkit refused (needs authentication)" "$T/out" &&
       grep -q "^resourcectl: pkttyagent, polkit.s text authentication agent, is not installed" "$T/out"'
rm -f "$T/agentlog/log"
rc python3 "$PTY" --timeout 20 -- env PATH="$T/fakeagent:/usr/bin:/bin" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$R" set --pid "$nobodys" NOFILE :1048576
check "an agent that cannot register: its exit status said; it was started as systemd does (--notify-fd, no --process)" \
      '[ $status = 3 ] && grep -q "pkttyagent could not register as an authentication agent (it exited with status 1" "$T/out" &&
       grep -Eq "^started --notify-fd [0-9]+( --fallback)?$" "$T/agentlog/log"'
rm -f "$T/agentlog/log"
rc python3 "$PTY" --timeout 20 -- env PATH="$T/fakeagent:/usr/bin:/bin" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$R" set --pid "$nobodys" NOFILE 100:
check "on a terminal, a change that needs no authentication starts no agent" '[ $status = 0 ] && [ ! -e "$T/agentlog/log" ]'
rc python3 "$PTY" --timeout 20 -- env PATH="$T/fakeagent:/usr/bin:/bin" "$R" set --pid "$child" NOFILE :70
check "on a terminal, root (whom polkit is not asked about) starts no agent, even for a hard raise" \
      '[ ! -e "$T/agentlog/log" ] && { [ $status = 0 ] || grep -q "the kernel refused" "$T/out"; }'

# A password typed on a terminal, by r1pass (tests/lib/pty-user.sh).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/pty-user.sh"
pty_user_add "$T"
hard0=$(ulimit -Hn)
rc as_r1pass_on_pty wrong-password '"$0" set NOFILE :'$((hard0 + 1))'; echo "status $?"; echo "hard $(ulimit -Hn)"' "$R"
check "a wrong password typed at pkttyagent's prompt: refused (exit 3), nothing changed" \
      'grep -q "AUTHENTICATING FOR org.example.resource1.raise-hard-limit" "$T/out" && grep -q "^Password:" "$T/out" &&
       grep -q "AUTHENTICATION FAILED" "$T/out" && grep -q "polkit refused org.example.resource1.raise-hard-limit" "$T/out" &&
       grep -qx "status 3" "$T/out" && grep -qx "hard $hard0" "$T/out"'
rc as_r1pass_on_pty r1-secret '"$0" set NOFILE :'$((hard0 + 1))'; echo "status $?"; echo "hard $(ulimit -Hn)"' "$R"
if [ "$can_raise" = "b false" ]; then
        check "the right password: polkit says yes (then the kernel refuses: this service lacks CAP_SYS_RESOURCE, exit 6)" \
              'grep -q "^Password:" "$T/out" && ! grep -q "AUTHENTICATION FAILED" "$T/out" && ! grep -q "polkit refused" "$T/out" &&
               grep -q "the kernel refused (the service lacks CAP_SYS_RESOURCE)" "$T/out" && grep -qx "status 6" "$T/out" &&
               grep -qx "hard $hard0" "$T/out"'
else
        check "the right password: the shell's hard limit raised" \
              'grep -q "^Password:" "$T/out" && grep -qx "status 0" "$T/out" && grep -qx "hard $((hard0 + 1))" "$T/out"'
fi
pty_user_remove
kill "$nobodys" 2>/dev/null

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

# set --dry-run and run --dry-run (CanSetRlimits): the answers per limit
# and for the request, the exit status of the request's answer (0 yes, 10
# challenge, 11 no, 12 na), nothing changed. Without CAP_SYS_RESOURCE a
# change the service would make itself is "na" (allowed or not yet
# authenticated: it could not be made); tests/can-set.rules refuses nobody a
# process of mail's.
can_raise=$(busctl --system get-property org.example.Resource1 /org/example/Resource1 org.example.Resource1 CanRaiseHardLimits)
if [ "$can_raise" = "b true" ]; then raised=challenge raised_status=10; else raised=na raised_status=12; fi
prlimit --nofile=400:800 setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 & dry_own=$!
setpriv --reuid=8 --regid=8 --clear-groups sleep 600 & dry_mail=$!
sleep 0.1
before_child=$(proc_limit $child "Max open files") before_own=$(proc_limit $dry_own "Max open files")
before_mail=$(proc_limit $dry_mail "Max open files")
rc "$R" set --dry-run --pid "$child" NOFILE 10:20 CORE 0
check "set --dry-run of lowerings, as root: yes for each and all, exit 0, nothing changed" \
      '[ $status = 0 ] && grep -Eq "^NOFILE: [0-9]+:[0-9]+ (->|→) 10:20: yes$" "$T/out" && grep -Eq "^CORE: .*: yes$" "$T/out" &&
       grep -qx "all: yes" "$T/out" && [ "$(proc_limit $child "Max open files")" = "$before_child" ]'
rc as_nobody "$R" --dry-run set --pid "$dry_own" NOFILE 400:900
check "set --dry-run of a hard raise, as nobody: $raised with the action, exit $raised_status, nobody asked, nothing changed" \
      '[ $status = $raised_status ] && grep -Eqx "NOFILE: 400:800 (->|→) 400:900: $raised \(org.example.resource1.raise-hard-limit\)" "$T/out" &&
       ! grep -q "all:" "$T/out" && ! grep -q AUTHENTICATING "$T/out" "$T/err" && [ "$(proc_limit $dry_own "Max open files")" = "$before_own" ]'
rc as_nobody "$R" --dry-run set --pid "$dry_mail" NOFILE 100
check "set --dry-run of another user's process a rule refuses, as nobody: no with manage-other, exit 11" \
      '[ $status = 11 ] && grep -Eqx "NOFILE: [0-9]+:[0-9]+ (->|→) 100:100: no \(org.example.resource1.manage-other\)" "$T/out" &&
       [ "$(proc_limit $dry_mail "Max open files")" = "$before_mail" ]'
rc as_nobody "$R" --json set --dry-run --pid "$dry_own" NOFILE 100: CORE 0
check "--json set --dry-run: one object, answer, pid and limits with old, new, answer and action" \
      '[ $status = 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"answer\"]==\"yes\" and d[\"pid\"]==$dry_own, d
l=d[\"limits\"]; assert [x[\"resource\"] for x in l]==[\"NOFILE\",\"CORE\"] and l[0][\"old\"]=={\"soft\":400,\"hard\":800}, l
assert l[0][\"new\"]=={\"soft\":100,\"hard\":800} and all(x[\"answer\"]==\"yes\" and x[\"action\"]==\"\" for x in l), l" "$T/out"'
rm -f "$T/dry-ran"
rc as_nobody prlimit --nofile=400:800 -- "$R" run --dry-run --limit NOFILE=400:900 -- touch "$T/dry-ran"
check "run --dry-run: the answer for resourcectl's own process (exit $raised_status), and COMMAND not run" \
      '[ $status = $raised_status ] && grep -Eq "^NOFILE: 400:800 (->|→) 400:900: $raised " "$T/out" && ! [ -e "$T/dry-ran" ]'
rc "$R" --dry-run limits
check "--dry-run with a command that changes nothing is a usage error (exit 2)" \
      '[ $status = 2 ] && grep -q "dry-run.* changes nothing" "$T/err"'
rc "$R" --dry-run --verbose set --pid "$dry_own" NOFILE 500:400
check "set --dry-run of soft above hard: refused before asking, exit 2" '[ $status = 2 ]'
kill "$dry_own" "$dry_mail" 2>/dev/null

kill "$child" "$other" 2>/dev/null
echo "1..$n"
tap_done
