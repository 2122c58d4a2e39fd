#!/bin/bash
# Runs COMMAND against a private system bus with a real polkitd and the real
# resource1d, all started by dbus-test-runner (usage: with-bus.sh --help).
#
# --no-daemon leaves starting resource1d to COMMAND (for tests of its lifetime).
# --bus=dbus-broker runs dbus-broker (bookworm-backports' 37, which
# tests/install-deps.sh fetches and extracts, never installs) in place of
# dbus-daemon, with the same config: tests/fixture/broker-daemon.sh.
# The bus config includes the project's own policy/org.example.Resource1.conf,
# so the shipped bus policy is what is exercised. polkitd reads its actions and
# rules from fixed directories; the whole fixture therefore runs in a private
# mount namespace with temporary directories bound over them, holding the
# project's actions file and the rules given with --rules.
#
# The daemon runs as resource1d.service runs it (tests/fixture/as-service-user.sh):
# as the unit's User=, with the unit's capabilities as ambient ones and no
# other; a capability root lacks here (CAP_SYS_RESOURCE on some machines) it
# cannot give, and the daemon runs without it, as under a unit that lacks it
# (this says so on stderr).
#
# Without --terminal, COMMAND is dbus-test-runner's last task: its standard
# input is /dev/null and its output and the fixture's share one stream, the
# fixture's lines made TAP comments (what meson's TAP tests read). With
# --terminal, COMMAND gets with-bus.sh's own standard input, output and
# error (a person's terminal): dbus-test-runner runs in the background, its
# output in a log file, with a task that only waits; once the daemon has its
# name, COMMAND is started by nsenter in the fixture's mount and pid
# namespaces, in a mount namespace of its own where
# /run/dbus/system_bus_socket is the fixture's bus (setuid programs such as
# polkit-agent-helper-1 ignore DBUS_SYSTEM_BUS_ADDRESS). When COMMAND ends,
# the waiting task ends and dbus-test-runner stops the fixture.
#
# Environment: RESOURCE1D (the daemon binary, default build/daemon/resource1d),
# RESOURCE1D_ARGS (extra daemon options). COMMAND sees DBUS_SYSTEM_BUS_ADDRESS,
# RESOURCE1_FIXTURE (the fixture's temporary directory; its "daemon" folder
# is the daemon's user's, for files tools running as it write),
# POLKITD_PID_FILE, and RESOURCE1D: a program starting the daemon as the unit
# would (what RESOURCE1D named is then RESOURCE1D_BIN); with --terminal also
# RESOURCE1_LOG, the log file.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(dirname "$here")

