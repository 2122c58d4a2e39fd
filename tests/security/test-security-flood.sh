#!/bin/bash
# Security suite: floods of changes (issue 15, round three, #3), each carried
# out for real by unprivileged uids (setpriv) against the fixture's daemon
# (with-bus.sh, with tests/rules/test.rules). TAP output; the details of each run
# are "#" lines.
#
#   A  10 s of SetRlimit(CORE, 0, 0) on CORE already 0:0, 16 calls in flight on
#      one connection, as nobody: a no-op is answered with success but starts
#      no acting process, sends no RlimitChanged and writes no audit line.
#   B  10 s of SetRlimit(CORE) alternating soft 0 and soft 1 under an
#      unlimited hard limit (real changes nobody may make itself), as nobody:
#      at most 64 + 4/s audit lines and signals for the uid; the rest refused
#      with LimitsExceeded saying "rate"; a log line "over the rate limit"
#      names uid 65534.
#   C  32 uids of one user namespace (the user games, uid 5, given the
#      subordinate uids 100000-165535 by a private /etc/subuid and /etc/subgid,
#      newuidmap through unshare --map-auto) flood as in B at once: the bus
#      reports the subordinate uids; the daemon counts them all as games, so
#      their audit lines stay within one account's bound (and the global one,
#      64/s + 256), and another user's change still goes through. (dbus-daemon
#      drops a uid it cannot look up right after AUTH: the flooders get entries
#      in a fixture-private /etc/passwd; one uid without shows the drop.)
#   D  The same 32 uids, 16 calls each in flight, raise their own NOFILE hard
#      limit (polkit-gated) while polkitd is stopped (standing in for a
#      polkit slow to answer, e.g. an interactive check waiting for an agent):
#      each change stays in progress, 16 per uid x 32 = 512 asked for against
#      256 in all (and the bus's 128 pending replies per connection, which
#      polkit checks of the daemon's need); counted as one account, another
#      user's polkit-gated change (uid 1 lowering a root process's NOFILE soft
#      limit: manage-other, which test.rules grants it), asked while polkitd
#      is stopped, still goes through once polkitd is back.
#   E  A flood as in B, for 4 s, from uid 0 of a user namespace that root made
#      (as systemd-nspawn -U, LXD/Incus or PrivateUsers= do: in-root-userns.py,
#      uid_map "0 65534 1"): the bus reports uid 65534, and the caller is
#      charged to an account of the namespace's own, never to its owner root's,
#      which no budget limits: at most 64 + 4/s audit lines, the rest
#      LimitsExceeded saying "rate".
#   F  A connection of nobody's whose connecting process has exited (its child
#      keeps the socket; gone-connector.py, over rawbus.py): 80 real changes of
#      CORE on its own process by pidfd are all refused, PermissionDenied saying
#      the connecting process "is gone", with no audit line (they would be
#      charged to no one's budget); reads of that process by pidfd on that
#      connection are still answered; a live connection of nobody's still
#      makes its change.
#   In the middle of A, B and C, user daemon (uid 1) lowers the NOFILE soft
#   limit of a process of its own (Prlimit): its audit line must be logged.
#
# Needs ATTACK (attack-flood), python3 (PYTHON3, for the Python helpers in
# helpers/) and the fixture's environment.
set -u
: "${ATTACK:?}" "${RESOURCE1_FIXTURE:?}" "${POLKITD_PID_FILE:?}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/tap.sh"
PYTHON3=${PYTHON3:-python3}
export PYTHONDONTWRITEBYTECODE=1        # nothing written into the source tree

T=10                    # seconds of each flood
NS_UIDS=32              # uids of the user namespace in C
BURST=64 RATE=4         # the contract's per-account bound
GLOBAL_BURST=256 GLOBAL_RATE=64

log=$RESOURCE1_FIXTURE/resource1d.log
work=$(mktemp -d "$RESOURCE1_FIXTURE/security-flood.XXXXXX")
chmod 755 "$work"
B="org.example.Resource1 /org/example/Resource1 org.example.Resource1"
NOBODY="--reuid=65534 --regid=65534 --clear-groups"
DAEMON="--reuid=1 --regid=1 --clear-groups"
cleanup() {
        [ -n "${polkitd:-}" ] && kill -CONT "$polkitd" 2>/dev/null
        kill_started
}
trap cleanup EXIT

