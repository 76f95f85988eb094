#!/bin/sh
# lego --dns exec (EXEC_PATH): "$1" is present|cleanup, "$2" the record FQDN with its trailing dot, "$3" the TXT value.
case "$1" in
  present) exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/set-txt" -d "{\"host\":\"$2\",\"value\":\"$3\"}" ;;
  cleanup) exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/clear-txt" -d "{\"host\":\"$2\"}" ;;
esac
exit 0
