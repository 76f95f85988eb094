/**
 * Orders a failure gives up, wired as on AWS: CleanUp has no CA client, so it leaves the order's
 * pending authorizations to the ledger, and the next run's CreateOrder deactivates them (RFC
 * 8555 §7.5.2). Against the simulated CA (test/lifetime/sim-ca.ts) with the file store and
 * ledger; the gateway counts what it is asked.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { AcmeNetworkError, AcmeRequestRejected } from '../../functions/core/errors.js';
import { cleanUp } from '../../functions/phases/clean-up.js';
import { createOrder } from '../../functions/phases/create-order.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import { SimulatedCa } from '../lifetime/sim-ca.js';
import { claimedRun, failedAfterOrder, quietCleanUpDependencies } from '../support/phase-runs.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const WWW: CertificateSpec = { name: 'www', dnsNames: ['www.example.com', 'api.example.com'], issuer: 'sim', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' };

let store: FileCertificateStore;
let ledger: FileRunLedger;
let ca: SimulatedCa;
/** The CA as the test looks at it: nothing it asks is counted. */
let look: AcmeGateway;

beforeEach(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'certstep-abandoned-'));
  store = new FileCertificateStore(path.join(root, 'store'));
  ledger = new FileRunLedger(path.join(root, 'ledger'));
  // A Lehmer generator: the CA's keys and tokens need not be random here, only distinct.
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  ca = new SimulatedCa({ now: () => NOW, random, lookupTxt: () => [] });
  look = ca.gateway('account-1');
});

type Counted = 'getOrder' | 'getAuthorization' | 'deactivateAuthorization';

/** The account's gateway, counting requests by kind and the most it had in flight at once; `fault` may replace some. */
function counting(fault: Partial<AcmeGateway> = {}) {
  const calls: Record<Counted, string[]> = { getOrder: [], getAuthorization: [], deactivateAuthorization: [] };
  const seen = { inFlight: 0, most: 0 };
  const inner: AcmeGateway = { ...look, ...fault };
  const counted =
    (kind: Counted) =>
    async (url: string): Promise<never> => {
      calls[kind].push(url);
      seen.most = Math.max(seen.most, ++seen.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return (await (inner[kind] as (url: string) => Promise<unknown>)(url)) as never;
      } finally {
        seen.inFlight--;
      }
    };
  const gateway: AcmeGateway = {
    ...inner,
    getOrder: counted('getOrder'),
    getAuthorization: counted('getAuthorization'),
    deactivateAuthorization: counted('deactivateAuthorization'),
  };
  return { gateway, calls, seen };
}

const cleanUpDeps = (acme?: AcmeGateway) => quietCleanUpDependencies(ledger, store, NOW, acme);

const claimed = (certificate: CertificateSpec, runId: string) => claimedRun(ledger, certificate, runId, NOW);

function orderDeps(acme: AcmeGateway = look) {
  return { acme: async () => acme, store, ledger, clock: () => NOW };
}

/** A run that ordered and then failed in a way that spends the order; its clean-up has the CA client only if given one. */
async function spentRun(runId: string, cleanUpAcme?: AcmeGateway, error = 'AcmeRequestRejected') {
  const state = await claimed(WWW, runId);
  const order = await createOrder(state, orderDeps());
  const failed = failedAfterOrder(state, order, error);
  return { order: order.url, result: await cleanUp(failed, cleanUpDeps(cleanUpAcme)) };
}

async function statuses(orderUrl: string): Promise<string[]> {
  const { authorizationUrls } = await look.getOrder(orderUrl);
  return Promise.all(authorizationUrls.map(async (url) => (await look.getAuthorization(url)).status));
}

/** Orders given up `ago` ms before NOW, written to the ledger as a finished run would. */
async function given(runId: string, urls: string[], ago = 0): Promise<void> {
  await ledger.claim('www', runId, NOW, new Date(NOW.getTime() + 3_600_000));
  const at = new Date(NOW.getTime() - ago);
  await ledger.finish('www', runId, { result: 'Failed', at, error: 'AcmeOrderInvalid', counts: true, keepOrder: false, abandonedOrders: urls });
}

const abandonedUrls = async () => (await ledger.get('www'))?.abandonedOrders?.map((order) => order.url);

