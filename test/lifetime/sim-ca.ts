/**
 * A simulated ACME CA that lives in memory on a simulated clock, for the lifetime simulator:
 * the project's real phases talk to it through the AcmeGateway port as they would to Let's
 * Encrypt through acme-client, over two simulated years and thousands of issuances.
 *
 * It enforces what Let's Encrypt publishes and what a renewal system can trip over: the new
 * orders, duplicate certificate and failed validation limits (with ARI `replaces` exempting
 * renewals), authorization reuse, order and authorization expiry, profiles and the classic
 * lifetime shrinking in 2027 and 2028, ARI windows. Failures are thrown exactly as the real
 * gateway throws them: an AcmeFailure through classifyAcmeFailure.
 *
 * Everything that decides an outcome comes from `options.now` and `options.random`, and ids
 * come from counters, so a run replays exactly from its seed. Requests are handled one at a
 * time, synchronously, so there is no interleaving inside the CA.
 */
import { createHash } from 'node:crypto';
import { type AcmeFailure, classifyAcmeFailure } from '../../functions/core/acme-failure.js';
import type { AcmeGateway, AcmeOrder, AcmeProblem, AuthorizationStatus, DnsAuthorization, RenewalInfo } from '../../functions/ports/acme-gateway.js';
import { SimCaCertificates, ariIdOf, parseCsr } from './sim-ca-certs.js';

export interface SimCaOptions {
  /** The simulated clock; the CA never reads the real one. It must never go backwards. */
  now: () => Date;
  /** Seeded PRNG in [0,1); the CA keys, every serial, token and account thumbprint come from it. */
  random: () => number;
  /** What the CA's resolvers see at this moment for a TXT name (no trailing dot), e.g. '_acme-challenge.example.com'. */
  lookupTxt: (recordName: string) => readonly string[];
  /** Optional hook: returns a fault to apply to this request, or undefined. */
  fault?: (request: { account: string; operation: string }) => SimCaFault | undefined;
  /** Optional: the CA accepts the CSR but fails to issue, and the order becomes invalid (it happens). */
  issuanceFails?: () => boolean;
}

export type SimCaFault =
  | { kind: 'network' } // throw as if no HTTP answer (networkCode 'ECONNREFUSED')
  | { kind: 'serverError' } // HTTP 500 serverInternal
  | { kind: 'unavailable'; retryAfterSeconds: number }; // HTTP 503 with Retry-After

export type SimCaLimit = 'newOrders' | 'duplicateCertificate' | 'failedValidations';

export interface SimCaLimitHit {
  readonly limit: SimCaLimit;
  readonly at: string;
  readonly account: string;
  readonly names: string[];
  /** Set when the limit would have refused but ARI `replaces` exempted the order, which went through. */
  readonly exempted?: true;
}

export interface SimCaStats {
  newOrders: number;
  issued: number;
  failedValidations: number;
  /** Refusals by limit (exempted hits are not counted here). */
  rateLimited: Record<string, number>;
}

export interface IssuedCertificate {
  /** Lowercase hex, as verifyIssuedCertificate reports it. */
  readonly serial: string;
  /** RFC 9773 §4.1 id, as ariCertificateId(leafPem) computes it. */
  readonly ariCertificateId: string;
  readonly account: string;
  /** Lowercased, in the order's order. */
  readonly names: readonly string[];
  readonly profile: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Serial of the certificate this one replaced through ARI `replaces`. */
  readonly replaces?: string;
  /** Serial of the certificate that replaced this one. */
  readonly replacedBy?: string;
}

/** The port, with what this CA always offers. */
export interface SimGateway extends AcmeGateway {
  /** This CA always offers renewalInfo, so never undefined. */
  renewalInfo(certificateId: string): Promise<RenewalInfo>;
}

/** Let's Encrypt's published limits (https://letsencrypt.org/docs/rate-limits/). */
export const SIM_CA_LIMITS = {
  newOrders: { max: 300, windowMs: 3 * 3_600_000 },
  duplicateCertificate: { max: 5, windowMs: 7 * 86_400_000 },
  failedValidations: { max: 5, windowMs: 3_600_000 },
} as const satisfies Record<SimCaLimit, { max: number; windowMs: number }>;

