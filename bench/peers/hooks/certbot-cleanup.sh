#!/bin/sh
# certbot --manual-cleanup-hook: clears every value of the name (called once per value; the second call is a no-op).
exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/clear-txt" \
  -d "{\"host\":\"_acme-challenge.${CERTBOT_DOMAIN}.\"}"
