/**
 * The ACME edges of the phases, against the simulated CA (test/lifetime/sim-ca.ts) with the file
 * store and ledger: how many requests a run keeps in flight, when `replaces` is sent, and which
 * authorizations are deactivated when an order is abandoned, and which never are.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { OrderRef } from '../../functions/core/workflow-state.js';
import { acceptChallenges } from '../../functions/phases/accept-challenges.js';
import { cleanUp } from '../../functions/phases/clean-up.js';
import { createOrder } from '../../functions/phases/create-order.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import type { StoredCertificate } from '../../functions/ports/certificate-store.js';
import { SIM_CA_BASE_URL, SIM_CA_DIRECTORY_URL, type SimGateway, SimulatedCa } from '../lifetime/sim-ca.js';
import { claimedRun, failedAfterOrder, quietCleanUpDependencies } from '../support/phase-runs.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const ISSUER = 'sim';

let root: string;
let store: FileCertificateStore;
let ledger: FileRunLedger;
let ca: SimulatedCa;
let gateway: SimGateway;
/** What the CA's resolvers see, by record name. */
let txt: Map<string, string[]>;
/** What each newOrder was sent, in order. */
let orders: { names: readonly string[]; replaces?: string }[];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'certstep-acme-edges-'));
  store = new FileCertificateStore(path.join(root, 'store'));
  ledger = new FileRunLedger(path.join(root, 'ledger'));
  // A Lehmer generator: the CA's keys and tokens need not be random here, only distinct.
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  txt = new Map();
  ca = new SimulatedCa({ now: () => NOW, random, lookupTxt: (name) => txt.get(name) ?? [] });
  gateway = ca.gateway('account-1');
  orders = [];
});

function spec(name: string, dnsNames: string[]): CertificateSpec {
  return { name, dnsNames, issuer: ISSUER, keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' };
}

/** The gateway, recording newOrder and counting the most requests it ever had in flight at once. */
function observed(inner: AcmeGateway = gateway) {
  const seen = { inFlight: 0, most: 0 };
  const slow =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      seen.most = Math.max(seen.most, ++seen.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return await fn(...args);
      } finally {
        seen.inFlight--;
      }
    };
  const wrapped: AcmeGateway = {
    ...inner,
    account: () => inner.account(),
    createOrder: (names, options = {}) => {
      orders.push({ names, ...(options.replaces && { replaces: options.replaces }) });
      return inner.createOrder(names, options);
    },
    getAuthorization: slow((url: string) => inner.getAuthorization(url)),
    acceptChallenge: slow((url: string) => inner.acceptChallenge(url)),
  };
  return { gateway: wrapped, seen };
}

const claimed = (certificate: CertificateSpec, runId: string) => claimedRun(ledger, certificate, runId, NOW);

function orderDeps(acme: AcmeGateway = gateway) {
  return { acme: async () => acme, store, ledger, clock: () => NOW };
}

async function statuses(order: OrderRef | string): Promise<string[]> {
  const url = typeof order === 'string' ? order : order.url;
  const { authorizationUrls } = await gateway.getOrder(url);
  return Promise.all(authorizationUrls.map(async (authorization) => (await gateway.getAuthorization(authorization)).status));
}

async function storeCurrent(name: string, fields: Partial<StoredCertificate>): Promise<void> {
  const file = store.certificatePath(name);
  await mkdir(path.dirname(file), { recursive: true });
  const stored = {
    'tls.crt': 'unused',
    'tls.key': 'unused',
    dnsNames: [`${name}.example.com`],
    serialNumber: '01',
    notBefore: '2026-03-01T00:00:00.000Z',
    notAfter: '2026-05-30T00:00:00.000Z',
    renewalTime: '2026-05-01T00:00:00.000Z',
    issuer: ISSUER,
    keyAlgorithm: 'ecdsa-p256',
    revision: 1,
    ...fields,
  };
  await writeFile(file, JSON.stringify(stored));
  // As CheckRenewal leaves it before CreateOrder runs: the ledger records the current version.
  const current = await store.readCurrent(name);
  if (current) await ledger.recordCurrent(name, current);
}

describe('requests in flight', () => {
  it('reads the authorizations of a 40-name order and accepts their challenges at most 4 at a time', async () => {
    // Prepare
    const certificate = spec(
      'many',
      Array.from({ length: 40 }, (_, index) => `n${index}.many.example.com`),
    );
    const { gateway: counting, seen } = observed();
    const state = await claimed(certificate, 'run-1');

    // Act
    const order = await createOrder(state, orderDeps(counting));
    const mostWhileOrdering = seen.most;
    seen.most = 0;
    await acceptChallenges(
      { ...state, order },
      { acme: async () => counting, validationPolling: { initialWaitSeconds: 1, intervalSeconds: 1, maxAttempts: 1 } },
    );

    // Assess
    expect(order.challenges).toHaveLength(40);
    expect(mostWhileOrdering).toBeGreaterThan(1);
    expect(mostWhileOrdering).toBeLessThanOrEqual(4);
    expect(seen.most).toBeGreaterThan(1);
    expect(seen.most).toBeLessThanOrEqual(4);
  });
});

