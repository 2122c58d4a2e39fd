#!/bin/bash
# resource1d for the fixture: its log also goes to $RESOURCE1_FIXTURE/resource1d.log,
# for tests that check what the daemon logged.
exec "$RESOURCE1D" "$@" 2> >(tee -a "$RESOURCE1_FIXTURE/resource1d.log" >&2)
