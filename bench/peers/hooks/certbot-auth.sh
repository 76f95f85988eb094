#!/bin/sh
# certbot --manual-auth-hook: certbot sets CERTBOT_DOMAIN and CERTBOT_VALIDATION (the TXT value).
# challtestsrv appends values, so the apex and wildcard values for one name both stay visible.
exec curl -fsS -o /dev/null -X POST "$CHALLTESTSRV_URL/set-txt" \
  -d "{\"host\":\"_acme-challenge.${CERTBOT_DOMAIN}.\",\"value\":\"${CERTBOT_VALIDATION}\"}"
