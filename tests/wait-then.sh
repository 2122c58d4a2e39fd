#!/bin/bash
# The fixture's test task: runs the command saved by with-bus.sh.
set -u
cmd=$(cat "$1")
eval "exec $cmd"