describe('replaces (RFC 9773 §5)', () => {
  const names = ['www.example.com'];
  const account = { directoryUrl: SIM_CA_DIRECTORY_URL, accountUrl: `${SIM_CA_BASE_URL}/acct/account-1` };

  it.each([
    ['the same directory and account', true, account],
    ['another account at the same CA', false, { ...account, accountUrl: `${SIM_CA_BASE_URL}/acct/account-2` }],
    ['another directory', false, { ...account, directoryUrl: 'https://other-ca.test/directory' }],
    ['no record of either (stored before certstep recorded them)', false, {}],
  ])('for a certificate ordered from %s, is sent: %s', async (_label, sent, ordered) => {
    // Prepare
    await storeCurrent('www', { dnsNames: names, ariCertId: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE', ...ordered });
    const { gateway: recording } = observed();
    const state = await claimed(spec('www', names), 'run-1');

    // Act
    await createOrder(state, orderDeps(recording)).catch(() => undefined);

    // Assess: the simulated CA refuses an unknown id, and the phase then orders without it.
    expect(orders[0]?.replaces !== undefined).toBe(sent);
    expect(orders.at(-1)?.replaces).toBeUndefined();
  });
});

describe('abandoned orders (RFC 8555 §7.5.2)', () => {
  const cleanUpDeps = (acme?: AcmeGateway) => quietCleanUpDependencies(ledger, store, NOW, acme);

  /** A run that ordered and then failed with `error`, its clean-up given the CA client. */
  async function failedRun(certificate: CertificateSpec, runId: string, error: string, acme: AcmeGateway = gateway) {
    const state = await claimed(certificate, runId);
    const order = await createOrder(state, orderDeps());
    const failed = failedAfterOrder(state, order, error);
    const result = await cleanUp(failed, cleanUpDeps(acme));
    return { order, result };
  }

  it('deactivates the pending authorizations of an in-flight order replaced for a changed spec, and none of the new order', async () => {
    // Prepare: an order for two names left in flight by a failed run.
    const { order: first } = await failedRun(spec('www', ['www.example.com', 'api.example.com']), 'run-1', 'DnsProviderUnavailable');
    const state = await claimed(spec('www', ['www.example.com']), 'run-2');

    // Act
    const second = await createOrder(state, orderDeps());

    // Assess
    expect(second.url).not.toBe(first.url);
    expect(await statuses(first)).toEqual(['deactivated', 'deactivated']);
    expect(await statuses(second)).toEqual(['pending']);
  });

  it('keeps the valid authorizations of a replaced order (the CA may reuse them) and the pending ones the new order shares', async () => {
    // Prepare: of the replaced order's three names, one was validated; the CA hands one of its
    // pending authorizations to the new order too.
    const { order: first } = await failedRun(spec('www', ['a.example.com', 'b.example.com', 'c.example.com']), 'run-1', 'DnsProviderUnavailable');
    const [validated, shared] = first.challenges;
    txt.set(validated?.recordName as string, [validated?.value as string]);
    await gateway.acceptChallenge(validated?.challengeUrl as string);
    const sharing: AcmeGateway = {
      ...gateway,
      createOrder: async (names, options) => {
        const order = await gateway.createOrder(names, options);
        return { ...order, authorizationUrls: [...order.authorizationUrls, shared?.authorizationUrl as string] };
      },
    };
    const state = await claimed(spec('www', ['d.example.com']), 'run-2');

    // Act
    await createOrder(state, orderDeps(sharing));

    // Assess: a, b, c in order.
    expect(await statuses(first)).toEqual(['valid', 'pending', 'deactivated']);
  });

  it('leaves the authorizations of an order the next run resumes alone', async () => {
    // Prepare
    const certificate = spec('www', ['www.example.com']);
    const { order: first } = await failedRun(certificate, 'run-1', 'DnsProviderUnavailable');
    const state = await claimed(certificate, 'run-2');

    // Act
    const second = await createOrder(state, orderDeps());

    // Assess
    expect(second).toMatchObject({ url: first.url, resumed: true });
    expect(await statuses(first)).toEqual(['pending']);
  });

  it('deactivates the pending authorizations of an order a failed run gives up, and not of one it keeps for the next run', async () => {
    // Act
    const { order: spent } = await failedRun(spec('spent', ['spent.example.com', 'b.spent.example.com']), 'run-1', 'AcmeRequestRejected');
    const { order: kept } = await failedRun(spec('kept', ['kept.example.com']), 'run-2', 'DnsProviderUnavailable');

    // Assess
    expect((await ledger.get('spent'))?.order).toBeUndefined();
    expect(await statuses(spent)).toEqual(['deactivated', 'deactivated']);
    expect((await ledger.get('kept'))?.order?.url).toBe(kept.url);
    expect(await statuses(kept)).toEqual(['pending']);
  });

  it('still records the failure and schedules the retry when the CA refuses to deactivate', async () => {
    // Prepare
    const refusing: AcmeGateway = {
      ...gateway,
      account: () => gateway.account(),
      deactivateAuthorization: async () => {
        throw new Error('the CA is down');
      },
    };

    // Act
    const { order, result } = await failedRun(spec('www', ['www.example.com']), 'run-1', 'AcmeRequestRejected', refusing);

    // Assess
    expect(result).toMatchObject({ error: 'AcmeRequestRejected' });
    expect(result.cause).toContain('the CA is down');
    expect(result.nextAttemptAfter).toBeDefined();
    expect((await ledger.get('www'))?.lastResult).toBe('Failed');
    expect(await statuses(order)).toEqual(['pending']);
  });
});