# fv FILE KEY: the value of "KEY=value" on the file's FLOOD line.
fv() { sed -n "s/^FLOOD.* $2=\([0-9]*\).*/\1/p" "$1" | head -1; }
fsum() { local v; v=$(fv "$1" "$2"); echo "${v:-0}"; }
# sig FILE UID: how many RlimitChanged signals named UID.
sig() { awk -v u="$2" '$1 == "SIGUID" && $2 == u { print $3; f = 1 } END { if (!f) print 0 }' "$1"; }
# The per-account bound over a flood of MS milliseconds (rounded up, plus a second).
bound() { echo $(( $1 + $2 * (($3 + 999) / 1000 + 1) )); }

# uid 1's own process, whose NOFILE soft limit it lowers by one mid-flood.
setpriv $DAEMON sleep 600 &
own=$!
started+=($own)
wait_for 5 '[ "$(cat /proc/$own/comm 2>/dev/null)" = sleep ]'
# A process of the daemon's own user (the unit's User=, with-bus.sh's
# RESOURCE1D_USER) whose NOFILE soft limit uid 1 lowers in D: manage-other,
# which polkit (test.rules) grants uid 1; the daemon's own prlimit(2) on it
# needs no CAP_SYS_RESOURCE, which the fixture may lack.
setpriv --reuid="${RESOURCE1D_USER:?}" --regid="$RESOURCE1D_USER" --clear-groups sleep 600 &
svcproc=$!
started+=($svcproc)
# uid1_change NAME [PID]: the change (of uid 1's own process, or PID's), its
# answer in $work/NAME.uid1 and the audit line it must leave in
# $work/NAME.uid1.want.
uid1_change() {
        local soft hard target=${2:-$own}
        read -r soft hard < <(awk '/^Max open files/ {print $4, $5}' "/proc/$target/limits")
        echo "uid 1 (pid [0-9]*) set NOFILE of pid $target from $soft:$hard to $(( soft - 1 )):$hard" > "$work/$1.uid1.want"
        setpriv $DAEMON busctl --system --timeout=15 call $B Prlimit usbtt "$target" NOFILE true \
                $(( soft - 1 )) "$hard" > "$work/$1.uid1" 2>&1
        echo "rc=$?" >> "$work/$1.uid1"
        echo "# uid 1's change mid-flood: Prlimit($target, NOFILE, $(( soft - 1 )):$hard) -> $(tr '\n' ' ' < "$work/$1.uid1")"
}
uid1_logged() { grep -q -f "$work/$1.uid1.want" "$work/$1.log"; }

# listen_start NAME / listen_stop NAME: a root subscriber counting RlimitChanged.
listen_start() {
        sigfile=$work/$1.sig
        "$ATTACK" listen $(( T + 30 )) NOFILE > "$sigfile" 2>&1 &
        listener=$!
        started+=($listener)
        wait_for 5 'grep -q "^READY" "$sigfile"' || echo "# the RlimitChanged listener did not start"
}
listen_stop() {
        sleep 0.5
        kill -TERM "$listener" 2>/dev/null
        wait "$listener"
        note "$work/$1.sig"
}

# flood NAME CORE_LIMITS VALUES...: nobody floods for T s with its CORE limit
# set to CORE_LIMITS first; uid 1 changes its own process at T/2.
flood() {
        local name=$1 core=$2
        shift 2
        off=$(log_size)
        listen_start "$name"
        prlimit --core="$core" -- setpriv $NOBODY "$ATTACK" flood "$T" 16 CORE "$@" > "$work/$name.out" 2>&1 &
        local f=$!
        started+=($f)
        sleep $(( T / 2 ))
        uid1_change "$name"
        wait "$f"
        listen_stop "$name"
        log_since "$off" > "$work/$name.log"
        note "$work/$name.out"
        attacker=$(awk '$1 == "PID" { print $2 }' "$work/$name.out")
        lines=$(grep -c "uid 65534 (pid [0-9]*) set CORE of pid ${attacker:-x} from" "$work/$name.log")
        signals=$(sig "$work/$name.sig" 65534)
        ms=$(fv "$work/$name.out" elapsed_ms)
        echo "# $name: $(fv "$work/$name.out" calls) calls in ${ms:-?} ms; $lines audit lines," \
             "$signals RlimitChanged signals for uid 65534 ($(( lines * 1000 / (${ms:-0} + 1) ))/s)"
        grep "uid 65534 (pid [0-9]*) set CORE" "$work/$name.log" | head -2 | note
        grep -e "over the rate limit" -f "$work/$name.uid1.want" "$work/$name.log" | head -5 | note
}

