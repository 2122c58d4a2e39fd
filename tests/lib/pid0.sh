# What the pid-0 suites (tests/security/test-security-pid0*.sh) share (sourced
# after tap.sh, with $here set): the sandbox helper, the service's name,
# nobody's ids, and reading the helper's "RESULT KIND METHOD ..." lines.
H=$here/../helpers/pid0-sandbox.py
B="org.example.Resource1 /org/example/Resource1 org.example.Resource1"
NOBODY="--reuid=65534 --regid=65534 --clear-groups"
# The pid-0 methods.
PID0="GetRlimit ListRlimits GetRusage SetRlimit Prlimit SetRlimits"
# result FILE KIND METHOD: "OK ..." or "ERR name message" of that call.
result() { awk -v k="$2" -v m="$3" '$1 == "RESULT" && $2 == k && $3 == m { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' "$1"; }
# all_err FILE KIND ERROR TEXT METHOD...: each answered ERROR with TEXT in its message.
all_err() {
        local f=$1 k=$2 e=$3 t=$4 m r
        shift 4
        for m in "$@"; do
                r=$(result "$f" "$k" "$m")
                [[ $r == "ERR $e "*"$t"* ]] || { echo "# $k $m: ${r:-no answer}"; return 1; }
        done
}
