#!/bin/bash
# The app's shell in the flatpak suite (tests/client/test-flatpak.sh), run inside the
# app's sandbox (helpers/flatpak-run.py): it runs each line read from standard
# input as a command of its own (so that "resourcectl set" changes this
# shell, and "sleep 300 &" is its child), with standard input from /dev/null,
# and ends each with "__DONE__ STATUS". Its first line is "SHELL PID", its
# pid in the app's pid namespace.
echo "SHELL $$"
while IFS= read -r line; do
        eval "$line" < /dev/null
        echo "__DONE__ $?"
done