export const SIM_CA_BASE_URL = 'https://sim-ca.test';
export const SIM_CA_DIRECTORY_URL = `${SIM_CA_BASE_URL}/directory`;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACME_ERROR = 'urn:ietf:params:acme:error:';
const ORDER_LIFETIME = 7 * DAY;
const PENDING_AUTHORIZATION_LIFETIME = 7 * DAY;
const VALID_AUTHORIZATION_LIFETIME = 30 * DAY;
/** Orders and pending authorizations are forgotten a day after they expire. */
const FORGET_AFTER = 8 * DAY;
/** A valid authorization is forgotten only after any order that reused it is: validation ≤ 7 d, + 30 d valid, + 8 d. */
const FORGET_VALID_AFTER = 48 * DAY;
const ARI_RETRY_AFTER_SECONDS = 6 * 3600;
const CLASSIC_64_DAYS_FROM = Date.parse('2027-02-10T00:00:00Z');
const CLASSIC_45_DAYS_FROM = Date.parse('2028-02-16T00:00:00Z');
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

interface Account {
  readonly thumbprint: string;
  /** newOrder times inside the new-orders window. */
  readonly orders: SlidingWindow;
}

interface Authorization {
  readonly url: string;
  readonly challengeUrl: string;
  readonly account: string;
  /** Without `*.`; the TXT record is `_acme-challenge.<name>` for the apex and the wildcard alike. */
  readonly name: string;
  readonly wildcard: boolean;
  readonly createdAt: number;
  /** `expired` is not stored: it is `pending` or `valid` past expiresAt. */
  status: 'pending' | 'valid' | 'invalid' | 'deactivated';
  expiresAt: number;
  readonly txtValue: string;
  challengeStatus: 'pending' | 'valid' | 'invalid';
  error?: AcmeProblem;
}

interface Order {
  readonly url: string;
  readonly finalizeUrl: string;
  readonly account: string;
  readonly names: readonly string[];
  readonly profile: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly authorizations: readonly Authorization[];
  /** The certificate named in `replaces`, checked valid at newOrder. */
  readonly replaces?: IssuedRecord;
  /** `open` is pending or ready, decided from the authorizations; the other two never change again. */
  state: 'open' | 'valid' | 'invalid';
  error?: AcmeProblem;
  certificateUrl?: string;
}

type IssuedRecord = { -readonly [K in keyof IssuedCertificate]: IssuedCertificate[K] };

export class SimulatedCa {
  readonly stats: SimCaStats = { newOrders: 0, issued: 0, failedValidations: 0, rateLimited: { newOrders: 0, duplicateCertificate: 0, failedValidations: 0 } };
  readonly limitHits: SimCaLimitHit[] = [];
  readonly rootPem: string;
  /** The chain's intermediate, sent after every leaf. */
  readonly intermediatePem: string;

