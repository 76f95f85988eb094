/**
 * cdk/permissions.ts lists what each function needs by hand, while functions/ keeps changing.
 * This reads each handler and its phase and checks the list against the calls they make, both
 * ways: a call without its permission fails in production, a permission without a call is
 * more than least privilege.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANDLERS_DIR, PROJECT_ROOT, kebabCase, readStateMachineDefinition } from '../../cdk/definition.js';
import { FUNCTION_NEEDS, type Need, SWEEP_FUNCTIONS } from '../../cdk/permissions.js';

/** The code that shows a function needs something, and the needs any one of which covers it. */
const EVIDENCE: ReadonlyArray<{ readonly code: RegExp; readonly covered: readonly Need[] }> = [
  { code: /deps\.store\.(getCurrent|getPendingKey|readCurrent)\b/, covered: ['certificate:read', 'certificate:read-acm'] },
  // Reading a value returns the key: only a key-bearing call justifies certificate:read.
  { code: /deps\.store\.currentVersion\b/, covered: ['certificate:describe', 'certificate:pending'] },
  { code: /deps\.store\.(putPendingKey|makeCurrent)\b/, covered: ['certificate:write'] },
  { code: /deps\.store\.makeCurrent\b/, covered: ['certificate:stage'] },
  { code: /deps\.store\.listPendingKeys\b/, covered: ['certificate:pending', 'certificate:describe'] },
  { code: /deps\.store\.removePendingKey\b/, covered: ['certificate:pending', 'certificate:stage'] },
  { code: /\bacmeGateways\(/, covered: ['acme', 'eab'] },
  // ARI without acme-client (runtime/ari.ts) still resolves the issuer, reading an EAB issuer's HMAC secret.
  { code: /\brenewalInfoSources\(/, covered: ['eab'] },
  { code: /\broute53DnsFor\(/, covered: ['route53:zones'] },
  { code: /\.(present|cleanUp)\(records\)/, covered: ['route53:change'] },
  { code: /\.(present|cleanUp)\(records\)/, covered: ['route53:records'] },
  { code: /\.isPropagated\(/, covered: ['route53:getChange'] },
  { code: /\.checkZones\(/, covered: ['acme-dns:register'] },
  { code: /\.present\(records\)/, covered: ['acme-dns:read'] },
  { code: /\bdynamoDbLedger\(/, covered: ['ledger'] },
  { code: /deps\.scheduler\.schedule\(/, covered: ['scheduler'] },
  { code: /deps\.scheduler\.get\(/, covered: ['scheduler:read'] },
  { code: /\.import\(\{/, covered: ['acm'] },
  { code: /\.describe\(spec\.name/, covered: ['acm:read'] },
  { code: /\bDynamoDbCertificateCatalog\b/, covered: ['catalog'] },
  { code: /\bStepFunctionsRunStarter\b/, covered: ['start'] },
  // Step 15: the store makes a certificate's secret on its first pending key (contract item 1).
  { code: /deps\.store\.putPendingKey\b/, covered: ['certificate:create'] },
  { code: /\.ensurePolicy\(/, covered: ['certificate:policy', 'certificate:create'] },
  // The names below are the SDK's, as the functions side names no adapter for them in the contract.
  { code: /\bcatalog\.(put|delete|remove)[A-Za-z]*\(/i, covered: ['catalog:write', 'catalog:record'] },
  { code: /\bGetObjectCommand\b|\bS3Client\b/, covered: ['asset'] },
  { code: /\bPutEventsCommand\b|\bEventBridgeClient\b/, covered: ['events'] },
];

/** The handler, its phase, and the phases that one imports (observe.ts, clean-up.ts, ...). */
function sourcesOf(entry: string): string {
  const handler = readFileSync(entry, 'utf8');
  const seen = new Set<string>();
  const visit = (text: string, pattern: RegExp): string[] =>
    [...text.matchAll(pattern)].flatMap((match) => {
      const phase = match[1] as string;
      if (seen.has(phase)) return [];
      seen.add(phase);
      const source = readFileSync(join(PROJECT_ROOT, 'functions', 'phases', `${phase}.ts`), 'utf8');
      return [source, ...visit(source, /from '\.\/([a-z-]+)\.js'/g)];
    });
  // Shared builders of adapters (runtime/reconcile.ts, runtime/dns-on-demand.ts) count as the handler's own calls.
  const builders = [...handler.matchAll(/from '\.\.\/runtime\/(reconcile|dns-on-demand)\.js'/g)].map((match) =>
    readFileSync(join(PROJECT_ROOT, 'functions', 'runtime', `${match[1]}.ts`), 'utf8'),
  );
  return [handler, ...builders, ...visit(handler, /from '\.\.\/phases\/([a-z-]+)\.js'/g)].join('\n');
}

const functions = [...readStateMachineDefinition().functions, ...SWEEP_FUNCTIONS.map((name) => ({ name, entry: join(HANDLERS_DIR, `${kebabCase(name)}.ts`) }))];

describe('FUNCTION_NEEDS', () => {
  it('lists every function of the state machine, and the sweeps and the catalog sync beside it', () => {
    expect(Object.keys(FUNCTION_NEEDS).sort()).toEqual(functions.map((fn) => fn.name).sort());
  });

  it.each(functions.map((fn) => [fn.name, fn.entry] as const))('covers every call %s makes, and only those', (name, entry) => {
    // Prepare
    const code = sourcesOf(entry);
    const needs = FUNCTION_NEEDS[name] ?? [];

    // Act
    const missing = EVIDENCE.filter((evidence) => evidence.code.test(code) && !evidence.covered.some((need) => needs.includes(need)));
    const unjustified = needs.filter((need) => !EVIDENCE.some((evidence) => evidence.covered.includes(need) && evidence.code.test(code)));

    // Assess
    expect(missing.map((evidence) => `${evidence.code} needs one of ${evidence.covered.join(', ')}`)).toEqual([]);
    expect(unjustified).toEqual([]);
  });
});