if [ "${1:-}" = --inside ]; then
        shift
        tmp=$1; shift
        mount --bind "$tmp/actions" /usr/share/polkit-1/actions
        mount --bind "$tmp/rules.d" /etc/polkit-1/rules.d
        bus_daemon=()
        if [ "$BUS" = dbus-broker ]; then
                # dbus-broker-launch execs /usr/bin/dbus-broker, and logs to
                # the journal's socket: both in this mount namespace only.
                mount -t overlay overlay -o "lowerdir=$RESOURCE1_DBUS_BROKER/usr/bin:/usr/bin" /usr/bin
                mkdir -p /run/systemd
                mount -t tmpfs -o mode=755 tmpfs /run/systemd
                bus_daemon=(--dbus-daemon="$here/fixture/broker-daemon.sh")
        fi
        # TAP needs the test's own lines as they are: strip dbus-test-runner's
        # "test      : " prefix and make every other line a TAP comment.
        set -o pipefail
        if [ "$NO_DAEMON" = 1 ]; then
                daemon_task=()
                wait_for=org.freedesktop.PolicyKit1
        else
                daemon_task=(--task "$here/fixture/daemon-task.sh" --task-name resource1d --task-bus=system --ignore-return
                             --wait-for org.freedesktop.PolicyKit1 $RESOURCE1D_ARGS_PARAMS)
                wait_for=org.example.Resource1
        fi
        # With --terminal the output is the log file, as dbus-test-runner writes it.
        if [ "$TERMINAL" = 1 ]; then tap=(cat) errors=(cat); else
                tap=(sed -u -e '/^test *: \(Started with PID\|Exited with status\|Shutting down\)/{s/^/# /;b}'
                            -e 's/^test *: //;t' -e 's/^/# /')
                # dbus-daemon logs every message it refuses: a flood test's
                # 100,000 lines (100 MB in meson's logs) would hide a
                # failure's own lines. The first 20 are kept, the rest counted.
                errors=(awk '/\] Rejected[: ]/ && ++refused > 20 { next } { print; fflush() }
                             END { if (refused > 20) printf "with-bus.sh: %d more messages the bus refused, not shown\n", refused - 20 }')
        fi
        dbus-test-runner --bus-type=system --dbus-config="$tmp/system.conf" --keep-env "${bus_daemon[@]}" \
                --max-wait="$MAX_WAIT" \
                --task "$here/fixture/polkitd-task.sh" --task-name polkitd --task-bus=system --ignore-return \
                "${daemon_task[@]}" \
                --task "$here/fixture/wait-then.sh" --task-name test --task-bus=system \
                        --wait-for "$wait_for" --parameter "$tmp/command" \
                2> >("${errors[@]}" >&2) | "${tap[@]}"
        exit
fi

# --terminal's COMMAND, in the fixture's namespaces (nsenter) and a mount
# namespace of its own: the fixture's bus where setuid programs look for the
# system bus, then COMMAND as --user's user.
if [ "${1:-}" = --terminal-inside ]; then
        shift
        tmp=$1; shift
        # Like tests/lib/pty-user.sh: /run/dbus is made on a tmpfs of this
        # namespace's, never on the machine's /run.
        if [ -d /run/dbus ]; then mount -t tmpfs -o mode=755 tmpfs /run/dbus
        else mount -t tmpfs -o mode=755 tmpfs /run && mkdir /run/dbus; fi
        ln -s "$tmp/system_bus_socket" /run/dbus/system_bus_socket
        exec "$@"
fi

usage() {
        cat <<'HELP'
Usage: tests/with-bus.sh [OPTIONS] -- COMMAND [ARG...]

Runs COMMAND (as root) against a private system bus (dbus-daemon with the
project's bus policy), a real polkitd and the real resource1d (this build's),
all in a private mount and pid namespace: nothing on the machine is touched
and no system bus or systemd is needed. Its exit status is COMMAND's.

Options:
  --rules FILE     a polkit rules file for polkitd (repeatable)
  --no-daemon      start no resource1d (COMMAND starts it: $RESOURCE1D)
  --bus BUS        dbus-daemon (the default, Debian 12's) or dbus-broker
                   (bookworm-backports' dbus-broker 37 as tests/install-deps.sh
                   extracts it to /var/cache/resource1-tests/dbus-broker/root,
                   or $RESOURCE1_DBUS_BROKER; it offers ProcessFD on Linux 6.5
                   and later); exit status 77 when it is missing
  --max-wait SEC   stop everything after SEC seconds (default 600; with
                   --terminal, a year)
  --terminal       COMMAND gets this terminal (standard input, output and
                   error), and the fixture's own lines (dbus-daemon, polkitd,
                   resource1d) go to a log file whose path is printed first;
                   without it, COMMAND's standard input is /dev/null and its
                   output and the fixture's are one stream (TAP, for tests)
  --log FILE       with --terminal: the log file (default: a new
                   /tmp/resource1-fixture.XXXXXX.log, kept afterwards)
  --user NAME      run COMMAND as NAME (its uid, gid and groups, HOME, USER,
                   LOGNAME), not as root
  -h, --help       show this help

COMMAND sees DBUS_SYSTEM_BUS_ADDRESS (the private bus), RESOURCE1_FIXTURE (the
fixture's temporary directory) and, with --terminal, RESOURCE1_LOG (the log
file); with --terminal, /run/dbus/system_bus_socket is the private bus as well.

To try the service by hand, tests/try.sh gives a shell inside the fixture
(it runs "with-bus.sh --terminal -- bash"). Pointing DBUS_SYSTEM_BUS_ADDRESS
at the fixture's socket from a shell outside does not work: the bus runs in
the fixture's pid namespace, where a process outside has no pid, so it cannot
tell the service who the caller is and every call fails ("the bus did not
tell who the caller is"). Run commands inside: as COMMAND, or in that shell.
HELP
}

rules=()
MAX_WAIT=
NO_DAEMON=0
TERMINAL=0
log=
user=
BUS=dbus-daemon
while [ $# -gt 0 ]; do
        case $1 in
        --bus=*) BUS=${1#*=}; shift ;;
        --rules|--max-wait|--log|--user|--bus)
                [ $# -ge 2 ] || { echo "with-bus.sh: $1 needs a value (--help)" >&2; exit 2; } ;;&
        --rules) rules+=("$2"); shift 2 ;;
        --max-wait) MAX_WAIT=$2; shift 2 ;;
        --no-daemon) NO_DAEMON=1; shift ;;
        --bus) BUS=$2; shift 2 ;;
        --terminal) TERMINAL=1; shift ;;
        --log) log=$2; shift 2 ;;
        --user) user=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        *) echo "with-bus.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
        esac