  private readonly certificates: SimCaCertificates;
  private readonly accounts = new Map<string, Account>();
  private readonly gateways = new Map<string, SimGateway>();
  private readonly orders = new Map<string, Order>();
  private readonly ordersByFinalizeUrl = new Map<string, Order>();
  private readonly authorizations = new Map<string, Authorization>();
  private readonly authorizationsByChallengeUrl = new Map<string, Authorization>();
  /** account + identifier → the latest valid authorization, for reuse. */
  private readonly reusable = new Map<string, Authorization>();
  private readonly issued = new Map<string, IssuedRecord>();
  private readonly serialsByAriId = new Map<string, string>();
  /** Chains by certificate URL, kept as long as the order that links to them. */
  private readonly chains = new Map<string, string>();
  private readonly movedWindows = new Map<string, { start: string; end: string }>();
  /** Issuance times per exact name set (sorted, comma-joined), across accounts as Let's Encrypt counts them. */
  private readonly issuancesByNameSet = new Map<string, SlidingWindow>();
  /** Failed validation times per account + identifier. */
  private readonly failuresByName = new Map<string, SlidingWindow>();
  private readonly orderQueue = new Queue<Order>();
  private readonly authorizationQueue = new Queue<Authorization>();
  private readonly validAuthorizationQueue = new Queue<Authorization>();
  private nextOrderId = 1;
  private nextAuthorizationId = 1;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private lastNow = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SimCaOptions) {
    this.certificates = new SimCaCertificates({ root: this.randomBytes(32), intermediate: this.randomBytes(32) });
    this.rootPem = this.certificates.root.pem;
    this.intermediatePem = this.certificates.intermediate.pem;
  }

  /** An AcmeGateway bound to one ACME account (rate limits are per account); the account exists from its first use. */
  gateway(account: string): SimGateway {
    const existing = this.gateways.get(account);
    if (existing) return existing;
    this.accounts.set(account, { thumbprint: this.randomBytes(32).toString('base64url'), orders: new SlidingWindow(SIM_CA_LIMITS.newOrders.windowMs) });
    const gateway: SimGateway = {
      // What the real gateway knows without a request once the account is registered.
      account: async () => ({ directoryUrl: SIM_CA_DIRECTORY_URL, accountUrl: `${SIM_CA_BASE_URL}/acct/${account}` }),
      renewalInfo: (certificateId) => this.handle(account, 'renewalInfo', () => this.renewalInfo(certificateId)),
      supportsRenewalInfo: () => this.handle(account, 'directory', () => true),
      createOrder: (dnsNames, options = {}) => this.handle(account, 'newOrder', (now) => this.createOrder(account, dnsNames, options, now)),
      getOrder: (orderUrl) => this.handle(account, 'get order', (now) => this.orderView(this.ownOrder(account, orderUrl, 'get order'), now)),
      getAuthorization: (url) =>
        this.handle(account, 'get authorization', (now) => this.authorizationView(this.ownAuthorization(account, url, 'get authorization'), now)),
      acceptChallenge: (challengeUrl) => this.handle(account, 'accept challenge', (now) => this.acceptChallenge(account, challengeUrl, now)),
      finalizeOrder: (order, csrPem) => this.handle(account, 'finalize', (now) => this.finalize(account, order, csrPem, now)),
      downloadCertificate: (url) => this.handle(account, 'download certificate', () => this.chains.get(url) ?? notFound('download certificate', url)),
      deactivateAuthorization: (url) => this.handle(account, 'deactivate authorization', (now) => this.deactivate(account, url, now)),
    };
    this.gateways.set(account, gateway);
    return gateway;
  }

  issuedCertificate(serialHex: string): IssuedCertificate | undefined {
    return this.issued.get(serialHex.toLowerCase());
  }

  /** A mass-revocation incident: these certificates' ARI windows start an hour ago and end within `endWithinHours`. */
  moveWindowsEarlier(serials: readonly string[], endWithinHours: number): void {
    const now = this.options.now().getTime();
    for (const serial of serials) {
      if (!this.issued.has(serial.toLowerCase())) throw new Error(`moveWindowsEarlier: the simulated CA never issued ${serial}`);
      this.movedWindows.set(serial.toLowerCase(), { start: iso(now - HOUR), end: iso(now + endWithinHours * HOUR) });
    }
  }

  /**
   * Every request goes through here: the fault hook first, so a faulted request changes
   * nothing, then forgetting what expired, then the request itself.
   */
  private async handle<T>(account: string, operation: string, request: (now: number) => T): Promise<T> {
    const fault = this.options.fault?.({ account, operation });
    if (fault) throw classifyAcmeFailure(faultFailure(operation, fault));
    const now = this.options.now().getTime();
    // Windows and expiry queues assume time only moves forward.
    if (now < this.lastNow) throw new Error(`the simulated clock went backwards, from ${iso(this.lastNow)} to ${iso(now)}`);
    this.lastNow = now;
    this.forgetExpired(now);
    return request(now);
  }

  /** RFC 8555 §7.4 newOrder, with Let's Encrypt's checks in Boulder's order: identifiers, profile, replaces, limits. */
  private createOrder(account: string, dnsNames: readonly string[], options: { profile?: string; replaces?: string }, now: number): AcmeOrder {
    const names = [...new Set(dnsNames.map((name) => name.toLowerCase()))];
    if (names.length === 0 || names.length > 100) reject('newOrder', 400, 'malformed', `an order needs 1 to 100 identifiers, not ${names.length}`);
    for (const name of names) {
      if (!DNS_NAME.test(name) || name.length > 253) reject('newOrder', 400, 'rejectedIdentifier', `Invalid identifier "${name}": not a valid DNS name`);
    }
    const profile = options.profile ?? 'classic';
    if (!Object.hasOwn(PROFILES, profile)) reject('newOrder', 400, 'invalidProfile', `profile "${profile}" is not one of ${Object.keys(PROFILES).join(', ')}`);
    const replaces = options.replaces === undefined ? undefined : this.replaceable(account, names, options.replaces);

    // ARI renewals skip the new-orders and duplicate checks; as in Boulder they are not
    // counted as new orders either, but their issuance counts for the duplicate limit.
    const exempt = replaces !== undefined;
    const state = this.accounts.get(account) as Account;
    this.checkLimit('newOrders', state.orders, now, account, names, exempt, 'new orders from this account');
    for (const name of names) {
      const failures = this.failuresByName.get(failureKey(account, name));
      if (failures)
        this.checkLimit('failedValidations', failures, now, account, [name], false, `failed authorizations for "${baseName(name)}" from this account`);
    }
    const issuances = this.issuancesByNameSet.get(nameSetKey(names));
    if (issuances) this.checkLimit('duplicateCertificate', issuances, now, account, names, exempt, 'certificates for this exact set of identifiers');

    const authorizations = names.map((name) => this.authorizationFor(account, name, now));
    const id = this.nextOrderId++;
    const order: Order = {
      url: `${SIM_CA_BASE_URL}/order/${id}`,
      finalizeUrl: `${SIM_CA_BASE_URL}/finalize/${id}`,
      account,
      names,
      profile,
      createdAt: now,
      // An order cannot outlive the authorizations it reuses (as in Boulder).
      expiresAt: Math.min(now + ORDER_LIFETIME, ...authorizations.map((authorization) => authorization.expiresAt)),
      authorizations,
      ...(replaces && { replaces }),
      state: 'open',
    };
    this.orders.set(order.url, order);
    this.ordersByFinalizeUrl.set(order.finalizeUrl, order);
    this.orderQueue.push(order);
    if (!exempt) state.orders.add(now);
    this.stats.newOrders++;
    return this.orderView(order, now);
  }

  /** RFC 9773 §5: `replaces` must name a certificate this CA issued to this account, for overlapping names, not yet replaced. */
  private replaceable(account: string, names: readonly string[], certificateId: string): IssuedRecord {
    const serial = this.serialsByAriId.get(certificateId);
    const certificate = serial === undefined ? undefined : this.issued.get(serial);
    if (!certificate) return reject('newOrder', 400, 'malformed', `replaces: no certificate with ARI id ${certificateId} was issued by this CA`);
    if (certificate.account !== account)
      return reject('newOrder', 400, 'malformed', 'replaces: the requesting account did not request the certificate being replaced');
    if (!certificate.names.some((name) => names.includes(name))) {
      return reject('newOrder', 400, 'malformed', 'replaces: the order shares no identifier with the certificate being replaced');
    }
    if (certificate.replacedBy !== undefined) {
      return reject('newOrder', 409, 'alreadyReplaced', `replaces: certificate ${certificate.serial} was already replaced by ${certificate.replacedBy}`);
    }
    return certificate;
  }

  private checkLimit(limit: SimCaLimit, window: SlidingWindow, now: number, account: string, names: readonly string[], exempt: boolean, what: string): void {
    const { max, windowMs } = SIM_CA_LIMITS[limit];
    if (window.count(now) < max) return;
    const retryAt = (window.oldest as number) + windowMs;
    this.limitHits.push({ limit, at: iso(now), account, names: [...names], ...(exempt && { exempted: true as const }) });
    if (exempt) return;
    this.stats.rateLimited[limit] = (this.stats.rateLimited[limit] ?? 0) + 1;
    throw classifyAcmeFailure({
      operation: 'newOrder',
      status: 429,
      problemType: `${ACME_ERROR}rateLimited`,
      detail: `too many ${what} (${max}) in the last ${windowMs / HOUR}h, retry after ${iso(retryAt)}: see https://letsencrypt.org/docs/rate-limits/`,
      retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)),
    });
  }

  /** A valid authorization of this account for the identifier, reused, or a new pending one with a fresh token. */
  private authorizationFor(account: string, identifier: string, now: number): Authorization {
    const reusable = this.reusable.get(reuseKey(account, identifier));
    if (reusable && reusable.status === 'valid' && now < reusable.expiresAt) return reusable;
    const id = this.nextAuthorizationId++;
    const token = this.randomBytes(32).toString('base64url');
    const { thumbprint } = this.accounts.get(account) as Account;
    const authorization: Authorization = {
      url: `${SIM_CA_BASE_URL}/authz/${id}`,
      challengeUrl: `${SIM_CA_BASE_URL}/chall/${id}`,
      account,
      name: baseName(identifier),
      wildcard: identifier.startsWith('*.'),
      createdAt: now,
      status: 'pending',
      expiresAt: now + PENDING_AUTHORIZATION_LIFETIME,
      // RFC 8555 §8.4: base64url(SHA-256(token "." thumbprint)).
      txtValue: createHash('sha256').update(`${token}.${thumbprint}`).digest('base64url'),
      challengeStatus: 'pending',
    };
    this.authorizations.set(authorization.url, authorization);
    this.authorizationsByChallengeUrl.set(authorization.challengeUrl, authorization);
    this.authorizationQueue.push(authorization);
    return authorization;
  }

  /** RFC 8555 §7.5.1: validated at once; a challenge no longer pending is answered as it is (idempotent). */
  private acceptChallenge(account: string, challengeUrl: string, now: number): void {
    const authorization = this.authorizationsByChallengeUrl.get(challengeUrl) ?? notFound('accept challenge', challengeUrl);
    if (authorization.account !== account) unauthorized('accept challenge', challengeUrl);
    if (authorizationStatus(authorization, now) !== 'pending') return;
    const recordName = `_acme-challenge.${authorization.name}`;
    const found = this.options.lookupTxt(recordName);
    if (found.includes(authorization.txtValue)) {
      authorization.status = 'valid';
      authorization.challengeStatus = 'valid';
      authorization.expiresAt = now + VALID_AUTHORIZATION_LIFETIME;
      this.reusable.set(reuseKey(account, identifierOf(authorization)), authorization);
      return;
    }
    // Boulder's wording for dns-01 failures.
    const detail =
      found.length === 0
        ? `No TXT record found at ${recordName}`
        : `Incorrect TXT record "${found[0]}"${found.length > 1 ? ` (and ${found.length - 1} more)` : ''} found at ${recordName}`;
    authorization.status = 'invalid';
    authorization.challengeStatus = 'invalid';
    authorization.error = { type: `${ACME_ERROR}unauthorized`, detail, status: 403 };
    this.stats.failedValidations++;
    const key = failureKey(account, identifierOf(authorization));
    const failures = this.failuresByName.get(key) ?? new SlidingWindow(SIM_CA_LIMITS.failedValidations.windowMs);
    failures.add(now);
    this.failuresByName.set(key, failures);
  }

  /** RFC 8555 §7.4: issue from a ready order and a CSR naming exactly its identifiers. */
  private finalize(account: string, requested: AcmeOrder, csrPem: string, now: number): AcmeOrder {
    const order = this.ordersByFinalizeUrl.get(requested.finalizeUrl);
    if (!order || order.account !== account) return notFound('finalize', requested.finalizeUrl);
    const status = this.orderStatus(order, now);
    if (status !== 'ready') reject('finalize', 403, 'orderNotReady', `Order's status ("${status}") is not acceptable for finalization`);
    let csr: ReturnType<typeof parseCsr>;
    try {
      csr = parseCsr(csrPem);
    } catch (error) {
      return reject('finalize', 400, 'badCSR', (error as Error).message);
    }
    const wanted = [...order.names].sort().join(', ');
    const got = [...new Set(csr.dnsNames)].sort().join(', ');
    if (got !== wanted) reject('finalize', 400, 'badCSR', `CSR names [${got}] do not match the order's identifiers [${wanted}]`);
    if (csr.commonName !== undefined && !order.names.includes(csr.commonName)) {
      reject('finalize', 400, 'badCSR', `CSR common name "${csr.commonName}" is not among the order's identifiers`);
    }

    if (this.options.issuanceFails?.()) {
      order.state = 'invalid';
      order.error = { type: `${ACME_ERROR}serverInternal`, detail: 'the CA could not issue the certificate for this order', status: 500 };
      return this.orderView(order, now);
    }
    const serial = this.newSerial();
    const notBefore = Math.floor(now / 1000) * 1000;
    const notAfter = notBefore + lifetimeMs(order.profile, notBefore);
    const leafPem = this.certificates.issueLeaf({
      serialHex: serial,
      subjectPublicKeyInfo: csr.subjectPublicKeyInfo,
      dnsNames: order.names,
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
    });
    const replaced = order.replaces?.replacedBy === undefined ? order.replaces : undefined;
    const record: IssuedRecord = {
      serial,
      ariCertificateId: ariIdOf(this.certificates.intermediate.keyIdHex, serial),
      account,
      names: order.names,
      profile: order.profile,
      notBefore: iso(notBefore),
      notAfter: iso(notAfter),
      ...(replaced && { replaces: replaced.serial }),
    };
    if (replaced) replaced.replacedBy = serial;
    this.issued.set(serial, record);
    this.serialsByAriId.set(record.ariCertificateId, serial);
    const key = nameSetKey(order.names);
    const issuances = this.issuancesByNameSet.get(key) ?? new SlidingWindow(SIM_CA_LIMITS.duplicateCertificate.windowMs);
    issuances.add(now);
    this.issuancesByNameSet.set(key, issuances);
    order.state = 'valid';
    order.certificateUrl = `${SIM_CA_BASE_URL}/cert/${serial}`;
    this.chains.set(order.certificateUrl, `${leafPem}${this.intermediatePem}`);
    this.stats.issued++;
    return this.orderView(order, now);
  }

  /** RFC 9773 §4.2: a window 1/15 of the lifetime long, ending 1/30 of it after the 2/3 mark. */
  private renewalInfo(certificateId: string): RenewalInfo {
    if (!/^[\w-]+\.[\w-]+$/.test(certificateId)) reject('renewalInfo', 400, 'malformed', `"${certificateId}" is not an ARI certificate id`);
    const serial = this.serialsByAriId.get(certificateId);
    if (serial === undefined) return notFound('renewalInfo', certificateId);
    const moved = this.movedWindows.get(serial);
    if (moved) return { window: moved, retryAfterSeconds: ARI_RETRY_AFTER_SECONDS, explanationUrl: `${SIM_CA_BASE_URL}/incident` };
    const certificate = this.issued.get(serial) as IssuedRecord;
    const notBefore = Date.parse(certificate.notBefore);
    const lifetime = Date.parse(certificate.notAfter) - notBefore;
    const start = notBefore + Math.round((2 * lifetime) / 3 - lifetime / 30);
    return { window: { start: iso(start), end: iso(start + Math.round(lifetime / 15)) }, retryAfterSeconds: ARI_RETRY_AFTER_SECONDS };
  }

  /** RFC 8555 §7.5.2: only a pending or valid authorization can be deactivated (Boulder answers malformed otherwise). */
  private deactivate(account: string, url: string, now: number): void {
    const authorization = this.ownAuthorization(account, url, 'deactivate authorization');
    const status = authorizationStatus(authorization, now);
    if (status !== 'pending' && status !== 'valid')
      reject('deactivate authorization', 400, 'malformed', `Authorization's status ("${status}") was not pending or valid`);
    authorization.status = 'deactivated';
    const key = reuseKey(account, identifierOf(authorization));
    if (this.reusable.get(key) === authorization) this.reusable.delete(key);
  }

  private ownOrder(account: string, url: string, operation: string): Order {
    const order = this.orders.get(url);
    // Boulder answers "no order for this account" with 404 too.
    if (!order || order.account !== account) return notFound(operation, url);
    return order;
  }

  private ownAuthorization(account: string, url: string, operation: string): Authorization {
    const authorization = this.authorizations.get(url) ?? notFound(operation, url);
    if (authorization.account !== account) unauthorized(operation, url);
    return authorization;
  }

  /** Settles an open order that can no longer succeed; `invalid` sticks, like the real CA's. */
  private orderStatus(order: Order, now: number): AcmeOrder['status'] {
    if (order.state === 'open') {
      const failed = order.authorizations.find((authorization) => !['pending', 'valid'].includes(authorizationStatus(authorization, now)));
      if (failed?.status === 'invalid' || failed?.status === 'deactivated') {
        order.state = 'invalid';
        order.error = {
          type: `${ACME_ERROR}unauthorized`,
          status: 403,
          detail: `authorization for ${identifierOf(failed)} is ${failed.status}${failed.error?.detail ? `: ${failed.error.detail}` : ''}`,
        };
      } else if (failed || now >= order.expiresAt) {
        order.state = 'invalid';
        order.error = { detail: `order expired at ${iso(order.expiresAt)}` };
      }
    }
    if (order.state !== 'open') return order.state;
    return order.authorizations.every((authorization) => authorization.status === 'valid') ? 'ready' : 'pending';
  }

  private orderView(order: Order, now: number): AcmeOrder {
    return {
      url: order.url,
      status: this.orderStatus(order, now),
      finalizeUrl: order.finalizeUrl,
      authorizationUrls: order.authorizations.map((authorization) => authorization.url),
      ...(order.certificateUrl && { certificateUrl: order.certificateUrl }),
      ...(order.error && { error: order.error }),
    };
  }

  private authorizationView(authorization: Authorization, now: number): DnsAuthorization {
    return {
      url: authorization.url,
      dnsName: authorization.name,
      wildcard: authorization.wildcard,
      status: authorizationStatus(authorization, now),
      challenge: {
        url: authorization.challengeUrl,
        status: authorization.challengeStatus,
        txtValue: authorization.txtValue,
        ...(authorization.error && { error: authorization.error }),
      },
    };
  }

  /**
   * Drops orders and authorizations a day after they expire, and valid authorizations once no
   * order can still point at them. Queues are in creation order, so this is O(1) per request;
   * the limit windows of names no longer requested are swept once a simulated hour.
   */
  private forgetExpired(now: number): void {
    for (let order = this.orderQueue.peek(); order && order.createdAt + FORGET_AFTER <= now; order = this.orderQueue.peek()) {
      this.orderQueue.shift();
      this.orders.delete(order.url);
      this.ordersByFinalizeUrl.delete(order.finalizeUrl);
      if (order.certificateUrl) this.chains.delete(order.certificateUrl);
    }
    for (let authz = this.authorizationQueue.peek(); authz && authz.createdAt + FORGET_AFTER <= now; authz = this.authorizationQueue.peek()) {
      this.authorizationQueue.shift();
      if (authz.status === 'valid') this.validAuthorizationQueue.push(authz);
      else this.forgetAuthorization(authz);
    }
    for (let authz = this.validAuthorizationQueue.peek(); authz && authz.createdAt + FORGET_VALID_AFTER <= now; authz = this.validAuthorizationQueue.peek()) {
      this.validAuthorizationQueue.shift();
      this.forgetAuthorization(authz);
    }
    if (now - this.lastSweep >= HOUR) {
      this.lastSweep = now;
      for (const windows of [this.issuancesByNameSet, this.failuresByName]) {
        for (const [key, window] of windows) if (window.count(now) === 0) windows.delete(key);
      }
    }
  }

  private forgetAuthorization(authorization: Authorization): void {
    this.authorizations.delete(authorization.url);
    this.authorizationsByChallengeUrl.delete(authorization.challengeUrl);
    const key = reuseKey(authorization.account, identifierOf(authorization));
    if (this.reusable.get(key) === authorization) this.reusable.delete(key);
  }

  /** 16 random bytes, positive and minimal in DER (first byte 0x01-0x7f), unique within the CA. */
  private newSerial(): string {
    for (;;) {
      const bytes = this.randomBytes(16);
      bytes[0] = (bytes[0] as number) & 0x7f || 0x01;
      const serial = bytes.toString('hex');
      if (!this.issued.has(serial)) return serial;
    }
  }

  private randomBytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let index = 0; index < length; index++) bytes[index] = Math.floor(this.options.random() * 256) & 0xff;
    return bytes;
  }
}

