#!/bin/bash
# Attack on the undo of a change made by the acting process, made for real by
# nobody (through setpriv) against the fixture's daemon (with-bus.sh with
# tests/rules/test.rules). TAP output. Needs ATTACK_UNDO and RCALL (tests/meson.build).
#
# nobody has a child T with NOFILE 0:H and asks Prlimit(T, NOFILE, set, S, H),
# S:H being the daemon's own NOFILE limits (a soft limit raised up to the
# hard one: no polkit question, the daemon's acting process makes it with
# nobody's real uid). It stops that acting process (SIGSTOP at the ids
# ns_last_pid says come next), kills and reaps T, forks until T's number is
# the next pid and makes the daemon start a worker thread (usage reads of a
# many-threaded process of its own), which gets T's number. At the 5 s
# deadline the daemon kills the acting process; a daemon that then "undoes"
# the change by pid number puts 0:H on its own worker, i.e. on itself: every
# later call needing a descriptor fails, a PrlimitPidfd kills it.
#
# The fixed daemon: the caller gets Failed, "did not finish within 5 s" (or,
# when the stop came after the acting process had reported, NoSuchProcess:
# T is gone, and nothing is done on its number), the log never says the change was undone or restored, the daemon's NOFILE (and
# every task's) stays S:H, and it is the same process, answering root's
# PageSize and PrlimitPidfd. Three rounds (each needs a new worker; the pool
# starts at most 4), each of at most 3 attempts at the attack.
#
# pid_max: the fixture's pid namespace has its own (Linux 6.14+); it is
# lowered to 4096 there so that a wrap of the pids takes well under a second.
set -u
: "${RESOURCE1_FIXTURE:?}" "${ATTACK_UNDO:?}" "${RCALL:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

fx=$RESOURCE1_FIXTURE
log=$fx/resource1d.log
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# Each attempt comes from an unprivileged uid of its own: the attack needs
# dozens of quick changes to catch its acting process, and the daemon bounds
# the rate of changes per uid (64 at once, then 4 a second).
ATTACKERS=(65534 2 3 4 6 7 8 9 10)   # with their primary gids, so T is their own
next_attacker=0
ROUNDS=3

skip() { n=$((n+1)); echo "ok $n - $1 # SKIP $2"; }
show() { sed 's/^/#   /' "$@"; }
daemon_pid() {
        busctl --system --timeout=2 call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.example.Resource1 2>/dev/null | awk '{print $2}'
}
nofile_of() { awk '/^Max open files/ {print $4 ":" $5}' "$1/limits" 2>/dev/null; }
# Every task of pid $1 whose NOFILE is not $2: "tid=S:H ..."
tasks_other_than() {
        local t out=""
        [ -d "/proc/$1/task" ] || { echo "(no such process)"; return; }
        for t in /proc/"$1"/task/*; do
                [ "$(nofile_of "$t")" = "$2" ] || out+="${t##*/}=$(nofile_of "$t") "
        done
        echo "$out"
}
alive() { local s; s=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ]; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

dpid=$(daemon_pid)
pid_max_was=$(cat /proc/sys/kernel/pid_max)
cleanup() {
        kill_started
        echo "$pid_max_was" > /proc/sys/kernel/pid_max 2>/dev/null
}
trap cleanup EXIT

work=$fx/undo
mkdir -m 755 "$work"
install -m 755 "$ATTACK_UNDO" "$work/attack-undo"

echo "1..$((ROUNDS * 7))"
nofile0=$(nofile_of "/proc/$dpid")
echo "# daemon pid $dpid, NOFILE $nofile0, tasks: $(ls "/proc/$dpid/task" | tr '\n' ' ')"
if echo 4096 > /proc/sys/kernel/pid_max 2>/dev/null; then
        echo "# pid_max of the fixture's pid namespace lowered from $pid_max_was to $(cat /proc/sys/kernel/pid_max) (a wrap is then ~3,800 forks)"
        pid_max_ok=1
else
        echo "# pid_max ($pid_max_was) could not be lowered in the fixture's pid namespace (a kernel before 6.14?)"
        pid_max_ok=0
fi

# A process of root's, for PrlimitPidfd.
sleep 600 &
root_child=$!
started+=("$root_child")

