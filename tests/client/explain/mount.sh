#!/bin/bash
# Runs COMMAND where pam_limits' files are this folder's: in a mount
# namespace of its own, copies of limits.conf and limits.d/ are bound over
# /etc/security/limits.conf and /etc/security/limits.d, and a copy of
# /etc/group with the group r1explain (gid 4712, nobody in it) over
# /etc/group. resourcectl explain and resource1.explain read the real paths,
# as pam_limits does (no path of theirs is for tests), and so does a real
# pam_limits session (runuser), which the tests take as the oracle.
#
#   tests/client/explain/mount.sh DIR COMMAND [ARG...]
#
# DIR (the fixture's directory) gets the copies, readable by every user.
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${1:-}" != --inside ]; then
        exec unshare --mount --propagation private -- "$here/mount.sh" --inside "$@"
fi
dir=$2/explain-etc
shift 2
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$here/limits.conf" "$here/limits.d" "$dir/"
{ cat /etc/group; echo "r1explain:x:4712:nobody"; } > "$dir/group"
chmod -R a+rX "$dir"
mount --bind "$dir/limits.conf" /etc/security/limits.conf
mount --bind "$dir/limits.d" /etc/security/limits.d
mount --bind "$dir/group" /etc/group
exec "$@"
