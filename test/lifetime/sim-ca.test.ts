/**
 * The simulated CA the lifetime simulator runs the real phases against: what it issues must
 * pass the project's own verifier, and its limits, reuse, expiry and faults must behave as
 * Let's Encrypt's do, with failures classified exactly as the real gateway classifies them.
 */
import { X509Certificate } from 'node:crypto';
import acme from 'acme-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyAcmeFailure } from '../../functions/core/acme-failure.js';
import { ariCertificateId } from '../../functions/core/ari.js';
import { AcmeNetworkError, AcmeRateLimited, AcmeRequestRejected, AcmeServerError } from '../../functions/core/errors.js';
import { splitPemChain, verifyIssuedCertificate } from '../../functions/core/verify-certificate.js';
import type { AcmeGateway, AcmeOrder } from '../../functions/ports/acme-gateway.js';
import { seededRandom } from './sim-random.js';
import { SIM_CA_BASE_URL, type SimCaFault, type SimCaOptions, SimulatedCa } from './sim-ca.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let keyPem: string;
const csrs = new Map<string, string>();

beforeAll(async () => {
  keyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
});

/** One CSR per name list, for the test-wide key, made as functions/phases/finalize.ts makes it. */
async function csrFor(names: readonly string[]): Promise<string> {
  const key = names.join(',');
  let csr = csrs.get(key);
  if (!csr) {
    const first = names[0] as string;
    csr = (await acme.crypto.createCsr({ ...(first.length <= 64 && { commonName: first }), altNames: [...names] }, keyPem))[1].toString();
    csrs.set(key, csr);
  }
  return csr;
}

/** A CA, its clock and the TXT records its resolvers see. */
function world(start = '2026-06-01T00:00:00Z', options: Partial<SimCaOptions> = {}) {
  let now = Date.parse(start);
  const txt = new Map<string, string[]>();
  const ca = new SimulatedCa({ now: () => new Date(now), random: seededRandom(42).next, lookupTxt: (name) => txt.get(name) ?? [], ...options });
  return {
    ca,
    txt,
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
    setClock: (iso: string) => {
      now = Date.parse(iso);
    },
  };
}
type World = ReturnType<typeof world>;

/** Publishes every pending authorization's TXT value (unless told otherwise) and accepts its challenge. */
async function validate(w: World, gateway: AcmeGateway, order: AcmeOrder, publish = true): Promise<void> {
  for (const url of order.authorizationUrls) {
    const authorization = await gateway.getAuthorization(url);
    if (authorization.status !== 'pending' || !authorization.challenge) continue;
    if (publish) {
      const recordName = `_acme-challenge.${authorization.dnsName}`;
      w.txt.set(recordName, [...(w.txt.get(recordName) ?? []), authorization.challenge.txtValue]);
    }
    await gateway.acceptChallenge(authorization.challenge.url);
  }
}

