#!/bin/bash
# resourcectl explain (issue 27, item 2) on real processes in the fixture
# (with-bus.sh), as root and as nobody. TAP output. Needs RESOURCECTL.
#
#   - a chain with a changed ancestor: a shell lowers its NOFILE with prlimit,
#     then starts a child; explain on the child names the shell as where the
#     value was set;
#   - pam_limits: tests/client/explain's limits.conf and limits.d/ bound over
#     /etc/security's (tests/client/explain/mount.sh), a process of each of five
#     users: the lines and the values as tests/client/explain/expected.json says, and
#     as a real pam_limits session (runuser) sets them;
#   - the kernel's ceiling, fs.nr_open; systemd's absence said in one line;
#   - hidepid=invisible (a /proc of the test's own mount namespace): a hidden
#     ancestor of another user's is "not visible to you", and nothing of it
#     (its name, its limits) is shown; a hidden process is no process;
#   - what raising takes, as the service answers it (CanSetRlimits): for root,
#     for users tests/rules/test.rules says yes, auth_admin and no to, for the
#     actions' defaults, on another user's process and on their own; --to;
#     without the service (explain goes on, and says so); and Python's
#     resource1.explain() equal to resourcectl's --json for each of them;
#   - --json parsed by python3 -m json.tool; the command line's errors.
set -u
: "${RESOURCECTL:?}" "${RESOURCE1_FIXTURE:?}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/resourcectl-copy.sh"
export PYTHONDONTWRITEBYTECODE=1

