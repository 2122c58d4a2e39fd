#!/bin/bash
# What resourcectl does itself (resourcectl(1), "What resourcectl does
# itself") against what the service says: each command line is run twice
# from the same state, once as it is and once with --service, on two
# processes alike (one each, so that neither run sees the other's change),
# and the two runs must print the same lines on standard output and
# standard error (the process's number written P), exit with the same
# status and leave the process with the same limits. Those the kernel lets
# the caller make must connect to nothing (strace: no connect(2)); those it
# refuses reach the service, whose words they print. As nobody on nobody's
# processes and another user's, as root (without CAP_SYS_RESOURCE here) on
# root's, with /proc mounted hidepid=invisible, and in a pid namespace of
# its own. Run by with-bus.sh; TAP. Needs RESOURCECTL.
set -u
: "${RESOURCECTL:?}" "${RESOURCE1_FIXTURE:?}"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/resourcectl-copy.sh"

resourcectl_copy_traced cli-local
trap 'kill_started; mount -o remount,hidepid=off /proc 2>/dev/null' EXIT

as() { # user command...: as that user (root: as it is)
        local u=$1; shift
        if [ "$u" = root ]; then "$@"; else setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; fi
}
spawn() { # user: a sleeping process of that user's, its pid in $spawned
        if [ "$1" = root ]; then sleep 600 & spawned=$!
        else setpriv --reuid="$1" --regid="$1" --clear-groups sleep 600 & spawned=$!; fi
        started+=("$spawned")
}
limits_of() { sed 1d "/proc/$1/limits"; }

# same NAME USER TARGET_USER WHERE ARGS...: runs "resourcectl ARGS" and
# "resourcectl --service ARGS" as USER, each on a fresh process of
# TARGET_USER's (@P in ARGS stands for its pid; TARGET_USER "none": no
# process), and compares. ARGS "sh: SCRIPT": SCRIPT run by sh, RCTL in it
# standing for the command. WHERE: "local" (the kernel allows it: the local
# run connects to nothing), "service" (it must reach the service), "either".
# Every "pid N" of the output is written "pid N": a parent's, run's own.
same() {
        local name=$1 user=$2 owner=$3 where=$4; shift 4
        local side pid status=() cmd=()
        for side in local service; do
                pid=""
                # A process whose number is none of its limits' (the output's
                # pid is written P: a NOFILE of 512 on pid 512 would be too).
                if [ "$owner" != none ]; then
                        spawn "$owner"; pid=$spawned; sleep 0.05
                        while limits_of "$pid" | grep -qw -- "$pid"; do spawn "$owner"; pid=$spawned; sleep 0.05; done
                fi
                local rctl=$R
                [ $side = service ] && rctl="$R --service"
                if [ "$1" = sh: ]; then
                        cmd=(sh -c "${2//RCTL/$rctl}")
                else
                        cmd=($rctl)
                        for a in "$@"; do cmd+=("${a//@P/$pid}"); done
                fi
                as "$user" strace -f -qq -o "$T/trace.$side" -e trace=connect "${cmd[@]}" \
                        >"$T/out.$side" 2>"$T/err.$side"
                status+=($?)
                : > "$T/limits.$side"
                if [ -n "$pid" ]; then
                        limits_of "$pid" > "$T/limits.$side"
                        sed -i "s/\b$pid\b/P/g" "$T/out.$side" "$T/err.$side"
                fi
                sed -Ei 's/pid [0-9]+/pid N/g' "$T/out.$side" "$T/err.$side"
        done
        connected=$(grep -c 'connect(' "$T/trace.local")
        local ok=true
        [ "${status[0]}" = "${status[1]}" ] || ok=false
        diff -u "$T/out.service" "$T/out.local" > "$T/diff" || ok=false
        diff -u "$T/err.service" "$T/err.local" >> "$T/diff" || ok=false
        diff -u "$T/limits.service" "$T/limits.local" >> "$T/diff" || ok=false
        case $where in
        local)   [ "$connected" = 0 ] || ok=false ;;
        service) [ "$connected" != 0 ] || ok=false ;;
        esac
        check "$name: the same output, status (${status[0]}) and limits; $where" '$ok || {
                echo "# status: ${status[*]}, connections made by the local run: $connected"; note "$T/diff"; false; }'
}

# Below the inherited limits: something to lower, and room for a soft raise.
prlimit --pid $$ --nofile=512:4096 --stack=8388608:16777216 --core=0:1048576

