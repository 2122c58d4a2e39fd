#!/bin/bash
# Runs inside the VM (resource1-vmtest.service, at boot): checks the
# installed service under systemd with real CAP_SYS_RESOURCE, and writes one
# "R1TEST ..." TAP line per check to the serial console.
#
# The checks are the s_* functions below, run once for each system bus
# Debian ships, each in a boot of its own: Debian's default, dbus-daemon
# (dbus.service), then dbus-broker (dbus-broker.service, enabled as Debian's
# package enables it: Alias=dbus.service; replacing the system bus needs a
# reboot, /usr/share/doc/dbus-broker/README.Debian). The first boot enables
# dbus-broker and reboots (qemu exits; run.sh boots the same disk again); the
# second runs the packages' autopkgtest (debian/tests) last and powers off.
# Sections left out on a bus are said as skips, with why (the "sections" and
# "left_out" tables at the end). Each check's name starts with the bus it ran
# on, "[dbus-daemon]" or "[dbus-broker]"; the numbering and the failures
# carry over the reboot (in /var/lib/resource1-vmtest).
set -u
out=/dev/ttyS0
say() { echo "R1TEST $*" > "$out"; }
n=0 failed=0 bus=unknown
check() {
        n=$((n+1))
        if eval "$2"; then say "ok $n - [$bus] $1"; else say "not ok $n - [$bus] $1"; failed=$((failed+1)); fi
}
# A check left out on this bus, with why.
skip() { n=$((n+1)); say "ok $n - [$bus] $1 # SKIP $2"; }
note() { say "# [$bus] $*"; }
B=(org.example.Resource1 /org/example/Resource1 org.example.Resource1)
call() { busctl call "${B[@]}" "$@"; }
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
active() { [ "$(systemctl is-active resource1d.service)" = active ]; }
wait_inactive() { for _ in $(seq 100); do active || return 0; sleep 0.1; done; return 1; }
limit_of() { grep "^Max open files" "/proc/$1/limits" | awk '{print $4, $5}'; }
prop() { systemctl show -P "$1" resource1d.service; }
euid_of() { awk '/^Uid:/ { print $3 }' "/proc/$1/status" 2>/dev/null; }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
# Waits (at most recover_s from $2) for systemd to restart the service by
# itself: NRestarts above $1, no call made meanwhile.
wait_restarted() {
        while [ "$(prop NRestarts)" -le "$1" ]; do
                awk -v s="$(since "$2")" -v m="$recover_s" 'BEGIN { exit !(s > m) }' && return 1
                sleep 0.2
        done
}
# WatchdogSec= in whole seconds as wd (0 when unset or not "Ns"), read while
# the service runs (systemd says "infinity" for a stopped one); and how long
# a dead or hung daemon may take to answer again as recover_s: WatchdogSec=
# and a few seconds (10 s assumed without a watchdog, so that the checks fail
# in bounded time).
# What a kill's recovery came to: status 0 and took from the caller.
outcome() { [ $status = 0 ] && echo "restarted by systemd and answering after $took s" || echo "no restart by systemd and answer within $took s"; }
watchdog_sec() {
        call PageSize >/dev/null
        wd=$(prop WatchdogUSec | sed -n 's/^\([0-9][0-9]*\)s$/\1/p'); wd=${wd:-0}
        recover_s=$(( (wd > 0 ? wd : 10) + 5 ))
}

# The bus itself: which one runs, and that it read the service's policy
# without a complaint about it (dbus-broker-launch logs an attribute or
# element it does not know, and goes on without it).
s_bus() {
        local unit pids comm
        unit=$(systemctl show -P Id dbus.service)
        pids=$(systemctl show -P ControlGroup dbus.service | xargs -I{} cat /sys/fs/cgroup{}/cgroup.procs 2>/dev/null)
        comm=$(for p in $pids; do cat "/proc/$p/comm"; done 2>/dev/null | sort -u | tr '\n' ' ')
        note "the system bus: dbus.service is $unit, $(systemctl is-active dbus.service), its processes: $comm"
        journalctl -b -q --no-pager -u dbus.service -u dbus-broker.service > /tmp/bus.journal
        grep -i "resource1" /tmp/bus.journal | tail -5 | while read -r l; do note "bus journal: $l"; done
        check "the system bus is $bus ($unit; running: $comm)" \
              'case $bus in
               dbus-daemon) [ "$unit" = dbus.service ] && [[ " $comm" == *" dbus-daemon "* ]] && [[ " $comm" != *" dbus-broker "* ]] ;;
               dbus-broker) [ "$unit" = dbus-broker.service ] && [[ " $comm" == *" dbus-broker "* ]] && [[ " $comm" != *" dbus-daemon "* ]] ;;
               *) false ;; esac'
        check "the bus read org.example.Resource1.conf without a complaint about it (its journal names it nowhere)" \
              '[ -s /tmp/bus.journal ] && ! grep -q "org.example.Resource1.conf" /tmp/bus.journal'
}

s_activation() {
        # activation through the unit, nothing started by hand
        check "the service is not running before the first call" '! active'
        check "a call activates it through its own unit" 'call PageSize >/dev/null && active'
        check "CanRaiseHardLimits is true under systemd" \
              '[ "$(busctl get-property "${B[@]}" CanRaiseHardLimits)" = "b true" ]'
        check "it exits after its idle timeout (3 s here)" 'sleep 4; wait_inactive'
        note "idle exit: Result=$(prop Result) ExecMainStatus=$(prop ExecMainStatus) NRestarts=$(prop NRestarts)"
        check "the idle exit is clean (status 0) and Restart=on-failure leaves it stopped" \
              '[ "$(prop Result)" = success ] && [ "$(prop ExecMainStatus)" = 0 ] && [ "$(prop NRestarts)" = 0 ] &&
               sleep 1.5 && ! active && [ "$(prop NRestarts)" = 0 ]'
        check "a second call activates it again" 'call PageSize >/dev/null && active'
}

s_watchdog() {
        # restarted when it dies or hangs (issue #2): the unit's settings, and the
        # event loop's watchdog pings reaching systemd through the sandbox
        note "unit: Restart=$(prop Restart) WatchdogUSec=$(prop WatchdogUSec) NotifyAccess=$(prop NotifyAccess)"
        watchdog_sec
        check "the unit restarts on failure, with a watchdog (${wd} s) the main process may ping" \
              '[ "$(prop Restart)" = on-failure ] && [ "$wd" -gt 0 ] && [ "$(prop NotifyAccess)" = main ]'
        call PageSize >/dev/null
        wpid=$(prop MainPID) wts=$(prop WatchdogTimestampMonotonic) restarts=$(prop NRestarts) start=$(now)
        busy_errors=0
        while awk -v s="$(since "$start")" -v w="$wd" 'BEGIN { exit !(s < w + 3) }'; do
                call PageSize >/dev/null || busy_errors=$((busy_errors+1))
                sleep 0.5
        done
        # Read at once: 3 s after the last call the service exits when idle.
        wts2=$(prop WatchdogTimestampMonotonic) wpid2=$(prop MainPID) restarts2=$(prop NRestarts)
        journalctl -b -u resource1d.service -q --no-pager | grep -Ei "notification|watchdog" > /tmp/notify.log
        note "kept busy $(since "$start") s: pid $wpid -> $wpid2, last ping $wts -> $wts2 (us), errors $busy_errors, NRestarts $restarts -> $restarts2"
        while read -r l; do note "journal: $l"; done < /tmp/notify.log
        note "watchdog: $(wc -l < /tmp/notify.log) journal line(s) about notifications"
        check "its watchdog pings get through the sandbox: alive past WatchdogSec under calls, pinging, nothing refused" \
              '[ "$wd" -gt 0 ] && [ "$wpid2" = "$wpid" ] && [ "$restarts2" = "$restarts" ] &&
               [ "$wts2" -gt "$wts" ] && [ "$busy_errors" = 0 ] && [ ! -s /tmp/notify.log ]'
}

