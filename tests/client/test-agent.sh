#!/bin/bash
# libresource1's polkit agent (resource1_set_polkit_agent()): a program built
# on the library alone (tests/helpers/agent-call) raises its own NOFILE hard
# limit on a terminal, where the user r1pass types its password at
# pkttyagent's prompt (tests/lib/pty-user.sh, tests/rules/cli-auth.rules); the same
# program without the call cannot be asked. TAP output. Needs AGENT_CALL.
set -u
: "${AGENT_CALL:?}" "${RESOURCE1_FIXTURE:?}"
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/../lib/tap.sh"
. "$here/../lib/pty-user.sh"

T=$RESOURCE1_FIXTURE/agent
mkdir -p "$T" && chmod 755 "$T"
# r1pass must be able to run it wherever the build tree is.
install -m 755 "$AGENT_CALL" "$T/agent-call"
install -m 755 "$(dirname "$AGENT_CALL")"/../../client/lib/libresource1.so.1 "$T/"   # build/client/lib
export LD_LIBRARY_PATH=$T
A=$T/agent-call
rc() { "$@" >"$T/out" 2>&1; status=$?; }
# A failed check shows what the terminal showed.
check() {
        n=$((n+1))
        if eval "$2"; then echo "ok $n - $1"; else
                echo "not ok $n - $1"; failed=$((failed+1))
                note "$T/out" | head -30
        fi
}
can_raise=$(busctl --system get-property org.example.Resource1 /org/example/Resource1 org.example.Resource1 CanRaiseHardLimits)
pty_user_add "$T"
hard0=$(ulimit -Hn)
want=$((hard0 + 1))

echo "1..5"
rc as_r1pass_on_pty r1-secret '"$0" '$want "$A"
check "without resource1_set_polkit_agent(): -EACCES (InteractiveAuthorizationRequired), nobody asked, nothing changed" \
      'grep -q "^r=-13 org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: .*raise-hard-limit needs authentication" "$T/out" &&
       ! grep -q "Password:" "$T/out" && grep -qx "hard $hard0" "$T/out"'
rc as_r1pass_on_pty wrong-password '"$0" --polkit-agent '$want "$A"
check "with it, a wrong password typed at pkttyagent's prompt: polkit refused (-EPERM), nothing changed" \
      'grep -q "AUTHENTICATING FOR org.example.resource1.raise-hard-limit" "$T/out" && grep -q "^Password:" "$T/out" &&
       grep -q "AUTHENTICATION FAILED" "$T/out" && grep -q "r=-1 .*polkit refused org.example.resource1.raise-hard-limit" "$T/out" &&
       grep -qx "hard $hard0" "$T/out"'
rc as_r1pass_on_pty r1-secret '"$0" --polkit-agent '$want "$A"
if [ "$can_raise" = "b false" ]; then
        check "with it, the right password: polkit says yes (then the kernel refuses: this service lacks CAP_SYS_RESOURCE)" \
              'grep -q "^Password:" "$T/out" && ! grep -q "AUTHENTICATION FAILED" "$T/out" && ! grep -q "polkit refused" "$T/out" &&
               ! grep -q "r=-13 " "$T/out" && grep -q "r=-[0-9]* .*the kernel refused" "$T/out" && grep -qx "hard $hard0" "$T/out"'
else
        check "with it, the right password: the program's hard limit raised" \
              'grep -q "^Password:" "$T/out" && grep -qx "r=0" "$T/out" && grep -qx "hard $want" "$T/out"'
fi
# No terminal: nothing is started, and the message says why.
rc setpriv --reuid=4242 --regid=4242 --clear-groups "$A" --polkit-agent $want </dev/null
check "with it but no terminal: -EACCES, the message saying no agent was started (standard input is not a terminal)" \
      'grep -q "^r=-13 .*raise-hard-limit needs authentication, but no authentication agent answered: standard input is not a terminal, so agent-call started none" "$T/out" &&
       grep -qx "hard $hard0" "$T/out"'
# On a terminal without pkttyagent: nothing could answer, so the call is not
# sent again (one refusal in the service's log) and the message says why.
log=$RESOURCE1_FIXTURE/resource1d.log
off=$(log_size)
rc as_r1pass_on_pty r1-secret 'PATH=/nonexistent "$0" --polkit-agent '$want "$A"
refusals() { log_since "$off" | grep -c "Refused for uid 4242: "; }
check "with it, on a terminal without pkttyagent: -EACCES saying so, the call sent once (one refusal logged)" \
      'grep -q "r=-13 .*needs authentication, but pkttyagent, polkit.s text authentication agent, is not installed" "$T/out" &&
       ! grep -q "Password:" "$T/out" && grep -qx "hard $hard0" "$T/out" &&
       wait_for 2 "[ \$(refusals) = 1 ]" && sleep 0.2 && [ "$(refusals)" = 1 ] || { log_since "$off" | note; false; }'
pty_user_remove
tap_done
