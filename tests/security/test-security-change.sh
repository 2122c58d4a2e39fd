#!/bin/bash
# Attacks on the change pipeline, each made for real by an unprivileged uid
# (through setpriv) against the fixture's daemon (with-bus.sh, with
# tests/rules/test.rules, the example rule for "games" and
# tests/rules/security-change.rules). TAP output.
#
#   A (#1) a polkit-approved raise must not land on a process that became
#          setuid-root while its check was pending ("ids changed").
#   C (#5) polkit checks have a 20 s deadline: the caller gets an error, the
#          check is cancelled, the uid's budget of pending checks is free again.
#   B (#2) no caller can stop or kill the daemon by signalling whatever acts
#          with its real uid (SIGSTOP round, then SIGKILL round).
#
# B runs last: against a daemon that acts on a thread with the caller's uid
# it stops (then is continued) or kills the daemon.
#
# Needs SETUID_HOLD, ATTACK_SIGNAL, PENDING_CHECKS (built by tests/meson.build).
set -u
: "${RESOURCE1_FIXTURE:?}" "${POLKITD_PID_FILE:?}" "${SETUID_HOLD:?}" "${ATTACK_SIGNAL:?}" "${PENDING_CHECKS:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

fx=$RESOURCE1_FIXTURE
log=$fx/resource1d.log
polkitd=$(cat "$POLKITD_PID_FILE")
GAMES=(setpriv --reuid=5 --regid=60 --clear-groups)      # the example rule's user
YES=(setpriv --reuid=1 --regid=1 --clear-groups)         # "daemon": test.rules says yes
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

skip() { n=$((n+1)); echo "ok $n - $1 # SKIP $2"; }
show() { sed 's/^/#   /' "$@"; }