echo "# as nobody, on nobody's processes"
same "limits --pid P NOFILE" 65534 65534 local limits --pid @P NOFILE
same "limits --pid P (all of them)" 65534 65534 local limits --pid @P
same "--json limits --pid P" 65534 65534 local --json limits --pid @P
same "--raw --no-headings limits -o RESOURCE,HARD" 65534 65534 local --raw --no-headings limits --pid @P -o RESOURCE,HARD
same "--verbose limits --pid P CORE" 65534 65534 local --verbose limits --pid @P CORE
same "set --pid P NOFILE 100: (a soft lowering)" 65534 65534 local set --pid @P NOFILE 100:
same "set --pid P NOFILE 4096: (a soft raise up to the hard limit)" 65534 65534 local set --pid @P NOFILE 4096:
same "--json set --pid P NOFILE 100: CORE 0 (a batch, one hard limit lowered, set last)" 65534 65534 local \
        --json set --pid @P NOFILE 100: CORE 0
same "--verbose set --pid P STACK 4M: (a note of the change)" 65534 65534 local --verbose set --pid @P STACK 4M:
same "set --pid P NOFILE 100:200 CORE 0 (two hard limits lowered: the service's batch)" 65534 65534 service \
        set --pid @P NOFILE 100:200 CORE 0
same "set --pid P NOFILE 5000: (soft above hard: refused before asking)" 65534 65534 either set --pid @P NOFILE 5000:
same "set --pid P NOFILE :8192 (a hard raise: the service's refusal)" 65534 65534 service \
        --no-ask-password set --pid @P NOFILE :8192
same "--verbose set --pid P NOFILE 10: CORE :2097152 (a batch with a hard raise: nothing set here)" 65534 65534 service \
        --verbose --no-ask-password set --pid @P NOFILE 10: CORE :2097152
same "set --pid P NOFILE infinity (the kernel refuses it: the service's words)" 65534 65534 service \
        set --pid @P NOFILE infinity
same "--pid P --nofile=64 --core (prlimit's form: set, then show)" 65534 65534 local --pid @P --nofile=64 --core
same "set --pid 999999999 (no such process)" 65534 none either set --pid 999999999 NOFILE 1:
same "run --limit NOFILE=64 sh -c 'ulimit -n'" 65534 none local run --limit NOFILE=64 sh -c 'ulimit -n'
same "run --limit NOFILE=64:8192 true (a hard raise: the service's refusal, the command not run)" 65534 none service \
        --no-ask-password run --limit NOFILE=64:8192 true
same "set without --pid (the parent, sh), with its note" 65534 none local sh: 'RCTL set NOFILE 99: && ulimit -Sn'
same "pagesize" 65534 none local pagesize

echo "# as nobody, on another user's process (uid 5)"
same "limits --pid P NOFILE (/proc/P/limits here)" 65534 5 local limits --pid @P NOFILE
same "--json limits --pid P" 65534 5 local --json limits --pid @P
same "set --pid P NOFILE 100: (another user's: the service's refusal)" 65534 5 service \
        --no-ask-password set --pid @P NOFILE 100:

echo "# as root (without CAP_SYS_RESOURCE here)"
same "limits --pid P" root root local limits --pid @P
same "set --pid P NOFILE 100: CORE 0" root root local set --pid @P NOFILE 100: CORE 0
same "set --pid P NOFILE :8192 (the kernel refuses root a hard raise: the service says it lacks the capability)" \
        root root service set --pid @P NOFILE :8192
same "set --pid P NOFILE 100: of nobody's (another user's: the kernel refuses, the service lacks the capability)" \
        root 65534 service set --pid @P NOFILE 100:

echo "# in a pid namespace of its own, with its own /proc"
same "set --pid 1 NOFILE 77:77 (that namespace's pid 1)" root none local \
        sh: 'unshare --pid --fork --mount-proc sh -c "RCTL set --pid 1 NOFILE 77:77; ulimit -n"'

echo "# /proc mounted hidepid=invisible"
if mount -o remount,hidepid=invisible /proc; then
        same "limits --pid P NOFILE of another user's, hidden (the service's no such process)" 65534 5 service \
                limits --pid @P NOFILE
        same "limits --pid P NOFILE of one's own, which /proc shows" 65534 65534 local limits --pid @P NOFILE
        same "set --pid P NOFILE 100: of one's own" 65534 65534 local set --pid @P NOFILE 100:
        mount -o remount,hidepid=off /proc
else
        echo "ok $((n += 1)) # SKIP /proc cannot be remounted here"
fi

echo "1..$n"
tap_done
