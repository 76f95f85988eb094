#!/usr/bin/env bash
# Shows that each invariant of the lifetime simulator catches a bug: applies one one-line
# mutation at a time to production code in a throw-away git worktree of HEAD, runs the simulator
# there, and prints which invariants it violated. Not part of npm test (about 8 minutes).
#   bash test/lifetime/deliberate-bugs.sh [seed]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seed=${1:-1}
scratch=$(mktemp -d)
trap 'for tree in "$scratch"/*/; do git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true; done; rm -rf "$scratch"' EXIT

mutate() { # name file old new days
  local tree="$scratch/$1"
  git -C "$root" worktree add --detach -f "$tree" HEAD >/dev/null 2>&1
  ln -s "$root/node_modules" "$tree/node_modules"
  MUTATION_OLD="$3" MUTATION_NEW="$4" node -e '
    const fs = require("node:fs");
    const file = process.argv[1];
    const text = fs.readFileSync(file, "utf8");
    if (!text.includes(process.env.MUTATION_OLD)) { console.error(`mutation anchor not found in ${file}`); process.exit(2); }
    fs.writeFileSync(file, text.replace(process.env.MUTATION_OLD, process.env.MUTATION_NEW));
  ' "$tree/$2"
  local out
  out=$(cd "$tree" && node_modules/.bin/tsx test/lifetime/main.ts --seed "$seed" --certificates 50 --days "$5" || true)
  echo "$1 ($2, seed $seed, 50 certificates x $5 days):"
  grep -E '^  FAIL' <<<"$out" || echo "  no violation: the mutation was NOT caught"
  git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1
}

mutate no-renewal-time functions/core/renewal-policy.ts \
  'const POLICIES: readonly Policy[] = [specChanged, expired, ariWindowReached, renewalTimeReached, forced];' \
  'const POLICIES: readonly Policy[] = [specChanged, expired, forced];' 365
mutate acm-ignored functions/core/reconcile.ts '  if (spec.acm && serialNumber) {' '  if (spec.acm && serialNumber && false) {' 365
mutate names-compared-unsorted functions/core/renewal-policy.ts \
  "  const have = [...current.dnsNames].sort().join(',');" "  const have = [...current.dnsNames].join(',');" 120
mutate no-hold-off functions/core/failure-backoff.ts '  return STEPS_MS[consecutiveFailures - 1] ?? DAY_MS;' '  return 0;' 365
mutate schedule-ignored functions/core/reconcile.ts '  if (renewalTime) {' '  if (renewalTime && false) {' 365
mutate own-records-only functions/phases/clean-up.ts \
  '  const records = union(union(challengeRecords(state), entry?.staleRecords ?? []), entry?.order?.records ?? []);' \
  '  const records = challengeRecords(state);' 365
mutate pending-keys-kept functions/phases/clean-up.ts \
  '  for (const version of await deps.store.listPendingKeys(name)) if (version !== keep) await deps.store.removePendingKey(name, version);' \
  '  void keep;' 365
mutate repair-keeps-leftover-order functions/adapters/ledger-transitions.ts \
  '  const keptOrder = !holds ? order : failed && (ours ? outcome.keepOrder : true) ? order : undefined;' \
  '  const keptOrder = ours ? (failed && outcome.keepOrder ? order : undefined) : order;' 365
mutate stale-record-trusted functions/phases/known-current.ts \
  '  if (entry?.current?.versionId !== versionId) return { stale: true, versionId, ...(entry && { entry }) };' \
  '  if (!entry?.current) return { stale: true, versionId, ...(entry && { entry }) };' 365
echo "without a mutation:"
(cd "$root" && node_modules/.bin/tsx test/lifetime/main.ts --seed "$seed" --certificates 50 --days 365 | grep -E '^  (FAIL|ok)') || true