echo "1..14"

# ---- A: no-op changes ----
flood noop 0:0 0 0
check "A: 10 s of no-op SetRlimit(CORE, 0, 0) as nobody ($(fv "$work/noop.out" calls) calls): all answered with success, $lines audit lines and $signals RlimitChanged (want 0 and 0)" \
      '[ "$(fv "$work/noop.out" calls)" -gt 100 ] && [ "$(fv "$work/noop.out" ok)" = "$(fv "$work/noop.out" calls)" ] &&
       [ "$lines" = 0 ] && [ "$signals" = 0 ]'
check "A: uid 1's own change during the no-op flood is carried out and logged" \
      'grep -q "^rc=0" "$work/noop.uid1" && uid1_logged noop'

# ---- B: real changes ----
flood real 0:unlimited 0 inf 1 inf
max=$(bound $BURST $RATE "${ms:-0}")
summary=no
wait_for 8 'log_since "$off" | grep "over the rate limit" | grep -qw 65534' && summary=yes
[ $summary = yes ] || echo "# no line \"over the rate limit\" naming uid 65534 within 8 s of the flood"
check "B: 10 s of real CORE changes as nobody: $lines audit lines and $signals signals (at most $max), the rest LimitsExceeded \"rate\" ($(fv "$work/real.out" rate))" \
      '[ "$(fv "$work/real.out" calls)" -gt "$max" ] && [ "$lines" -ge 1 ] && [ "$lines" -le "$max" ] &&
       [ "$signals" -le "$max" ] && [ "$(fv "$work/real.out" rate)" -gt 0 ] &&
       grep -q "^FIRST_RATE .*rate" "$work/real.out"'
check "B: a log line \"over the rate limit\" names uid 65534" '[ $summary = yes ]'
check "B: uid 1's own change during the flood is carried out and logged" \
      'grep -q "^rc=0" "$work/real.uid1" && uid1_logged real'