async function issue(w: World, gateway: AcmeGateway, names: string[], options: { profile?: string; replaces?: string } = {}) {
  const order = await gateway.createOrder(names, options);
  await validate(w, gateway, order);
  const ready = await gateway.getOrder(order.url);
  expect(ready.status).toBe('ready');
  const finalized = await gateway.finalizeOrder(ready, await csrFor(names));
  expect(finalized.status).toBe('valid');
  const chainPem = await gateway.downloadCertificate(finalized.certificateUrl as string);
  const leafPem = splitPemChain(chainPem)[0] as string;
  const serial = new X509Certificate(leafPem).serialNumber.toLowerCase();
  return { order: finalized, chainPem, leafPem, serial, ariId: ariCertificateId(leafPem) as string };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

describe('SimulatedCa issuance', () => {
  it('issues a chain the project verifier accepts, and knows it by the ARI id the project computes', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    expect(await gateway.supportsRenewalInfo()).toBe(true);
    const issued = await issue(w, gateway, ['example.com', 'www.example.com']);

    const verified = verifyIssuedCertificate({ chainPem: issued.chainPem, privateKeyPem: keyPem, dnsNames: ['example.com', 'www.example.com'], now: w.now() });
    expect(verified.serialNumber).toBe(issued.serial);
    expect(verified.notBefore).toBe('2026-06-01T00:00:00.000Z');
    expect(verified.notAfter).toBe('2026-08-30T00:00:00.000Z');
    expect(issued.serial).toMatch(/^[0-7][0-9a-f]{31}$/);

    // The chain ends at the intermediate, which the root signed.
    const [, intermediatePem] = splitPemChain(issued.chainPem);
    const intermediate = new X509Certificate(intermediatePem as string);
    const root = new X509Certificate(w.ca.rootPem);
    expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(new Date(root.validFrom) <= new Date('2026-01-01') && new Date(root.validTo) >= new Date('2029-01-01')).toBe(true);

    expect(w.ca.issuedCertificate(issued.serial)).toMatchObject({
      serial: issued.serial,
      ariCertificateId: issued.ariId,
      account: 'acct',
      names: ['example.com', 'www.example.com'],
      profile: 'classic',
      notBefore: '2026-06-01T00:00:00.000Z',
      notAfter: '2026-08-30T00:00:00.000Z',
    });
    // 90 days: a 6-day window from day 57 to day 63.
    expect(await gateway.renewalInfo(issued.ariId)).toEqual({
      window: { start: '2026-07-28T00:00:00.000Z', end: '2026-08-03T00:00:00.000Z' },
      retryAfterSeconds: 21600,
    });
    expect(w.ca.stats).toMatchObject({ newOrders: 1, issued: 1, failedValidations: 0 });

    // Long after its order is forgotten, the certificate is still known to ARI and to `replaces`.
    w.advance(80 * DAY);
    await expect(gateway.getOrder(issued.order.url)).rejects.toMatchObject({ name: 'AcmeRequestRejected', status: 404 });
    expect((await gateway.renewalInfo(issued.ariId)).window.start).toBe('2026-07-28T00:00:00.000Z');
    const renewal = await issue(w, gateway, ['example.com', 'www.example.com'], { replaces: issued.ariId });
    expect(w.ca.issuedCertificate(renewal.serial)?.replaces).toBe(issued.serial);
    expect(w.ca.issuedCertificate(issued.serial)?.replacedBy).toBe(renewal.serial);
  });

  it('gives the apex and the wildcard of a name separate authorizations under one TXT record name', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const order = await gateway.createOrder(['example.com', '*.example.com']);
    expect(order.status).toBe('pending');
    const [apex, wildcard] = await Promise.all(order.authorizationUrls.map((url) => gateway.getAuthorization(url)));
    expect(apex).toMatchObject({ dnsName: 'example.com', wildcard: false, status: 'pending' });
    expect(wildcard).toMatchObject({ dnsName: 'example.com', wildcard: true, status: 'pending' });
    expect(apex?.url).not.toBe(wildcard?.url);
    expect(apex?.challenge?.url).not.toBe(wildcard?.challenge?.url);
    expect(apex?.challenge?.txtValue).not.toBe(wildcard?.challenge?.txtValue);
    expect(apex?.challenge?.txtValue).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await validate(w, gateway, order);
    expect(w.txt.get('_acme-challenge.example.com')).toHaveLength(2);
    const ready = await gateway.getOrder(order.url);
    expect(ready.status).toBe('ready');
    const finalized = await gateway.finalizeOrder(ready, await csrFor(['example.com', '*.example.com']));
    const chainPem = await gateway.downloadCertificate(finalized.certificateUrl as string);
    verifyIssuedCertificate({ chainPem, privateKeyPem: keyPem, dnsNames: ['*.example.com', 'example.com'], now: w.now() });
  });

  it('makes the authorization and the order invalid when the TXT value is not found, and counts the failure once', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const order = await gateway.createOrder(['bad.example.com']);
    const [authorizationUrl] = order.authorizationUrls;
    const authorization = await gateway.getAuthorization(authorizationUrl as string);
    await gateway.acceptChallenge(authorization.challenge?.url as string);

    const failed = await gateway.getAuthorization(authorizationUrl as string);
    expect(failed.status).toBe('invalid');
    expect(failed.challenge).toMatchObject({
      status: 'invalid',
      error: { type: 'urn:ietf:params:acme:error:unauthorized', status: 403, detail: 'No TXT record found at _acme-challenge.bad.example.com' },
    });
    const invalid = await gateway.getOrder(order.url);
    expect(invalid.status).toBe('invalid');
    expect(invalid.error?.detail).toContain('No TXT record found');
    expect(w.ca.stats.failedValidations).toBe(1);

    // Accepting again answers with the current state and validates nothing.
    await gateway.acceptChallenge(authorization.challenge?.url as string);
    expect(w.ca.stats.failedValidations).toBe(1);

    // A wrong value, e.g. the apex's left for the wildcard, is named in the detail.
    const both = await gateway.createOrder(['two.example.com', '*.two.example.com']);
    const [apex, wildcard] = await Promise.all(both.authorizationUrls.map((url) => gateway.getAuthorization(url)));
    w.txt.set('_acme-challenge.two.example.com', [apex?.challenge?.txtValue as string]);
    await gateway.acceptChallenge(apex?.challenge?.url as string);
    await gateway.acceptChallenge(wildcard?.challenge?.url as string);
    expect((await gateway.getAuthorization(apex?.url as string)).status).toBe('valid');
    expect((await gateway.getAuthorization(wildcard?.url as string)).challenge?.error?.detail).toBe(
      `Incorrect TXT record "${apex?.challenge?.txtValue}" found at _acme-challenge.two.example.com`,
    );
    expect((await gateway.getOrder(both.url)).status).toBe('invalid');
    expect(w.ca.stats.failedValidations).toBe(2);
  });

  it('refuses to finalize an order that is not ready, or a CSR for other names', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const order = await gateway.createOrder(['csr.example.com']);
    expect(await failure(gateway.finalizeOrder(order, await csrFor(['csr.example.com'])))).toMatchObject({
      name: 'AcmeRequestRejected',
      status: 403,
      problemType: 'urn:ietf:params:acme:error:orderNotReady',
    });
    await validate(w, gateway, order);
    const ready = await gateway.getOrder(order.url);
    for (const csr of [await csrFor(['csr.example.com', 'extra.example.com']), 'not a CSR']) {
      expect(await failure(gateway.finalizeOrder(ready, csr))).toMatchObject({
        name: 'AcmeRequestRejected',
        status: 400,
        problemType: 'urn:ietf:params:acme:error:badCSR',
      });
    }
    expect((await gateway.finalizeOrder(ready, await csrFor(['csr.example.com']))).status).toBe('valid');
    expect(await failure(gateway.finalizeOrder(ready, await csrFor(['csr.example.com'])))).toMatchObject({
      problemType: 'urn:ietf:params:acme:error:orderNotReady',
    });
  });
});