s_users() {
        # an unprivileged user the example rule names raises its NOFILE hard limit
        as gamer resourcectl --no-ask-password run --limit NOFILE=65536:1048576 -- \
                sh -c 'grep "^Max open files" /proc/self/limits' > /tmp/gamer.out 2>&1
        note "gamer: $(cat /tmp/gamer.out)"
        check "a user the polkit rule allows raises its NOFILE hard limit with resourcectl run" \
              'grep -Eq "^Max open files +65536 +1048576 " /tmp/gamer.out'
        # the same from Python: resource1 (installed into the system's site directory),
        # its own process, the example rule granting, the service's CAP_SYS_RESOURCE acting
        py='import resource1 as resource; soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE); '
        py+='resource.setrlimit(resource.RLIMIT_NOFILE, (soft, 1048576)); print(*resource.getrlimit(resource.RLIMIT_NOFILE), hard)'
        as gamer python3 -c "$py" > /tmp/gamer-py.out 2>&1
        note "gamer, Python: $(tr '\n' ' ' < /tmp/gamer-py.out)"
        check "that user's Python raises its own NOFILE hard limit (resource1.setrlimit, the example rule)" \
              'read -r s h before < /tmp/gamer-py.out && [ "$h" = 1048576 ] && [ "$before" -lt 1048576 ]'

        as plain prlimit --nofile=1024:4096 -- resourcectl --no-ask-password run --limit NOFILE=65536:1048576 -- \
                sh -c 'grep "^Max open files" /proc/self/limits' > /tmp/plain.out 2>&1
        status=$?
        note "plain: status $status: $(cat /tmp/plain.out)"
        check "a user the rule does not name is refused (exit 3), nothing runs" \
              '[ $status = 3 ] && grep -Eq "InteractiveAuthorization|needs authentication|polkit refused" /tmp/plain.out && ! grep -q "^Max open files" /tmp/plain.out'

        # manage-other: a session manager changes another user's process; plain cannot
        as plain sleep 600 & victim=$!
        as sessmgr sleep 600 & manager_proc=$!
        sleep 0.5
        as sessmgr resourcectl --no-ask-password set --pid "$victim" NOFILE 256:512 > /tmp/sessmgr.out 2>&1
        note "sessmgr: $(cat /tmp/sessmgr.out)"
        check "a privileged session manager sets another user's process's limits" '[ "$(limit_of $victim)" = "256 512" ]'
        before=$(limit_of "$manager_proc")
        as plain resourcectl --no-ask-password set --pid "$manager_proc" NOFILE 16:32 > /tmp/plain2.out 2>&1
        status=$?
        check "an unprivileged user cannot (exit 3), nothing changed" '[ $status = 3 ] && [ "$(limit_of $manager_proc)" = "$before" ]'

        # a user's own change, made by a short-lived process with the user's ids
        # (clone, setresuid, capset, prlimit) under the unit's sandbox and syscall filter
        # (setpriv itself, not the "as" function: a function in the background runs in
        # a subshell of root's, whose pid $! would be)
        setpriv --reuid=plain --regid="$(id -g plain)" --init-groups prlimit --nofile=1024:4096 sleep 600 & own=$!
        sleep 0.3
        # (--service: resourcectl would make this change itself, resourcectl(1))
        as plain resourcectl --service --no-ask-password set --pid "$own" NOFILE 100:200 > /tmp/own.out 2>&1
        status=$?
        note "plain's own change: status $status: $(cat /tmp/own.out)"
        check "an unprivileged user lowers its own process's limits (acting process under the sandbox)" \
              '[ $status = 0 ] && [ "$(limit_of $own)" = "100 200" ]'
        kill "$own" 2>/dev/null

        # root raises a hard limit: the success path the development machines cannot show
        sleep 600 & rootchild=$!
        sleep 0.2
        # (--service: root's CAP_SYS_RESOURCE would let resourcectl make it itself)
        resourcectl --service set --pid "$rootchild" NOFILE 4096:1048576 > /tmp/root.out 2>&1
        note "root: $(cat /tmp/root.out)"
        check "root raises a hard limit (the kernel agrees: CAP_SYS_RESOURCE)" '[ "$(limit_of $rootchild)" = "4096 1048576" ]'
        kill "$victim" "$manager_proc" "$rootchild" 2>/dev/null
}

# The example rules (issue 27) as an administrator installs them: copied
# from the package's examples into /etc/polkit-1/rules.d. polkitd reloads its
# rules when the directory changes (inotify): wait_reload waits for its
# journal line after the change, at most 5 s.
examples=/usr/share/doc/resource1d/examples rules_d=/etc/polkit-1/rules.d
loaded() { journalctl -b -q --no-pager -u polkit.service | grep -c "Finished loading, compiling and executing"; }
wait_reload() {
        local end=$((SECONDS + 5))
        while [ $SECONDS -lt $end ]; do [ "$(loaded)" -gt "$1" ] && return 0; sleep 0.1; done
        note "rules: polkitd logged no reload within 5 s"
}

s_rules() {
        # The games example rule (issue 27), installed, tried with real users
        # and the service's CAP_SYS_RESOURCE acting, and removed again (the
        # audio rule: s_audio).
        local ex=$examples d=$rules_d
        # A stand-in for the game Steam starts (%command%): it prints its own limit.
        printf '#!/bin/sh\necho "GAME pid $$ $(grep "^Max open files" /proc/$$/limits)"\n' > /tmp/r1-game
        chmod 755 /tmp/r1-game
        # From a hard limit of 4096, so that each value asked is a raise.
        game() {
                as "$1" prlimit --nofile=1024:4096 -- resourcectl --no-ask-password run --limit "NOFILE=$2" -- /tmp/r1-game \
                        > "/tmp/rules-$1-$2.out" 2>&1
        }

        # Before the rule: a gamers member is refused (so the rule is what grants below).
        game steamer 1048576
        status=$?
        note "rules: steamer before the games rule: status $status: $(tr '\n' ' ' < /tmp/rules-steamer-1048576.out)"
        check "rules: without the games rule a gamers member is refused NOFILE 1048576 (exit 3)" \
              '[ $status = 3 ] && ! grep -q "^GAME" /tmp/rules-steamer-1048576.out'

        n0=$(loaded)
        install -m 644 "$ex/50-resource1-games-example.rules" "$d/"
        wait_reload "$n0"

        # steamer in a login session (login -f on a tmux pane) types the Steam
        # launch option's line, the stand-in launcher as %command%.
        rp() { tmux capture-pane -p -J -t rules -S -50 2>/dev/null; }
        tmux -u new-session -d -s rules -x 220 -y 50 "login -f steamer"
        for _ in $(seq 100); do rp | grep -q '\$ *$' && break; sleep 0.2; done
        # First explain --to 1048576: the service's answers for the shell, with
        # CAP_SYS_RESOURCE and the rule (the development machines show no "yes" to a hard raise).
        tmux send-keys -t rules -l -- 'ulimit -Sn 1024; ulimit -Hn 4096; resourcectl explain --json --to 1048576 NOFILE > /tmp/rules-explain.json 2>&1; resourcectl --no-ask-password run --limit NOFILE=1048576 -- /tmp/r1-game > /tmp/rules-session.out 2>&1; echo "R1RULES=$? session=$XDG_SESSION_ID"' &&
                tmux send-keys -t rules Enter
        for _ in $(seq 100); do rp | grep -q '^R1RULES=' && break; sleep 0.2; done
        note "rules: steamer's session: $(rp | grep '^R1RULES=' | tail -1); $(tr '\n' ' ' < /tmp/rules-session.out)"
        tmux kill-server 2>/dev/null
        note "rules: steamer's explain --to 1048576: $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["raise"])' /tmp/rules-explain.json 2>&1 | head -c 600)"
        check "rules: before it, resourcectl explain --to 1048576 NOFILE in the session: the service answers soft yes (no action), hard yes (raise-hard-limit, the games rule)" \
              'python3 - /tmp/rules-explain.json <<"PY"
import json, sys
r = json.load(open(sys.argv[1]))["raise"]
assert r["soft"] == {"to": 4096, "request": {"soft": 4096, "hard": 4096}, "answer": "yes", "action": "", "error": None}, r
assert r["hard"] == {"to": 1048576, "request": {"soft": 1024, "hard": 1048576}, "answer": "yes",
                     "action": "org.example.resource1.raise-hard-limit", "error": None}, r
PY'
        check "rules: a gamers member, in a login session, starts a game with resourcectl run --limit NOFILE=1048576 -- %command%: the game has 1048576:1048576" \
              'rp_line=$(grep "^GAME pid" /tmp/rules-session.out) && echo "$rp_line" | grep -Eq "Max open files +1048576 +1048576 "'
        game steamer 524288
        game steamer 600000
        status=$?
        check "rules: a gamers member gets 524288 too, and is refused 600000 (exit 3), a value the rule does not name" \
              'grep -Eq "^GAME pid .*Max open files +524288 +524288 " /tmp/rules-steamer-524288.out &&
               [ $status = 3 ] && ! grep -q "^GAME" /tmp/rules-steamer-600000.out'
        game plain 1048576
        status=$?
        note "rules: plain: status $status: $(tr '\n' ' ' < /tmp/rules-plain-1048576.out)"
        check "rules: a user outside gamers is refused NOFILE 1048576 (exit 3), the game never runs" \
              '[ $status = 3 ] && ! grep -q "^GAME" /tmp/rules-plain-1048576.out'

        n0=$(loaded)
        rm -f "$d/50-resource1-games-example.rules"
        wait_reload "$n0"
        game steamer 1048576
        status=$?
        check "rules: removed again, the gamers member is refused once more (exit 3)" \
              '[ $status = 3 ] && ! grep -q "^GAME" /tmp/rules-steamer-1048576.out'
}

