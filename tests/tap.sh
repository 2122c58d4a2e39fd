# TAP for the shell suites (sourced): "check NAME COMMAND" runs COMMAND with
# eval and prints one "ok"/"not ok" line; "tap_done" is the exit status.
n=0 failed=0
check() {
        n=$((n+1))
        if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed+1)); fi
}
tap_done() { [ "$failed" = 0 ]; }
