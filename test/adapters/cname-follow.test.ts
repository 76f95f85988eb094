/** Following CNAMEs for a provider: chains, loops, and records that keep their own names. */
import { describe, expect, it } from 'vitest';
import { cnameTarget, followingCnames, requireCnameTarget } from '../../functions/adapters/cname-follow.js';
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

describe('requireCnameTarget', () => {
  const record = '_acme-challenge.www.example.org';
  const target = 'www-example-org.acme.example.net';

  it('returns the target when the chain ends there, whatever the case, the trailing dot or the hops on the way', async () => {
    expect(await requireCnameTarget(record, `${target}.`, lookupIn({ [record]: 'WWW-Example-Org.acme.example.net.' }))).toBe(target);
    expect(await requireCnameTarget(record, target, lookupIn({ [record]: 'hop.example.org', 'hop.example.org': target }))).toBe(target);
  });

  it.each([
    ['no CNAME at all', {}, '(_acme-challenge.www.example.org has no CNAME yet)'],
    ['a CNAME to another name', { [record]: 'old.acme.example.com.' }, '(_acme-challenge.www.example.org now leads to old.acme.example.com)'],
  ])('fails with CnameRequired naming the exact record to create when there is %s', async (_label, cnames, now) => {
    await expect(requireCnameTarget(record, target, lookupIn(cnames))).rejects.toMatchObject({
      name: 'CnameRequired',
      retryable: false,
      message: `create the record "_acme-challenge.www.example.org. CNAME www-example-org.acme.example.net." where www.example.org is hosted ${now}, as dns01.route53.cnameTargets says`,
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