s_audio() {
        # The audio example rule (issue 27) with musician (group audio) in a
        # real login session, as steamer's in s_rules: login -f on a tmux pane
        # (a logind session: polkit's subject is an active local one), where
        # a script is typed that starts the stand-in of a realtime audio
        # program with resourcectl run, as the rule's comment says, with and
        # without a finite RTTIME in the batch; first before the rule is
        # installed (refused: the rule is what grants), then with it.
        # The stand-in prints its session's cgroup and its limits.
        printf '%s\n' '#!/bin/sh' \
                'lim() { grep "^$1 " /proc/$$/limits | sed "s/^$1 *//" | awk "{print \$1, \$2}"; }' \
                'echo "AUDIO pid $$ $(grep -o "session-[0-9]*\.scope" /proc/$$/cgroup) limits $(lim "Max realtime priority") / $(lim "Max locked memory") / $(lim "Max realtime timeout")"' \
                > /tmp/r1-audio
        # What musician types: each batch once, its exit status and output in /tmp/audio-PHASE-CASE.
        printf '%s\n' 'phase=$1' \
                'try() { c=$1; shift; resourcectl --no-ask-password run "$@" -- /tmp/r1-audio > /tmp/audio-$phase-$c.out 2>&1; echo "status $?" >> /tmp/audio-$phase-$c.out; }' \
                'try rttime --limit RTTIME=200000 --limit RTPRIO=95 --limit MEMLOCK=unlimited' \
                'try none --limit RTPRIO=95 --limit MEMLOCK=unlimited' \
                'try long --limit RTTIME=500000 --limit RTPRIO=95 --limit MEMLOCK=unlimited' \
                'try rtprio99 --limit RTTIME=200000 --limit RTPRIO=99 --limit MEMLOCK=unlimited' \
                'resourcectl explain --json --to 95 RTPRIO > /tmp/audio-$phase-explain.json 2>&1' \
                'echo "R1AUDIO=$phase session=$XDG_SESSION_ID"' > /tmp/r1-audio-session
        chmod 755 /tmp/r1-audio /tmp/r1-audio-session
        rm -f /tmp/audio-*.out
        ap() { tmux capture-pane -p -J -t audio -S -50 2>/dev/null; }
        audio_type() {
                tmux send-keys -t audio -l -- "sh /tmp/r1-audio-session $1" && tmux send-keys -t audio Enter
                for _ in $(seq 150); do ap | grep -q "^R1AUDIO=$1 " && return 0; sleep 0.2; done
                note "audio: no R1AUDIO=$1 line within 30 s: $(ap | tail -3 | tr '\n' ' ')"
        }
        # "AUDIO ..." of a case, or nothing; and its exit status.
        audio_line() { grep "^AUDIO pid" "/tmp/audio-$1.out"; }
        audio_status() { sed -n 's/^status //p' "/tmp/audio-$1.out"; }
        refused() { [ "$(audio_status "$1")" = 3 ] && ! audio_line "$1" > /dev/null; }

        tmux -u new-session -d -s audio -x 220 -y 50 "login -f musician"
        for _ in $(seq 100); do ap | grep -q '\$ *$' && break; sleep 0.2; done
        audio_type before
        sess=$(ap | sed -n 's/^R1AUDIO=before session=\([0-9][0-9]*\)$/\1/p' | tail -1)
        note "audio: musician's session: ${sess:-none}: $(loginctl show-session "${sess:-0}" -p Name -p Type -p Class -p Active -p Remote -p TTY 2>&1 | tr '\n' ' ')"
        note "audio: before the rule: $(cat /tmp/audio-before-rttime.out | tr '\n' ' ')"
        check "audio: musician is in a logind session of its own (active, local, class user)" \
              '[ -n "$sess" ] && [ "$(loginctl show-session "$sess" -P Name)" = musician ] &&
               [ "$(loginctl show-session "$sess" -P Active)" = yes ] && [ "$(loginctl show-session "$sess" -P Remote)" = no ] &&
               [ "$(loginctl show-session "$sess" -P Class)" = user ]'
        check "audio: without the audio rule, in that session, RTTIME 200000 RTPRIO 95 MEMLOCK unlimited is refused (exit 3), nothing runs" \
              'refused before-rttime'

        n0=$(loaded)
        install -m 644 "$examples/50-resource1-audio-example.rules" "$rules_d/"
        wait_reload "$n0"
        audio_type after
        for c in rttime none long rtprio99; do note "audio: with the rule, $c: $(tr '\n' ' ' < "/tmp/audio-after-$c.out")"; done
        check "audio: with the rule, in the session, resourcectl run --limit RTTIME=200000 --limit RTPRIO=95 --limit MEMLOCK=unlimited: the program runs in session-$sess.scope with RTPRIO 95:95, MEMLOCK unlimited, RTTIME 200000" \
              '[ "$(audio_status after-rttime)" = 0 ] &&
               audio_line after-rttime | grep -q "^AUDIO pid [0-9]* session-$sess\.scope limits 95 95 / unlimited unlimited / 200000 200000$"'
        check "audio: the same RTPRIO and MEMLOCK without RTTIME in the batch: refused (exit 3), nothing runs" 'refused after-none'
        check "audio: with RTTIME 500000, above the rule's 200000: refused (exit 3), nothing runs" 'refused after-long'
        check "audio: RTPRIO 99, above the rule's 95: refused (exit 3), nothing runs" 'refused after-rtprio99'
        # explain asks each side alone: RTPRIO's hard raise without RTTIME is not the
        # rule's, so the session's default answers (auth_admin_keep: challenge).
        note "audio: musician's explain --to 95 RTPRIO: $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["raise"])' /tmp/audio-after-explain.json 2>&1 | head -c 600)"
        check "audio: resourcectl explain --to 95 RTPRIO in the session: the hard raise asked alone is challenge (raise-hard-limit), the soft one not asked (at the hard limit)" \
              'python3 - /tmp/audio-after-explain.json <<"PY"
import json, sys
r = json.load(open(sys.argv[1]))["raise"]
assert r["soft"] is None and r["hard"]["request"] == {"soft": 0, "hard": 95}, r
assert (r["hard"]["answer"], r["hard"]["action"]) == ("challenge", "org.example.resource1.raise-hard-limit"), r
PY'
        tmux kill-session -t audio 2>/dev/null

        # A user outside audio, the same batch (no session needed to be refused).
        setpriv --reuid=plain --regid="$(id -g plain)" --init-groups sleep 600 & plains=$!
        sleep 0.3
        rt_of() { grep -E "^Max (realtime priority|locked memory|realtime timeout) " "/proc/$1/limits" | tr -s ' ' | tr '\n' ' '; }
        before=$(rt_of "$plains")
        as plain resourcectl --no-ask-password set --pid "$plains" RTTIME 200000 RTPRIO 95 MEMLOCK unlimited > /tmp/rules-audio3.out 2>&1
        status=$?
        check "audio: a user outside audio is refused the same batch (exit 3), nothing changed" \
              '[ $status = 3 ] && [ "$(rt_of "$plains")" = "$before" ]'
        kill "$plains" 2>/dev/null

        n0=$(loaded)
        rm -f "$rules_d/50-resource1-audio-example.rules"
        wait_reload "$n0"
}