describe('SimulatedCa rate limits', () => {
  it('refuses a 6th certificate for the same names within 7 days, until the oldest leaves the window', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const spellings = [
      ['example.com', 'www.example.com'],
      ['www.example.com', 'example.com'],
      ['EXAMPLE.com', 'www.example.com'],
    ];
    for (let index = 0; index < 5; index++) {
      await issue(w, gateway, spellings[index % 3] as string[]);
      w.advance(HOUR);
    }
    // Another account asks for the same set: the limit is per set of names, not per account.
    const error = await failure(w.ca.gateway('other').createOrder(['www.example.com', 'EXAMPLE.COM']));
    expect(error).toBeInstanceOf(AcmeRateLimited);
    expect((error as AcmeRateLimited).retryAfterSeconds).toBe((7 * DAY - 5 * HOUR) / 1000);
    expect(w.ca.limitHits).toEqual([
      { limit: 'duplicateCertificate', at: '2026-06-01T05:00:00.000Z', account: 'other', names: ['www.example.com', 'example.com'] },
    ]);
    expect(w.ca.stats.rateLimited.duplicateCertificate).toBe(1);
    // A different set is not affected.
    await gateway.createOrder(['example.com']);

    w.advance(((error as AcmeRateLimited).retryAfterSeconds as number) * 1000 - 1000);
    await expect(gateway.createOrder(['example.com', 'www.example.com'])).rejects.toBeInstanceOf(AcmeRateLimited);
    w.advance(1000);
    expect((await gateway.createOrder(['example.com', 'www.example.com'])).status).toBe('ready');
  });

  it('exempts an ARI renewal (replaces) from the duplicate limit, once per replaced certificate', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const names = ['ari.example.com'];
    let last = await issue(w, gateway, names);
    for (let index = 1; index < 5; index++) last = await issue(w, gateway, names);
    await expect(gateway.createOrder(names)).rejects.toBeInstanceOf(AcmeRateLimited);

    const renewal = await issue(w, gateway, names, { replaces: last.ariId });
    expect(w.ca.issuedCertificate(renewal.serial)?.replaces).toBe(last.serial);
    expect(w.ca.limitHits.at(-1)).toMatchObject({ limit: 'duplicateCertificate', account: 'acct', exempted: true });
    expect(w.ca.stats.rateLimited.duplicateCertificate).toBe(1);

    // The same certificate cannot be replaced twice; the client then orders without replaces.
    expect(await failure(gateway.createOrder(names, { replaces: last.ariId }))).toMatchObject({
      name: 'AcmeRequestRejected',
      status: 409,
      problemType: 'urn:ietf:params:acme:error:alreadyReplaced',
    });
    // Unknown certificates, another account's, or ones sharing no name are malformed requests.
    const other = await issue(w, w.ca.gateway('other'), ['other.example.com']);
    for (const [gatewayOf, replaces, orderNames] of [
      [gateway, 'AAAA.AAAA', names],
      [gateway, other.ariId, ['other.example.com']],
      [gateway, renewal.ariId, ['unrelated.example.com']],
    ] as const) {
      expect(await failure(gatewayOf.createOrder(orderNames, { replaces }))).toMatchObject({
        name: 'AcmeRequestRejected',
        status: 400,
        problemType: 'urn:ietf:params:acme:error:malformed',
      });
    }
    // A renewal of the renewal is exempt again.
    expect((await gateway.createOrder(names, { replaces: renewal.ariId })).status).toBe('ready');
  });

  it('refuses the 301st new order of an account within 3 hours, but not an ARI renewal', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const first = await issue(w, gateway, ['host0.example.com']);
    w.advance(60_000);
    for (let index = 1; index < 300; index++) await gateway.createOrder([`host${index}.example.com`]);
    const error = await failure(gateway.createOrder(['host300.example.com']));
    expect(error).toBeInstanceOf(AcmeRateLimited);
    expect((error as AcmeRateLimited).retryAfterSeconds).toBe((3 * HOUR - 60_000) / 1000);
    expect(w.ca.limitHits.at(-1)).toMatchObject({ limit: 'newOrders', account: 'acct', names: ['host300.example.com'] });
    // Limits are per account.
    await w.ca.gateway('other').createOrder(['host300.example.com']);

    await gateway.createOrder(['host0.example.com'], { replaces: first.ariId });
    expect(w.ca.limitHits.at(-1)).toMatchObject({ limit: 'newOrders', exempted: true });
    expect(w.ca.stats).toMatchObject({ newOrders: 302, rateLimited: { newOrders: 1 } });

    // One order leaves the window, so one more fits, and the renewal did not take a slot.
    w.advance(((error as AcmeRateLimited).retryAfterSeconds as number) * 1000);
    await gateway.createOrder(['host300.example.com']);
    await expect(gateway.createOrder(['host301.example.com'])).rejects.toBeInstanceOf(AcmeRateLimited);
  });

  it('refuses an order after 5 failed validations of a name within an hour, even with replaces', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const issued = await issue(w, gateway, ['flaky.example.com']);
    w.txt.clear();
    w.advance(31 * DAY); // past authorization reuse, so each order validates again
    for (let index = 0; index < 5; index++) {
      const order = await gateway.createOrder(index % 2 ? ['*.flaky.example.com'] : ['flaky.example.com']);
      await validate(w, gateway, order, false);
      expect((await gateway.getOrder(order.url)).status).toBe('invalid');
      w.advance(5 * 60_000);
    }
    const error = await failure(gateway.createOrder(['www.example.com', 'flaky.example.com'], { replaces: issued.ariId }));
    expect(error).toBeInstanceOf(AcmeRateLimited);
    expect((error as AcmeRateLimited).retryAfterSeconds).toBe(35 * 60);
    expect(w.ca.limitHits.at(-1)).toMatchObject({ limit: 'failedValidations', names: ['flaky.example.com'] });
    // The wildcard counts by its base name; other names and other accounts are not affected.
    await expect(gateway.createOrder(['*.flaky.example.com'])).rejects.toBeInstanceOf(AcmeRateLimited);
    await gateway.createOrder(['steady.example.com']);
    await w.ca.gateway('other').createOrder(['flaky.example.com']);

    w.advance(35 * 60_000);
    await gateway.createOrder(['flaky.example.com']);
    expect(w.ca.stats).toMatchObject({ failedValidations: 5, rateLimited: { failedValidations: 2 } });
  });
});

