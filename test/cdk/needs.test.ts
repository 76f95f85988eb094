/**
 * cdk/permissions.ts lists what each function needs by hand, while functions/ keeps changing.
 * This reads each handler and its phase and checks the list against the calls they make, both
 * ways: a call without its permission fails in production, a permission without a call is
 * more than least privilege.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, readStateMachineDefinition } from '../../cdk/definition.js';
import { FUNCTION_NEEDS, type Need } from '../../cdk/permissions.js';

/** The code that shows a function needs something, and the needs any one of which covers it. */
const EVIDENCE: ReadonlyArray<{ readonly code: RegExp; readonly covered: readonly Need[] }> = [
  { code: /deps\.store\.(getCurrent|getCurrentSummary|getPendingKey)\b/, covered: ['certificate:read', 'certificate:read-acm'] },
  { code: /deps\.store\.(putPendingKey|makeCurrent)\b/, covered: ['certificate:write'] },
  { code: /deps\.store\.makeCurrent\b/, covered: ['certificate:stage'] },
  { code: /\bacmeGateways\(/, covered: ['acme', 'eab'] },
  { code: /\broute53DnsFor\(/, covered: ['route53:zones'] },
  { code: /\.(present|cleanUp)\(records\)/, covered: ['route53:change'] },
  { code: /\.(present|cleanUp)\(records\)/, covered: ['route53:records'] },
  { code: /\.isPropagated\(/, covered: ['route53:getChange'] },
  { code: /\bdynamoDbLedger\(/, covered: ['ledger'] },
  { code: /\beventBridgeScheduler\(/, covered: ['scheduler'] },
  { code: /\bACMClient\b/, covered: ['acm'] },
];

function sourcesOf(entry: string): string {
  const handler = readFileSync(entry, 'utf8');
  const phase = /from '\.\.\/phases\/([a-z-]+)\.js'/.exec(handler)?.[1];
  return phase ? `${handler}\n${readFileSync(join(PROJECT_ROOT, 'functions', 'phases', `${phase}.ts`), 'utf8')}` : handler;
}

const functions = readStateMachineDefinition().functions;

describe('FUNCTION_NEEDS', () => {
  it('lists every function of the state machine', () => {
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
