#!/bin/sh
# race-helper PID: spawned (polkit.spawn) by the VM test's polkit rule while
# resource1d waits for polkit's answer about PID. PID is blocked opening the
# FIFO for reading; writing to it lets PID exec the setuid-root suid-wait.
# Returns once the kernel shows PID with euid 0, so that polkit's yes comes
# after the target became root's. Runs as polkitd's user: it cannot signal
# PID, but may write the FIFO (group polkitd). Bounded well inside polkit's
# 10 s limit for a spawned program.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
pid=$1
fifo=/run/resource1-vmtest/race.fifo

timeout 3 sh -c 'echo go > "$1"' _ "$fifo"
for _ in $(seq 40); do
        euid=$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status" 2>/dev/null) || euid=
        [ "$euid" = 0 ] && exit 0
        sleep 0.1
done
echo "race-helper: pid $pid did not get euid 0" >&2
exit 1