# The bus policy's descriptor rules (policy/org.example.Resource1.conf, its
# "mandatory" context, which binds root too): the bus refuses a descriptor
# sent to org.example.Resource1, and at org.example.Resource1.Pidfd
# anything but exactly one with a *Pidfd method (min_fds, max_fds), before
# the service sees it. fd-call (tests/vm/fd-call.py, jeepney: Debian 12's
# busctl sends no descriptor) sends N of them as "h" arguments: the bus goes
# by the message's descriptor count, interface and member, not by the
# method's signature.
fd_call() { # USER DEST METHOD N: "ok", or "ERROR NAME: TEXT (from SENDER)"
        as "$1" /usr/local/lib/resource1-vmtest/fd-call "$2" "$3" "$4" 2>&1 | tail -1
}
# Refused by the bus itself, as its policy says.
bus_denied() { [[ "$1" == "ERROR org.freedesktop.DBus.Error.AccessDenied: "*" (from org.freedesktop.DBus)" ]]; }
s_fdpolicy() {
        local G=org.example.Resource1.Pidfd main_root main_plain gate_other gate_two gate_root gate_plain stopped
        call PageSize >/dev/null
        main_root=$(fd_call root org.example.Resource1 PageSize 1)
        main_plain=$(fd_call plain org.example.Resource1 ListRlimits 1)
        note "root's PageSize with a descriptor: $main_root"
        note "plain's ListRlimits with a descriptor: $main_plain"
        check "a descriptor sent to org.example.Resource1, by root or by plain: AccessDenied by the bus (mandatory deny, min_fds=1)" \
              'bus_denied "$main_root" && bus_denied "$main_plain"'
        call PageSize >/dev/null
        gate_other=$(fd_call root $G ListRlimits 1)
        note "root's ListRlimits with a descriptor at $G: $gate_other"
        check "at $G, one descriptor with a method that is not a *Pidfd one (root's ListRlimits): AccessDenied by the bus" \
              'bus_denied "$gate_other"'
        call PageSize >/dev/null
        gate_two=$(fd_call root $G PrlimitPidfd 2)
        note "root's PrlimitPidfd with two descriptors at $G: $gate_two"
        check "at $G, PrlimitPidfd with two descriptors (root): AccessDenied by the bus (the max_fds=1 allow does not match)" \
              'bus_denied "$gate_two"'
        # One real pidfd (rcall, GDBus) of a process of plain's: answered.
        setpriv --reuid=plain --regid="$(id -g plain)" --init-groups sleep 60 & fd_target=$!
        sleep 0.3
        call PageSize >/dev/null
        gate_root=$(RCALL_DEST=$G /usr/local/lib/resource1-vmtest/flatpak/rcall --pidfd-of "$fd_target" PrlimitPidfd '(hsbtt)' \
                "(handle 0, 'NOFILE', false, 0, 0)" 2>&1)
        gate_plain=$(as plain env RCALL_DEST=$G /usr/local/lib/resource1-vmtest/flatpak/rcall --pidfd-of "$fd_target" PrlimitPidfd \
                '(hsbtt)' "(handle 0, 'NOFILE', false, 0, 0)" 2>&1)
        kill "$fd_target" 2>/dev/null
        note "PrlimitPidfd with one pidfd at $G: root: $(head -c 100 <<< "$gate_root"); plain: $(head -c 100 <<< "$gate_plain")"
        check "at $G, PrlimitPidfd with one pidfd, by root and by plain: answered (the limits read)" \
              'grep -q "^OK" <<< "$gate_root" && grep -q "^OK" <<< "$gate_plain"'
        # The service stopped: the call that would activate it carries a descriptor.
        systemctl stop resource1d.service
        stopped=$(fd_call plain org.example.Resource1 PageSize 1)
        note "plain's PageSize with a descriptor to the stopped service: $stopped; the service now: $(systemctl is-active resource1d.service)"
        check "a descriptor in the call that would activate the service: AccessDenied by the bus" 'bus_denied "$stopped"'
}

s_password() {
        # A password typed at a terminal (issue 12): tester logs in on a terminal
        # (login on a tmux pane: a logind session of its own), and in its shell runs
        # "resourcectl set NOFILE :N" to raise the shell's own hard limit (lowered
        # to 4096 first, as a user may; 8192 is asked). A rule
        # answers AUTH_SELF; resourcectl starts pkttyagent, which prompts on the
        # terminal; the password is typed. A wrong one first: refused, nothing changed;
        # then the right one: the shell's hard limit is raised (seen in /proc).
        pane() { tmux capture-pane -p -J -t auth -S -300 2>/dev/null; }
        # What the pane showed from the line typed with marker $1 on.
        since_typed() { pane | awk -v m="$1" 'index($0, m) { p = 1 } p && NF'; }
        pane_wait() { # extended regex, count, seconds: until the pane shows it that many times
                local end=$((SECONDS + $3))
                while [ $SECONDS -lt $end ]; do [ "$(pane | grep -Ec -- "$1")" -ge "$2" ] && return 0; sleep 0.3; done
                return 1
        }
        type_line() { tmux send-keys -t auth -l -- "$1" && tmux send-keys -t auth Enter; }
        tmux -u new-session -d -s auth -x 220 -y 50 "login -f tester"
        pane_wait '\$ *$' 1 60
        # A user lowers its own hard limit freely; raising it back needs polkit.
        type_line 'ulimit -Sn 1024; ulimit -Hn 4096; echo "R1SHELL $$ session=$XDG_SESSION_ID hard=$(ulimit -Hn)"'
        pane_wait '^R1SHELL [0-9]+ ' 1 20
        read -r _ shell sess hard0 < <(pane | grep -E '^R1SHELL [0-9]+ ' | tail -1 | sed 's/session=//; s/hard=//')
        note "tester's login shell: pid $shell, session $sess, NOFILE $(limit_of "$shell"); logind: $(loginctl show-session "$sess" -p Type -p Class -p Active -p Remote -p TTY 2>&1 | tr '\n' ' ')"
        raise=$((hard0 * 2))
        type_line "resourcectl set NOFILE :$raise; echo \"R1STATUS=\$?\""
        pane_wait 'Password: *$' 1 60 && type_line "not-the-password"
        pane_wait '^R1STATUS=' 1 60
        since_typed 'R1STATUS=$?' > /tmp/auth1.pane
        while read -r l; do note "pane: $l"; done < /tmp/auth1.pane
        check "a wrong password typed at pkttyagent's prompt, in tester's login session: refused (exit 3), its shell's NOFILE unchanged" \
              'grep -q "AUTHENTICATING FOR org.example.resource1.raise-hard-limit" /tmp/auth1.pane && grep -q "Authenticating as: .*tester" /tmp/auth1.pane &&
               grep -q "polkit refused" /tmp/auth1.pane && grep -q "^R1STATUS=3" /tmp/auth1.pane && [ "$(limit_of "$shell" | cut -d" " -f2)" = "$hard0" ]'
        type_line "resourcectl set NOFILE :$raise; echo \"R2STATUS=\$?\"; ulimit -Hn"
        pane_wait 'Password: *$' 2 60 && type_line "r1-vm-secret"
        pane_wait '^R2STATUS=' 1 60
        sleep 0.5
        since_typed 'R2STATUS=$?' > /tmp/auth2.pane
        while read -r l; do note "pane: $l"; done < /tmp/auth2.pane
        note "tester's shell now: NOFILE $(limit_of "$shell")"
        check "the right password: the hard limit of tester's login shell is raised to $raise (in /proc), resourcectl saying which process it changed" \
              'grep -q "Set limits of pid $shell (bash), resourcectl.s parent process" /tmp/auth2.pane && grep -q "^R2STATUS=0" /tmp/auth2.pane &&
               grep -Eq "^NOFILE: [0-9]+:$hard0 (->|→) [0-9]+:$raise$" /tmp/auth2.pane && grep -qx "$raise" /tmp/auth2.pane &&
               [ "$(limit_of "$shell" | cut -d" " -f2)" = "$raise" ]'
        journalctl -b -q --no-pager -u polkit.service | grep -Ei "tester|authentication agent|resource1" | tail -6 | while read -r l; do note "polkit: $l"; done
        tmux kill-server 2>/dev/null
}

