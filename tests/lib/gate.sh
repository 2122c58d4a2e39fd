# What the descriptor gate's tests (tests/security/test-security-gate*.sh)
# share: the gate's name, the ids attackers run as, the gate processes and
# their states, and another user's call through the gate meanwhile. Needs
# RCALL, and OTHER (setpriv's options of that other user) and own (a process
# of its) set by the test.
GATE=org.example.Resource1.Pidfd
NOBODY="--reuid=65534 --regid=65534 --clear-groups"

gates() { pgrep -x resource1d-gate; }
gate_states() { local p; for p in $(gates); do sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null; done | tr -d '\n'; }
# The pid of the gate that owns the name.
serving() {
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetConnectionUnixProcessID s \
                $GATE 2>/dev/null | sed -n 's/^u //p'
}
# Another user's PrlimitPidfd of its own process through the gate: its
# output in out, how long it took in ms; gate_other_answered says whether it
# answered within 5 s.
gate_other_call() {
        local t0
        t0=$(date +%s%N)
        out=$(RCALL_DEST=$GATE timeout 6 setpriv $OTHER "$RCALL" --pidfd-of $own PrlimitPidfd '(hsbtt)' \
                "(handle 0, 'NOFILE', false, 0, 0)" 2>&1)
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}
gate_other_answered() { grep -q "^OK" <<< "$out" && [ $ms -le 5000 ]; }
