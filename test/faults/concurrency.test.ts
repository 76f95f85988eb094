/**
 * Two certificates that share a name, renewed at the same moment through Route 53: both runs
 * write a value at the same `_acme-challenge` name, so each must add its own value next to
 * the other's and later remove only its own. Both must issue, and nothing may be left.
 * (Two runs for the same certificate at once are covered by test/e2e/ledger.test.ts, "one
 * run at a time".)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import { type TestCa, newStore, opensslVerify, readStored, spec } from '../support/local-ca.js';
import { route53Provider, visibleTxt } from '../support/route53/provider.js';
import { type PebbleOnRoute53, startPebbleOnRoute53 } from '../support/route53/pebble.js';
import type { Route53TestServer } from '../support/route53/server.js';
import { captureOutput, expectIssued, expectNoKeyMaterial, retriedStates } from '../support/faults/invariants.js';

const SHARED = '_acme-challenge.shared.example.test';

let server: Route53TestServer;
let ca: TestCa;
let zoneId: string;
let stack: PebbleOnRoute53;
beforeAll(async () => {
  stack = await startPebbleOnRoute53();
  ({ server, ca, zoneId } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

/**
 * Each run gets its own provider (as two Lambdas would), held after presenting until both
 * have presented, so the two values are certainly in the record set together; every
 * propagation check notes what the shared name answers.
 */
function meetingAfterPresent(parties: number, seen: string[][]) {
  let arrived = 0;
  let release: () => void = () => undefined;
  const allPresented = new Promise<void>((resolve) => (release = resolve));
  // Never wait forever: a run that failed before presenting must not hang the other one.
  const timeout = setTimeout(release, 20_000);
  const wrap = (dns: DnsProvider): DnsProvider => ({
    timing: dns.timing,
    checkZones: (names) => dns.checkZones(names),
    present: async (records) => {
      const presented = await dns.present(records);
      if (++arrived === parties) release();
      await allPresented;
      return presented;
    },
    cleanUp: (records) => dns.cleanUp(records),
    isPropagated: async (records, presented) => {
      seen.push(await visibleTxt(server, SHARED));
      return dns.isPropagated(records, presented);
    },
  });
  return { dns: () => wrap(route53Provider(server).provider), done: () => clearTimeout(timeout) };
}

describe('two certificates sharing a name, renewed at the same time', () => {
  it('both issue; their TXT values coexisted at the shared name, and nothing is left afterwards', async () => {
    // Prepare
    const storeDir = await newStore();
    const seen: string[][] = [];
    const meeting = meetingAfterPresent(2, seen);
    const output = captureOutput();

    // Act
    const [alpha, beta] = await Promise.all([
      ca.run(spec('alpha', ['shared.example.test', 'alpha.example.test']), { storeDir, dependencies: { dns: meeting.dns } }),
      ca.run(spec('beta', ['shared.example.test', 'beta.example.test']), { storeDir, dependencies: { dns: meeting.dns } }),
    ]).finally(() => {
      meeting.done();
      output.restore();
    });

    // Assess
    expect([alpha.status, beta.status], `${alpha.cause} / ${beta.cause}`).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    for (const result of [alpha, beta]) expectIssued(result);
    const sharedValue = (result: typeof alpha) => result.output?.order?.challenges.find((challenge) => challenge.recordName === SHARED)?.value;
    const both = [sharedValue(alpha), sharedValue(beta)];
    expect(both.every((value) => typeof value === 'string')).toBe(true);
    expect(seen.some((values) => both.every((value) => values.includes(value as string)))).toBe(true);
    // Each run's last change was a compare-and-swap; a conflict may have cost a re-read, never a state retry.
    expect([...retriedStates(alpha), ...retriedStates(beta)]).toEqual([]);
    for (const result of [alpha, beta]) expect(await opensslVerify(ca, await readStored(result.certificatePath))).toContain('OK');
    expect(await visibleTxt(server, SHARED)).toEqual([]);
    expect(server.recordSets(zoneId).filter((set) => set.type === 'TXT')).toEqual([]);
    await expectNoKeyMaterial(alpha, storeDir, { output: output.text() });
    await expectNoKeyMaterial(beta, storeDir);
  });
});
