/**
 * Renewal across the lifetimes Let's Encrypt issues now and soon (90 days, 64 days from
 * 2027-02, 45 days from 2028-02, 160 hours on `shortlived`) with the default renewBefore:
 * never due right after issuance or under clock skew, due at the planned time, and the CA's
 * ARI window wins when it offers one.
 */
import { describe, expect, it } from 'vitest';
import { momentInWindow } from '../../functions/core/ari.js';
import { parseExecutionInput } from '../../functions/core/certificate-spec.js';
import { type CurrentCertificate, decideRenewal } from '../../functions/core/renewal-policy.js';
import { plannedRenewalTime } from '../../functions/core/renewal-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOT_BEFORE = new Date('2027-03-01T00:00:00Z');
const spec = parseExecutionInput({ certificate: { name: 'web', dnsNames: ['example.com'], issuer: 'le' } }, new Set(['le'])).certificate;

const lifetimes = [
  { label: '90-day', lifetime: 90 * DAY, remainingAtRenewal: 30 * DAY },
  { label: '64-day', lifetime: 64 * DAY, remainingAtRenewal: 30 * DAY },
  // renewBefore P30D is not shorter than half of 45 days: a third of the lifetime remains.
  { label: '45-day', lifetime: 45 * DAY, remainingAtRenewal: 15 * DAY },
  // Under 10 days: half the lifetime remains.
  { label: '160-hour', lifetime: 160 * HOUR, remainingAtRenewal: 80 * HOUR },
];

const current = (lifetime: number): CurrentCertificate => ({
  dnsNames: ['example.com'],
  issuer: 'le',
  keyAlgorithm: 'ecdsa-p256',
  notBefore: NOT_BEFORE.toISOString(),
  notAfter: new Date(NOT_BEFORE.getTime() + lifetime).toISOString(),
  revision: 1,
  serialNumber: 'c0ffee',
});

describe.each(lifetimes)('a $label certificate with the default renewBefore', ({ lifetime, remainingAtRenewal }) => {
  const notAfter = new Date(NOT_BEFORE.getTime() + lifetime);
  const planned = plannedRenewalTime(NOT_BEFORE, notAfter, 30 * DAY, 'c0ffee');

  it('plans renewal when the expected share of its lifetime remains (less a little jitter)', () => {
    const remaining = notAfter.getTime() - planned.getTime();
    expect(remaining).toBeGreaterThanOrEqual(remainingAtRenewal);
    expect(remaining - remainingAtRenewal).toBeLessThanOrEqual(Math.min(lifetime * 0.02, 6 * HOUR));
  });

  it.each([
    ['a minute after issuance', 60_000],
    ['with our clock 5 minutes behind the CA', -5 * 60_000],
    ['an hour after issuance', HOUR],
  ])('is not due %s', (_label, offset) => {
    const decision = decideRenewal({ spec, force: false, current: current(lifetime), now: new Date(NOT_BEFORE.getTime() + offset) });
    expect(decision).toMatchObject({ due: false, reason: 'UpToDate' });
  });

  it('is due from its planned renewal time, and not a millisecond before', () => {
    const before = decideRenewal({ spec, force: false, current: current(lifetime), now: new Date(planned.getTime() - 1) });
    const at = decideRenewal({ spec, force: false, current: current(lifetime), now: planned });
    expect(before.due).toBe(false);
    expect(at).toMatchObject({ due: true, reason: 'RenewalTimeReached' });
  });

  it('follows the CA ARI window instead, earlier or later', () => {
    // Prepare: an early window (a revocation coming) and a late one.
    const early = momentInWindow(
      { start: new Date(NOT_BEFORE.getTime() + lifetime / 10).toISOString(), end: new Date(NOT_BEFORE.getTime() + lifetime / 5).toISOString() },
      'c0ffee',
    );
    const late = new Date(planned.getTime() + HOUR);

    // Act
    const dueEarly = decideRenewal({ spec, force: false, current: current(lifetime), now: early, ariMoment: early });
    const notYet = decideRenewal({ spec, force: false, current: current(lifetime), now: planned, ariMoment: late });

    // Assess
    expect(dueEarly).toMatchObject({ due: true, reason: 'RenewalWindowReached' });
    expect(notYet).toMatchObject({ due: false, reason: 'UpToDate', renewalTime: late.toISOString() });
  });
});