# ---- C: many uids of one user namespace ----
skip=""
command -v newuidmap >/dev/null && command -v newgidmap >/dev/null || skip="newuidmap/newgidmap missing (package uidmap)"
sub=$work/subid
mkdir -p "$sub/up" "$sub/wk" "$work/ns"
chmod 777 "$work/ns"
printf 'games:100000:65536\n' > "$sub/up/subuid"
printf 'games:100000:65536\n' > "$sub/up/subgid"
chmod 644 "$sub/up/subuid" "$sub/up/subgid"
if [ -z "$skip" ]; then
        # /etc/subuid may not exist to bind over: an overlay of /etc in a mount
        # namespace of the attack's own, inside the fixture's.
        unshare --mount --propagation private -- \
                mount -t overlay overlay -o "lowerdir=/etc,upperdir=$sub/up,workdir=$sub/wk" /etc 2>"$work/ovl.err" ||
                skip="an overlay of /etc cannot be mounted here: $(head -1 "$work/ovl.err")"
        rm -rf "$sub/wk"/* 2>/dev/null; mkdir -p "$sub/wk"
fi
# dbus-daemon (1.14) lets a uid connect only if it can look up the uid's
# groups, so a uid with no passwd entry is dropped right after AUTH. The
# flooders (outer uids 101000..) get entries in a fixture-private
# /etc/passwd (where NSS knows the uids of containers, or under dbus-broker,
# none are needed); outer uid 100999 (inner 1000) gets none, and shows it.
if [ -z "$skip" ]; then
        cp /etc/passwd "$work/passwd"
        for i in $(seq 1 "$NS_UIDS"); do
                u=$((99999 + 1000 + i))
                echo "r1ns$u:x:$u:$u:security-flood:/nonexistent:/usr/sbin/nologin" >> "$work/passwd"
        done
        chmod 644 "$work/passwd"
        mount --bind "$work/passwd" /etc/passwd || skip="cannot bind a private /etc/passwd"
fi
# ns_flood NAME SECONDS RESOURCE VALUES...: inside the user namespace, as its
# root (uid 5 outside): the probe as uid 1000, then NS_UIDS flooders, each as
# its own uid 1001.. (outer 101000..), 16 calls in flight each. uid 1 makes its
# change at SECONDS / 2, or once READY (a command, eval'd) succeeds if set;
# with HOOK set (eval'd), the change is made in the background, HOOK runs
# 0.5 s later, and then the change is waited for. UID1_TARGET: the pid uid 1
# changes (default its own).
inner='n=$1 t=$2 dir=$3 name=$4
shift 4
setpriv --reuid=1000 --regid=1000 --clear-groups \
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId \
        > "$dir/$name.probe" 2>&1
echo "rc=$?" >> "$dir/$name.probe"
for i in $(seq 1 "$n"); do
        setpriv --reuid=$((1000 + i)) --regid=$((1000 + i)) --clear-groups \
                "$ATTACK" flood "$t" 16 "$@" > "$dir/$name.$i.out" 2>&1 &
done
wait'
ns_flood() {
        local name=$1 secs=$2
        shift 2
        off=$(log_size)
        listen_start "$name"
        prlimit --core=0:unlimited -- unshare --mount --propagation private -- bash -c '
                mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/wk" /etc || exit 1
                shift
                exec setpriv --reuid=5 --regid=60 --clear-groups \
                        unshare --user --map-auto --map-root-user -- bash -c "$@"' \
                _ "$sub" "$inner" _ "$NS_UIDS" "$secs" "$work/ns" "$name" "$@" > "$work/$name.err" 2>&1 &
        local ns=$!
        started+=($ns)
        local outs="$work/ns/$name.*.out"
        wait_for 10 '[ "$(cat $outs 2>/dev/null | grep -c "^PID ")" = "$NS_UIDS" ] || ! kill -0 $ns 2>/dev/null'
        if [ -n "${READY:-}" ]; then eval "$READY"; else sleep $(( secs / 2 )); fi
        if [ -n "${HOOK:-}" ]; then
                uid1_change "$name" ${UID1_TARGET:-} &
                local u1=$!
                sleep 0.5
                eval "$HOOK"
                wait "$u1"
        else
                uid1_change "$name" ${UID1_TARGET:-}
        fi
        wait "$ns"
        listen_stop "$name"
        log_since "$off" > "$work/$name.log"
        note "$work/$name.err"
        echo "# $name: inner uid 1000 (outer 100999, no passwd entry) asking the bus GetId:" \
             "$(tr '\n' ' ' < "$work/ns/$name.probe")"
        head -3 "$work/ns/$name.1.out" | note
        mapped=0 flooded=0 calls=0 pending=0 inall=0 rate=0 ms=0
        local i o u bu e
        for i in $(seq 1 "$NS_UIDS"); do
                o=$work/ns/$name.$i.out
                read -r u bu < <(awk '$1 == "PID" { print $4, $6 }' "$o")
                [ "${u:-}" = $((1000 + i)) ] && [ "${bu:-}" = $((99999 + 1000 + i)) ] && mapped=$((mapped + 1))
                [ -n "$(fv "$o" calls)" ] && flooded=$((flooded + 1))
                calls=$((calls + $(fsum "$o" calls))) pending=$((pending + $(fsum "$o" pending)))
                inall=$((inall + $(fsum "$o" inall))) rate=$((rate + $(fsum "$o" rate)))
                e=$(fv "$o" elapsed_ms); [ "${e:-0}" -gt "$ms" ] && ms=$e
        done
        first_pending=$(cat $outs | sed -n 's/^FIRST_PENDING //p' | grep "in all" | head -1)
        [ -n "$first_pending" ] || first_pending=$(cat $outs | sed -n 's/^FIRST_PENDING //p' | head -1)
        nslines=$(grep -Ec 'uid 1[0-9]{5} \(pid [0-9]+\) set CORE of pid' "$work/$name.log")
        nsuids=$(grep -Eo 'uid 1[0-9]{5} \(pid [0-9]+\) set CORE' "$work/$name.log" | awk '{print $2}' | sort -u | wc -l)
        nssig=$(awk '$1 == "SIGUID" && $2 >= 100000 && $2 < 165536 { s += $3 } END { print s + 0 }' "$work/$name.sig")
        echo "# $name: $NS_UIDS uids ($mapped seen by the bus as their outer uids), $calls calls in $ms ms:" \
             "$nslines audit lines from $nsuids uids ($(( nslines * 1000 / (ms + 1) ))/s), $nssig signals;" \
             "$rate refused for rate, $pending for changes in progress ($inall of them 'in all')"
        [ -n "$first_pending" ] && echo "# $name: e.g. LimitsExceeded: $first_pending"
        cat $outs | sed -n 's/^FIRST_OTHER /# '"$name"': e.g. other error: /p' | sort | uniq -c | sort -rn | head -3 | sed "s/^ */# /"
        grep "Refused for uid 1:" "$work/$name.log" | head -2 | note
        grep -E 'uid 1[0-9]{5} \(pid' "$work/$name.log" | head -2 | note
        grep -e "over the rate limit" -f "$work/$name.uid1.want" "$work/$name.log" | head -5 | note
}
skip_c() {
        local what
        for what in "$@"; do n=$((n + 1)); echo "ok $n - $what # SKIP $skip"; done
}
if [ -n "$skip" ]; then
        skip_c "C: the bus reports a user namespace's uids as their subordinate uids" \
               "C: uid 1's change during a flood from $NS_UIDS uids of a user namespace" \
               "C: a flood from $NS_UIDS uids of a user namespace is bounded as one account" \
               "D: uid 1's polkit-gated change while $NS_UIDS uids of a user namespace wait for polkit"
