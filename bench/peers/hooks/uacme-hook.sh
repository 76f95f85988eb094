#!/bin/sh
# uacme -h: "METHOD TYPE IDENT TOKEN AUTH"; for dns-01 AUTH is already the TXT value.
# Declining (exit 1) any other challenge type makes uacme move on to the next one offered.
[ "$2" = "dns-01" ] || exit 1
case "$1" in
  begin) exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/set-txt" -d "{\"host\":\"_acme-challenge.$3.\",\"value\":\"$5\"}" ;;
  done|failed) exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/clear-txt" -d "{\"host\":\"_acme-challenge.$3.\"}" ;;
esac
exit 1
