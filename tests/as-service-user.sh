#!/bin/bash
# The daemon as resource1d.service runs it: as the service's system user, its
# capabilities ambient ones and its bounding set nothing else. with-bus.sh
# makes this the fixture's $RESOURCE1D, with the program to run (the daemon,
# or tests/valgrind-daemon.sh) in $RESOURCE1D_BIN, the unit's User= in
# $RESOURCE1D_USER, and in $RESOURCE1D_CAPS ("+kill,+setuid,...") the unit's
# capabilities that root has here to give.
set -euo pipefail
caps=${RESOURCE1D_CAPS:-}
exec setpriv --reuid="${RESOURCE1D_USER:?}" --regid="$RESOURCE1D_USER" --init-groups \
        --inh-caps="-all${caps:+,$caps}" --ambient-caps="-all${caps:+,$caps}" \
        --bounding-set="-all${caps:+,$caps}" -- "${RESOURCE1D_BIN:?}" "$@"
