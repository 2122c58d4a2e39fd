#!/bin/sh
# polkitd for the fixture: records its pid so tests can stop it to check that
# the service fails closed without it.
echo $$ > "$POLKITD_PID_FILE"
exec /usr/lib/polkit-1/polkitd --no-debug