s_race() {
        # Issue #1: polkit's yes must not land on a target that became setuid-root
        # while polkit decided. gamer (the example rule's group) raises the NOFILE
        # hard limit of its own child; the test rule 40-resource1-vmtest-race.rules,
        # for soft 4242, runs race-helper, which lets the child (blocked on the FIFO)
        # exec the setuid-root suid-wait and answers yes once its euid is 0. The
        # service must refuse (the ids changed), the limits must stay 1024:4096.
        fifo=/run/resource1-vmtest/race.fifo
        mkdir -p /run/resource1-vmtest
        rm -f "$fifo"
        mkfifo -m 0620 "$fifo"
        chown gamer:polkitd "$fifo"     # the child reads it, polkitd's helper writes it
        note "polkitd runs as $(ps -o user= -C polkitd | head -1)"
        # The service running (idle timeout 3 s here) before busctl connects: a
        # connection older than the service (the one whose call activates it) has
        # its pid numbers refused, the service not having seen it appear.
        call PageSize >/dev/null
        as gamer prlimit --nofile=1024:4096 -- sh -c '
                sh -c "read go < $1; exec $2" &
                echo "child $!" >&2
                SYSTEMD_LOG_LEVEL=debug timeout 40 busctl --timeout=30 call org.example.Resource1 /org/example/Resource1 \
                        org.example.Resource1 Prlimit usbtt "$!" NOFILE true 4242 8192
                echo "busctl status $?" >&2' _ "$fifo" /usr/local/lib/resource1-vmtest/suid-wait > /tmp/race.out 2> /tmp/race.err
        race_child=$(sed -n 's/^child //p' /tmp/race.err)
        race_euid=$(euid_of "$race_child")
        race_limits=$(limit_of "$race_child")
        note "race: child $race_child, its Uid line now: $(grep "^Uid:" "/proc/$race_child/status" 2>/dev/null), NOFILE now: $race_limits"
        note "race: reply: $(cat /tmp/race.out)"
        grep -E "^busctl status|^Call failed|type=error" /tmp/race.err | while read -r l; do note "race: $l"; done
        journalctl -b -q --no-pager -u resource1d.service -u polkit.service | grep -E "pid $race_child|race" | tail -5 |
                while read -r l; do note "race journal: $l"; done
        check "(#1) a polkit-approved raise does not land on a target that became setuid-root meanwhile: PermissionDenied, ids changed, limits unchanged" \
              '[ "$race_euid" = 0 ] && grep -q "error-name=org.example.Resource1.Error.PermissionDenied" /tmp/race.err &&
               grep -q "ids changed" /tmp/race.err && [ "$race_limits" = "1024 4096" ]'
        [ -n "$race_child" ] && kill -KILL "$race_child" 2>/dev/null
}

s_sandbox() {
        # the sandbox
        score=$(systemd-analyze security resource1d.service 2>/dev/null | awk '/Overall exposure level/ {print $(NF-2)}')
        systemd-analyze security resource1d.service 2>/dev/null | grep -E '✗|Overall' | head -40 | while read -r l; do note "$l"; done
        note "exposure score: $score"
        check "systemd-analyze security exposure score ${score:-none}, at most 1.5" \
              '[ -n "$score" ] && awk -v s="$score" "BEGIN { exit !(s <= 1.5) }"'
        # (running before this connection is made, as above)
        call PageSize >/dev/null
        check "the service works under its sandbox" 'call ListRlimits u 1 >/dev/null'

        # Least privilege: the system user resource1, with exactly the capabilities
        # it uses (effective, permitted and ambient, and nothing more to gain).
        # Read at once into a file: the service may exit when idle (3 s here).
        call PageSize >/dev/null
        mpid=$(prop MainPID)
        cat "/proc/$mpid/status" > /tmp/daemon-status 2>/dev/null
        ids_of() { awk -v k="$1:" '$1 == k { print $2, $3, $4, $5 }' /tmp/daemon-status; }
        cap_of() { awk -v k="$1:" '$1 == k { print $2 }' /tmp/daemon-status; }
        mapfile -t cap_names < <(setpriv --list-caps)
        want=0
        for c in sys_resource setuid setgid sys_ptrace kill; do
                for i in "${!cap_names[@]}"; do [ "${cap_names[$i]}" = "$c" ] && want=$(( want | (1 << i) )); done
        done
        want=$(printf '%016x' "$want")
        ruid=$(id -u resource1) rgid=$(id -g resource1)
        note "daemon pid $mpid: Uid $(ids_of Uid), Gid $(ids_of Gid) (resource1: $ruid $rgid); Groups $(awk '$1 == "Groups:"' /tmp/daemon-status | cut -f2)"
        note "daemon pid $mpid: CapEff $(cap_of CapEff) CapPrm $(cap_of CapPrm) CapAmb $(cap_of CapAmb) CapBnd $(cap_of CapBnd) CapInh $(cap_of CapInh) (want $want: CAP_SYS_RESOURCE CAP_SETUID CAP_SETGID CAP_SYS_PTRACE CAP_KILL)"
        check "the service runs as the system user resource1: real, effective, saved and filesystem uids and gids" \
              '[ "$ruid" != 0 ] && [ "$(ids_of Uid)" = "$ruid $ruid $ruid $ruid" ] && [ "$(ids_of Gid)" = "$rgid $rgid $rgid $rgid" ]'
        check "its capabilities, effective, permitted, ambient and bounding, are exactly CAP_SYS_RESOURCE, CAP_SETUID, CAP_SETGID, CAP_SYS_PTRACE and CAP_KILL" \
              '[ "$(cap_of CapEff)" = "$want" ] && [ "$(cap_of CapPrm)" = "$want" ] && [ "$(cap_of CapAmb)" = "$want" ] &&
               [ "$(cap_of CapBnd)" = "$want" ]'

        # Usage as the service reads it as resource1: /proc/PID/io is its owner's
        # alone (0400), and the service holds no CAP_DAC_READ_SEARCH.
        setpriv --reuid=plain --regid="$(id -g plain)" --init-groups sleep 600 & usage_target=$!
        sleep 0.3
        call GetRusage us "$usage_target" self > /tmp/usage-root.out 2>&1
        as plain busctl call "${B[@]}" GetRusage us 0 self > /tmp/usage-own.out 2>&1
        note "usage of plain's $usage_target as root: $(head -c 160 /tmp/usage-root.out); plain's own: $(head -c 160 /tmp/usage-own.out)"
        check "root reads the usage of another user's process, and a user its own (/proc/PID/io, mode 0400, read as its owner)" \
              'grep -q "ru_inblock" /tmp/usage-root.out && grep -q "ru_inblock" /tmp/usage-own.out'

        # The system's /proc, whose hidepid= the service applies to its callers: not
        # a /proc of the unit's own (no ProcSubset=, no ProtectProc=), and it sees
        # every process there through CAP_SYS_PTRACE.
        sleep 600 & hidden=$!
        proc_opts() { awk '$5 == "/proc" { print $NF }' "/proc/$1/mountinfo" 2>/dev/null | tr '\n' ' '; }
        call PageSize >/dev/null
        hpid=$(prop MainPID)
        mount -o remount,hidepid=invisible /proc
        remounted=$?
        sleep 1.2   # the service reads a remount made in another mount namespace within a second
        as plain busctl call "${B[@]}" ListRlimits u "$hidden" > /tmp/hide-plain.out 2>&1
        call ListRlimits u "$usage_target" > /tmp/hide-root.out 2>&1
        as plain busctl call "${B[@]}" ListRlimits u "$usage_target" > /tmp/hide-own.out 2>&1
        note "hidepid=invisible (remount status $remounted): this shell's /proc: $(proc_opts self); the daemon's (pid $hpid, now $(prop MainPID)): $(proc_opts "$hpid")"
        note "hidepid=invisible: plain on root's $hidden: $(head -c 120 /tmp/hide-plain.out); root on plain's: $(head -c 60 /tmp/hide-root.out); plain on its own: $(head -c 60 /tmp/hide-own.out)"
        journalctl -b -q --no-pager -u resource1d.service | grep -i "hidepid\|mount" | tail -3 | while read -r l; do note "hidepid journal: $l"; done
        mount -o remount,hidepid=off /proc
        check "/proc remounted hidepid=invisible: the service hides root's process from plain, and sees every process itself" \
              'grep -q "no such process" /tmp/hide-plain.out && grep -q "NOFILE" /tmp/hide-root.out && grep -q "NOFILE" /tmp/hide-own.out'
        kill "$usage_target" "$hidden" 2>/dev/null
}