describe('an order given up by a clean-up without the CA client (on AWS)', () => {
  it('stays pending at the CA and in the ledger; the next CreateOrder deactivates its pending authorizations, not its own, and forgets it', async () => {
    // Prepare
    const { order: spent } = await spentRun('run-1');
    const afterCleanUp = { ledger: await ledger.get('www'), statuses: await statuses(spent) };
    const { gateway, calls } = counting();
    const state = await claimed(WWW, 'run-2');

    // Act
    const next = await createOrder(state, orderDeps(gateway));

    // Assess
    expect(afterCleanUp.ledger?.order).toBeUndefined();
    expect(afterCleanUp.ledger?.abandonedOrders).toEqual([{ url: spent, at: NOW.toISOString() }]);
    expect(afterCleanUp.statuses).toEqual(['pending', 'pending']);
    expect(next.url).not.toBe(spent);
    expect(await statuses(spent)).toEqual(['deactivated', 'deactivated']);
    expect(await statuses(next.url)).toEqual(['pending', 'pending']);
    expect(calls.deactivateAuthorization).toHaveLength(2);
    expect(calls.getOrder.filter((url) => url === spent)).toHaveLength(1);
    expect(await abandonedUrls()).toBeUndefined();
  });

  it('never deactivates an authorization the new order shares with the abandoned one', async () => {
    // Prepare: the CA hands one of the abandoned order's pending authorizations to the new order.
    const { order: spent } = await spentRun('run-1');
    const [shared] = (await look.getOrder(spent)).authorizationUrls;
    const sharing: AcmeGateway = {
      ...look,
      createOrder: async (names, options) => {
        const order = await look.createOrder(names, options);
        return { ...order, authorizationUrls: [...order.authorizationUrls, shared as string] };
      },
    };
    const state = await claimed(WWW, 'run-2');

    // Act
    await createOrder(state, orderDeps(sharing));

    // Assess
    expect(await statuses(spent)).toEqual(['pending', 'deactivated']);
  });

  it('forgets, without a request, an order of another CA and one given up 7 days ago', async () => {
    // Prepare: the old one written last, by a clean-up that ran at the time (a later write would drop it).
    const old = (await look.createOrder(['old.example.com'])).url;
    await given('run-0', ['https://other-ca.test/order/1']);
    await given('run-1', [old], 7 * 24 * 3_600_000);
    const recorded = await abandonedUrls();
    const { gateway, calls } = counting();
    const state = await claimed(WWW, 'run-2');

    // Act
    await createOrder(state, orderDeps(gateway));

    // Assess
    expect(recorded).toEqual(['https://other-ca.test/order/1', old]);
    expect(calls.getOrder).toEqual([]);
    expect(calls.deactivateAuthorization).toEqual([]);
    expect(await statuses(old)).toEqual(['pending']);
    expect(await abandonedUrls()).toBeUndefined();
  });

  it('does not fail CreateOrder when deactivating fails; keeps for the next run only what failed in a way that may pass', async () => {
    // Prepare: the CA cannot be reached for one order's authorization, and refuses the other's.
    const unreachable = (await look.createOrder(['unreachable.example.com'])).url;
    const refused = (await look.createOrder(['refused.example.com'])).url;
    await given('run-1', [unreachable, refused]);
    const [unreachableAuthorization] = (await look.getOrder(unreachable)).authorizationUrls;
    const { gateway, calls } = counting({
      deactivateAuthorization: async (url) => {
        if (url === unreachableAuthorization) throw new AcmeNetworkError('connect ECONNRESET');
        throw new AcmeRequestRejected('deactivate authorization: the CA rejected the request: HTTP 403', 'urn:ietf:params:acme:error:unauthorized', 403);
      },
    });
    const state = await claimed(WWW, 'run-2');

    // Act
    const next = await createOrder(state, orderDeps(gateway));

    // Assess
    expect(next.challenges).toHaveLength(2);
    expect(calls.deactivateAuthorization).toHaveLength(2);
    expect(await abandonedUrls()).toEqual([unreachable]);
    expect((await ledger.get('www'))?.order?.url).toBe(next.url);
  });

  it('keeps at most 4 requests in flight across 10 abandoned orders', async () => {
    // Prepare
    const urls: string[] = [];
    for (let index = 0; index < 10; index++) urls.push((await look.createOrder([`a${index}.example.com`, `b${index}.example.com`])).url);
    await given('run-1', urls);
    const { gateway, calls, seen } = counting();
    const state = await claimed(WWW, 'run-2');

    // Act
    await createOrder(state, orderDeps(gateway));

    // Assess
    expect(calls.deactivateAuthorization).toHaveLength(20);
    expect(seen.most).toBeGreaterThan(1);
    expect(seen.most).toBeLessThanOrEqual(4);
  });
});

describe('an order given up by a clean-up with the CA client (locally)', () => {
  it('is deactivated at once and not kept', async () => {
    // Act
    const { order: spent } = await spentRun('run-1', look);

    // Assess
    expect(await statuses(spent)).toEqual(['deactivated', 'deactivated']);
    expect(await abandonedUrls()).toBeUndefined();
  });

  it('is kept for the next CreateOrder when the CA cannot be reached, and forgotten when the CA refuses', async () => {
    // Prepare
    const unreachable = counting({
      deactivateAuthorization: async () => {
        throw new AcmeNetworkError('connect ECONNREFUSED');
      },
    });
    const refusing = counting({
      deactivateAuthorization: async () => {
        throw new AcmeRequestRejected('deactivate authorization: the CA rejected the request: HTTP 400', 'urn:ietf:params:acme:error:malformed', 400);
      },
    });

    // Act
    const { order: kept, result: keptResult } = await spentRun('run-1', unreachable.gateway);
    const keptThen = await abandonedUrls();
    const { result: refusedResult } = await spentRun('run-2', refusing.gateway);

    // Assess
    expect(keptThen).toEqual([kept]);
    expect(keptResult.cause).toContain('ECONNREFUSED');
    expect(keptResult.cause).toContain('the next run tries again');
    expect(refusedResult.cause).toContain('they expire at the CA');
    // run-2's CreateOrder dealt with run-1's order (with the real CA); run-2's own was refused and forgotten.
    expect(await statuses(kept)).toEqual(['deactivated', 'deactivated']);
    expect(await abandonedUrls()).toBeUndefined();
  });
});
