#!/bin/sh
# dehydrated HOOK: "deploy_challenge|clean_challenge DOMAIN TOKEN_FILENAME TOKEN_VALUE"; every other event is ignored.
case "$1" in
  deploy_challenge) exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/set-txt" -d "{\"host\":\"_acme-challenge.$2.\",\"value\":\"$4\"}" ;;
  clean_challenge) exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/clear-txt" -d "{\"host\":\"_acme-challenge.$2.\"}" ;;
esac
exit 0
