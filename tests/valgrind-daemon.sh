#!/bin/sh
# resource1d under valgrind's memcheck, for tests/test-memcheck.sh.
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
        --track-origins=yes --log-file="$RESOURCE1_FIXTURE/daemon/memcheck.log" "$RESOURCE1D_REAL" "$@"