# restart while clients call: resourcectl pagesize in a loop, from a second
# before "systemctl restart" until 10 calls after it returned
s_restart() {
        local loop errors calls before
        rm -f /tmp/calls
        touch /tmp/calling
        ( while [ -e /tmp/calling ]; do
                if resourcectl --service pagesize >/dev/null 2>&1; then echo .; else echo x; fi
                sleep 0.02
          done ) > /tmp/calls &
        loop=$!
        sleep 1
        systemctl restart resource1d.service
        before=$(wc -l < /tmp/calls)
        for _ in $(seq 300); do [ "$(wc -l < /tmp/calls)" -ge $((before + 10)) ] && break; sleep 0.1; done
        rm -f /tmp/calling
        wait "$loop"
        errors=$(grep -c x /tmp/calls)
        calls=$(wc -l < /tmp/calls)
        note "calls during the restart: $calls, $before before it returned; failed: $errors; the last ten: $(tail -10 /tmp/calls | tr -d '\n')"
        check "systemctl restart while clients call: at most one error, then all answered" \
              '[ "$errors" -le 1 ] && [ "$calls" -ge $((before + 10)) ] && ! tail -10 /tmp/calls | grep -q x'
}

# From s_undo on, a 60 s idle timeout: an idle exit must not race the attack
# and the kills. (Each boot starts with 3 s again.)
long_idle() {
        if grep -q -- "--idle-timeout=3$" /etc/systemd/system/resource1d.service.d/test.conf; then
                sed -i 's/--idle-timeout=3$/--idle-timeout=60/' /etc/systemd/system/resource1d.service.d/test.conf
                systemctl daemon-reload
                systemctl stop resource1d.service
        fi
        call PageSize >/dev/null
        note "now: $(prop ExecStart | grep -o -- "--idle-timeout=[0-9]*")"
}

s_undo() {
        long_idle
        # An undo by pid number (security round three, #1; the security-undo suite's
        # attack, tests/helpers/attack-undo.c), as nobody: its child T has NOFILE 0:H, it asks
        # Prlimit(T, NOFILE, set, S, H) with S:H the daemon's own NOFILE (soft up to
        # hard: made by the acting process with nobody's real uid), SIGSTOPs the
        # acting process, kills T, forks until T's number is next and makes the
        # daemon start a worker thread, which gets it. At the 5 s deadline the daemon
        # must not "undo" anything on that number: its NOFILE stays S:H, it is the
        # same process (MainPID, NRestarts), answering. pid_max is global here
        # (Linux 6.1): lowered to 1024 for the attack, so that a wrap (~700 forks,
        # 0.3-3 ms each under TCG) fits in the 5 s, and put back after.
        attack_undo=/usr/local/lib/resource1-vmtest/attack-undo
        nofile_of() { awk '/^Max open files/ {print $4 ":" $5}' "$1/limits" 2>/dev/null; }
        pid_max_was=$(sysctl -n kernel.pid_max)
        sysctl -q -w kernel.pid_max=1024
        note "undo: kernel.pid_max $pid_max_was -> $(sysctl -n kernel.pid_max) for the attack"
        sleep 600 & undo_root_child=$!
        for round in 1 2 3; do
                call PageSize >/dev/null
                upid=$(prop MainPID) urestarts=$(prop NRestarts) ustart=$(now)
                ujournal=$(journalctl -b -q --no-pager -u resource1d.service | wc -l)
                unofile=$(nofile_of "/proc/$upid")
                # At most 3 attempts: one whose wrap or worker missed T's number shows nothing.
                for attempt in 1 2 3; do
                        timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$attack_undo" attack "$upid" > /tmp/undo.out 2>&1
                        while read -r l; do note "undo $round.$attempt: $l"; done < /tmp/undo.out
                        grep -q "^RESULT stopped=1 took_T=1 " /tmp/undo.out && break
                        grep -q "^WORKERS the daemon has [0-9]* worker threads already" /tmp/undo.out && break
                        [ "$(prop MainPID)" = "$upid" ] || break
                done
                T=$(sed -n 's/^SETUP .* T=\([0-9]*\) .*/\1/p' /tmp/undo.out)
                journalctl -b -q --no-pager -u resource1d.service | tail -n +"$((ujournal + 1))" > /tmp/undo.journal
                grep -v "set NOFILE of pid [0-9]* from " /tmp/undo.journal | tail -8 | while read -r l; do note "undo $round journal: $l"; done
                undone=$( [ -n "$T" ] && grep -F "pid $T" /tmp/undo.journal |
                          sed -E 's/(nothing (was|were|is|to be) (undone|restored)|not (been )?(undone|restored))//g' |
                          grep -Eci "undone|restored|failed to undo|undoing")
                unow=$(nofile_of "/proc/$upid") uother=""
                for t in /proc/"$upid"/task/*; do [ "$(nofile_of "$t")" = "$unofile" ] || uother+="${t##*/}=$(nofile_of "$t") "; done
                upage=$(timeout 10 busctl call "${B[@]}" PageSize 2>&1)
                # a pidfd call (SetRlimitsPidfd: resourcectl names --pid by pidfd; no /proc fallback for set)
                timeout 10 resourcectl --service --quiet set --pid "$undo_root_child" NOFILE "$((900 + round)):" > /tmp/undo-pidfd.out 2>&1
                upidfd=$?
                sleep 0.5
                note "undo $round: daemon pid $upid -> $(prop MainPID), NRestarts $urestarts -> $(prop NRestarts), NOFILE $unofile -> ${unow:-gone}, tasks with other NOFILE: ${uother:-none}; PageSize: $upage; resourcectl set --pid: status $upidfd $(cat /tmp/undo-pidfd.out); round took $(since "$ustart") s"
                # Once the daemon's worker pools are full (the usage, pin and sandbox
                # reads share threads that stay), no new thread of it can take T's
                # number: then the attack cannot be made, and the checks below still
                # hold. The first rounds make it.
                check "undo $round: the attack was made (acting process stopped, T ${T:-?} killed, its number now a thread of the daemon), or the daemon starts no new thread that could take it" \
                      'grep -q "^RESULT stopped=1 took_T=1 " /tmp/undo.out ||
                       { [ "$round" -gt 1 ] && grep -q "^WORKERS the daemon has [0-9]* worker threads already: no new one can start" /tmp/undo.out; }'
                check "undo $round: the caller gets Failed, 'did not finish within 5 s' (or NoSuchProcess, 'exited while the change was made', when the acting process had reported before it was stopped), and the journal says nothing was undone or restored on T (${undone:-no} line(s) do)" \
                      'grep -Eq "^REPLY came after [0-9]* ms: org\.example\.Resource1\.Error\.(Failed: .*did not finish within 5 s|NoSuchProcess: .*the process exited while the change was made)" /tmp/undo.out &&
                       [ -n "$T" ] && [ "$undone" = 0 ]'
                check "undo $round: the daemon's NOFILE and every one of its tasks' stay $unofile" \
                      '[ -n "$unow" ] && [ "$unow" = "$unofile" ] && [ -z "$uother" ]'
                check "undo $round: the daemon is the same process (MainPID $upid, NRestarts $urestarts), answering PageSize and a pidfd call" \
                      '[ "$(prop MainPID)" = "$upid" ] && [ "$(prop NRestarts)" = "$urestarts" ] && [ "$upage" = "t $(getconf PAGESIZE)" ] &&
                       [ "$upidfd" = 0 ] && [ "$(limit_of "$undo_root_child" | cut -d" " -f1)" = "$((900 + round))" ]'
        done
        sysctl -q -w kernel.pid_max="$pid_max_was"
        note "undo: kernel.pid_max back to $(sysctl -n kernel.pid_max)"
        kill "$undo_root_child" 2>/dev/null
}