/** Certificate lifetime by profile at the moment of issuance. */
const PROFILES: Record<string, (at: number) => number> = {
  classic: (at) => (at < CLASSIC_64_DAYS_FROM ? 90 * DAY : at < CLASSIC_45_DAYS_FROM ? 64 * DAY : 45 * DAY),
  tlsserver: () => 45 * DAY,
  shortlived: () => 160 * HOUR,
};

export function lifetimeMs(profile: string, at: number): number {
  const lifetime = PROFILES[profile];
  if (!lifetime) throw new Error(`unknown profile ${profile}`);
  return lifetime(at);
}

function authorizationStatus(authorization: Authorization, now: number): AuthorizationStatus {
  if ((authorization.status === 'pending' || authorization.status === 'valid') && now >= authorization.expiresAt) return 'expired';
  return authorization.status;
}

function faultFailure(operation: string, fault: SimCaFault): AcmeFailure {
  switch (fault.kind) {
    case 'network':
      return { operation, networkCode: 'ECONNREFUSED', detail: 'connect ECONNREFUSED sim-ca.test:443' };
    case 'serverError':
      return { operation, status: 500, problemType: `${ACME_ERROR}serverInternal`, detail: 'the simulated CA failed' };
    case 'unavailable':
      // A plain 503 as a load balancer in maintenance sends it: no problem type, just Retry-After.
      return { operation, status: 503, detail: 'Service Unavailable', retryAfterSeconds: fault.retryAfterSeconds };
  }
}