else
        ns_flood ns "$T" CORE 0 inf 1 inf
        max=$(bound $BURST $RATE "$ms")
        gmax=$(bound $GLOBAL_BURST $GLOBAL_RATE "$ms")
        check "C: the bus reports each of the $NS_UIDS namespace uids as its subordinate uid ($mapped of $NS_UIDS)" \
              '[ "$mapped" = "$NS_UIDS" ] && [ "$flooded" = "$NS_UIDS" ]'
        check "C: uid 1's own change during the flood from $NS_UIDS namespace uids is carried out and logged" \
              'grep -q "^rc=0" "$work/ns.uid1" && uid1_logged ns'
        check "C: $nslines audit lines from the namespace's $NS_UIDS uids: within one account's bound ($max) and the global one ($gmax)" \
              '[ "$calls" -gt "$max" ] && [ "$nslines" -ge 1 ] && [ "$nslines" -le "$max" ] && [ "$nslines" -le "$gmax" ] &&
               [ "$nssig" -le "$max" ]'

        # D: changes held in progress, waiting for a stopped polkitd. uid 1's
        # change comes once the daemon refuses the namespace's uids (every
        # change they may have is in progress), or after 4 s.
        held_full() {
                wait_for 4 'log_since "$off" | grep -Eq "Refused for uid 1[0-9]{5}: "' ||
                        echo "# held: no refusal of a namespace uid logged within 4 s"
                echo "# held: when uid 1 asks, the log has $(log_since "$off" | grep -Ec "Refused for uid 1[0-9]{5}: ") refusals of namespace uids," \
                     "$(log_since "$off" | grep -c "in all, at most") saying 'in all'," \
                     "$(log_since "$off" | grep -c "pending replies per connection") the bus's pending replies"
        }
        polkitd=$(cat "$POLKITD_PID_FILE")
        kill -STOP "$polkitd"
        READY=held_full HOOK='kill -CONT "$polkitd"' UID1_TARGET=$svcproc ns_flood held 6 NOFILE "$(ulimit -Sn)" $(( $(ulimit -Hn) + 1 ))
        check "D: uid 1's polkit-gated change while $NS_UIDS namespace uids wait for polkit with 16 changes each is carried out and logged" \
              'grep -q "^rc=0" "$work/held.uid1" && uid1_logged held'
fi
umount /etc/passwd 2>/dev/null

# ---- E: a user namespace root made ----
# Its root is uid 65534 outside; the namespace's owner is uid 0, the account
# no budget limits, which the caller must not be charged to.
TE=4
off=$(log_size)
prlimit --core=0:unlimited -- "$PYTHON3" "$here/../helpers/in-root-userns.py" 65534 \
        "$ATTACK" flood "$TE" 16 CORE 0 inf 1 inf > "$work/rootns.out" 2>&1
