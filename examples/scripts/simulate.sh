#!/bin/sh
# Stand-in for real operations in the example config and the shipped runbooks. It says what a real
# script would do, takes a moment, and succeeds; it changes nothing outside its own state folder.
#
#   simulate.sh status NAME     exit 1 while NAME is "down" (used by the example's probes)
#   simulate.sh break NAME      take NAME down, to try the console: simulate.sh break db
#   simulate.sh ACTION DETAIL   any other action: print, wait a second, succeed;
#                               promote-replica also brings "db" back up
state="${WARROOM_SIM_DIR:-${TMPDIR:-/tmp}/warroom-example}"
mkdir -p "$state"
action="${1:-work}"
shift
case "$action" in
  status)
    if [ -e "$state/$1.down" ]; then echo "$1 is down (simulated)"; exit 1; fi
    echo "$1 is up (simulated)"
    exit 0 ;;
  break)
    touch "$state/$1.down"
    echo "$1 is now down (simulated); promote-replica brings db back"
    exit 0 ;;
esac
echo "[simulated] ${action}: $*"
echo "[simulated] incident ${WARROOM_INCIDENT_ID:-none}, component ${WARROOM_COMPONENT:-none}"
sleep 1
if [ "$action" = "promote-replica" ]; then rm -f "$state/db.down"; fi
echo "[simulated] ${action} done"
