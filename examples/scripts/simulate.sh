#!/bin/sh
# Stand-in for real operations in the shipped runbooks: says what a real script would do, takes a
# moment, and succeeds. Safe to run anywhere; changes nothing.
# Usage: simulate.sh ACTION [DETAIL...]
action="${1:-work}"
shift
echo "[simulated] ${action}: $*"
echo "[simulated] incident ${WARROOM_INCIDENT_ID:-none}, component ${WARROOM_COMPONENT:-none}"
sleep 1
echo "[simulated] ${action} done"
