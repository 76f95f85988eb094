import { describe, it, expect } from 'vitest';
import { computeRenewalTime } from '../../functions/core/renewal-time.js';
import { durationToMilliseconds } from '../../functions/core/certificate-spec.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOT_BEFORE = new Date('2030-01-01T00:00:00.000Z');

function ms(iso: string): number {
  const value = durationToMilliseconds(iso);
  if (value === undefined) throw new Error(`test setup: ${iso} is not a duration`);
  return value;
}

interface Row {
  case: string;
  lifetimeMs: number;
  renewBefore: string;
  /** How long before notAfter the renewal falls. */
  expectedBeforeEndMs: number;
}

const rows: Row[] = [
  { case: '90-day certificate, P30D: notAfter − 30 days', lifetimeMs: 90 * DAY, renewBefore: 'P30D', expectedBeforeEndMs: 30 * DAY },
  { case: '64-day certificate, P30D: 30 days is under half, so notAfter − 30 days', lifetimeMs: 64 * DAY, renewBefore: 'P30D', expectedBeforeEndMs: 30 * DAY },
  { case: '45-day certificate, P30D: falls back to a third remaining (15 days)', lifetimeMs: 45 * DAY, renewBefore: 'P30D', expectedBeforeEndMs: 15 * DAY },
  { case: '160-hour certificate, P30D: under 10 days, half remaining (80 hours)', lifetimeMs: 160 * HOUR, renewBefore: 'P30D', expectedBeforeEndMs: 80 * HOUR },
  { case: '90-day certificate, P45D (exactly half): fallback to a third (30 days)', lifetimeMs: 90 * DAY, renewBefore: 'P45D', expectedBeforeEndMs: 30 * DAY },
  { case: '8-day certificate, P4D (exactly half): fallback to half (4 days)', lifetimeMs: 8 * DAY, renewBefore: 'P4D', expectedBeforeEndMs: 4 * DAY },
  {
    case: '90-day certificate, one ms under half: renewBefore is honoured',
    lifetimeMs: 90 * DAY,
    renewBefore: 'P44DT23H59M59S',
    expectedBeforeEndMs: 45 * DAY - 1000,
  },
  { case: '90-day certificate, PT1H: notAfter − 1 hour', lifetimeMs: 90 * DAY, renewBefore: 'PT1H', expectedBeforeEndMs: HOUR },
  { case: '160-hour certificate, PT12H: small window honoured', lifetimeMs: 160 * HOUR, renewBefore: 'PT12H', expectedBeforeEndMs: 12 * HOUR },
  { case: '90-day certificate, P365D: fallback to a third', lifetimeMs: 90 * DAY, renewBefore: 'P365D', expectedBeforeEndMs: 30 * DAY },
  {
    case: '10-day certificate, P30D: 10 days is not under 10, so a third',
    lifetimeMs: 10 * DAY,
    renewBefore: 'P30D',
    expectedBeforeEndMs: Math.round((10 * DAY) / 3),
  },
  {
    case: '7-day certificate with odd ms, P30D: half, rounded to a whole ms',
    lifetimeMs: 7 * DAY + 1,
    renewBefore: 'P30D',
    expectedBeforeEndMs: Math.round((7 * DAY + 1) / 2),
  },
];

describe('computeRenewalTime', () => {
  it.each(rows)('$case', ({ lifetimeMs, renewBefore, expectedBeforeEndMs }) => {
    // Prepare
    const notAfter = new Date(NOT_BEFORE.getTime() + lifetimeMs);

    // Act
    const renewal = computeRenewalTime(NOT_BEFORE, notAfter, ms(renewBefore));

    // Assess
    expect(renewal).toBeInstanceOf(Date);
    expect(notAfter.getTime() - renewal.getTime()).toBe(expectedBeforeEndMs);
    expect(Number.isInteger(renewal.getTime())).toBe(true);
  });

  it.each(rows)('$case: a just-issued certificate is never due (renewal after notBefore, before notAfter)', ({ lifetimeMs, renewBefore }) => {
    // Prepare
    const notAfter = new Date(NOT_BEFORE.getTime() + lifetimeMs);

    // Act
    const renewal = computeRenewalTime(NOT_BEFORE, notAfter, ms(renewBefore));

    // Assess
    expect(renewal.getTime()).toBeGreaterThan(NOT_BEFORE.getTime());
    expect(renewal.getTime()).toBeLessThan(notAfter.getTime());
  });

  it('does not modify the dates it is given', () => {
    // Prepare
    const notBefore = new Date(NOT_BEFORE);
    const notAfter = new Date(NOT_BEFORE.getTime() + 90 * DAY);

    // Act
    computeRenewalTime(notBefore, notAfter, 30 * DAY);

    // Assess
    expect(notBefore.getTime()).toBe(NOT_BEFORE.getTime());
    expect(notAfter.getTime()).toBe(NOT_BEFORE.getTime() + 90 * DAY);
  });
});
