#!/bin/bash
# Runs the client built from gdbus-codegen's bindings (tests/service/test-codegen.c,
# its path the first argument) as nobody, inside tests/with-bus.sh:
#
#   tests/with-bus.sh -- tests/service/test-codegen.sh build/tests/test-codegen --tap
#
# A copy in the fixture's directory, so that nobody can run it wherever the
# build tree is.
set -euo pipefail
copy=$RESOURCE1_FIXTURE/test-codegen
install -m 755 "$1" "$copy"
shift
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$copy" "$@"
