# TAP for the shell suites (sourced): "check NAME COMMAND" runs COMMAND with
# eval and prints one "ok"/"not ok" line; "tap_done" is the exit status.
n=0 failed=0
check() {
        n=$((n+1))
        if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed+1)); fi
}
tap_done() { [ "$failed" = 0 ]; }

# What the suites share besides: "note" makes its input (or files) TAP
# comments; "wait_for SECONDS COMMAND" polls COMMAND (eval) every 50 ms;
# "log_size" and "log_since OFFSET" read the daemon's log, $log, from OFFSET
# bytes on.
note() { sed 's/^/# /' "$@"; }
wait_for() {
        local end=$(( $(date +%s%N) + $1 * 1000000000 ))
        until eval "$2"; do
                [ "$(date +%s%N)" -lt "$end" ] || return 1
                sleep 0.05
        done
}
log_size() { stat -c %s "$log"; }
log_since() { tail -c +$(( $1 + 1 )) "$log"; }

# The background processes a suite starts go in "started"; kill_started
# kills and reaps them (suites call it from their EXIT trap). Only those are
# waited for: a bare "wait" would also wait out any other child.
started=()
kill_started() {
        local p
        for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null; done
        [ ${#started[@]} -eq 0 ] || wait "${started[@]}" 2>/dev/null
}
