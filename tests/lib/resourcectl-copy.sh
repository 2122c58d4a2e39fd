# resourcectl and libresource1 copied into the directory $1 (made, mode $2),
# so that an unprivileged user can run them wherever the build tree is: R
# names the copy, LD_LIBRARY_PATH the library's directory. Needs RESOURCECTL
# (build/client/resourcectl/resourcectl).
resourcectl_copy() {
        mkdir -p "$1" && chmod "$2" "$1"
        install -m 755 "$RESOURCECTL" "$1/resourcectl"
        install -m 755 "$(dirname "$RESOURCECTL")"/../lib/libresource1.so.1 "$1/"     # build/client/lib
        R=$1/resourcectl
        export LD_LIBRARY_PATH=$1
}

# The start of a test that runs that copy under strace (cli-local, cli-cost):
# without strace, the whole test is skipped saying why; otherwise the copy
# is made in T, the fixture's directory named $1, open to everyone.
resourcectl_copy_traced() {
        if ! command -v strace >/dev/null; then
                echo "1..0 # SKIP strace is not installed (tests/install-deps.sh installs it)"
                exit 0
        fi
        T=$RESOURCE1_FIXTURE/$1
        resourcectl_copy "$T" 777
}