# Issue #2: a daemon that dies is restarted by systemd itself, and answers
# within WatchdogSec + 5 s.
s_kill() {
        long_idle
        watchdog_sec
        call PageSize >/dev/null
        pid=$(prop MainPID) restarts=$(prop NRestarts) start=$(now)
        kill -KILL "$pid" && wait_restarted "$restarts" "$start" && call PageSize >/dev/null
        status=$?
        took=$(since "$start")
        note "SIGKILL of pid $pid: $(outcome) (NRestarts $restarts -> $(prop NRestarts), pid now $(prop MainPID))"
        check "SIGKILL of the main process: systemd restarts it, PageSize answered within ${recover_s} s ($took s)" \
              '[ $status = 0 ] && awk -v s="$took" -v m="$recover_s" "BEGIN { exit !(s <= m) }"'
}

# Issue #2: a daemon that hangs is aborted by the watchdog and restarted by
# systemd, and answers within WatchdogSec + 5 s.
s_hang() {
        long_idle
        watchdog_sec
        call PageSize >/dev/null
        pid=$(prop MainPID) restarts=$(prop NRestarts) start=$(now)
        timeouts=$(journalctl -b -q --no-pager -u resource1d.service | grep -c "Watchdog timeout")
        kill -STOP "$pid" && wait_restarted "$restarts" "$start" && call PageSize >/dev/null
        status=$?
        took=$(since "$start")
        timeouts2=$(journalctl -b -q --no-pager -u resource1d.service | grep -c "Watchdog timeout")
        journalctl -b -q --no-pager -u resource1d.service | grep -Ei "watchdog|abort|core" | tail -4 | while read -r l; do note "journal: $l"; done
        note "SIGSTOP of pid $pid: $(outcome) (WatchdogSec $wd s; NRestarts $restarts -> $(prop NRestarts), pid now $(prop MainPID))"
        check "SIGSTOP of the main process: the watchdog aborts it, systemd restarts it, PageSize answered within ${recover_s} s ($took s)" \
              '[ $status = 0 ] && [ "$timeouts2" -gt "$timeouts" ] && awk -v s="$took" -v m="$recover_s" "BEGIN { exit !(s <= m) }"'
        # Without a watchdog the stopped daemon would hold the name: free it.
        kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; kill -CONT "$pid"; } 2>/dev/null
}

s_explain() {
        # ---- resourcectl explain (issue 27, item 2): the unit part, under a real systemd ----
        # A transient unit with a LimitNOFILE= of its own: explain finds the unit from
        # the process's cgroup and asks the system manager over D-Bus for the unit's
        # LimitNOFILE= and the manager's DefaultLimitNOFILE=; the unit's process is
        # where the value was set (systemd, pid 1, has another). (explain's only
        # block here; nothing before or after depends on it.)
        systemd-run --quiet --unit=r1-explain-probe -p LimitNOFILE=1000:2000 sleep 300
        explain_probe=$(systemctl show -P MainPID r1-explain-probe.service)
        resourcectl explain --json --pid "$explain_probe" NOFILE > /tmp/explain.json 2>&1
        explain_default="$(systemctl show -P DefaultLimitNOFILESoft):$(systemctl show -P DefaultLimitNOFILE)"
        note "explain: $(head -c 400 /tmp/explain.json)"
        check "resourcectl explain in a unit: r1-explain-probe.service from the cgroup, its LimitNOFILE=1000:2000, DefaultLimitNOFILE=$explain_default, set in the unit's process" \
              'python3 - /tmp/explain.json "$explain_default" "$explain_probe" <<"PY"
import json, sys
d = json.load(open(sys.argv[1]))
v = lambda x: x if x == "infinity" else int(x)
soft, hard = sys.argv[2].split(":")
s = d["systemd"]
u = s["units"][0]
assert s["running"] and u["manager"] == "system" and u["unit"] == "r1-explain-probe.service" and u["error"] is None, s
assert u["limit"] == {"soft": 1000, "hard": 2000} and u["default"] == {"soft": v(soft), "hard": v(hard)}, u
assert (d["soft"], d["hard"]) == (1000, 2000) and d["changed_at"]["pid"] == int(sys.argv[3]), d["chain"]
PY'
        systemctl stop r1-explain-probe.service 2>/dev/null
}

s_flatpak() {
        # Flatpak apps (issue 24): the flatpak suite's own script
        # (tests/client/test-flatpak.sh, installed with its helpers by run.sh), its app
        # started by player from a real login session (login -f on the tmux pane
        # "fp", tests/vm/flatpak-session.sh) through the installed packages: Debian
        # 12's xdg-dbus-proxy and bubblewrap, as `flatpak run` starts them; the
        # example rule for one app (com.valvesoftware.Steam) installed; the service
        # with CAP_SYS_RESOURCE, so the app's raise is made. Its checks are this
        # suite's, named "flatpak: ...".
        fp=/usr/local/lib/resource1-vmtest/flatpak
        fp_pane() { tmux capture-pane -p -J -t fp -S -100 2>/dev/null; }
        tmux -u new-session -d -s fp -x 220 -y 50 "login -f player"
        for _ in $(seq 200); do fp_pane | grep -q '\$ *$' && break; sleep 0.3; done
        tmux send-keys -t fp -l -- 'echo "R1FP session=$XDG_SESSION_ID"' && tmux send-keys -t fp Enter
        for _ in $(seq 100); do fp_pane | grep -q '^R1FP session=[0-9]' && break; sleep 0.2; done
        fp_session=$(fp_pane | sed -n 's/^R1FP session=\([0-9][0-9]*\).*/\1/p' | tail -1)
        note "flatpak: player's login session: ${fp_session:-none}: $(loginctl show-session "${fp_session:-0}" -p Type -p Class -p Active -p TTY 2>&1 | tr '\n' ' ')"
        relay() { # a suite's TAP on stdin: its checks as this suite's, named "$1: ..."
                local l
                while IFS= read -r l; do
                        case $l in
                        "ok "*) check "$1: ${l#ok * - }" true ;;
                        "not ok "*) check "$1: ${l#not ok * - }" false ;;
                        "1..0 # SKIP"*) check "$1: skipped: ${l#1..0 # SKIP }" false ;;
                        "1.."*) ;;
                        *) note "$1: ${l#\# }" ;;
                        esac
                done
        }
        mkdir -p /run/resource1-vmtest
        relay flatpak < <(RESOURCE1_FIXTURE=/run/resource1-vmtest APP_USER=player FP_SESSION=${fp_session:-0} \
                FLATPAK_USER_FUNCS=$fp/flatpak-session.sh RESOURCECTL=/usr/bin/resourcectl RCALL=$fp/rcall \
                FLATPAK_APP_LIB=$fp/flatpak-app-lib PYTHON3=/usr/bin/python3 HELPERS=$fp timeout 120 bash $fp/test-flatpak.sh 2>&1)
        tmux kill-server 2>/dev/null

}

