#!/bin/bash
# Attacks on the change pipeline, each made for real by an unprivileged uid
# (through setpriv) against the fixture's daemon (with-bus.sh, with
# tests/test.rules, the example rule for "games" and
# tests/security-change.rules). TAP output.
#
#   A (#1) a polkit-approved raise must not land on a process that became
#          setuid-root while its check was pending ("ids changed").
#
# Needs SETUID_HOLD (built by tests/meson.build).
set -u
: "${RESOURCE1_FIXTURE:?}" "${POLKITD_PID_FILE:?}" "${SETUID_HOLD:?}"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

fx=$RESOURCE1_FIXTURE
log=$fx/resource1d.log
polkitd=$(cat "$POLKITD_PID_FILE")
GAMES=(setpriv --reuid=5 --regid=60 --clear-groups)      # the example rule's user
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

skip() { n=$((n+1)); echo "ok $n - $1 # SKIP $2"; }
show() { sed 's/^/#   /' "$@"; }

daemon_pid() {
        busctl --system --timeout=2 call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.example.Resource1 2>/dev/null | awk '{print $2}'
}
nofile_line() { grep '^Max open files' "/proc/$1/limits" 2>/dev/null; }
# Waits (at most 5 s) until pid $1's command name is $2: setpriv or prlimit has exec'd it.
wait_comm() {
        for _ in $(seq 500); do [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0; sleep 0.01; done
        return 1
}

# Everything the suite starts is killed when it ends, and neither polkitd nor
# the daemon is left stopped, whatever fails on the way.
started=()
dpid=$(daemon_pid)
cleanup() {
        kill -CONT "$polkitd" 2>/dev/null
        [ -n "$dpid" ] && kill -CONT "$dpid" 2>/dev/null
        for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT

# The helpers, where the unprivileged users can run them whatever the build
# tree's permissions; setuid-hold setuid root. The directory is
# world-writable: polkitd's own user creates attack A's flag file in it.
work=$fx/security
mkdir -m 1777 "$work"
install -m 4755 -o root -g root "$SETUID_HOLD" "$work/setuid-hold"

# Does the fixture's directory honour setuid bits (not mounted nosuid)?
"${NOBODY[@]}" "$work/setuid-hold" &
probe=$!
wait_comm "$probe" setuid-hold
setuid_ok=$(awk '/^Uid:/ {print ($3 == 0)}' "/proc/$probe/status" 2>/dev/null)
kill -KILL "$probe"; wait "$probe" 2>/dev/null

echo "1..4"
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

tap_done