done
[ $# -gt 0 ] || { echo "usage: with-bus.sh [OPTIONS] -- COMMAND [ARG...] (--help)" >&2; exit 2; }
[ -z "$log" ] || [ "$TERMINAL" = 1 ] || { echo "with-bus.sh: --log is for --terminal" >&2; exit 2; }
# A session on a terminal lasts as long as its person wants: a year.
MAX_WAIT=${MAX_WAIT:-$([ "$TERMINAL" = 1 ] && echo 31536000 || echo 600)}

if [ "$(id -u)" != 0 ]; then
        echo "with-bus.sh: needs root (polkitd, a private mount namespace, test users)" >&2
        exit 77
fi
for tool in dbus-daemon dbus-test-runner unshare setpriv /usr/lib/polkit-1/polkitd $([ "$TERMINAL" = 0 ] || echo nsenter); do
        command -v "$tool" >/dev/null || { echo "with-bus.sh: '$tool' is missing" >&2; exit 1; }
done

case $BUS in
dbus-daemon) ;;
dbus-broker)
        export RESOURCE1_DBUS_BROKER=${RESOURCE1_DBUS_BROKER:-/var/cache/resource1-tests/dbus-broker/root}
        for f in "$RESOURCE1_DBUS_BROKER/usr/bin/dbus-broker" "$RESOURCE1_DBUS_BROKER/usr/bin/dbus-broker-launch"; do
                [ -x "$f" ] || { echo "with-bus.sh: --bus=dbus-broker: no '$f' (tests/install-deps.sh fetches it)" >&2; exit 77; }
        done
        for tool in systemd-socket-activate python3; do
                command -v "$tool" >/dev/null || { echo "with-bus.sh: --bus=dbus-broker: '$tool' is missing" >&2; exit 77; }
        done ;;
*) echo "with-bus.sh: --bus: 'dbus-daemon' or 'dbus-broker', not '$BUS'" >&2; exit 2 ;;
esac

export RESOURCE1D=${RESOURCE1D:-$src/build/daemon/resource1d}
[ -x "$RESOURCE1D" ] || { echo "with-bus.sh: no daemon at '$RESOURCE1D' (build first)" >&2; exit 1; }

# --user: COMMAND as that user, as a login would set it up (the shell it
# runs is COMMAND's business: nobody's is nologin).
as_user=()
if [ -n "$user" ]; then
        IFS=: read -r _ _ uid gid _ home _ < <(getent passwd "$user") ||
                { echo "with-bus.sh: no user '$user'" >&2; exit 2; }
        name=$(getent passwd "$uid" | cut -d: -f1)
        as_user=(setpriv --reuid="$uid" --regid="$gid" --init-groups
                 env HOME="$home" USER="$name" LOGNAME="$name")
