# FUSE for the security suites that attack with a file of the caller's own
# FUSE file system (sourced; needs $work, the suite's own directory).
#
# /dev/fuse is 0666 where udev made it (Debian's 50-udev-default.rules);
# where it is not (no udev, as on a bare container), a node of the same
# device with that mode is bound over it, in the fixture's own mount
# namespace only, so that the attack is the one every Debian user can make.
# fuse_setup sets fuse_skip to the reason when it cannot be had;
# fuse_abort_new aborts every FUSE connection made since (at the end:
# nothing should be left, its server having let go).
fuse_skip=""
fuse_conns_before=""
fuse_setup() {
        if [ ! -c /dev/fuse ]; then
                fuse_skip="no /dev/fuse on this machine"
                return
        fi
        local mode
        mode=$(stat -c %a /dev/fuse)
        if [ "$mode" != 666 ]; then
                local maj min
                read -r maj min < <(stat -c '%t %T' /dev/fuse)
                mkdir -m 755 "$work/dev"
                if mount -t tmpfs -o mode=755 fuse-dev "$work/dev" &&
                   mknod -m 666 "$work/dev/fuse" c $((16#$maj)) $((16#$min)) &&
                   mount --bind "$work/dev/fuse" /dev/fuse; then
                        echo "# /dev/fuse is $mode here (no udev): a 0666 node of the same device bound over it in the fixture, as Debian's udev makes it"
                else
                        fuse_skip="/dev/fuse is not 0666 and no 0666 node could be bound over it"
                fi
        fi
        # FUSE's control file system, to abort whatever this suite left
        # behind (at the end: nothing should be, its server has let go).
        if [ -d /sys/fs/fuse/connections ] && ! mountpoint -q /sys/fs/fuse/connections; then
                mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
        fi
        fuse_conns_before=$(ls /sys/fs/fuse/connections 2>/dev/null | tr '\n' ' ')
}
fuse_abort_new() {
        local c
        for c in /sys/fs/fuse/connections/*; do
                [ -e "$c/abort" ] || continue
                case " $fuse_conns_before " in *" ${c##*/} "*) continue ;; esac
                echo 1 > "$c/abort" 2>/dev/null && echo "# aborted FUSE connection ${c##*/} left by the suite"
        done
}
