import { describe, it, expect } from 'vitest';
import { decideRenewal, type CurrentCertificate, type RenewalReason } from '../../functions/core/renewal-policy.js';
import { parseExecutionInput, type CertificateSpec } from '../../functions/core/certificate-spec.js';
import { computeRenewalTime, plannedRenewalTime } from '../../functions/core/renewal-time.js';

const ISSUERS: ReadonlySet<string> = new Set(['letsencrypt-staging', 'letsencrypt-prod']);
const DAY = 86_400_000;

const NOT_BEFORE = '2030-01-01T00:00:00.000Z';
const NOT_AFTER = '2030-04-01T00:00:00.000Z'; // 90 days later
const SERIAL = '0a1b2c3d';
/** notAfter − 30 days with the default renewBefore P30D, made a little earlier per serial (jitter). */
const planned = (notAfter: string, renewBeforeDays: number) =>
  plannedRenewalTime(new Date(NOT_BEFORE), new Date(notAfter), renewBeforeDays * DAY, SERIAL).toISOString();
const RENEWAL_TIME = planned(NOT_AFTER, 30);
const RENEWAL_TIME_P10D = planned(NOT_AFTER, 10);

function spec(overrides: Record<string, unknown> = {}): CertificateSpec {
  return parseExecutionInput({ certificate: { name: 'web', dnsNames: ['example.com', 'www.example.com'], issuer: 'letsencrypt-prod', ...overrides } }, ISSUERS)
    .certificate;
}

function current(overrides: Partial<CurrentCertificate> = {}): CurrentCertificate {
  return {
    dnsNames: ['example.com', 'www.example.com'],
    issuer: 'letsencrypt-prod',
    keyAlgorithm: 'ecdsa-p256',
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    revision: 3,
    serialNumber: SERIAL,
    ...overrides,
  };
}

const at = (iso: string, deltaMs = 0): Date => new Date(new Date(iso).getTime() + deltaMs);
const MID_LIFE = at(NOT_BEFORE, 10 * DAY);

interface Row {
  case: string;
  spec: CertificateSpec;
  current: CurrentCertificate | undefined;
  force: boolean;
  now: Date;
  due: boolean;
  reason: RenewalReason;
  mentions: string[];
  currentRevision: number;
}