t_all=$EPOCHREALTIME
for round in $(seq "$ROUNDS"); do
        t0=$EPOCHREALTIME
        out=$fx/undo-$round.out
        echo "# round $round: daemon pid ${dpid:-none} (alive: $(alive "${dpid:-0}" && echo yes || echo no)), NOFILE $(nofile_of "/proc/${dpid:-0}"), $(ls "/proc/${dpid:-0}/task" 2>/dev/null | wc -l) task(s)"
        log_at=$(stat -c %s "$log" 2>/dev/null || echo 0)
        # At most 3 attempts: one whose wrap or worker missed T's number
        # (something else took it, the machine was slow) shows nothing.
        for attempt in 1 2 3; do
                if alive "${dpid:-0}"; then
                        auid=${ATTACKERS[next_attacker++ % ${#ATTACKERS[@]}]}
                        echo "# attacker uid $auid"
                        timeout 40 setpriv --reuid="$auid" --regid="$(id -g "$auid")" --clear-groups \
                                "$work/attack-undo" attack "$dpid" > "$out" 2>&1
                else
                        echo "RESULT stopped=0 took_T=0 reply_ms=0 reply=none nofile_before=none nofile_after=none lowered_tasks=0 daemon=gone" > "$out"
                        echo "# round $round: the daemon (pid ${dpid:-none}) is gone: no attack to make"
                fi
                echo "# round $round, attempt $attempt:"
                show "$out"
                grep -q "^RESULT stopped=1 took_T=1 " "$out" && break
                grep -q "^WORKERS the daemon has [0-9]* worker threads already" "$out" && break
                alive "${dpid:-0}" || break
        done
        T=$(sed -n 's/^SETUP .* T=\([0-9]*\) .*/\1/p' "$out")
        res=$(grep '^RESULT' "$out")
        field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $res"; }
        # The log of the round, but the audit lines of the attacker's missed
        # tries (each a change carried out), which are counted.
        tail -c +"$((log_at + 1))" "$log" 2>/dev/null > "$fx/undo-$round.log"
        audit='^uid [0-9]* \(pid [0-9]*\) set NOFILE of pid [0-9]* from '
        echo "# daemon log during the round ($(grep -Ec "$audit" "$fx/undo-$round.log") audit line(s) of changes of T, not shown):"
        grep -Ev "$audit" "$fx/undo-$round.log" | show
        # What an undo says (the old daemon: "the change was undone", "the
        # limits set were restored", "Failed to undo ..."); a plain "nothing
        # was undone" or "not undone" is not one.
        undo_lines=$( [ -n "$T" ] && grep -F "pid $T" "$fx/undo-$round.log" |
                      sed -E 's/(nothing (was|were|is|to be) (undone|restored)|not (been )?(undone|restored))//g' |
                      grep -Eci "undone|restored|failed to undo|undoing")

        # The attack itself: this is not the daemon's to pass or fail, but
        # without it the round shows nothing.
        if [ "$(field stopped)" = 1 ] && [ "$(field took_T)" = 1 ]; then
                check "round $round: the attack was made: acting process stopped, T ($T) killed, its number now a thread of the daemon" true
        elif grep -q "^WORKERS the daemon has [0-9]* worker threads already" "$out"; then
                skip "round $round: the attack was made" "the daemon's worker pool is full: no new thread can take T's number"
        elif [ "$pid_max_ok" = 0 ] && grep -q "^WRAP did not reach" "$out"; then
                skip "round $round: the attack was made" "pid_max ($pid_max_was) could not be lowered: no wrap within the 5 s deadline"
        else
                check "round $round: the attack was made: acting process stopped, T killed, its number now a thread of the daemon" false
        fi
        check "round $round: the caller's call: Failed, 'did not finish within 5 s' (or NoSuchProcess, 'exited while the change was made', when the acting process had reported before it was stopped)" \
              'grep -Eq "^REPLY came after [0-9]* ms: org\.example\.Resource1\.Error\.(Failed: .*did not finish within 5 s|NoSuchProcess: .*the process exited while the change was made)" "$out"'
        check "round $round: the log never says the change of T (pid ${T:-none: no round}) was undone or restored (${undo_lines:-no} line(s) say so)" \
              '[ -n "$T" ] && [ "$undo_lines" = 0 ]'
        now_nofile=$(nofile_of "/proc/${dpid:-0}")
        other=$(tasks_other_than "${dpid:-0}" "$nofile0")
        echo "# after round $round: daemon NOFILE ${now_nofile:-none} (was $nofile0); tasks with other NOFILE: ${other:-none}"
        check "round $round: the daemon's NOFILE and every one of its tasks' stay $nofile0" \
              '[ -n "$now_nofile" ] && [ "$now_nofile" = "$nofile0" ] && [ -z "$other" ]'
        ping=$(timeout 10 busctl --system --timeout=3 call org.example.Resource1 /org/example/Resource1 org.example.Resource1 PageSize 2>&1)
        echo "# root's PageSize: $ping"
        check "round $round: root's PageSize is answered" '[ "$ping" = "t $(getconf PAGESIZE)" ]'
        pidfd=$(timeout 10 "$RCALL" --pidfd-of "$root_child" PrlimitPidfd '(hsbtt)' "(handle 0, 'NOFILE', false, 0, 0)" 2>&1)
        echo "# root's PrlimitPidfd of pid $root_child: $pidfd"
        want=$(nofile_of "/proc/$root_child" | sed 's/\(.*\):\(.*\)/OK (uint64 \1, uint64 \2)/')
        check "round $round: root's PrlimitPidfd is answered with the limits ($want)" \
              'grep -qxF "$want" <<<"$pidfd"'
        sleep 0.3
        now_pid=$(daemon_pid)
        check "round $round: the daemon is the same process, alive (pid $dpid; the name's owner now: ${now_pid:-none})" \
              'alive "${dpid:-0}" && [ "$now_pid" = "$dpid" ]'
        echo "# round $round took $(since "$t0") s"
done
echo "# $ROUNDS rounds took $(since "$t_all") s"

tap_done
