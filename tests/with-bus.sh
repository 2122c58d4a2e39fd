#!/bin/bash
# Runs COMMAND against a private system bus with a real polkitd and the real
# resource1d, all started by dbus-test-runner:
#
#   tests/with-bus.sh [--rules FILE]... [--max-wait SEC] [--no-daemon] -- COMMAND [ARG...]
#
# --no-daemon leaves starting resource1d to COMMAND (for tests of its lifetime).
# The bus config includes the project's own policy/org.example.Resource1.conf,
# so the shipped bus policy is what is exercised. polkitd reads its actions and
# rules from fixed directories; the whole fixture therefore runs in a private
# mount namespace with temporary directories bound over them, holding the
# project's actions file and the rules given with --rules.
#
# The daemon runs as resource1d.service runs it (tests/as-service-user.sh):
# as the unit's User=, with the unit's capabilities as ambient ones and no
# other; a capability root lacks here (CAP_SYS_RESOURCE on some machines) it
# cannot give, and the daemon runs without it, as under a unit that lacks it
# (this says so on stderr).
#
# Environment: RESOURCE1D (the daemon binary, default build/daemon/resource1d),
# RESOURCE1D_ARGS (extra daemon options). COMMAND sees DBUS_SYSTEM_BUS_ADDRESS,
# RESOURCE1_FIXTURE (the fixture's temporary directory; its "daemon" folder
# is the daemon's user's, for files tools running as it write),
# POLKITD_PID_FILE, and RESOURCE1D: a program starting the daemon as the unit
# would (what RESOURCE1D named is then RESOURCE1D_BIN).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(dirname "$here")

if [ "${1:-}" = --inside ]; then
        shift
        tmp=$1; shift
        mount --bind "$tmp/actions" /usr/share/polkit-1/actions
        mount --bind "$tmp/rules.d" /etc/polkit-1/rules.d
        # TAP needs the test's own lines as they are: strip dbus-test-runner's
        # "test      : " prefix and make every other line a TAP comment.
        set -o pipefail
        if [ "$NO_DAEMON" = 1 ]; then
                daemon_task=()
                wait_for=org.freedesktop.PolicyKit1
        else
                daemon_task=(--task "$here/daemon-task.sh" --task-name resource1d --task-bus=system --ignore-return
                             --wait-for org.freedesktop.PolicyKit1 $RESOURCE1D_ARGS_PARAMS)
                wait_for=org.example.Resource1
        fi
        dbus-test-runner --bus-type=system --dbus-config="$tmp/system.conf" --keep-env \
                --max-wait="$MAX_WAIT" \
                --task "$here/polkitd-task.sh" --task-name polkitd --task-bus=system --ignore-return \
                "${daemon_task[@]}" \
                --task "$here/wait-then.sh" --task-name test --task-bus=system \
                        --wait-for "$wait_for" --parameter "$tmp/command" \
                | sed -u -e '/^test *: \(Started with PID\|Exited with status\|Shutting down\)/{s/^/# /;b}' \
                         -e 's/^test *: //;t' -e 's/^/# /'
        exit
fi

rules=()
MAX_WAIT=600
NO_DAEMON=0
while [ $# -gt 0 ]; do
        case $1 in
        --rules) rules+=("$2"); shift 2 ;;
        --max-wait) MAX_WAIT=$2; shift 2 ;;
        --no-daemon) NO_DAEMON=1; shift ;;
        --) shift; break ;;
        *) echo "with-bus.sh: unknown option '$1'" >&2; exit 2 ;;
        esac
done
[ $# -gt 0 ] || { echo "usage: with-bus.sh [--rules FILE]... -- COMMAND [ARG...]" >&2; exit 2; }

if [ "$(id -u)" != 0 ]; then
        echo "with-bus.sh: needs root (polkitd, a private mount namespace, test users)" >&2
        exit 77
fi
for tool in dbus-daemon dbus-test-runner unshare setpriv /usr/lib/polkit-1/polkitd; do
        command -v "$tool" >/dev/null || { echo "with-bus.sh: '$tool' is missing" >&2; exit 1; }
done

export RESOURCE1D=${RESOURCE1D:-$src/build/daemon/resource1d}
[ -x "$RESOURCE1D" ] || { echo "with-bus.sh: no daemon at '$RESOURCE1D' (build first)" >&2; exit 1; }

# Who the unit runs the daemon as, and with what: read from the unit itself.
unit=$src/policy/resource1d.service.in
RESOURCE1D_USER=$(sed -n 's/^User=//p' "$unit")
getent passwd "$RESOURCE1D_USER" >/dev/null ||
        { echo "with-bus.sh: no user '$RESOURCE1D_USER' to run the daemon as (tests/install-deps.sh creates it)" >&2; exit 1; }
mapfile -t cap_names < <(setpriv --list-caps)
bounding=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
give=() lack=()
for cap in $(sed -n 's/^AmbientCapabilities=//p' "$unit"); do
        name=${cap#CAP_}; name=${name,,}
        for i in "${!cap_names[@]}"; do [ "${cap_names[$i]}" = "$name" ] && break; done
        if [ "${cap_names[$i]}" = "$name" ] && (( bounding >> i & 1 )); then give+=("+$name"); else lack+=("$cap"); fi
done
[ ${#lack[@]} = 0 ] ||
        echo "with-bus.sh: root lacks ${lack[*]} here (its bounding set): the daemon runs as $RESOURCE1D_USER without it" >&2
RESOURCE1D_CAPS=$(IFS=,; echo "${give[*]}")
export RESOURCE1D_USER RESOURCE1D_CAPS RESOURCE1D_BIN=$RESOURCE1D RESOURCE1D=$here/as-service-user.sh
params=""
for a in ${RESOURCE1D_ARGS:-}; do params+=" --parameter $a"; done
export RESOURCE1D_ARGS_PARAMS=$params
export MAX_WAIT NO_DAEMON

tmp=$(mktemp -d /tmp/resource1-fixture.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir -m 755 "$tmp/actions" "$tmp/rules.d"
install -d -m 700 -o "$RESOURCE1D_USER" -g "$RESOURCE1D_USER" "$tmp/daemon"
install -m 644 "$src/policy/org.example.resource1.policy" "$tmp/actions/"
for r in "${rules[@]}"; do install -m 644 "$r" "$tmp/rules.d/"; done

cat > "$tmp/system.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <!-- Room for the benchmarks' 1000 clients of one uid. -->
  <limit name="max_connections_per_user">4096</limit>
  <limit name="max_completed_connections">4096</limit>
  <policy context="default">
    <!-- Anyone may connect; what they may send is as on a real system bus. -->
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Peer"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>$src/policy/org.example.Resource1.conf</include>
  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>
</busconfig>
CONF

printf '%q ' "$@" > "$tmp/command"
export RESOURCE1_FIXTURE=$tmp
export POLKITD_PID_FILE=$tmp/polkitd.pid
# A pid namespace too: when the fixture ends, every process it started ends.
unshare --mount --propagation private --pid --fork --mount-proc -- "$here/with-bus.sh" --inside "$tmp"
