#!/bin/bash
# What a person is asked: the message polkitd builds from an action's
# <message> (policy/org.example.resource1.policy) and the details the service
# sends, as pkttyagent prints it on the terminal of the user r1pass
# (tests/lib/pty-user.sh, tests/rules/prompt-auth.rules), for each kind of request: one
# hard raise, a batch of two, another user's process (one limit, and a batch
# that also raises a hard limit: two prompts), and a request naming its
# target by pid number instead of by pidfd. polkitd leaves "$(name)" in the
# text for a detail that a request lacks. TAP output. Needs RESOURCECTL.
set -u
: "${RESOURCECTL:?}" "${RESOURCE1_FIXTURE:?}"
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/../lib/tap.sh"
. "$here/../lib/pty-user.sh"

T=$RESOURCE1_FIXTURE/prompt
mkdir -p "$T" && chmod 755 "$T"
install -m 755 "$RESOURCECTL" "$T/resourcectl"
install -m 755 "$(dirname "$RESOURCECTL")"/../lib/libresource1.so.1 "$T/"     # build/client/lib
export LD_LIBRARY_PATH=$T
R=$T/resourcectl
check() {
        n=$((n+1))
        if eval "$2"; then echo "ok $n - $1"; else
                echo "not ok $n - $1"; failed=$((failed+1))
                note "$T/out" | head -40
        fi
}
hard() { grep "^$2 " "/proc/$1/limits" | awk '{print $(NF-1)}'; }   # pid, label as /proc shows it

# As r1pass on a new terminal (as as_r1pass_on_pty does), typing its password
# at each of the first COUNT prompts; what the terminal showed, without its
# colours, in $T/out.
on_pty() {
        local count=$1 answers=() i; shift
        for ((i = 0; i < count; i++)); do answers+=(--answer "Password: *$" r1-secret); done
        unshare --mount --propagation private sh -c '
                if [ -d /run/dbus ]; then mount -t tmpfs -o mode=755 tmpfs /run/dbus; else mount -t tmpfs -o mode=755 tmpfs /run; mkdir /run/dbus; fi
                ln -s "$0" /run/dbus/system_bus_socket
                shift; exec "$@"' "$RESOURCE1_FIXTURE/system_bus_socket" - \
                python3 "$PTY_ANSWER" --timeout 60 "${answers[@]}" -- \
                setpriv --reuid=4242 --regid=4242 --clear-groups sh -c "$@" 2>&1 |
                sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' >"$T/out"
        grep -A1 "^==== AUTHENTICATING FOR" "$T/out" | grep -v "^--" | note   # what a person saw
}
# The message shown for ACTION (the line after pkttyagent's heading), the
# Nth time it was asked (default 1).
prompt() { sed -n "/^==== AUTHENTICATING FOR org.example.resource1.$1 ====\$/{n;p}" "$T/out" | sed -n "${2:-1}p"; }
# The message is exactly TEXT, and no prompt holds a detail polkit lacked.
is_prompt() { [ "$(prompt "$1" "${3:-1}")" = "$2" ] && ! grep -qF '$(' "$T/out"; }

trap 'kill_started; pty_user_remove' EXIT
pty_user_add "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 & nobodys=$!; started+=($nobodys)
nogroup=$(getent group 65534 | cut -d: -f1)
nofile=$(hard $$ "Max open files") msgqueue=$(hard $$ "Max msgqueue size")
raise="Authentication is required to raise hard resource limits of process"
change="Authentication is required to change resource limits of process"

echo "1..5"

# resourcectl changes the limits of the shell it was started from, by pidfd.
on_pty 1 'echo "shell $$"; "$0" set NOFILE :'$((nofile + 1)) "$R"
shell=$(sed -n 's/^shell //p' "$T/out")
check "one hard raise: the limit, its value now and the one asked for" \
      'is_prompt raise-hard-limit "$raise $shell, which runs as user r1pass, group r1pass: NOFILE from $nofile to $((nofile + 1))."'

on_pty 1 'echo "shell $$"; "$0" set NOFILE :'$((nofile + 1))' MSGQUEUE :'$((msgqueue + 1)) "$R"
shell=$(sed -n 's/^shell //p' "$T/out")
check "a batch of two hard raises: both named, each with its values" \
      'is_prompt raise-hard-limit "$raise $shell, which runs as user r1pass, group r1pass: NOFILE from $nofile to $((nofile + 1)), MSGQUEUE from $msgqueue to $((msgqueue + 1))."'

on_pty 1 '"$0" --pid '$nobodys' set NOFILE 100:' "$R"
check "another user's process: its user and group, the limit's new soft and hard values" \
      'is_prompt manage-other "$change $nobodys, which runs as user nobody, group $nogroup rather than as the requesting user: NOFILE soft 100 hard $nofile."'

# Two actions, two prompts: manage-other for both limits, then
# raise-hard-limit for NOFILE's alone.
on_pty 2 '"$0" --pid '$nobodys' set CORE 0:0 NOFILE :'$((nofile + 1)) "$R"
soft=$(grep "^Max open files " /proc/$nobodys/limits | awk '{print $4}')
check "another user's process, a batch with one hard raise: both prompts read whole" \
      'is_prompt manage-other "$change $nobodys, which runs as user nobody, group $nogroup rather than as the requesting user: CORE soft 0 hard 0, NOFILE soft $soft hard $((nofile + 1))." &&
       is_prompt raise-hard-limit "$raise $nobodys, which runs as user nobody, group $nogroup: NOFILE from $nofile to $((nofile + 1))."'

# By pid number (SetRlimits, not SetRlimitsPidfd), from busctl: pkttyagent is
# registered for the shell, which then becomes busctl (same process).
mkfifo -m 666 "$T/notify"
on_pty 1 'echo "shell $$"; ulimit -H -c 0; pkttyagent --process $$ --notify-fd 3 3>"$0/notify" & exec 3<"$0/notify";
          cat <&3; exec 3<&-; exec busctl --system --allow-interactive-authorization=yes --timeout=60 call org.example.Resource1 \
          /org/example/Resource1 org.example.Resource1 SetRlimits "ua(stt)" $$ 1 CORE 0 18446744073709551615' "$T"
shell=$(sed -n 's/^shell //p' "$T/out")
check "by pid number: the same message, an unlimited value as such" \
      'is_prompt raise-hard-limit "$raise $shell, which runs as user r1pass, group r1pass: CORE from 0 to unlimited."'
tap_done