const rows: Row[] = [
  {
    case: 'nothing stored yet',
    spec: spec(),
    current: undefined,
    force: false,
    now: MID_LIFE,
    due: true,
    reason: 'DoesNotExist',
    mentions: ['no certificate'],
    currentRevision: 0,
  },
  {
    case: 'nothing stored yet, even when forced',
    spec: spec(),
    current: undefined,
    force: true,
    now: MID_LIFE,
    due: true,
    reason: 'DoesNotExist',
    mentions: [],
    currentRevision: 0,
  },
  {
    case: 'a name was added',
    spec: spec({ dnsNames: ['example.com', 'www.example.com', 'api.example.com'] }),
    current: current(),
    force: false,
    now: MID_LIFE,
    due: true,
    reason: 'SpecChanged',
    mentions: ['dnsNames', 'api.example.com'],
    currentRevision: 3,
  },
  {
    case: 'a name was removed',
    spec: spec({ dnsNames: ['example.com'] }),
    current: current(),
    force: false,
    now: MID_LIFE,
    due: true,
    reason: 'SpecChanged',
    mentions: ['dnsNames', '[example.com,www.example.com]', '[example.com]'],
    currentRevision: 3,
  },
  {
    case: 'a name was replaced',
    spec: spec({ dnsNames: ['example.com', 'mail.example.com'] }),
    current: current(),
    force: false,
    now: MID_LIFE,
    due: true,
    reason: 'SpecChanged',
    mentions: ['mail.example.com'],
    currentRevision: 3,
  },
  {
    case: 'issuer changed',
    spec: spec({ issuer: 'letsencrypt-staging' }),
    current: current(),
    force: false,
    now: MID_LIFE,
    due: true,
    reason: 'SpecChanged',
    mentions: ['issuer', 'letsencrypt-prod', 'letsencrypt-staging'],
    currentRevision: 3,
  },
  {
    case: 'keyAlgorithm changed',
    spec: spec({ keyAlgorithm: 'rsa-2048' }),
    current: current(),
    force: false,
    now: MID_LIFE,
    due: true,
    reason: 'SpecChanged',
    mentions: ['keyAlgorithm', 'ecdsa-p256', 'rsa-2048'],
    currentRevision: 3,
  },
  {
    case: 'spec changed on an expired certificate: the spec change is reported first',
    spec: spec({ issuer: 'letsencrypt-staging' }),
    current: current(),
    force: false,
    now: at(NOT_AFTER, DAY),
    due: true,
    reason: 'SpecChanged',
    mentions: ['issuer'],
    currentRevision: 3,
  },
  {
    case: 'expired',
    spec: spec(),
    current: current(),
    force: false,
    now: at(NOT_AFTER, DAY),
    due: true,
    reason: 'Expired',
    mentions: ['expired', NOT_AFTER],
    currentRevision: 3,
  },
  {
    case: 'expires exactly now',
    spec: spec(),
    current: current(),
    force: false,
    now: at(NOT_AFTER),
    due: true,
    reason: 'Expired',
    mentions: [NOT_AFTER],
    currentRevision: 3,
  },
  {
    case: 'expired and forced: Expired wins',
    spec: spec(),
    current: current(),
    force: true,
    now: at(NOT_AFTER, DAY),
    due: true,
    reason: 'Expired',
    mentions: [],
    currentRevision: 3,
  },
  {
    case: 'exactly at the renewal time',
    spec: spec(),
    current: current(),
    force: false,
    now: at(RENEWAL_TIME),
    due: true,
    reason: 'RenewalTimeReached',
    mentions: [RENEWAL_TIME],
    currentRevision: 3,
  },
  {
    case: 'one ms before notAfter, well past the renewal time',
    spec: spec(),
    current: current(),
    force: false,
    now: at(NOT_AFTER, -1),
    due: true,
    reason: 'RenewalTimeReached',
    mentions: [RENEWAL_TIME],
    currentRevision: 3,
  },
  {
    case: 'one ms before the renewal time',
    spec: spec(),
    current: current(),
    force: false,
    now: at(RENEWAL_TIME, -1),
    due: false,
    reason: 'UpToDate',
    mentions: [NOT_AFTER, RENEWAL_TIME],
    currentRevision: 3,
  },
  {
    case: 'renewal reached with a custom renewBefore P10D',
    spec: spec({ renewBefore: 'P10D' }),
    current: current(),
    force: false,
    now: at(RENEWAL_TIME_P10D),
    due: true,
    reason: 'RenewalTimeReached',
    mentions: [RENEWAL_TIME_P10D],
    currentRevision: 3,
  },
  {
    case: 'custom renewBefore P10D, 11 days before the end',
    spec: spec({ renewBefore: 'P10D' }),
    current: current(),
    force: false,
    now: at(NOT_AFTER, -11 * DAY),
    due: false,
    reason: 'UpToDate',
    mentions: [RENEWAL_TIME_P10D],
    currentRevision: 3,
  },
  {
    case: 'forced on an up-to-date certificate',
    spec: spec(),
    current: current(),
    force: true,
    now: MID_LIFE,
    due: true,
    reason: 'Forced',
    mentions: ['forced'],
    currentRevision: 3,
  },
  {
    case: 'up to date',
    spec: spec(),
    current: current(),
    force: false,
    now: MID_LIFE,
    due: false,
    reason: 'UpToDate',
    mentions: ['up to date', NOT_AFTER, RENEWAL_TIME],
    currentRevision: 3,
  },
  {
    case: 'same names in another order are not a change',
    spec: spec({ dnsNames: ['www.example.com', 'example.com'] }),
    current: current({ dnsNames: ['example.com', 'www.example.com'] }),
    force: false,
    now: MID_LIFE,
    due: false,
    reason: 'UpToDate',
    mentions: [NOT_AFTER],
    currentRevision: 3,
  },
  {
    case: 'names given in another case and with a trailing dot normalise to the same set',
    spec: spec({ dnsNames: ['WWW.Example.com.', 'example.com'] }),
    current: current(),
    force: false,
    now: MID_LIFE,
    due: false,
    reason: 'UpToDate',
    mentions: [],
    currentRevision: 3,
  },
  {
    case: 'revision is carried through',
    spec: spec(),
    current: current({ revision: 42 }),
    force: false,
    now: MID_LIFE,
    due: false,
    reason: 'UpToDate',
    mentions: [],
    currentRevision: 42,
  },
  {
    case: 'revision is carried on a due decision too',
    spec: spec(),
    current: current({ revision: 17 }),
    force: true,
    now: MID_LIFE,
    due: true,
    reason: 'Forced',
    mentions: [],
    currentRevision: 17,
  },
];