describe('SimulatedCa authorizations and orders', () => {
  it('reuses a valid authorization of the same account and identifier for 30 days', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const issued = await issue(w, gateway, ['reuse.example.com']);
    const [validUrl] = issued.order.authorizationUrls;

    w.advance(29 * DAY);
    const reused = await gateway.createOrder(['reuse.example.com']);
    expect(reused.status).toBe('ready');
    expect(reused.authorizationUrls).toEqual([validUrl]);
    expect((await gateway.getAuthorization(validUrl as string)).status).toBe('valid');
    // Not for the wildcard of the name, nor for another account.
    expect((await gateway.createOrder(['*.reuse.example.com'])).status).toBe('pending');
    expect((await w.ca.gateway('other').createOrder(['reuse.example.com'])).status).toBe('pending');
    // A reused authorization is not validated again.
    await gateway.acceptChallenge((await gateway.getAuthorization(validUrl as string)).challenge?.url as string);
    expect(w.ca.stats.failedValidations).toBe(0);

    w.advance(DAY);
    const fresh = await gateway.createOrder(['reuse.example.com']);
    expect(fresh.status).toBe('pending');
    expect(fresh.authorizationUrls).not.toEqual([validUrl]);
  });

  it('never reuses a deactivated authorization, and an order with one is invalid', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const issued = await issue(w, gateway, ['off.example.com']);
    const [url] = issued.order.authorizationUrls;
    await gateway.deactivateAuthorization(url as string);
    expect((await gateway.getAuthorization(url as string)).status).toBe('deactivated');
    expect(await failure(gateway.deactivateAuthorization(url as string))).toMatchObject({ name: 'AcmeRequestRejected', status: 400 });

    const order = await gateway.createOrder(['off.example.com']);
    expect(order.status).toBe('pending');
    await gateway.deactivateAuthorization(order.authorizationUrls[0] as string);
    expect((await gateway.getOrder(order.url)).status).toBe('invalid');
  });

  it('expires orders and pending authorizations after 7 days, and forgets them a day later', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const order = await gateway.createOrder(['slow.example.com']);
    const [authorizationUrl] = order.authorizationUrls;
    w.advance(7 * DAY - 1);
    expect((await gateway.getOrder(order.url)).status).toBe('pending');
    w.advance(1);
    const expired = await gateway.getOrder(order.url);
    expect(expired.status).toBe('invalid');
    expect(expired.error?.detail).toContain('expired');
    const authorization = await gateway.getAuthorization(authorizationUrl as string);
    expect(authorization.status).toBe('expired');
    await gateway.acceptChallenge(authorization.challenge?.url as string);
    expect(w.ca.stats.failedValidations).toBe(0);

    w.advance(DAY);
    const forgotten = { name: 'AcmeRequestRejected', status: 404, problemType: 'urn:ietf:params:acme:error:malformed' };
    expect(await failure(gateway.getOrder(order.url))).toMatchObject(forgotten);
    expect(await failure(gateway.getAuthorization(authorizationUrl as string))).toMatchObject(forgotten);
  });

  it('answers 404 for what it does not know and keeps accounts apart', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const order = await gateway.createOrder(['mine.example.com']);
    const notFound = { name: 'AcmeRequestRejected', status: 404, problemType: 'urn:ietf:params:acme:error:malformed' };
    const unknownOrder = await failure(gateway.getOrder(`${SIM_CA_BASE_URL}/order/999`));
    expect(unknownOrder).toBeInstanceOf(AcmeRequestRejected);
    expect(unknownOrder).toMatchObject(notFound);
    expect(await failure(gateway.getAuthorization(`${SIM_CA_BASE_URL}/authz/999`))).toMatchObject(notFound);
    expect(await failure(gateway.acceptChallenge(`${SIM_CA_BASE_URL}/chall/999`))).toMatchObject(notFound);
    expect(await failure(gateway.downloadCertificate(`${SIM_CA_BASE_URL}/cert/01`))).toMatchObject(notFound);
    expect(await failure(gateway.renewalInfo('AAAA.AAAA'))).toMatchObject(notFound);

    const other = w.ca.gateway('other');
    expect(await failure(other.getOrder(order.url))).toMatchObject(notFound);
    expect(await failure(other.getAuthorization(order.authorizationUrls[0] as string))).toMatchObject({
      status: 403,
      problemType: 'urn:ietf:params:acme:error:unauthorized',
    });
    expect(await failure(gateway.createOrder(['mine.example.com'], { profile: 'longlived' }))).toMatchObject({
      name: 'AcmeRequestRejected',
      status: 400,
      problemType: 'urn:ietf:params:acme:error:invalidProfile',
    });
  });
});

