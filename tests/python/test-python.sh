#!/bin/bash
# The python suite: resource1 (client/python) against the real service, inside
# tests/with-bus.sh (with tests/rules/client-slow.rules). TAP output:
#
#   tests/with-bus.sh --rules tests/rules/client-slow.rules -- tests/python/test-python.sh
#
# CPython's own test_resource with the package in place of resource, as root
# and as nobody; tests/python/test_resource1.py (the local resource module as
# the oracle) as root, nobody and daemon (asyncio with polkit's slow answer);
# README.md's Python examples. The package and the tests are copied into the
# fixture's directory, which every user can read.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # tests/
src=$(dirname "$here")
. "$here/lib/tap.sh"
PY=${PYTHON3:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1 RESOURCE1_SPEC=$src/interfaces/org.example.Resource1.xml

dir=$RESOURCE1_FIXTURE/python
mkdir -p "$dir/pkg"
cp -r "$src/client/python/resource1" "$dir/pkg/"
cp "$here/python/run-test-resource.py" "$here/python/test_resource1.py" "$here/python/agent_call.py" \
   "$here/python/seed_examples.py" "$here/python/behind_proxy.py" "$here/python/test_bounds.py" \
   "$here/python/test_explain.py" "$here/client/explain/expected.py" "$here/client/explain/expected.json" \
   "$src/interfaces/org.example.Resource1.xml" "$dir/"
cp -r "$here/python/seed-examples" "$dir/"
chmod -R a+rX "$dir"
for u in root nobody daemon; do
        mkdir -p "$dir/work-$u" && chown "$u:" "$dir/work-$u"
done
as() {   # as USER UID COMMAND...: in USER's own work directory, as that user
        local user=$1 uid=$2; shift 2
        (cd "$dir/work-$user" && if [ "$uid" = 0 ]; then "$@"; else
                setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"; fi)
}
# Each run's own lines (unittest's, on stderr) as TAP comments.
comment() { "$@" 2>&1 | sed 's/^/# /'; return "${PIPESTATUS[0]}"; }

echo "1..18"
# First, while nobody's budget of changes is full (64 at once, then 4 a
# second): a session manager lowering NOFILE of its 100 children with
# asyncio.gather gets all 100 set; the blocking API waits for the budget; a
# timeout shorter than the wait raises the refusal at once; 300 gathered
# reads all succeed; a connection's calls in flight stay below the bus's
# 128 (tests/python/test_bounds.py).
check "as nobody, the package lives with the service's bounds: 100 children lowered at once, the rate limit waited out within the timeout, 300 gathered reads" \
      'comment as nobody 65534 "$PY" "$dir/test_bounds.py" "$dir/pkg"'
# PEP 8's 79 columns, and pycodestyle's and pyflakes' other findings, for
# every file of the package (tests/install-deps.sh installs both).
pep8() {
        local long tool out
        # Characters, not bytes (awk's length): the README has an em dash.
        long=$(find "$src/client/python" -type f ! -name '*.pyc' -exec /usr/bin/python3 -c '
import sys
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if len(line.rstrip("\n")) > 79:
                print("%s:%d: %d columns" % (name, n, len(line.rstrip("\n"))))' {} +)
        [ -z "$long" ] || { echo "$long" | note; return 1; }
        for tool in pycodestyle pyflakes; do
                out=$(/usr/bin/python3 -m $tool "$src/client/python" 2>&1) || { echo "$out" | note; return 1; }
        done
}
check "no line of client/python exceeds 79 columns; pycodestyle and pyflakes find nothing" pep8
check "CPython's test_resource passes with resource1 as resource, as root" \
      'comment as root 0 "$PY" "$dir/run-test-resource.py" "$dir/pkg"'
check "CPython's test_resource passes with resource1 as resource, as nobody" \
      'comment as nobody 65534 "$PY" "$dir/run-test-resource.py" "$dir/pkg"'
check "test_resource1 as root (oracle, arguments, errors, another pid namespace, NOFILE 4, SIGXCPU, fork, threads, asyncio)" \
      'comment as root 0 env RESOURCE1_SPEC="$dir/org.example.Resource1.xml" "$PY" "$dir/test_resource1.py" "$dir/pkg"'
check "test_resource1 as nobody (a refused hard raise changes nothing)" \
      'comment as nobody 65534 env RESOURCE1_SPEC="$dir/org.example.Resource1.xml" "$PY" "$dir/test_resource1.py" "$dir/pkg"'
# resource1.explain (issue 27, item 2) on real processes, as root, with
# tests/client/explain's pam_limits files bound over /etc/security's
# (tests/client/explain/mount.sh): a changed ancestor named, the pam_limits lines and
# values of tests/client/explain/expected.json and of a real session (runuser),
# fs.nr_open, no systemd, hidepid; each answer equal to resourcectl explain
# --json's (RESOURCECTL) for the same process.
check "resource1.explain: where a limit comes from, as resourcectl explain --json says it, as root (test_explain.py)" \
      'comment "$here/client/explain/mount.sh" "$dir" "$PY" "$dir/test_explain.py" "$dir/pkg" "$dir/expected.py"'
# The target: a process of the daemon's own user (the unit's User=), which the
# daemon may change without CAP_SYS_RESOURCE once polkit said yes.
setpriv --reuid="${RESOURCE1D_USER:?}" --regid="$RESOURCE1D_USER" --clear-groups sleep 300 & target=$!
wait_for 5 '[ "$(cat /proc/$target/comm 2>/dev/null)" = sleep ]'
check "test_resource1's asyncio suites as daemon: polkit's slow answer, others answered meanwhile, a cancelled call" \
      'comment as daemon 1 env TARGET=$target RESOURCE1_SPEC="$dir/org.example.Resource1.xml" "$PY" "$dir/test_resource1.py" "$dir/pkg" AsyncioSlowPolkit Asyncio'
kill $target 2>/dev/null
# The seed's four examples (PyMOTW's resource article), run as they are with
# resource and with resource1 in its place, print the same lines (only
# measurements differ): the package's own descriptors take none of the numbers
# the program's open() gets ("random has fd = 3" under a soft NOFILE of 4).
check "the seed's four examples print with resource1 what they print with resource, as root" \
      'comment as root 0 "$PY" "$dir/seed_examples.py" "$dir/pkg" "$dir/seed-examples" "$dir/work-root"'
check "the seed's four examples print with resource1 what they print with resource, as nobody" \
      'comment as nobody 65534 "$PY" "$dir/seed_examples.py" "$dir/pkg" "$dir/seed-examples" "$dir/work-nobody"'
# Behind a bus proxy, as a Flatpak app reaches the bus: Flatpak's own
# xdg-dbus-proxy, as the same user, letting the service's two names through.
# The bus sees the proxy as the caller; the package names its own process by
# pidfd, so setrlimit and getrusage are about it, and the proxy is untouched.
mkdir -p "$dir/proxy" && chown nobody: "$dir/proxy"
setpriv --reuid=65534 --regid=65534 --clear-groups xdg-dbus-proxy "$DBUS_SYSTEM_BUS_ADDRESS" "$dir/proxy/bus" \
        --filter --talk=org.example.Resource1 --talk=org.example.Resource1.Pidfd 2> "$dir/proxy/log" &
proxy=$!
for _ in $(seq 100); do [ -S "$dir/proxy/bus" ] && break; sleep 0.05; done
check "behind xdg-dbus-proxy (as Flatpak's), as nobody: setrlimit, getrlimit, getrusage(RUSAGE_SELF) and aio act on the app, not the proxy" \
      'comment as nobody 65534 env RESOURCE1_BUS_ADDRESS="unix:path=$dir/proxy/bus" "$PY" "$dir/behind_proxy.py" "$dir/pkg" $proxy'
kill $proxy 2>/dev/null
wait $proxy 2>/dev/null
# README.md's ```python blocks of its Python section, each run as shown: the
# lines after "# prints:" comments are what it must print.
ex=$dir/readme
mkdir -p "$ex"
awk '/^## Python/ { s = 1; next } /^## / { s = 0 } s && /^```python/ { f = 1; next } f && /^```/ { f = 0; n++; next }
     f { print > (dir "/readme-" n ".py") }' dir="$ex" n=0 "$src/README.md"
check "README.md has Python examples" '[ -s "$ex/readme-0.py" ]'
readme_runs() {
        local f out want
        for f in "$ex"/readme-*.py; do
                out=$(cd "$dir/work-root" && PYTHONPATH="$dir/pkg" "$PY" "$f" 2>&1) || { echo "# $f failed: $out"; return 1; }
                want=$(sed -n 's/^# prints: //p' "$f")
                if [ -n "$want" ] && [ "$out" != "$want" ]; then
                        echo "# $f printed:"; echo "$out" | sed 's/^/#   /'; echo "# not:"; echo "$want" | sed 's/^/#   /'
                        return 1
                fi
        done
}
check "README.md's Python examples run as shown" readme_runs

# polkit_agent=True on a terminal, where r1pass types its password at
# pkttyagent's prompt (tests/lib/pty-user.sh, tests/rules/cli-auth.rules); without it
# nobody is asked.
. "$here/lib/pty-user.sh"
pty_user_add "$dir"
can_raise=$(busctl --system get-property org.example.Resource1 /org/example/Resource1 org.example.Resource1 CanRaiseHardLimits)
want=$(( $(ulimit -Hn) + 1 ))
hard0="hard $((want - 1))"
agent_run() { as_r1pass_on_pty "$1" 'exec "$0" "$@"' "$PY" "$dir/agent_call.py" "$dir/pkg" "${@:2}" "$want" > "$dir/out" 2>&1; }
shown() { note "$dir/out" | head -20; false; }
# The password accepted: the limit raised, or, by a service without
# CAP_SYS_RESOURCE, polkit's yes followed by the kernel's refusal.
authorized() {
        grep -q "^Password:" "$dir/out" && grep -q "AUTHENTICATION COMPLETE" "$dir/out" && ! grep -q "polkit refused" "$dir/out" &&
        if [ "$can_raise" = "b false" ]; then grep -q "the kernel refused" "$dir/out" && grep -qx "$hard0" "$dir/out"
        else grep -q "ok$" "$dir/out" && grep -qx "hard $want" "$dir/out"; fi
}
agent_run r1-secret
check "Client() on a terminal: InteractiveAuthorizationRequired, nobody asked, nothing changed" \
      '{ grep -q "InteractiveAuthorizationRequired org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: .*needs authentication" "$dir/out" ||
         grep -q "RaiseRefused org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: .*needs authentication" "$dir/out"; } &&
       ! grep -q "Password:" "$dir/out" && grep -qx "$hard0" "$dir/out" || shown'
agent_run wrong-password --polkit-agent
check "Client(polkit_agent=True), a wrong password typed at pkttyagent's prompt: polkit refused, nothing changed" \
      'grep -q "^Password:" "$dir/out" && grep -q "AUTHENTICATION FAILED" "$dir/out" && grep -q "polkit refused" "$dir/out" &&
       grep -qx "$hard0" "$dir/out" || shown'
agent_run r1-secret --polkit-agent
check "Client(polkit_agent=True), the right password: polkit says yes" 'authorized || shown'
agent_run r1-secret --polkit-agent --aio
check "aio.Client(polkit_agent=True), the right password: polkit says yes" 'authorized || shown'
setpriv --reuid=4242 --regid=4242 --clear-groups "$PY" "$dir/agent_call.py" "$dir/pkg" --polkit-agent "$want" </dev/null > "$dir/out" 2>&1
check "Client(polkit_agent=True) with no terminal: nothing started, the message says why, nothing changed" \
      'grep -q "InteractiveAuthorizationRequired: .*needs authentication, but no authentication agent answered: standard input is not a terminal, so agent_call.py started none" "$dir/out" &&
       grep -qx "$hard0" "$dir/out" || shown'
pty_user_remove
tap_done