s_packages() {
        # The packages (issue 18), as run.sh installed them with apt: removed, the
        # running service is stopped (the prerm) and gone, and the bus cannot start
        # it any more (the dbus trigger reloads the bus: no reboot); purged, nothing
        # of it is left; installed again, nothing starts it until a call does; and
        # reinstalled while it runs (what an upgrade does), the postinst restarts it.
        debs=/var/cache/resource1-vmtest/debs
        pkgs=(resource1d resourcectl libresource1-1)
        apt_q() { DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends "$@" > /tmp/apt.out 2>&1; }
        # Those of the packages dpkg still knows, each with its state (a removed
        # package with a postrm stays in config-files until purged).
        known() { dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null | grep -v " not-installed$"; }
        call PageSize >/dev/null
        rpid=$(prop MainPID)
        dpkg-query -L "${pkgs[@]}" | while read -r f; do [ -d "$f" ] || echo "$f"; done > /tmp/pkg-files
        note "packages: $(dpkg-query -W -f='${Package} ${Version} ${db:Status-Status}, ' "${pkgs[@]}") $(wc -l < /tmp/pkg-files) files; daemon pid $rpid"
        apt_q remove "${pkgs[@]}"
        removed=$?
        tail -3 /tmp/apt.out | while read -r l; do note "remove: $l"; done
        gone=$(busctl call "${B[@]}" PageSize 2>&1)
        note "after apt-get remove: unit $(systemctl is-active resource1d.service), $(prop LoadState); a call: $gone"
        note "after apt-get remove: pid $rpid $(kill -0 "$rpid" 2>/dev/null && echo alive || echo gone), resource1d processes: $(pgrep -x resource1d | tr '\n' ' ')none else; dpkg knows: $(known | tr '\n' ',')"
        check "apt-get remove: the running daemon is stopped (pid $rpid gone), resource1d and resourcectl gone" \
              '[ $removed = 0 ] && ! active && ! kill -0 "$rpid" 2>/dev/null && ! pgrep -x resource1d >/dev/null &&
               [ ! -e /usr/libexec/resource1d ] && [ ! -e /usr/bin/resourcectl ]'
        check "after the removal the bus cannot start it any more (the activation file gone, no reboot)" \
              'echo "$gone" | grep -Eqi "not activatable|ServiceUnknown|not provided by any" && ! active'
        # apt-get purge refuses a package it does not know at all: only those left.
        left_pkgs=$(known | cut -d" " -f1)
        purged=0
        [ -z "$left_pkgs" ] || { apt_q purge $left_pkgs; purged=$?; tail -2 /tmp/apt.out | while read -r l; do note "purge: $l"; done; }
        left=$(while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done < /tmp/pkg-files)
        state=$(find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked /etc/systemd/system \
                -name "resource1d*" ! -path "*/resource1d.service.d*" 2>/dev/null)
        note "after apt-get purge: dpkg knows: $(known | tr '\n' ' ')none else; files left: ${left:-none}; unit state: ${state:-none}"
        check "apt-get purge leaves nothing: none of the packages' files, dpkg knows none of them, no unit state" \
              '[ $purged = 0 ] && [ -z "$left" ] && [ -z "$(known)" ] && [ -z "$state" ]'
        apt_q install "$debs"/*.deb
        installed=$?
        tail -3 /tmp/apt.out | while read -r l; do note "install: $l"; done
        sleep 1
        check "apt-get install of the .debs again: installed, and the installation starts nothing" \
              '[ $installed = 0 ] && [ "$(known | cut -d" " -f2 | sort -u)" = installed ] && ! active && ! pgrep -x resource1d >/dev/null'
        check "the first call starts it again (the bus knows its activation file, no reboot), resourcectl works" \
              'call PageSize >/dev/null && active && resourcectl --service pagesize >/dev/null'
        rpid=$(prop MainPID)
        apt_q install --reinstall "$debs"/resource1d_*.deb
        reinstalled=$?
        note "reinstalled while running: pid $rpid -> $(prop MainPID), $(systemctl is-active resource1d.service)"
        check "reinstalled while it runs (as an upgrade): the postinst restarts it, a new process answering" \
              '[ $reinstalled = 0 ] && active && [ "$(prop MainPID)" != "$rpid" ] && [ "$(prop MainPID)" != 0 ] && call PageSize >/dev/null'
}

# Debian's own harness (debian/tests, autopkgtest) against the packages as
# installed here (s_packages leaves them installed from the .debs), with
# autopkgtest itself: its "null" virtualisation server (the testbed is this
# machine, with systemd and the system bus, as the tests' isolation-container
# restriction asks), --no-built-binaries (nothing is built: the tests' Depends
# are met by what is installed; there is no network here). Its source tree is
# the project's tracked files (run.sh); dpkg-source (dpkg-dev) unpacks it.
# Last of all: it installs and removes a package of its own.
s_autopkgtest() {
        local status
        rm -rf /tmp/autopkgtest.out
        timeout 300 autopkgtest --no-built-binaries --output-dir=/tmp/autopkgtest.out \
                /usr/local/lib/resource1-vmtest/src/ -- null > /tmp/autopkgtest.log 2>&1
        status=$?
        grep -E "^(ok|FAILED): " /tmp/autopkgtest.log | while read -r l; do note "autopkgtest: smoke: $l"; done
        [ $status = 0 ] || tail -25 /tmp/autopkgtest.log | while read -r l; do note "autopkgtest: $l"; done
        note "autopkgtest: exit status $status; summary: $(tr '\n' ' ' < /tmp/autopkgtest.out/summary 2>/dev/null)"
        check "autopkgtest --no-built-binaries SRC -- null: debian/tests/control's smoke test of the installed packages passes" \
              '[ $status = 0 ] && grep -Eq "^smoke +PASS" /tmp/autopkgtest.out/summary'
}

# The sections, in order; each bus runs every one but those left out on it
# below, each said as a skip with why. The second boot costs the CI's time
# (.ci/run must stay under 20 minutes): on dbus-broker the sections run in
# which the bus takes part in more than carrying a call or two; those whose
# subject is the kernel or systemd, or whose time goes to the flatpak suite's
# sandbox (40 s) or to dpkg (50 s), run on dbus-daemon only.
sections=(bus activation watchdog users rules audio fdpolicy password race sandbox restart undo kill hang explain flatpak packages)
declare -A left_out=(
        [dbus-broker:watchdog]="the watchdog's pings go to systemd (sd_notify), not over the bus; 20 s"
        [dbus-broker:undo]="the undo attack is the kernel's pid reuse and the daemon's threads, one call on the bus; 30 s"
        [dbus-broker:hang]="SIGSTOP: systemd's watchdog, no bus in it; 12 s"
        [dbus-broker:rules]="the example rules are polkit's JavaScript over the details the daemon builds; the bus carries calls as in the users section; 10 s"
        [dbus-broker:explain]="resourcectl explain reads /proc and asks systemd; the bus only carries one property read"
        [dbus-broker:flatpak]="an app behind xdg-dbus-proxy in a pid namespace of its own: what the bus gives the service of its callers the users section shows; 40 s"
        [dbus-broker:packages]="removing, purging and reinstalling them is dpkg's work, the bus's part its reload by dpkg's trigger; 50 s"
)
buses=(dbus-daemon dbus-broker)

# (Names the sections do not use: their variables are global.)
boot_state=/var/lib/resource1-vmtest
mkdir -p "$boot_state"
read -r n failed 2>/dev/null < "$boot_state/counts"
boot=$(( $(cat "$boot_state/boots" 2>/dev/null || echo 0) + 1 ))
echo "$boot" > "$boot_state/boots"
bus=${buses[boot - 1]:-unknown}
# Each boot starts with the 3 s idle timeout (s_undo and later sections set 60 s).
if grep -q -- "--idle-timeout=60$" /etc/systemd/system/resource1d.service.d/test.conf; then
        sed -i 's/--idle-timeout=60$/--idle-timeout=3/' /etc/systemd/system/resource1d.service.d/test.conf
        systemctl daemon-reload
fi
note "boot $boot: the checks on $bus, numbered from $((n + 1)) ($failed failed before)"
for section in "${sections[@]}"; do
        if [ -n "${left_out[$bus:$section]:-}" ]; then
                skip "$section: left out on this bus" "${left_out[$bus:$section]}"
                continue
        fi
        started=$(now)
        "s_$section"
        note "section $section took $(since "$started") s"
done

if [ "$boot" -lt ${#buses[@]} ]; then
        echo "$n $failed" > "$boot_state/counts"
        # The next bus: dbus-broker, made the system bus as an administrator
        # makes it (its unit's Alias=dbus.service; run.sh had disabled it).
        systemctl enable dbus-broker.service > /tmp/enable.out 2>&1
        note "systemctl enable dbus-broker.service: status $? $(tr '\n' ' ' < /tmp/enable.out)"
        sync
        say "reboot"
        systemctl reboot
else
        started=$(now)
        s_autopkgtest
        note "autopkgtest took $(since "$started") s"
        say "1..$n"
        say "done $failed"
        systemctl poweroff
fi