describe('SimulatedCa profiles and lifetimes', () => {
  async function lifetimeDays(w: World, profile?: string, names = [`p${Math.floor(w.now().getTime() / 1000)}.example.com`]) {
    const issued = await issue(w, w.ca.gateway('acct'), names, profile ? { profile } : {});
    const leaf = new X509Certificate(issued.leafPem);
    return (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY;
  }

  it('shortens classic from 90 to 64 days on 2027-02-10 and to 45 days on 2028-02-16', async () => {
    const w = world('2027-02-09T23:59:59Z');
    expect(await lifetimeDays(w)).toBe(90);
    w.setClock('2027-02-10T00:00:00Z');
    expect(await lifetimeDays(w)).toBe(64);
    w.setClock('2028-02-15T23:59:59Z');
    expect(await lifetimeDays(w)).toBe(64);
    w.setClock('2028-02-16T00:00:00Z');
    expect(await lifetimeDays(w)).toBe(45);
    expect(await lifetimeDays(w, 'classic')).toBe(45);
  });

  it('takes the lifetime at issuance, not at newOrder', async () => {
    const w = world('2027-02-09T23:00:00Z');
    const gateway = w.ca.gateway('acct');
    const order = await gateway.createOrder(['edge.example.com']);
    await validate(w, gateway, order);
    w.advance(HOUR);
    const finalized = await gateway.finalizeOrder(await gateway.getOrder(order.url), await csrFor(['edge.example.com']));
    const leaf = new X509Certificate(splitPemChain(await gateway.downloadCertificate(finalized.certificateUrl as string))[0] as string);
    expect(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)).toBe(64 * DAY);
  });

  it('issues tlsserver for 45 days and shortlived for 160 hours, with ARI windows scaled to match', async () => {
    const w = world();
    expect(await lifetimeDays(w, 'tlsserver')).toBe(45);
    w.advance(1000);
    const gateway = w.ca.gateway('acct');
    const issued = await issue(w, gateway, ['short.example.com'], { profile: 'shortlived' });
    const record = w.ca.issuedCertificate(issued.serial);
    expect(record?.profile).toBe('shortlived');
    expect(Date.parse(record?.notAfter as string) - Date.parse(record?.notBefore as string)).toBe(160 * HOUR);
    const { window } = await gateway.renewalInfo(issued.ariId);
    const notBefore = Date.parse(record?.notBefore as string);
    expect(Date.parse(window.start) - notBefore).toBe(Math.round(160 * HOUR * (2 / 3 - 1 / 30)));
    expect(Date.parse(window.end) - Date.parse(window.start)).toBe(Math.round((160 * HOUR) / 15));
  });

  it('moves ARI windows into the past for a mass revocation', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const issued = await issue(w, gateway, ['revoked.example.com']);
    w.advance(10 * DAY);
    w.ca.moveWindowsEarlier([issued.serial.toUpperCase()], 24);
    const info = await gateway.renewalInfo(issued.ariId);
    expect(Date.parse(info.window.start)).toBeLessThan(w.now().getTime());
    expect(info.window.end).toBe(new Date(w.now().getTime() + 24 * HOUR).toISOString());
    expect(info.explanationUrl).toBeDefined();
    expect(() => w.ca.moveWindowsEarlier(['0123'], 24)).toThrow(/never issued/);
  });
});

