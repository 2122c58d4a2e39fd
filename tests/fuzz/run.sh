#!/bin/bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) and runs each for a
# bounded time on its committed seed corpus (tests/fuzz/corpus/NAME). New
# inputs found go to a scratch copy; a crash fails the run, and its input
# belongs in the corpus once fixed, as a regression input. TAP output.
#   tests/fuzz/run.sh [SECONDS-EACH]     (default 20; FUZZ_SECONDS too)
# (fuzz-bus.c here is no libFuzzer harness: a client of the real service on
# the fixture's bus, built and run by meson as the test fuzz-bus.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-20}}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
        echo "1..0 # SKIP clang with libFuzzer (packages clang, libclang-rt-14-dev) is not installed"
        exit 0
fi

flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE
       -I"$src/interfaces" -I"$src/client/resourcectl" -I"$src/daemon" -I"$src/daemon/process" -I"$src/daemon/policy")
harness=(
        "names:$here/fuzz-names.c $src/interfaces/resource1-names.c"
        "limit-value:$here/fuzz-limit-value.c $src/client/resourcectl/limit-value.c $src/interfaces/resource1-names.c"
        "proc:$here/fuzz-proc.c $src/daemon/process/proc-parse.c"
)
echo "1..$(( ${#harness[@]} * 2 ))"
n=0 failed=0
for h in "${harness[@]}"; do
        name=${h%%:*}
        files=${h#*:}
        n=$((n+1))
        # shellcheck disable=SC2086
        if clang "${flags[@]}" -o "$out/fuzz-$name" $files 2>"$out/$name.build"; then
                echo "ok $n - fuzz-$name builds"
        else
                echo "not ok $n - fuzz-$name builds"; sed 's/^/# /' "$out/$name.build"
                failed=$((failed+1)); n=$((n+1)); echo "not ok $n - fuzz-$name runs clean # not built"; continue
        fi
        n=$((n+1))
        mkdir -p "$out/corpus-$name"
        if (cd "$out" && "./fuzz-$name" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 \
                "$out/corpus-$name" "$here/corpus/$name" >"$out/$name.log" 2>&1); then
                echo "ok $n - fuzz-$name runs clean for ${seconds}s ($(grep -o 'Done [0-9]* runs' "$out/$name.log" | head -1))"
        else
                echo "not ok $n - fuzz-$name found a crash"
                grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$out/$name.log" | head -20 | sed 's/^/# /'
                for c in "$out"/crash-* "$out"/leak-* "$out"/timeout-*; do
                        [ -e "$c" ] && { echo "# input: $(basename "$c")"; od -c "$c" | head -5 | sed 's/^/#   /'; }
                done
                failed=$((failed+1))
        fi
done
[ "$failed" = 0 ]
