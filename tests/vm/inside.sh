#!/bin/bash
# Runs inside the VM (resource1-vmtest.service, at boot): checks the
# installed service under systemd with real CAP_SYS_RESOURCE, writes one
# "R1TEST ..." TAP line per check to the serial console, then powers off.
set -u
out=/dev/ttyS0
say() { echo "R1TEST $*" > "$out"; }
n=0 failed=0
check() {
        n=$((n+1))
        if eval "$2"; then say "ok $n - $1"; else say "not ok $n - $1"; failed=$((failed+1)); fi
}
note() { say "# $*"; }
B=(org.example.Resource1 /org/example/Resource1 org.example.Resource1)
call() { busctl call "${B[@]}" "$@"; }
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
active() { [ "$(systemctl is-active resource1d.service)" = active ]; }
wait_inactive() { for _ in $(seq 100); do active || return 0; sleep 0.1; done; return 1; }
limit_of() { grep "^Max open files" "/proc/$1/limits" | awk '{print $4, $5}'; }

say "1..13"

# activation through the unit, nothing started by hand
check "the service is not running before the first call" '! active'
check "a call activates it through its own unit" 'call PageSize >/dev/null && active'
check "CanRaiseHardLimits is true under systemd" \
      '[ "$(busctl get-property "${B[@]}" CanRaiseHardLimits)" = "b true" ]'
check "it exits after its idle timeout (3 s here)" 'sleep 4; wait_inactive'
check "a second call activates it again" 'call PageSize >/dev/null && active'

# an unprivileged user the example rule names raises its NOFILE hard limit
as gamer resourcectl --no-ask-password run --limit NOFILE=65536:1048576 -- \
        sh -c 'grep "^Max open files" /proc/self/limits' > /tmp/gamer.out 2>&1
note "gamer: $(cat /tmp/gamer.out)"
check "a user the polkit rule allows raises its NOFILE hard limit with resourcectl run" \
      'grep -Eq "^Max open files +65536 +1048576 " /tmp/gamer.out'

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

# root raises a hard limit: the success path the development machines cannot show
sleep 600 & rootchild=$!
sleep 0.2
resourcectl set --pid "$rootchild" NOFILE 4096:1048576 > /tmp/root.out 2>&1
note "root: $(cat /tmp/root.out)"
check "root raises a hard limit (the kernel agrees: CAP_SYS_RESOURCE)" '[ "$(limit_of $rootchild)" = "4096 1048576" ]'

# the sandbox
score=$(systemd-analyze security resource1d.service 2>/dev/null | awk '/Overall exposure level/ {print $(NF-2)}')
systemd-analyze security resource1d.service 2>/dev/null | grep -E '✗|Overall' | head -40 | while read -r l; do note "$l"; done
note "exposure score: $score"
check "systemd-analyze security exposure score ${score:-none}, at most 2.0" \
      '[ -n "$score" ] && awk -v s="$score" "BEGIN { exit !(s <= 2.0) }"'
check "the service works under its sandbox" 'call ListRlimits u 1 >/dev/null'

# restart while clients call
errors=0
( for i in $(seq 150); do resourcectl pagesize >/dev/null 2>&1 || echo x; sleep 0.02; done ) > /tmp/errors &
loop=$!
sleep 1
systemctl restart resource1d.service
wait "$loop"
errors=$(wc -l < /tmp/errors)
note "calls failed during the restart: $errors"
check "systemctl restart while clients call: at most one error, then all answered" '[ "$errors" -le 1 ]'

kill "$victim" "$manager_proc" "$rootchild" 2>/dev/null
say "done $failed"
systemctl poweroff