describe('SimulatedCa faults and determinism', () => {
  it('throws faults as the real gateway classifies them, names operations as it does, and changes nothing', async () => {
    let next: SimCaFault | undefined;
    const seen: string[] = [];
    const w = world(undefined, {
      fault: ({ account, operation }) => {
        seen.push(`${account}:${operation}`);
        const fault = next;
        next = undefined;
        return fault;
      },
    });
    const gateway = w.ca.gateway('acct');

    next = { kind: 'network' };
    expect(await failure(gateway.createOrder(['f.example.com']))).toBeInstanceOf(AcmeNetworkError);
    next = { kind: 'serverError' };
    expect(await failure(gateway.createOrder(['f.example.com']))).toBeInstanceOf(AcmeServerError);
    next = { kind: 'unavailable', retryAfterSeconds: 120 };
    const unavailable = await failure(gateway.createOrder(['f.example.com']));
    // Whatever class the project gives a 503 with Retry-After, the CA's error is that class.
    const expected = classifyAcmeFailure({ operation: 'newOrder', status: 503, detail: 'Service Unavailable', retryAfterSeconds: 120 });
    expect(unavailable.name).toBe(expected.name);
    expect((unavailable as { retryAfterSeconds?: number }).retryAfterSeconds).toBe((expected as { retryAfterSeconds?: number }).retryAfterSeconds);
    expect(w.ca.stats.newOrders).toBe(0);

    seen.length = 0;
    const issued = await issue(w, gateway, ['f.example.com']);
    expect(issued.order.url).toBe(`${SIM_CA_BASE_URL}/order/1`);
    await gateway.supportsRenewalInfo();
    await gateway.renewalInfo(issued.ariId);
    expect([...new Set(seen)]).toEqual([
      'acct:newOrder',
      'acct:get authorization',
      'acct:accept challenge',
      'acct:get order',
      'acct:finalize',
      'acct:download certificate',
      'acct:directory',
      'acct:renewalInfo',
    ]);
    next = { kind: 'serverError' };
    await expect(gateway.renewalInfo(issued.ariId)).rejects.toBeInstanceOf(AcmeServerError);
    next = { kind: 'network' };
    await expect(gateway.getOrder(issued.order.url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('replays exactly from the same seed and clock', async () => {
    async function script(seed: number) {
      const w = world('2026-06-01T00:00:00Z', { random: seededRandom(seed).next });
      const trace: string[] = [];
      for (const account of ['a', 'b']) {
        const gateway = w.ca.gateway(account);
        for (const names of [['d1.example.com', '*.d1.example.com'], ['d2.example.com']]) {
          const issued = await issue(w, gateway, names);
          const authorizations = await Promise.all(issued.order.authorizationUrls.map((url) => gateway.getAuthorization(url)));
          trace.push(issued.order.url, issued.serial, issued.ariId, ...authorizations.flatMap((a) => [a.url, a.challenge?.txtValue ?? '']));
          w.advance(HOUR);
        }
      }
      return trace;
    }
    const first = await script(7);
    expect(await script(7)).toEqual(first);
    const other = await script(8);
    expect(other[0]).toBe(first[0]); // URLs come from counters
    expect(other[1]).not.toBe(first[1]); // serials from the seed
  });

  it('issues a few thousand certificates, forgetting what expired as the clock moves on', async () => {
    const w = world();
    const gateway = w.ca.gateway('acct');
    const nameSets = Array.from({ length: 50 }, (_, index) => [`fast${index}.example.com`]);
    const csrsByName = await Promise.all(nameSets.map((names) => csrFor(names)));
    for (let index = 0; index < 3000; index++) {
      const names = nameSets[index % 50] as string[];
      const order = await gateway.createOrder(names, { profile: 'shortlived' });
      await validate(w, gateway, order);
      await gateway.finalizeOrder(await gateway.getOrder(order.url), csrsByName[index % 50] as string);
      w.advance(2 * HOUR);
    }
    expect(w.ca.stats).toMatchObject({ issued: 3000, rateLimited: { newOrders: 0, duplicateCertificate: 0, failedValidations: 0 } });
    // 250 simulated days on: only the last 8 days of orders (one per 2 h) are still held.
    const held = w.ca as unknown as { orders: Map<string, unknown>; chains: Map<string, unknown> };
    expect(held.orders.size).toBeLessThanOrEqual(8 * 12);
    expect(held.chains.size).toBeLessThanOrEqual(8 * 12);
  });
});