fi

# --terminal: the fixture's lines go to the log file, and so does any note
# of this script's about the fixture.
if [ "$TERMINAL" = 1 ]; then
        [ -n "$log" ] || log=$(mktemp --suffix=.log /tmp/resource1-fixture.XXXXXX)
        : >> "$log" || exit 1
        chmod 644 "$log"   # for COMMAND's user too
        log=$(realpath "$log")
        exec {note}>>"$log"
        echo "with-bus.sh: the log of the bus, polkitd and resource1d: $log" >&2
else
        exec {note}>&2
fi

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
        echo "with-bus.sh: root lacks ${lack[*]} here (its bounding set): the daemon runs as $RESOURCE1D_USER without it" >&$note
RESOURCE1D_CAPS=$(IFS=,; echo "${give[*]}")
export RESOURCE1D_USER RESOURCE1D_CAPS RESOURCE1D_BIN=$RESOURCE1D RESOURCE1D=$here/fixture/as-service-user.sh
params=""
for a in ${RESOURCE1D_ARGS:-}; do params+=" --parameter $a"; done
export RESOURCE1D_ARGS_PARAMS=$params
export MAX_WAIT NO_DAEMON TERMINAL BUS

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
$([ "$BUS" = dbus-broker ] || cat <<'LIMITS'
  <!-- Room for the benchmarks' 1000 clients of one uid (dbus-broker's
       launcher turns these into quotas its own connection then exceeds). -->
  <limit name="max_connections_per_user">4096</limit>
  <limit name="max_completed_connections">4096</limit>
LIMITS
)
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

export RESOURCE1_FIXTURE=$tmp
export POLKITD_PID_FILE=$tmp/polkitd.pid
if [ "$TERMINAL" = 0 ]; then
        printf '%q ' "${as_user[@]}" "$@" > "$tmp/command"
        # A pid namespace too: when the fixture ends, every process it started ends.
        exec {note}>&-
        unshare --mount --propagation private --pid --fork --mount-proc -- "$here/with-bus.sh" --inside "$tmp"
        exit
fi

# --terminal. The test task says the daemon (or polkitd, with --no-daemon)
# is on the bus, then waits for COMMAND to end.
printf '%q ' sh -c 'touch "$0/ready"; until [ -e "$0/done" ]; do sleep 0.2; done' "$tmp" > "$tmp/command"
# --kill-child: should this script be killed, so is the fixture's every process.
unshare --mount --propagation private --pid --fork --mount-proc --kill-child -- \
        "$here/with-bus.sh" --inside "$tmp" < /dev/null >&$note 2>&$note &
fixture=$!
stop_fixture() {
        set +e
        touch "$tmp/done"
        local i
        for i in $(seq 100); do kill -0 "$fixture" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$fixture" 2>/dev/null
        wait "$fixture" 2>/dev/null
        echo "with-bus.sh: the fixture has stopped; its log: $log" >&2
        rm -rf "$tmp"
}
trap stop_fixture EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
until [ -e "$tmp/ready" ]; do
        kill -0 "$fixture" 2>/dev/null ||
                { echo "with-bus.sh: the fixture ended before it was ready:" >&2; tail -5 "$log" >&2; exit 1; }
        sleep 0.1
done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/system_bus_socket RESOURCE1_LOG=$log
exec {note}>&-
# Not exec: the fixture is stopped when COMMAND ends.
status=0
nsenter --mount=/proc/$fixture/ns/mnt --pid=/proc/$fixture/ns/pid_for_children --wd="$PWD" -- \
        unshare --mount --propagation private -- "$here/with-bus.sh" --terminal-inside "$tmp" "${as_user[@]}" "$@" ||
        status=$?
exit "$status"
