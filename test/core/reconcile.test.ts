/**
 * core/reconcile.ts: issue, hold back, repair outputs or nothing, from the spec and what was
 * gathered, on an injected clock.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { type ObservedOutputs, reconcile } from '../../functions/core/reconcile.js';
import { plannedRenewalTime } from '../../functions/core/renewal-time.js';

const DAY = 86_400_000;
const notBefore = new Date('2027-01-01T00:00:00.000Z');
const notAfter = new Date(notBefore.getTime() + 90 * DAY);
const serialNumber = 'abc123';
const renewalTime = plannedRenewalTime(notBefore, notAfter, 30 * DAY, serialNumber).toISOString();
const spec: CertificateSpec = {
  name: 'web',
  dnsNames: ['example.com'],
  issuer: 'le',
  keyAlgorithm: 'ecdsa-p256',
  renewBefore: 'P30D',
  acm: { regions: ['us-east-1', 'eu-west-1'] },
};
const current = {
  dnsNames: ['example.com'],
  issuer: 'le',
  keyAlgorithm: 'ecdsa-p256',
  notBefore: notBefore.toISOString(),
  notAfter: notAfter.toISOString(),
  revision: 3,
  serialNumber,
};
const inSync: ObservedOutputs = {
  acmSerials: { 'us-east-1': serialNumber, 'eu-west-1': serialNumber },
  schedule: { at: renewalTime, sameSpec: true },
  leftovers: [],
};
const early = new Date(notBefore.getTime() + 10 * DAY);
const late = new Date(notAfter.getTime() - 10 * DAY);

describe('reconcile', () => {
  it.each([
    { case: 'everything in sync', now: early, outputs: inSync, reason: 'UpToDate', due: false, repair: false },
    {
      case: 'an ACM region behind',
      now: early,
      outputs: { ...inSync, acmSerials: { 'us-east-1': serialNumber, 'eu-west-1': 'old' } },
      reason: 'OutputsOutOfSync',
      due: false,
      repair: true,
    },
    {
      case: 'an ACM region never imported',
      now: early,
      outputs: { ...inSync, acmSerials: { 'us-east-1': serialNumber } },
      reason: 'OutputsOutOfSync',
      due: false,
      repair: true,
    },
    { case: 'no schedule', now: early, outputs: { ...inSync, schedule: undefined }, reason: 'ScheduleMissing', due: false, repair: true },
    {
      case: 'a schedule a day off',
      now: early,
      outputs: { ...inSync, schedule: { at: new Date(Date.parse(renewalTime) + DAY).toISOString(), sameSpec: true } },
      reason: 'ScheduleOutOfDate',
      due: false,
      repair: true,
    },
    {
      case: 'a schedule with another spec',
      now: early,
      outputs: { ...inSync, schedule: { at: renewalTime, sameSpec: false } },
      reason: 'ScheduleOutOfDate',
      due: false,
      repair: true,
    },
    {
      case: 'a schedule within the same second',
      now: early,
      outputs: { ...inSync, schedule: { at: new Date(Math.floor(Date.parse(renewalTime) / 1000) * 1000).toISOString(), sameSpec: true } },
      reason: 'UpToDate',
      due: false,
      repair: false,
    },
    {
      case: 'leftovers of a finished run',
      now: early,
      outputs: { ...inSync, leftovers: ['2 TXT value(s) not removed yet'] },
      reason: 'LeftoversFound',
      due: false,
      repair: true,
    },
    { case: 'due, whatever the outputs', now: late, outputs: { acmSerials: {}, leftovers: ['x'] }, reason: 'RenewalTimeReached', due: true, repair: false },
  ])('$case → $reason', ({ now, outputs, reason, due, repair }) => {
    // Act
    const decision = reconcile({ spec, force: false, current, now, outputs });

    // Assess
    expect(decision).toMatchObject({ reason, due, repair });
    expect(decision.repairs).toBeDefined();
  });

  it('names every finding in the message, the first one as the reason, and the regions to import into', () => {
    // Act
    const decision = reconcile({
      spec,
      force: false,
      current,
      now: early,
      outputs: { acmSerials: { 'us-east-1': serialNumber }, leftovers: ['a pending key'] },
    });

    // Assess
    expect(decision.reason).toBe('OutputsOutOfSync');
    expect(decision.repairs).toEqual({ acm: true, acmRegions: ['eu-west-1'], schedule: true, leftovers: true });
    expect(decision.message).toContain('eu-west-1 (nothing imported)');
    expect(decision.message).toContain(`no schedule starts the renewal at ${renewalTime}`);
    expect(decision.message).toContain('a pending key');
  });

  it('holds a due certificate back during its hold-off, repairing nothing, and lets a forced run through', () => {
    // Prepare
    const holdOff = { until: new Date(late.getTime() + 60_000), failures: 2, lastError: 'AcmeOrderInvalid' };

    // Act
    const held = reconcile({ spec, force: false, current, now: late, holdOff, outputs: { acmSerials: {}, leftovers: [] } });
    const forced = reconcile({ spec, force: true, current, now: late, holdOff, outputs: inSync });
    const after = reconcile({ spec, force: false, current, now: new Date(holdOff.until.getTime() + 1), holdOff, outputs: inSync });

    // Assess
    expect(held).toMatchObject({ due: false, repair: false, reason: 'BackingOff' });
    expect(held.message).toContain('after 2 consecutive failure(s); last: AcmeOrderInvalid');
    expect(forced).toMatchObject({ due: true, reason: 'RenewalTimeReached' });
    expect(after).toMatchObject({ due: true });
  });

  it('does not look at ACM for a certificate without an acm section', () => {
    const { acm: _acm, ...plain } = spec;
    expect(reconcile({ spec: plain, force: false, current, now: early, outputs: { ...inSync, acmSerials: {} } }).reason).toBe('UpToDate');
  });
});

describe('reconcile, serials', () => {
  it('finds an ACM copy in sync whatever the leading zeros (ACM reports 08:5a:.. as 85a..)', () => {
    const zero = { ...current, serialNumber: '085acee6' };
    const decision = reconcile({
      spec,
      force: false,
      current: zero,
      now: early,
      outputs: {
        ...inSync,
        acmSerials: { 'us-east-1': '85acee6', 'eu-west-1': '85acee6' },
        schedule: { at: plannedRenewalTime(notBefore, notAfter, 30 * DAY, '085acee6').toISOString(), sameSpec: true },
      },
    });
    expect(decision.reason).toBe('UpToDate');
  });
});