T=$RESOURCE1_FIXTURE/explain
resourcectl_copy "$T" 755
rc() { "$@" >"$T/out" 2>"$T/err"; status=$?; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# json FILE EXPR: EXPR (Python, d the parsed file) is true.
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(" ".join(sys.argv[2].split())) else 1)' "$@"; }
# A failed check shows what the last command printed.
check() {
        n=$((n+1))
        if eval "$2"; then echo "ok $n - $1"; else
                echo "not ok $n - $1"; failed=$((failed+1))
                sed 's/^/# out: /' "$T/out" 2>/dev/null | head -40
                sed 's/^/# err: /' "$T/err" 2>/dev/null | head -10
        fi
}
# Grandchildren (the processes the shells here start) are killed, not waited for.
grandchildren=()
cleanup() {
        [ ${#grandchildren[@]} = 0 ] || kill "${grandchildren[@]}" 2>/dev/null
        kill_started
}
trap cleanup EXIT

# ---- a chain with a changed ancestor
# The shell lowers its own NOFILE (prlimit, from outside), then starts the child.
# (Background processes write nowhere: the TAP stream is read until its
# every writer has gone.)
sh -c 'prlimit --pid $$ --nofile=300:400 && { sleep 600 & echo $! > "$0/child"; wait; }' "$T" >/dev/null 2>&1 &
shell=$!
started+=($shell)
wait_for 5 '[ -s "$T/child" ]'
child=$(cat "$T/child")
grandchildren+=($child)
rc "$R" explain --pid "$child" NOFILE
check "explain on the child of a shell that lowered NOFILE with prlimit: the shell is where it was set" \
      '[ $status = 0 ] && grep -q "^ *Limit: 300:400 files$" "$T/out" &&
       grep -q "^ *Origin: set in pid $shell (sh): " "$T/out" && grep -q "(its parent, pid $$ ($(cat /proc/$$/comm)), has " "$T/out" &&
       grep -Eq "^ +$shell +sh +300 +400  \(set here\)$" "$T/out" && grep -Eq "^ +$child +sleep +300 +400$" "$T/out"'
rc "$R" explain --json --pid "$child" NOFILE
check "... and in --json: the chain child, shell, this script (another value), up to pid 1; changed_at the shell" \
      '[ $status = 0 ] && json "$T/out" "d[\"changed_at\"] == {\"pid\": $shell, \"comm\": \"sh\"} and d[\"origin\"] == \"changed\"
       and [c[\"pid\"] for c in d[\"chain\"][:3]] == [$child, $shell, $$] and d[\"chain\"][-1][\"pid\"] == 1
       and (d[\"chain\"][2][\"soft\"], d[\"chain\"][2][\"hard\"]) != (300, 400) and d[\"chain_end\"] == \"top\""'
check "--json is JSON (python3 -m json.tool), with the keys resourcectl(1) documents" \
      'python3 -m json.tool "$T/out" > /dev/null && json "$T/out" "list(d) == \"resource description units pid comm uid user soft hard chain chain_end origin changed_at systemd pam_limits kernel raise\".split()"'
rc sh -c '"$0" explain --json NOFILE; echo "$$" > "$1/sh"' "$R" "$T"
check "without --pid, resourcectl's parent (the shell it was typed in)" \
      '[ $status = 0 ] && json "$T/out" "d[\"pid\"] == $(cat "$T/sh") and d[\"comm\"] == \"sh\""'

# ---- systemd, the kernel
rc "$R" explain --pid "$child" NOFILE
if [ -d /run/systemd/system ]; then
        check "systemd is the init system here: the process's cgroup is read" \
              'grep -q "^ *systemd: " "$T/out" && ! grep -q "not the init system" "$T/out"'
else
        check "no systemd here: said in one line" \
              '[ "$(grep -c "systemd" "$T/out")" = 1 ] &&
               grep -qx "    systemd: not the init system here (no /run/systemd/system): no LimitNOFILE= applies" "$T/out"'
fi
nr_open=$(cat /proc/sys/fs/nr_open)
check "the kernel's ceiling: fs.nr_open ($nr_open)" \
      'grep -qx "     Kernel: fs.nr_open = $nr_open: the kernel refuses a NOFILE limit above fs.nr_open, to root too" "$T/out"'
rc "$R" explain --json --pid "$child" NOFILE
check "... in --json, and raising stops there" \
      'json "$T/out" "d[\"kernel\"] == {\"ceiling\": $nr_open, \"sysctl\": \"fs.nr_open\", \"note\": \"the kernel refuses a NOFILE limit above fs.nr_open, to root too\"}
       and d[\"raise\"][\"hard\"][\"to\"] == $nr_open"'

# ---- pam_limits, against expected.json and a real pam_limits session
users="root games nobody sys daemon"
for u in $users; do
        prlimit --nofile=1000:2000 setpriv --reuid="$(id -u $u)" --regid="$(id -g $u)" --init-groups sleep 600 >/dev/null 2>&1 &
        started+=($!)
        eval "pid_$u=$!"
done
sleep 0.2
export pid_root pid_games pid_nobody pid_sys pid_daemon
"$here/explain/mount.sh" "$T" bash -c '
        for u in '"$users"'; do
                eval "p=\$pid_$u"
                "$0" explain --json --pid "$p" NOFILE > "$1/pam-$u.json" 2> "$1/pam-$u.err"
                "$0" explain --pid "$p" NOFILE > "$1/pam-$u.txt" 2>&1
                runuser -u "$u" -- cat /proc/self/limits > "$1/runuser-$u" 2>&1
        done' "$R" "$T" > "$T/out" 2> "$T/err"
bad=""
for u in $users; do
        python3 "$here/explain/expected.py" "$u" "$T/pam-$u.json" > "$T/pam-$u.diff" 2>&1 || bad+="$u: $(tr '\n' ' ' < "$T/pam-$u.diff"); "
done
check "pam_limits lines and values for root, games, nobody (a group of /etc/group's), sys and daemon as tests/client/explain/expected.json says${bad:+ ($bad)}" \
      '[ -z "$bad" ]'
bad=""
for u in root games nobody sys; do
        want=$(python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["pam_limits"]; print(p["soft"], p["hard"])' "$T/pam-$u.json")
        got=$(awk '/^Max open files/ { print $4, $5 }' "$T/runuser-$u")
        [ "$want" = "$got" ] || bad+="$u: explain $want, runuser $got; "
done
check "... and a real pam_limits session (runuser -u USER) sets what explain says${bad:+ ($bad)}" '[ -z "$bad" ]'
cp "$T/pam-games.txt" "$T/out"; : > "$T/err"
check "the text names each matching line, file and line number, what it does, and the outcome" \
      'grep -qx "             /etc/security/limits.conf:8: @games hard nofile 800" "$T/out" &&
       grep -qx "             /etc/security/limits.d/20-later.conf:1: @games soft nofile 450  (ignored: a more specific domain.s line wins)" "$T/out" &&
       grep -qx "             /etc/security/limits.conf:6: \* soft nofile 700  (overridden)" "$T/out" &&
       grep -qx "             sets 500:800" "$T/out" && ! grep -q "30-not-read" "$T/out" && ! grep -q "nofile 1$" "$T/out"'
cp "$T/pam-daemon.txt" "$T/out"
check "a matching '<domain> -' line: pam_limits sets nothing, said" \
      'grep -qx "             /etc/security/limits.d/20-later.conf:2: daemon -  (no limits at all for this user)" "$T/out" &&
       grep -qx "             sets nothing: the session keeps what it was started with" "$T/out"'

# ---- what raising takes: the service's own answers (CanSetRlimits), as polkit decides
# tests/rules/test.rules: daemon yes, sys auth_admin, bin no, nobody the
# actions' defaults (auth_admin); tests/rules/can-set.rules: no for nobody on
# a process that runs as mail. The target: a process of the service's own user,
# whose limits the service can change itself even without CAP_SYS_RESOURCE, so
# that its soft limit's answer is polkit's manage-other answer for each caller;
# its hard limit needs CAP_SYS_RESOURCE ("na" without it, but where polkit says no).
can=$(busctl --system get-property org.example.Resource1 /org/example/Resource1 org.example.Resource1 CanRaiseHardLimits | awk '{print $2}')
capable() { [ "$can" = true ] && echo "$1" || echo "$2"; }
setpriv --reuid="$RESOURCE1D_USER" --regid="$(id -g "$RESOURCE1D_USER")" --clear-groups prlimit --nofile=1000:2000 sleep 600 >/dev/null 2>&1 &
svc_proc=$!
started+=($svc_proc)
setpriv --reuid=mail --regid=mail --clear-groups prlimit --nofile=1000:2000 sleep 600 >/dev/null 2>&1 &
mail_proc=$!
started+=($mail_proc)
sleep 0.2
nr=$nr_open
# raise_is FILE SIDE ANSWER ACTION [TO]: the side's answer in explain --json FILE.
raise_is() {
        json "$1" "d[\"raise\"][\"$2\"][\"answer\"] == \"$3\" and d[\"raise\"][\"$2\"][\"action\"] == \"$4\"
                   and d[\"raise\"][\"$2\"][\"error\"] is None${5:+ and d[\"raise\"][\"$2\"][\"to\"] == $5}"
}
as_user() { local u=$1; shift; setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --clear-groups "$@"; }
MO=org.example.resource1.manage-other RH=org.example.resource1.raise-hard-limit
for u in root daemon sys bin nobody; do
        as_user "$u" "$R" explain --json --pid "$svc_proc" NOFILE > "$T/raise-$u.json" 2> "$T/raise-$u.err"
done
cp "$T/raise-root.json" "$T/out"; cp "$T/raise-root.err" "$T/err"
check "root: the service answers soft yes (no action), hard $(capable yes na) (no action: root is not polkit's), each asked alone" \
      'raise_is "$T/raise-root.json" soft yes "" 2000 && raise_is "$T/raise-root.json" hard "$(capable yes na)" "" $nr &&
       json "$T/raise-root.json" "d[\"raise\"][\"soft\"][\"request\"] == {\"soft\": 2000, \"hard\": 2000}
             and d[\"raise\"][\"hard\"][\"request\"] == {\"soft\": 1000, \"hard\": $nr} and d[\"raise\"][\"caller_uid\"] == 0"'
cp "$T/raise-daemon.json" "$T/out"; cp "$T/raise-daemon.err" "$T/err"
check "daemon (a rule says yes), another user's process: soft yes, hard $(capable yes na), by manage-other" \
      'raise_is "$T/raise-daemon.json" soft yes $MO && raise_is "$T/raise-daemon.json" hard "$(capable yes na)" $MO'
cp "$T/raise-sys.json" "$T/out"; cp "$T/raise-sys.err" "$T/err"
check "sys (auth_admin), the same process: soft challenge, hard $(capable challenge na), by manage-other" \
      'raise_is "$T/raise-sys.json" soft challenge $MO && raise_is "$T/raise-sys.json" hard "$(capable challenge na)" $MO'
cp "$T/raise-bin.json" "$T/out"; cp "$T/raise-bin.err" "$T/err"
check "bin (a rule says no), the same process: soft no, hard no, by manage-other" \
      'raise_is "$T/raise-bin.json" soft no $MO && raise_is "$T/raise-bin.json" hard no $MO'
cp "$T/raise-nobody.json" "$T/out"; cp "$T/raise-nobody.err" "$T/err"
check "nobody (the actions' defaults), the same process: soft challenge, hard $(capable challenge na), by manage-other" \
      'raise_is "$T/raise-nobody.json" soft challenge $MO && raise_is "$T/raise-nobody.json" hard "$(capable challenge na)" $MO'
rc as_nobody "$R" explain --json --pid "$mail_proc" NOFILE
check "nobody, a process of mail's, which tests/rules/can-set.rules refuses it: soft no, hard no, by manage-other" \
      'raise_is "$T/out" soft no $MO && raise_is "$T/out" hard no $MO'
rc as_nobody "$R" explain --json --pid "$pid_nobody" NOFILE
check "nobody, its own process: soft yes (no action), hard $(capable challenge na) by raise-hard-limit" \
      'raise_is "$T/out" soft yes "" && raise_is "$T/out" hard "$(capable challenge na)" $RH'
rc as_user sys "$R" explain --pid "$svc_proc" NOFILE
check "... and the text says each answer, its request and the action that decided it" \
      'grep -q "^   To raise: soft, up to the hard limit: 1000:2000 .* 2000:2000: challenge (allowed once you authenticate; polkit.s $MO)$" "$T/out" &&
       grep -q "^             hard, up to the kernel.s ceiling (fs.nr_open): 1000:2000 .* 1000:$nr: $(capable challenge na) (.*; polkit.s $MO)$" "$T/out" &&
       grep -qx "             (the service.s answers to CanSetRlimits, each side asked alone: nothing changed)" "$T/out"'
rc "$R" explain --json --to $((nr + 1)) --pid "$svc_proc" NOFILE
check "--to above fs.nr_open: the hard raise is na, decided by no action (the kernel refuses it from anyone)" \
      '[ $status = 0 ] && raise_is "$T/out" hard na "" $((nr + 1)) && raise_is "$T/out" soft yes "" 2000 && json "$T/out" "d[\"raise\"][\"to\"] == $((nr + 1))"'
rc "$R" explain --json --to 1500 --pid "$svc_proc" NOFILE
check "--to below the hard limit: the soft limit asked up to it, the hard one not asked" \
      'raise_is "$T/out" soft yes "" 1500 && json "$T/out" "d[\"raise\"][\"soft\"][\"request\"] == {\"soft\": 1500, \"hard\": 2000} and d[\"raise\"][\"hard\"] is None"'
rc "$R" explain --to 4M NOFILE
check "--to takes a value of the resource's kind: NOFILE's is a plain number (exit 2)" \
      '[ $status = 2 ] && grep -q "invalid --to .4M. for NOFILE" "$T/err"'
rc "$R" --to 5 limits NOFILE
check "--to is explain's only (exit 2)" '[ $status = 2 ] && grep -q "to is an option of .explain. only" "$T/err"'

# Without the service (a bus that is not there): explain still explains, and says it could not ask.
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus "$R" explain --pid "$svc_proc" NOFILE > "$T/out" 2> "$T/err"; status=$?
check "without the service: exit 0, the chain, pam_limits and the kernel shown, the raise 'not known: the service could not be asked'" \
      '[ $status = 0 ] && grep -q "^ *Ancestors: " "$T/out" && grep -q "^ *pam_limits: " "$T/out" && grep -q "^ *Kernel: fs.nr_open" "$T/out" &&
       grep -q "^   To raise: soft, up to the hard limit: 1000:2000 .* 2000:2000: not known: the service could not be asked$" "$T/out" &&
       grep -q "^             (the service could not be asked, cannot connect to the system bus: .*; all above is read without it)$" "$T/out"'
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus "$R" explain --json --pid "$svc_proc" NOFILE > "$T/out" 2> "$T/err"
check "... in --json: answer and action null, error \"unreachable\"" \
      'json "$T/out" "all(d[\"raise\"][s] == {\"to\": t, \"request\": r, \"answer\": None, \"action\": None, \"error\": \"unreachable\"}
                      for s, t, r in ((\"soft\", 2000, {\"soft\": 2000, \"hard\": 2000}), (\"hard\", $nr, {\"soft\": 1000, \"hard\": $nr})))"'

# C and Python agree: resource1.explain() as each user, and without the
# service, gives what resourcectl explain --json does.
mkdir -p "$T/pkg" && cp -r "$here/../../client/python/resource1" "$T/pkg/" && chmod -R a+rX "$T/pkg"
PY=${PYTHON3:-/usr/bin/python3}
printf '%s\n' 'import json, sys' 'sys.path.insert(0, sys.argv[1])' 'import resource1' \
        'print(json.dumps(resource1.explain(sys.argv[3], int(sys.argv[2]))))' > "$T/py-explain.py"
chmod 644 "$T/py-explain.py"
bad=""
for u in root daemon sys bin nobody; do
        as_user "$u" "$PY" "$T/py-explain.py" "$T/pkg" "$svc_proc" NOFILE > "$T/py-$u.json" 2> "$T/py-$u.err"
        json "$T/raise-$u.json" "d == json.load(open(\"$T/py-$u.json\")) and d[\"raise\"][\"soft\"][\"answer\"] in (\"yes\", \"challenge\", \"no\")" 2>/dev/null ||
                bad+="$u: $(head -c 300 "$T/py-$u.json" "$T/py-$u.err" | tr '\n' ' '); "
done
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus "$PY" "$T/py-explain.py" "$T/pkg" "$svc_proc" NOFILE > "$T/py-none.json" 2> "$T/py-none.err"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus "$R" explain --json --pid "$svc_proc" NOFILE > "$T/c-none.json" 2>&1
json "$T/c-none.json" "d == json.load(open(\"$T/py-none.json\")) and d[\"raise\"][\"hard\"][\"error\"] == \"unreachable\"" 2>/dev/null || bad+="no service: $(head -c 300 "$T/py-none.json" "$T/py-none.err" | tr '\n' ' '); "
: > "$T/out"; : > "$T/err"
check "resource1.explain() as root, daemon, sys, bin and nobody, and without the service, equals resourcectl explain --json, the service's answers in both${bad:+ ($bad)}" '[ -z "$bad" ]'

prlimit --nofile=500:500 sleep 600 >/dev/null 2>&1 &
started+=($!)
rc "$R" explain --pid $! NOFILE
check "a soft limit at the hard one already: said so" 'grep -qx "   To raise: soft: at the hard limit already" "$T/out"'

# ---- hidepid: a hidden ancestor, and a hidden process
# A parent of root's under a name of its own, with limits of its own, whose
# child (nobody's) lowers its own limits before it becomes sleep.
# Its limits: numbers no pid of the fixture has, below the hard limit.
h=$(ulimit -Hn)
if [ "$h" -ge 18181 ]; then hs=17171 hh=18181; else hs=$((h - 7)) hh=$((h - 3)); fi
cp "$(command -v sh)" "$T/r1hiddenparent"
"$T/r1hiddenparent" -c 'prlimit --pid $$ --nofile=$1:$2 &&
        { prlimit --nofile=500:600 setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 & echo $! > "$0/hidden-child"; wait; }' "$T" "$hs" "$hh" >/dev/null 2>&1 &
started+=($!)
wait_for 5 '[ -s "$T/hidden-child" ] && [ "$(cat /proc/$(cat "$T/hidden-child")/comm)" = sleep ]'
hchild=$(cat "$T/hidden-child")
grandchildren+=($hchild)
unshare --mount --propagation private sh -c '
        mount -t proc -o hidepid=invisible proc /proc || exit 1
        setpriv --reuid=65534 --regid=65534 --clear-groups "$0" explain --pid "$1" NOFILE > "$2/hid.txt" 2>&1; echo "text $?"
        setpriv --reuid=65534 --regid=65534 --clear-groups "$0" explain --json --pid "$1" NOFILE > "$2/hid.json" 2>&1; echo "json $?"
        setpriv --reuid=65534 --regid=65534 --clear-groups "$0" explain --pid "$3" NOFILE; echo "hidden $?"
        ' "$R" "$hchild" "$T" "$child" > "$T/out" 2> "$T/err"
cp "$T/out" "$T/hid.status"
cat "$T/hid.txt" "$T/hid.json" >> "$T/out"
check "hidepid=invisible: nobody's explain of its process shows its parent (root's) only as not visible, nothing of it" \
      'grep -qx "text 0" "$T/hid.status" && grep -qx "json 0" "$T/hid.status" &&
       grep -Eq "^ +[0-9]+ \(not visible to you\)$" "$T/hid.txt" && ! grep -q r1hiddenparent "$T/out" &&
       ! grep -Ewq "$hs|$hh" "$T/out" && grep -q "^ *Origin: unknown: the same up to pid $hchild, whose parent is not visible to you$" "$T/hid.txt"'
check "... in --json: one visible process, then the hidden one with its number alone" \
      'json "$T/hid.json" "len(d[\"chain\"]) == 2 and d[\"chain\"][0][\"pid\"] == $hchild and d[\"chain\"][1] == {\"pid\": d[\"chain\"][1][\"pid\"], \"visible\": False, \"comm\": None, \"uid\": None, \"soft\": None, \"hard\": None}
       and d[\"chain_end\"] == \"hidden\" and d[\"origin\"] == \"unknown\" and d[\"changed_at\"] is None"'
check "... and a process /proc hides from nobody is no such process (exit 5)" \
      'grep -qx "hidden 5" "$T/out" && grep -qx "resourcectl: pid $child: no such process, or not visible to you" "$T/err"'

# ---- the command line
rc "$R" explain
check "explain without a RESOURCE: exit 2, said" '[ $status = 2 ] && grep -q "explain. takes one RESOURCE" "$T/err"'
rc "$R" explain NOFILE CORE
check "explain with two: exit 2" '[ $status = 2 ] && grep -q "explain. takes one RESOURCE" "$T/err"'
rc "$R" explain NOFLIE
check "a typo of a resource: exit 2, the close match suggested" '[ $status = 2 ] && grep -q "did you mean .NOFILE.?" "$T/err"'
rc "$R" explain --pid 999999999 NOFILE
check "no such process: exit 5" '[ $status = 5 ] && grep -q "pid 999999999: no such process" "$T/err"'

echo "1..$n"
tap_done
