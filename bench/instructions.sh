#!/bin/bash
# Instructions the daemon spends per call, counted by callgrind: repeatable,
# whatever else the machine is doing (the latency table is not). The daemon
# runs under valgrind in the fixture; after each batch of calls its counters
# are dumped and zeroed.
#   bench/instructions.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --inside ]; then
        tests/install-deps.sh --if-missing
        command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
        [ -d build ] || meson setup build
        ninja -C build >/dev/null
        export BENCH_CALLS=${1:-2000}
        tmp=$(mktemp -d)
        chmod 755 "$tmp"
        cat > "$tmp/daemon" <<SH
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$tmp/cg.out "$PWD/build/daemon/resource1d" "\$@"
SH
        chmod +x "$tmp/daemon"
        export CG_DIR=$tmp RESOURCE1D=$tmp/daemon RESOURCE1D_ARGS=--log-level=warning
        tests/with-bus.sh -- "$PWD/bench/instructions.sh" --inside | grep -v "^#"
        rm -rf "$tmp"
        exit
fi

B=build/bench/resource1-bench
N=$BENCH_CALLS
daemon=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
         GetConnectionUnixProcessID s org.example.Resource1 | awk '{print $2}')
sleep 3600 & child=$!
"$B" calls 50 >/dev/null                  # warm: first-use work is not per-call cost
callgrind_control -z "$daemon" >/dev/null
total() {   # instructions since the last zeroing
        callgrind_control -d "$1" "$daemon" >/dev/null
        sleep 0.3
        local f
        f=$(ls -t "$CG_DIR"/cg.out.* | head -1)
        callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
declare -A ir
for call in Ping PageSize GetRlimit ListRlimits GetRusage; do
        "$B" repeat "$N" "$call" "$child"
        ir[$call]=$(total "$call")
done
printf '| call | instructions per call in the daemon | over Ping |\n|---|---|---|\n'
for call in Ping PageSize GetRlimit ListRlimits GetRusage; do
        per=$(( ${ir[$call]} / N ))
        printf '| %s | %s | %s |\n' "$call" "$per" "$(( per - ${ir[Ping]} / N ))"
done
kill "$child"

# The floor: sd-bus building the same reply shapes from constants, nothing
# else (bench/marshal.c), per message over an empty one.
M=build/bench/resource1-marshal
marshal() {
        local f=$CG_DIR/marshal.$1.$2
        valgrind --tool=callgrind --callgrind-out-file="$f" "$M" "$1" "$2" 2>/dev/null
        callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
per_msg() {     # instructions per message of shape $1, over an empty message
        local a b e0 e1
        a=$(marshal "$1" 100); b=$(marshal "$1" 1100)
        e0=$(marshal empty 100); e1=$(marshal empty 1100)
        echo $(( (b - a - (e1 - e0)) / 1000 ))
}
printf '\n| reply shape, built by sd-bus from constants | instructions per reply |\n|---|---|\n'
printf '| ListRlimits a(stt), 16 entries | %s |\n' "$(per_msg limits)"
printf '| GetRusage a{sv}, 16 entries | %s |\n' "$(per_msg usage)"
