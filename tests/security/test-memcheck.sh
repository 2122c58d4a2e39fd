#!/bin/bash
# The integration suites against resource1d running under valgrind's memcheck
# (tests/fixture/valgrind-daemon.sh, started by with-bus.sh): they pass, and memcheck
# finds no error and no definite leak once the daemon has exited. TAP output.
set -u
: "${TEST_SERVICE:?}" "${TEST_CLI:?}" "${RESOURCE1_FIXTURE:?}"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
echo "1..5"
log=$RESOURCE1_FIXTURE/daemon/memcheck.log
daemon=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
         GetConnectionUnixProcessID s org.example.Resource1 | awk '{print $2}')

# The CLI suite first: the service suites' last program leaves no polkitd.
RESOURCE1D=/bin/false bash "$TEST_CLI" > "$RESOURCE1_FIXTURE/cli.out" 2>&1
cli_rc=$?
# TEST_SERVICE: the service suites' programs (tests/service/), separated by
# ":", run in that order against this one daemon; the last one leaves no
# polkitd running.
service_rc=0
IFS=: read -ra service_programs <<< "$TEST_SERVICE"
: > "$RESOURCE1_FIXTURE/service.out"
for program in "${service_programs[@]}"; do
        echo "# $program" >> "$RESOURCE1_FIXTURE/service.out"
        "$program" >> "$RESOURCE1_FIXTURE/service.out" 2>&1 || service_rc=1
done
# The statuses are kept in variables: check's own arithmetic would reset $?.
check "the service suite passes against the daemon under memcheck" \
        '[ $service_rc = 0 ] || { grep -v "^ok" "$RESOURCE1_FIXTURE/service.out" | sed "s/^/# /" | tail -80; false; }'
check "the CLI suite passes against the daemon under memcheck" \
        '[ $cli_rc = 0 ] || { grep "^not ok" "$RESOURCE1_FIXTURE/cli.out" | sed "s/^/# /"; false; }'

kill -TERM "$daemon"
for _ in $(seq 300); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
check "the daemon exits on SIGTERM" '! kill -0 "$daemon" 2>/dev/null'
sleep 0.5
check "memcheck: no errors" 'grep -q "ERROR SUMMARY: 0 errors" "$log" || { grep -A20 "Invalid\|uninitialised" "$log" | head -60 | sed "s/^/# /"; false; }'
check "memcheck: no definite leaks" '! grep -q "definitely lost: [1-9]" "$log" || { grep -B5 -A25 "definitely lost in" "$log" | head -60 | sed "s/^/# /"; false; }'
sed -n '/HEAP SUMMARY/,/ERROR SUMMARY/p' "$log" | sed 's/^==[0-9]*== /# /'
tap_done
