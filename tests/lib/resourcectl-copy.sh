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
