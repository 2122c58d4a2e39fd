# What the descriptor gate's tests (tests/security/test-security-gate*.sh)
# share: the gate's name, the ids attackers run as, the gate processes and
# their states, another user's call through the gate meanwhile, root's call
# to the service, and the start and end of a test that attacks with FUSE.
# Sourced after tap.sh; needs RCALL and RESOURCE1_FIXTURE, and OTHER
# (setpriv's options of that other user) set by the test.
GATE=org.example.Resource1.Pidfd
NOBODY="--reuid=65534 --regid=65534 --clear-groups"
# User daemon (uid 1), to whom nobody hands a file of its FUSE file system.
DAEMON="--reuid=1 --regid=1 --clear-groups"

. "$(dirname "${BASH_SOURCE[0]}")/fuse-node.sh"

gates() { pgrep -x resource1d-gate; }
gate_states() { local p; for p in $(gates); do sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null; done | tr -d '\n'; }
# The pid of the gate that owns the name.
serving() {
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetConnectionUnixProcessID s \
                $GATE 2>/dev/null | sed -n 's/^u //p'
}

# The start of a gate test: $1 its name, $2 its number of checks, $3
# "fusectl" where it needs FUSE's control file system (the daemon aborts
# connections through it). Prints the plan; makes the test's own directory
# $work; sets $log (the daemon's); gets FUSE (fuse-node.sh) or skips every
# check saying why; starts the other user's process $own, which its calls
# through the gate name; and cleans up at exit (gate_cleanup).
gate_setup() {
        gate_checks=$2
        work=$(mktemp -d "$RESOURCE1_FIXTURE/$1.XXXXXX")
        chmod 755 "$work"
        log=$RESOURCE1_FIXTURE/resource1d.log
        trap gate_cleanup EXIT
        echo "1..$gate_checks"
        fuse_setup
        [ -z "$fuse_skip" ] || skip_all "$fuse_skip"
        if [ "${3:-}" = fusectl ]; then
                mountpoint -q /sys/fs/fuse/connections ||
                        skip_all "FUSE's control file system (fusectl) cannot be mounted here"
        fi
        setpriv $OTHER sleep 300 &
        own=$!
        started+=($own)
}
# The connections first: a process that closes a file of one that was not
# aborted waits in fuse_flush until it is (and kill_started waits for it).
gate_cleanup() { fuse_abort_new; kill_started; }
# Skips the checks not run yet, saying why ($1), and ends the test.
skip_all() {
        while [ "$n" -lt "$gate_checks" ]; do check "# SKIP $1" true; done
        exit 0
}
# Waits up to $1 s for an attack's output $2 to say READY, or SKIP: then
# the test is skipped with the attack's reason.
gate_ready() {
        wait_for "$1" "grep -q '^READY\|^SKIP' '$2'"
        if grep -q '^SKIP' "$2"; then
                skip_all "$(sed -n 's/^SKIP //p' "$2" | head -1)"
        fi
}

# Lowers gate process $1's NOFILE to $2, so that a test fills its table
# quickly. As the gates' user: prlimit of another user's process needs
# CAP_SYS_RESOURCE, which root lacks here.
gate_lower_nofile() {
        [ -n "$1" ] && setpriv --reuid=resource1 --regid=resource1 --clear-groups \
                prlimit --pid "$1" --nofile="$2:$2" 2>&1 | note
}

# Waits up to 5 s for the gates to settle: at most 2 processes, none in D
# state. n_gates and states say what was seen; gate_settled whether so.
gate_settle() {
        wait_for 5 '[ "$(gates | wc -l)" -le 2 ] && [ -z "$(gate_states | tr -d RS)" ]'
        n_gates=$(gates | wc -l)
        states=$(gate_states)
}
gate_settled() { [ "$n_gates" -le 2 ] && [ -z "${states//[RS]/}" ]; }

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
# Check $1: that call answers within 5 s (out and ms left as they were).
gate_other_check() {
        local out ms
        gate_other_call
        check "$1: another user's PrlimitPidfd through $GATE answers within 5 s ($ms ms: ${out:-no answer})" \
                'gate_other_answered'
}

# Check $1: root's PageSize on the service itself answers within 5 s.
gate_root_check() {
        local t0 out ms
        t0=$(date +%s%N)
        out=$(timeout 6 busctl --system --timeout=5 call org.example.Resource1 /org/example/Resource1 \
                org.example.Resource1 PageSize 2>&1)
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        check "$1: root's PageSize on org.example.Resource1 answers within 5 s ($ms ms: $out)" \
                'grep -q "^t " <<< "$out" && [ $ms -le 5000 ]'
}
