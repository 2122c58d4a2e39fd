#!/bin/bash
# resource1d for the fixture: its log also goes to $RESOURCE1_FIXTURE/resource1d.log,
# for tests that check what the daemon logged. RESOURCE1D_SOFT_NOFILE, when
# set, is its soft NOFILE limit at start (the unit sets none: systemd's
# default, 1024, is what the service starts with).
[ -z "${RESOURCE1D_SOFT_NOFILE:-}" ] || ulimit -Sn "$RESOURCE1D_SOFT_NOFILE"
exec "$RESOURCE1D" "$@" 2> >(tee -a "$RESOURCE1_FIXTURE/resource1d.log" >&2)