function reject(operation: string, status: number, type: string, detail: string): never {
  throw classifyAcmeFailure({ operation, status, problemType: `${ACME_ERROR}${type}`, detail });
}

function notFound(operation: string, what: string): never {
  return reject(operation, 404, 'malformed', `${what} is not known to the CA`);
}

function unauthorized(operation: string, url: string): never {
  return reject(operation, 403, 'unauthorized', `${url} belongs to another account`);
}

function baseName(identifier: string): string {
  return identifier.startsWith('*.') ? identifier.slice(2) : identifier;
}

function identifierOf(authorization: Authorization): string {
  return `${authorization.wildcard ? '*.' : ''}${authorization.name}`;
}

function reuseKey(account: string, identifier: string): string {
  return `${account}\n${identifier}`;
}

/** Failed validations count by base name: a failed wildcard counts against the apex too. */
function failureKey(account: string, identifier: string): string {
  return `${account}\n${baseName(identifier)}`;
}

function nameSetKey(names: readonly string[]): string {
  return [...names].sort().join(',');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Event times within the last `spanMs`; times arrive in order, so old ones leave from the front. */
class SlidingWindow {
  private readonly times = new Queue<number>();
  constructor(private readonly spanMs: number) {}

  add(time: number): void {
    this.times.push(time);
  }

  count(now: number): number {
    for (let oldest = this.times.peek(); oldest !== undefined && oldest + this.spanMs <= now; oldest = this.times.peek()) this.times.shift();
    return this.times.length;
  }

  get oldest(): number | undefined {
    return this.times.peek();
  }
}

/** A FIFO with O(1) shift: an array and a head index, compacted when half of it is spent. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
