/** Following CNAMEs for a provider: chains, loops, and records that keep their own names. */
import { describe, expect, it } from 'vitest';
import { cnameTarget, followingCnames } from '../../functions/adapters/cname-follow.js';
import type { ChallengeRecord, DnsProvider } from '../../functions/ports/dns-provider.js';

const lookupIn = (cnames: Record<string, string>) => async (name: string) => cnames[name];

describe('cnameTarget', () => {
  it('follows a chain to its end, and a name without a CNAME is its own target', async () => {
    const lookup = lookupIn({ '_acme-challenge.a.test': 'b.test.', 'b.test': 'C.Challenges.test' });
    expect(await cnameTarget('_acme-challenge.a.test', lookup)).toBe('c.challenges.test');
    expect(await cnameTarget('_acme-challenge.none.test', lookup)).toBe('_acme-challenge.none.test');
  });

  it('refuses a loop, naming the chain', async () => {
    const lookup = lookupIn({ 'x.test': 'y.test', 'y.test': 'x.test' });
    await expect(cnameTarget('x.test', lookup)).rejects.toMatchObject({
      name: 'DnsChangeRejected',
      message: expect.stringContaining('x.test -> y.test -> x.test'),
    });
  });
});

describe('followingCnames', () => {
  it('presents, checks and cleans at the target, and reports pending records by their own names', async () => {
    // Prepare
    const calls: { method: string; names: string[] }[] = [];
    const inner: DnsProvider = {
      timing: { initialWaitSeconds: 0, intervalSeconds: 1, maxAttempts: 1 },
      checkZones: async () => undefined,
      present: async (records) => {
        calls.push({ method: 'present', names: records.map((record) => record.recordName) });
        return { changeIds: [] };
      },
      cleanUp: async (records) => {
        calls.push({ method: 'cleanUp', names: records.map((record) => record.recordName) });
      },
      isPropagated: async (records) => ({ ready: false, pending: records, detail: 'not yet' }),
    };
    const provider = followingCnames(inner, lookupIn({ '_acme-challenge.a.test': 'a.challenges.test' }));
    const records: ChallengeRecord[] = [
      { dnsName: 'a.test', recordName: '_acme-challenge.a.test', value: 'one' },
      { dnsName: 'b.test', recordName: '_acme-challenge.b.test', value: 'two' },
    ];

    // Act
    await provider.present(records);
    const propagation = await provider.isPropagated(records, { changeIds: [] });
    await provider.cleanUp(records);

    // Assess
    expect(calls).toEqual([
      { method: 'present', names: ['a.challenges.test', '_acme-challenge.b.test'] },
      { method: 'cleanUp', names: ['a.challenges.test', '_acme-challenge.b.test'] },
    ]);
    expect(propagation).toMatchObject({ ready: false, pending: records });
  });
});