describe('decideRenewal', () => {
  it.each(rows)('$case → due $due, $reason', ({ spec: certificate, current: stored, force, now, due, reason, mentions, currentRevision }) => {
    // Prepare
    const context = { spec: certificate, current: stored, force, now };

    // Act
    const decision = decideRenewal(context);

    // Assess
    expect(decision.due).toBe(due);
    expect(decision.reason).toBe(reason);
    expect(decision.currentRevision).toBe(currentRevision);
    for (const fragment of mentions) expect(decision.message).toContain(fragment);
  });

  it.each(rows.filter((row) => row.current !== undefined))(
    '$case: reports the stored notAfter and the renewal time',
    ({ spec: certificate, current: stored, force, now }) => {
      // Prepare
      const context = { spec: certificate, current: stored, force, now };

      // Act
      const decision = decideRenewal(context);

      // Assess
      expect(decision.notAfter).toBe(stored?.notAfter);
      expect(decision.renewalTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    },
  );

  it('with nothing stored, reports neither a renewal time nor a notAfter', () => {
    // Prepare
    const context = { spec: spec(), current: undefined, force: false, now: MID_LIFE };

    // Act
    const decision = decideRenewal(context);

    // Assess
    expect(decision.renewalTime).toBeUndefined();
    expect(decision.notAfter).toBeUndefined();
  });

  it.each([
    { case: '90-day, P30D', renewBefore: 'P30D', notAfter: NOT_AFTER, renewalTime: RENEWAL_TIME },
    // 45 days with P30D falls back to a third remaining: 15 days before the end.
    { case: '45-day, P30D (fallback)', renewBefore: 'P30D', notAfter: '2030-02-15T00:00:00.000Z', renewalTime: planned('2030-02-15T00:00:00.000Z', 30) },
  ])('renewal time uses the spec renewBefore: $case', ({ renewBefore, notAfter, renewalTime }) => {
    // Prepare
    const context = { spec: spec({ renewBefore }), current: current({ notAfter }), force: false, now: at(NOT_BEFORE, 1) };

    // Act
    const decision = decideRenewal(context);

    // Assess
    expect(decision.renewalTime).toBe(renewalTime);
    expect(decision.due).toBe(false);
  });
});

describe('the jitter on planned renewal times', () => {
  it.each(['01', '0a1b2c3d', 'ffee', '7f00ff'])('moves serial %s earlier by at most 6 hours, never later', (serial) => {
    const unjittered = computeRenewalTime(new Date(NOT_BEFORE), new Date(NOT_AFTER), 30 * DAY).getTime();
    const jittered = plannedRenewalTime(new Date(NOT_BEFORE), new Date(NOT_AFTER), 30 * DAY, serial).getTime();
    expect(jittered).toBeLessThanOrEqual(unjittered);
    expect(unjittered - jittered).toBeLessThanOrEqual(6 * 3_600_000);
  });

  it('spreads different serials apart', () => {
    const times = new Set(['01', '02', '03', '04'].map((serial) => plannedRenewalTime(new Date(NOT_BEFORE), new Date(NOT_AFTER), 30 * DAY, serial).getTime()));
    expect(times.size).toBe(4);
  });
});