echo "rc=$?" >> "$work/rootns.out"
sleep 0.3
log_since "$off" > "$work/rootns.log"
note "$work/rootns.out"
attacker=$(awk '$1 == "PID" { print $2 }' "$work/rootns.out")
lines=$(grep -c "uid 65534 (pid [0-9]*) set CORE of pid ${attacker:-x} from" "$work/rootns.log")
ms=$(fv "$work/rootns.out" elapsed_ms)
max=$(bound $BURST $RATE "${ms:-0}")
echo "# rootns: $(fv "$work/rootns.out" calls) calls in ${ms:-?} ms; $lines audit lines ($(( lines * 1000 / (${ms:-0} + 1) ))/s), at most $max allowed"
grep "over the rate limit" "$work/rootns.log" | head -3 | note
check "E: the flooder is uid 0 of a user namespace owned by root, mapped to 65534 outside; the bus reports uid 65534" \
      'grep -q "^USERNS owner=0 uid_map=0 65534 1$" "$work/rootns.out" &&
       [ "$(awk '\''$1 == "PID" { print $4, $6 }'\'' "$work/rootns.out")" = "0 65534" ]'
check "E: $TE s of real CORE changes from that namespace's root: $lines audit lines (at most $max: an account of its own, not root's), the rest LimitsExceeded \"rate\" ($(fv "$work/rootns.out" rate))" \
      '[ "$(fv "$work/rootns.out" calls)" -gt "$max" ] && [ "$lines" -ge 1 ] && [ "$lines" -le "$max" ] &&
       [ "$(fv "$work/rootns.out" rate)" -gt 0 ] && grep -q "^FIRST_RATE .*rate" "$work/rootns.out"'

# ---- F: a connection whose connecting process is gone ----
N_GONE=80
off=$(log_size)
prlimit --core=0:unlimited -- setpriv $NOBODY "$PYTHON3" "$here/../helpers/gone-connector.py" gone "$N_GONE" > "$work/gone.out" 2>&1
echo "rc=$?" >> "$work/gone.out"
prlimit --core=0:unlimited -- setpriv $NOBODY "$PYTHON3" "$here/../helpers/gone-connector.py" live 1 > "$work/live.out" 2>&1
echo "rc=$?" >> "$work/live.out"
sleep 0.3
log_since "$off" > "$work/gone.log"
note "$work/gone.out"
note "$work/live.out"
gv() { sed -n "s/^CHANGES.* $2=\([0-9]*\).*/\1/p" "$1"; }
cv() { sed -n "s/^CONN.* $2=\([0-9]*\).*/\1/p" "$1"; }
gone_lines=$(grep -c "uid 65534 (pid $(cv "$work/gone.out" connector)) set CORE" "$work/gone.log")
live_lines=$(grep -c "uid 65534 (pid $(cv "$work/live.out" connector)) set CORE of pid $(cv "$work/live.out" caller) from" "$work/gone.log")
echo "# gone: $(gv "$work/gone.out" ok) of $N_GONE changes carried out, $gone_lines audit lines; live: $live_lines audit lines"
reads_ok=$(grep -c "^READ [A-Za-z]* OK " "$work/gone.out")
check "F: a connection whose connecting process is gone: all $N_GONE real changes refused, PermissionDenied \"is gone\" ($(gv "$work/gone.out" gone)), none carried out ($(gv "$work/gone.out" ok)), no audit line ($gone_lines)" \
      '[ "$(cv "$work/gone.out" connector)" != "$(cv "$work/gone.out" caller)" ] &&
       [ "$(gv "$work/gone.out" ok)" = 0 ] && [ "$(gv "$work/gone.out" gone)" = "$N_GONE" ] &&
       [ "$(gv "$work/gone.out" other)" = 0 ] && [ "$gone_lines" = 0 ] &&
       grep -q "^FIRST_REFUSAL org.example.Resource1.Error.PermissionDenied .*is gone" "$work/gone.out"'
check "F: reads of its own process by pidfd on that connection are still answered ($reads_ok of 3: PrlimitPidfd, ListRlimitsPidfd, GetRusagePidfd)" \
      '[ "$reads_ok" = 3 ]'
check "F: a live connection of nobody's still changes its own CORE, logged" \
      '[ "$(gv "$work/live.out" ok)" = 1 ] && [ "$live_lines" = 1 ]'
tap_done