daemon_pid() {
        busctl --system --timeout=2 call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.example.Resource1 2>/dev/null | awk '{print $2}'
}
proc_state() { awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
nofile_line() { grep '^Max open files' "/proc/$1/limits" 2>/dev/null; }
# Waits (at most 5 s) until pid $1's command name is $2: setpriv or prlimit has exec'd it.
wait_comm() {
        for _ in $(seq 500); do [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0; sleep 0.01; done
        return 1
}

# Everything the suite starts is killed when it ends, and neither polkitd nor
# the daemon is left stopped, whatever fails on the way.
dpid=$(daemon_pid)
cleanup() {
        kill -CONT "$polkitd" 2>/dev/null
        [ -n "$dpid" ] && kill -CONT "$dpid" 2>/dev/null
        kill_started
}
trap cleanup EXIT

# The helpers, where the unprivileged users can run them whatever the build
# tree's permissions; setuid-hold setuid root. The directory is
# world-writable: polkitd's own user creates attack A's flag file in it.
work=$fx/security
mkdir -m 1777 "$work"
install -m 755 "$ATTACK_SIGNAL" "$work/attack-signal"
install -m 755 "$PENDING_CHECKS" "$work/pending-checks"
install -m 4755 -o root -g root "$SETUID_HOLD" "$work/setuid-hold"

# Does the fixture's directory honour setuid bits (not mounted nosuid)?
"${NOBODY[@]}" "$work/setuid-hold" &
probe=$!
wait_comm "$probe" setuid-hold
setuid_ok=$(awk '/^Uid:/ {print ($3 == 0)}' "/proc/$probe/status" 2>/dev/null)
kill -KILL "$probe"; wait "$probe" 2>/dev/null

echo "1..18"
echo "# daemon pid $dpid, polkitd pid $polkitd"

# ---------------------------------------------------------------------------
echo "# A (#1): a polkit-approved raise lands on a process that became setuid-root meanwhile"
# games starts its own child, a shell that waits for the flag file (the last
# argument of its command line, where the flip helper of
# security-change.rules looks for it) and then execs setuid-hold. games then
# asks to raise the child's NOFILE hard limit 4096 -> 8192 with soft 4242,
# the rule's magic value: polkitd, while the check is pending, makes the
# child setuid-root and only then says yes. The child is owned by games when
# the service decides and is not when it acts.
cat > "$work/a-caller.sh" <<'EOF'
#!/bin/bash
# $1: the setuid-root program, $2: the flag file
bash -c 'for _ in $(seq 1500); do [ -e "$2" ] && exec "$1"; sleep 0.01; done; exit 1' resource1-flip "$1" "$2" &
child=$!
echo "CHILD $child"
echo "BEFORE $(grep '^Max open files' /proc/$child/limits)"
gdbus call --system --timeout 25 --dest org.example.Resource1 --object-path /org/example/Resource1 \
        --method org.example.Resource1.Prlimit "$child" NOFILE true 4242 8192 2>&1
EOF
chmod 755 "$work/a-caller.sh"

attack_a() {
        timeout 40 prlimit --nofile=1024:4096 -- "${GAMES[@]}" "$work/a-caller.sh" "$work/setuid-hold" \
                "$work/flip-go" > "$fx/a.out" 2>&1
        child=$(awk '/^CHILD/ {print $2}' "$fx/a.out")
        started+=("$child")
        before=$(sed -n 's/^BEFORE //p' "$fx/a.out")
        after=$(nofile_line "$child")
        status=$(grep '^Uid:' "/proc/$child/status" 2>/dev/null | tr -s '\t ' ' ')
        show "$fx/a.out"
        echo "# child $child now: $status; $after"
        check "A: the child became setuid-root while the check was pending (the race is won every time)" \
              '[ "$status" = "Uid: 5 0 0 0" ]'
        check "A: the raise is refused: PermissionDenied, 'ids changed'" \
              'grep -q "org\.example\.Resource1\.Error\.PermissionDenied: .*ids changed" "$fx/a.out"'
        check "A: the child's NOFILE limits are unchanged" '[ -n "$before" ] && [ "$before" = "$after" ]'
        # What the daemon must not do: call prlimit on the setuid-root process
        # (with CAP_SYS_RESOURCE it would succeed; here the kernel refuses).
        echo "# daemon log about pid $child:"
        grep -F "pid $child " "$log" | show
        check "A: the daemon never acted on the setuid-root child (no 'kernel refused' for it in its log)" \
              '[ -n "$child" ] && ! grep -F "pid $child " "$log" | grep -q "kernel refused\| set NOFILE of pid"'
        kill -KILL "$child" 2>/dev/null
}
if [ "$setuid_ok" = 1 ]; then
        attack_a
else
        for t in "the child became setuid-root" "the raise is refused" "limits unchanged" "the daemon never acted"; do
                skip "A: $t" "the fixture's directory is mounted nosuid"
        done
fi

# ---------------------------------------------------------------------------
echo "# C (#5): polkit checks have a deadline and are cancelled; the uid's budget is freed"
# The target: a sleeping process of "daemon" (uid 1, whom test.rules always
# authorizes) with NOFILE 400:800. uid 1 asks 16 times at once (its whole
# budget) to raise the hard limit to 900 while polkitd is stopped, then once
# more with 901 (told apart in the log from the 16).
prlimit --nofile=400:800 -- "${YES[@]}" sleep 120 &
target=$!
started+=("$target")
wait_comm "$target" sleep
target_before=$(nofile_line "$target")

# A root monitor of what polkitd is asked (and of a Ping, to know it is ready).
mon=$fx/c-monitor.txt
timeout 90 dbus-monitor --system \
        "type='method_call',interface='org.freedesktop.PolicyKit1.Authority'" \
        "type='method_call',interface='org.freedesktop.DBus.Peer',member='Ping',destination='org.example.Resource1'" \
        > "$mon" 2>&1 &
monitor=$!
started+=("$monitor")
for _ in $(seq 50); do
        busctl --system --timeout=2 call org.example.Resource1 /org/example/Resource1 org.freedesktop.DBus.Peer Ping \
                >/dev/null 2>&1
        grep -q 'member=Ping' "$mon" && break
        sleep 0.1
done

kill -STOP "$polkitd"
# Waits 22 s for the 16 answers (the deadline is 20 s), then the 17th call
# with a 3 s client timeout, then READY; stays connected 4 s more.
timeout 60 "${YES[@]}" "$work/pending-checks" "$target" 400 900 16 22 901 3 4 > "$fx/c.out" 2>&1 &
caller=$!
started+=("$caller")
for _ in $(seq 400); do grep -q '^READY' "$fx/c.out" && break; sleep 0.1; done
log_at=$(stat -c %s "$log")
kill -CONT "$polkitd"
wait "$caller"
sleep 0.5   # polkit's answers to the 16, if the daemon still waited for them, are acted on by now
kill -TERM "$monitor" 2>/dev/null
wait "$monitor" 2>/dev/null
show "$fx/c.out"

timed_out=$(awk '$1 == "REPLY" && $4 == "org.example.Resource1.Error.PermissionDenied" && /timed out/ {
                   ms = substr($3, 4) + 0; if (ms >= 19000 && ms < 22000) n++ } END {print n + 0}' "$fx/c.out")
check "C: all 16 gated calls got an error reply (PermissionDenied, 'timed out') 19-22 s after they were made ($timed_out of 16)" \
      '[ "$timed_out" = 16 ]'
extra=$(grep '^EXTRA' "$fx/c.out")
check "C: with polkitd still stopped, a 17th call of that uid is not refused with LimitsExceeded" \
      '[ -n "$extra" ] && ! grep -q LimitsExceeded <<<"$extra" &&
       grep -q "org.freedesktop.DBus.Error.NoReply\|org.freedesktop.DBus.Error.Timeout\|timed out" <<<"$extra"'
echo "# daemon log after polkitd resumed:"
tail -c +"$((log_at + 1))" "$log" | show
acted=$(tail -c +"$((log_at + 1))" "$log" | grep -F "pid $target " |
        grep -c "to 400:900: the kernel refused\|set NOFILE of pid $target from [0-9]*:800 to 400:900")
check "C: after polkitd resumed, none of the 16 was carried out (no log line of acting on them, no late answer)" \
      '[ "$acted" = 0 ] && ! grep -q "^LATE" "$fx/c.out"'
check "C: the target's NOFILE limits are unchanged" '[ -n "$target_before" ] && [ "$target_before" = "$(nofile_line "$target")" ]'
kill -KILL "$target" 2>/dev/null
wait "$target" 2>/dev/null

# From dbus-monitor's text: for every CheckAuthorization about this target
# with hard limit 900, its cancellation id (the body's last top-level
# string), and the id of every CancelCheckAuthorization.
awk -v pid="$target" '
        function flush() {
                if (member == "CheckAuthorization" && is_target && is_900)
                        print "CHECK [" last "]"
                if (member == "CancelCheckAuthorization")
                        print "CANCEL [" last "]"
        }
        /^(method call|method return|error|signal) / {
                flush()
                member = ""; is_target = 0; is_900 = 0; last = ""
                if (match($0, /member=[A-Za-z]+/))
                        member = substr($0, RSTART + 7, RLENGTH - 7)
                next
        }
        # details are {ss} entries: the key line, then the value line
        prev ~ /string "pid"$/ && $0 ~ ("string \"" pid "\"$") { is_target = 1 }
        prev ~ /string "hard"$/ && $0 ~ /string "900"$/ { is_900 = 1 }
        /^   string "/ { last = substr($0, 12, length($0) - 12) }
        { prev = $0 }
        END { flush() }' "$mon" > "$fx/c-ids.txt"
show "$fx/c-ids.txt"
n_checks=$(grep -c '^CHECK' "$fx/c-ids.txt")
ids=$(sed -n 's/^CHECK \[\(..*\)\]$/\1/p' "$fx/c-ids.txt" | sort -u)
n_ids=$(grep -c . <<<"$ids")
n_cancelled=$(while read -r id; do
                      [ -n "$id" ] && grep -qxF "CANCEL [$id]" "$fx/c-ids.txt" && echo "$id"
              done <<<"$ids" | grep -c .)
check "C: the 16 CheckAuthorization calls carry 16 distinct non-empty cancellation ids ($n_checks checks, $n_ids distinct ids)" \
      '[ "$n_checks" = 16 ] && [ "$n_ids" = 16 ]'
check "C: the daemon sent CancelCheckAuthorization for each of them ($n_cancelled of $n_ids ids cancelled)" \
      '[ "$n_checks" = 16 ] && [ "$n_ids" = 16 ] && [ "$n_cancelled" = 16 ]'

# ---------------------------------------------------------------------------
echo "# B (#2): signalling what acts with the caller's real uid"
# nobody changes its own CORE soft limit over and over on one connection
# (never a polkit question: every call is carried out as nobody) while its
# spinning thread sends the signal to the ids ns_last_pid says come next, to
# the daemon's threads (tgkill) and to processes (kill). Meanwhile root calls
# PageSize every 20 ms. The daemon must come out the same, running process,
# having answered root within 1 s throughout; only the attacker's own calls
# may fail. 6 s a round (it ends sooner once the daemon is stopped or gone).
round() {
        local sig=$1 secs=6
        timeout 20 "$work/attack-signal" probe "$((secs + 1))" > "$fx/b-probe-$sig.out" 2>&1 &
        local probe=$!
        started+=("$probe")
        sleep 0.2
        timeout 20 "${NOBODY[@]}" "$work/attack-signal" attack "$sig" "$secs" "$dpid" > "$fx/b-attack-$sig.out" 2>&1
        wait "$probe"
        # Right after the attack, the acting processes the attacker stopped
        # (killed at their 5 s deadline) may still exist: they must be
        # processes of their own, and no task of the daemon runs with its uid.
        local daemon_tasks_of_caller acting=0 acting_own=0 t p
        daemon_tasks_of_caller=$(grep -l "^Uid:[[:space:]]*65534[[:space:]]" /proc/"$dpid"/task/*/status 2>/dev/null | wc -l)
        for p in /proc/[0-9]*; do
                [ "$(awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null)" = "$dpid" ] || continue
                grep -q "^Uid:[[:space:]]*65534[[:space:]]" "$p/status" 2>/dev/null || continue
                acting=$((acting + 1))
                t=$(awk '/^Tgid:/ {print $2}' "$p/status" 2>/dev/null)
                [ "$t" = "${p#/proc/}" ] && [ "$t" != "$dpid" ] && acting_own=$((acting_own + 1))
        done
        echo "#   after the attack: $daemon_tasks_of_caller task(s) of the daemon with nobody's real uid;" \
             "$acting acting process(es) of nobody, $acting_own in a thread group of its own"
        "$work/attack-signal" ping > "$fx/b-ping-$sig.out" 2>&1
        local state now_pid
        state=$(proc_state "$dpid")
        now_pid=$(daemon_pid)
        show "$fx/b-attack-$sig.out" "$fx/b-probe-$sig.out" "$fx/b-ping-$sig.out"
        echo "# daemon pid $dpid: state '${state:-gone}'; the bus name's owner: pid ${now_pid:-none}"
        check "B SIG$sig: the daemon is the same process, alive and not stopped" \
              '[ -n "$state" ] && [ "$state" != T ] && [ "$state" != t ] && [ "$state" != Z ] && [ "$now_pid" = "$dpid" ]'
        check "B SIG$sig: root's calls were all answered within 1 s during the attack" \
              'grep -q "^PROBE calls=[1-9][0-9]* failed=0 " "$fx/b-probe-$sig.out" &&
               [ "$(sed -n "s/.*worst_ms=\([0-9]*\).*/\1/p" "$fx/b-probe-$sig.out")" -lt 1000 ]'
        check "B SIG$sig: the caller's ids run only in processes of their own: no tgkill into the daemon's thread group was delivered, no daemon task has its uid" \
              'grep -q " 0 tgkill and " "$fx/b-attack-$sig.out" && [ "$daemon_tasks_of_caller" = 0 ] && [ "$acting" = "$acting_own" ]'
        check "B SIG$sig: afterwards Ping answers within 100 ms" \
              '[ "$(sed -n "s/^PING ok ms=\([0-9]*\)$/\1/p" "$fx/b-ping-$sig.out")" -le 100 ] 2>/dev/null'
        # So that what follows runs against a daemon that runs (if it still exists).
        if [ "$state" = T ] || [ "$state" = t ]; then
                echo "# continuing the stopped daemon (SIGCONT)"
                kill -CONT "$dpid"
        fi
}
round STOP
round KILL

tap_done
