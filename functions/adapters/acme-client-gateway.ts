/**
 * The ACME gateway over acme-client: one short-lived client per phase invocation, built from
 * the account stored for the issuer and its directory URL. The account is registered on first
 * use, again when the issuer's directory URL changes (the old CA's account and key are kept,
 * not reused: an account key belongs to one CA), and again, cleanly, when the CA says it no
 * longer knows it (Pebble forgets accounts on restart). The directory and the account come from
 * the container's caches (acme-directory.ts, acme-account-cache.ts), so a warm container asks
 * the CA for the directory and the store for the account once, not once per invocation.
 */
import { acme } from './acme-client-module.js';
import { type AcmeFailure, classifyAcmeFailure } from '../core/acme-failure.js';
import { AcmeRequestRejected, CertstepError } from '../core/errors.js';
import type { IssuerConfig } from '../core/issuers.js';
import { alternateLinks, choosePreferredChain } from '../core/preferred-chain.js';
import type {
  RenewalInfo,
  AcmeAccountRef,
  AcmeGateway,
  AcmeOrder,
  AcmeProblem,
  AuthorizationStatus,
  DnsAuthorization,
  DnsChallenge,
  OrderStatus,
} from '../ports/acme-gateway.js';
import { type AcmeAccountAdmin, type AcmeAccountDetails, REVOCATION_REASONS, type RevocationReason } from '../ports/acme-account-admin.js';
import type { AcmeAccount, CertificateStore } from '../ports/certificate-store.js';
import { CachedAccounts } from './acme-account-cache.js';
import { type AcmeDirectory, fetchRenewalInfo, forgetDirectory, readDirectory, supportsRenewalInfo } from './acme-directory.js';
import { type RecordedExchange, recordExchanges, retryAfterSeconds, trustCaBundle } from './acme-http.js';
import { takeNonce } from './acme-nonces.js';

const ACCOUNT_GONE = ['urn:ietf:params:acme:error:accountDoesNotExist'];
/** What a CA answers a request signed with an account or key it does not (or no longer) know. */
const ACCOUNT_STALE = [...ACCOUNT_GONE, 'urn:ietf:params:acme:error:unauthorized'];

/** The slice of acme-client's HTTP client (src/http.js) we tune; test/adapters/acme-client-internals.test.ts pins it. */
interface AcmeClientHttp {
  maxBadNonceRetries: number;
  getNonce(): Promise<string>;
  directoryCache: unknown;
  directoryTimestamp: number;
}

/** acme-client keeps its raw API object untyped; this is the slice of it we call. */
interface RawApi {
  getAuthorization(url: string): Promise<{ status: number; data: RawAuthorization }>;
}
interface RawAuthorization {
  status: AuthorizationStatus;
  identifier: { type: string; value: string };
  wildcard?: boolean;
  challenges: { type: string; url: string; token: string; status: DnsChallenge['status']; error?: AcmeProblem }[];
}
interface RawAccount {
  status?: string;
  contact?: string[];
}
interface RawOrder {
  url?: string;
  status: OrderStatus;
  finalize: string;
  authorizations: string[];
  certificate?: string;
  error?: AcmeProblem;
}

export class AcmeClientGateway implements AcmeGateway, AcmeAccountAdmin {
  private client?: acme.Client;
  /** Set once the client signs with an account the cache gave, which the CA may no longer accept. */
  private accountFromCache = false;
  private directory?: AcmeDirectory;
  /**
   * The registration under way: requests made at once (AcceptChallenges answers every challenge
   * together) wait for one read of the account secret, and on an empty store for one newAccount,
   * instead of each making its own and leaving the CA an account nobody keeps.
   */
  private registering?: Promise<void>;
  private readonly accounts: CachedAccounts;
  /** Bad-nonce retries inside one request: Pebble rejects 5 % of nonces by default, tests use 30-50 %. */
  static maxBadNonceRetries = 20;

  constructor(
    private readonly issuer: IssuerConfig,
    private readonly store: CertificateStore,
  ) {
    if (issuer.caBundlePem) trustCaBundle(issuer.directoryUrl, issuer.caBundlePem);
    this.accounts = new CachedAccounts(store);
  }

  async account(): Promise<AcmeAccountRef> {
    const client = await this.withClient(async (client) => client);
    return { directoryUrl: this.issuer.directoryUrl, accountUrl: client.getAccountUrl() };
  }

  renewalInfo(certificateId: string): Promise<RenewalInfo | undefined> {
    return fetchRenewalInfo(this.issuer, certificateId);
  }

  supportsRenewalInfo(): Promise<boolean> {
    return supportsRenewalInfo(this.issuer);
  }

  async createOrder(dnsNames: readonly string[], options: { profile?: string; replaces?: string } = {}): Promise<AcmeOrder> {
    const identifiers = dnsNames.map((value) => ({ type: 'dns' as const, value }));
    const payload = { identifiers, ...(options.profile && { profile: options.profile }), ...(options.replaces && { replaces: options.replaces }) };
    const { order, exchanges } = await this.call('newOrder', async (client) => ({
      order: (await client.createOrder(payload as never)) as unknown as RawOrder,
    }));
    return toOrder(order, exchanges);
  }

  async getOrder(orderUrl: string): Promise<AcmeOrder> {
    const { order, exchanges } = await this.call('get order', async (client) => ({
      order: (await client.getOrder({ url: orderUrl } as never)) as unknown as RawOrder,
    }));
    return toOrder({ ...order, url: orderUrl }, exchanges);
  }

  async getAuthorization(authorizationUrl: string): Promise<DnsAuthorization> {
    const { authorization } = await this.call('get authorization', async (client) => {
      const api = (client as unknown as { api: RawApi }).api;
      const response = await api.getAuthorization(authorizationUrl);
      if (response.status !== 200) throw new Error(`unexpected HTTP ${response.status}`);
      return { authorization: response.data };
    });
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'dns-01');
    const txtValue = challenge ? await this.withClient((client) => client.getChallengeKeyAuthorization(challenge as never)) : '';
    return {
      url: authorizationUrl,
      dnsName: authorization.identifier.value,
      wildcard: authorization.wildcard === true,
      status: authorization.status,
      ...(challenge && {
        challenge: { url: challenge.url, status: challenge.status, txtValue, ...(challenge.error && { error: challenge.error }) },
      }),
    };
  }

  async deactivateAuthorization(authorizationUrl: string): Promise<void> {
    await this.call('deactivate authorization', async (client) => {
      await client.deactivateAuthorization({ url: authorizationUrl } as never);
      return {};
    });
  }

  async acceptChallenge(challengeUrl: string): Promise<void> {
    await this.call('accept challenge', async (client) => {
      await client.completeChallenge({ url: challengeUrl, type: 'dns-01' } as never);
      return {};
    });
  }

  async finalizeOrder(order: AcmeOrder, csrPem: string): Promise<AcmeOrder> {
    const { finalized, exchanges } = await this.call('finalize', async (client) => ({
      finalized: (await client.finalizeOrder({ url: order.url, finalize: order.finalizeUrl } as never, csrPem)) as unknown as RawOrder,
    }));
    return toOrder({ ...finalized, url: order.url }, exchanges);
  }

  /**
   * The CA's default chain; with the issuer's preferredChain, also each alternate its Link
   * header names (RFC 8555 §7.4.2), then the one core/preferred-chain.ts picks. acme-client
   * could pick too, but only with an X.509 library StoreCertificate's bundle leaves out.
   */
  async downloadCertificate(certificateUrl: string): Promise<string> {
    const { chain: defaultChain, link } = await this.downloadChain('download certificate', certificateUrl);
    const preferred = this.issuer.preferredChain;
    if (!preferred) return defaultChain;
    const alternates: string[] = [];
    // One at a time: a CA that refuses the account then sees one re-registration, not one per chain.
    for (const url of alternateLinks(link, certificateUrl)) alternates.push((await this.downloadChain('download alternate chain', url)).chain);
    return choosePreferredChain([defaultChain, ...alternates], preferred);
  }

  /** One chain, POST-as-GET, and the Link header of the answer that carried it. */
  private async downloadChain(operation: string, url: string): Promise<{ chain: string; link?: string }> {
    const { chain, exchanges } = await this.call(operation, async (client) => ({
      chain: await client.getCertificate({ status: 'valid', certificate: url } as never),
    }));
    const answer = [...exchanges].reverse().find((exchange) => exchange.url === url && exchange.status === 200);
    return { chain, ...(answer?.link && { link: answer.link }) };
  }

  async accountDetails(): Promise<AcmeAccountDetails> {
    const { account } = await this.call('get account', async (client) => ({ account: (await client.updateAccount({})) as RawAccount }));
    return this.details(account);
  }

  async updateContact(contact: readonly string[]): Promise<AcmeAccountDetails> {
    const { account } = await this.call('update account', async (client) => ({
      account: (await client.updateAccount({ contact: [...contact] })) as RawAccount,
    }));
    return this.details(account);
  }

  async rolloverKey(): Promise<AcmeAccountDetails> {
    // Registers the account if needed, and settles a key change an earlier attempt left open.
    const { accountUrl } = await this.account();
    const stored = await this.store.getAccount(this.issuer.name, this.issuer.directoryUrl);
    if (stored?.accountUrl !== accountUrl)
      throw new AcmeRequestRejected(`the stored account of issuer ${this.issuer.name} changed while rolling its key over; try again`);
    const nextAccountKeyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    const current = { directoryUrl: stored.directoryUrl, accountKeyPem: stored.accountKeyPem, accountUrl };
    // Stored before the CA hears of it: if this process dies after keyChange, the key is not lost.
    this.accounts.forget(this.issuer.name, this.issuer.directoryUrl);
    await this.store.putAccount(this.issuer.name, { ...current, nextAccountKeyPem }, true);
    await this.call('keyChange', async (client) => {
      await client.updateAccountKey(nextAccountKeyPem);
      return {};
    });
    const settled = await this.store.putAccount(this.issuer.name, { ...current, accountKeyPem: nextAccountKeyPem }, true);
    this.accounts.remember(this.issuer.name, settled);
    this.client = this.newClient(nextAccountKeyPem, accountUrl);
    return this.accountDetails();
  }

  async revokeCertificate(certificatePem: string, reason: RevocationReason): Promise<void> {
    await this.call('revoke certificate', async (client) => {
      await client.revokeCertificate(certificatePem, { reason: REVOCATION_REASONS[reason] });
      return {};
    });
  }

  private details(account: RawAccount): AcmeAccountDetails {
    return {
      directoryUrl: this.issuer.directoryUrl,
      accountUrl: (this.client as acme.Client).getAccountUrl(),
      status: account.status ?? 'unknown',
      contact: account.contact ?? [],
    };
  }

  /**
   * Runs one ACME request with the account's client, classifying any failure. An account the
   * cache gave that the CA refuses is dropped and read from the store again (another container
   * may have re-registered it or rolled its key over); a CA that has forgotten the account gets
   * one clean re-registration; either way the request is sent again.
   */
  private async call<T extends object>(operation: string, fn: (client: acme.Client) => Promise<T>): Promise<T & { exchanges: RecordedExchange[] }> {
    let outcome = await recordExchanges(() => this.withClient(fn));
    if (outcome.error === undefined) return { ...(outcome.result as T), exchanges: outcome.exchanges };
    if (outcome.error instanceof CertstepError) throw outcome.error;
    let failure = toFailure(operation, outcome.error, outcome.exchanges);
    this.forgetStaleDirectory(outcome.exchanges);
    if (this.accountFromCache && this.accountStale(failure, outcome.exchanges)) {
      this.accounts.forget(this.issuer.name, this.issuer.directoryUrl);
      this.client = undefined;
      outcome = await recordExchanges(() => this.withClient(fn));
      if (outcome.error === undefined) return { ...(outcome.result as T), exchanges: outcome.exchanges };
      if (outcome.error instanceof CertstepError) throw outcome.error;
      failure = toFailure(operation, outcome.error, outcome.exchanges);
    }
    if (failure.problemType && ACCOUNT_GONE.includes(failure.problemType) && this.client) {
      await this.register(true);
      const second = await recordExchanges(() => this.withClient(fn));
      if (second.error === undefined) return { ...(second.result as T), exchanges: second.exchanges };
      throw classifyAcmeFailure(toFailure(operation, second.error, second.exchanges));
    }
    throw classifyAcmeFailure(failure);
  }

  private accountStale(failure: AcmeFailure, exchanges: readonly RecordedExchange[]): boolean {
    if (failure.problemType && ACCOUNT_STALE.includes(failure.problemType)) return true;
    const accountUrl = this.client?.getAccountUrl();
    return exchanges.some((exchange) => exchange.status === 404 && exchange.url === accountUrl);
  }

  /** A directory endpoint that answers 404 means the cached directory no longer describes the CA. */
  private forgetStaleDirectory(exchanges: readonly RecordedExchange[]): void {
    const endpoints = Object.values(this.directory ?? {});
    if (exchanges.some((exchange) => exchange.status === 404 && endpoints.includes(exchange.url))) forgetDirectory(this.issuer.directoryUrl);
  }

  private async withClient<T>(fn: (client: acme.Client) => Promise<T>): Promise<T> {
    // Also trusts the CA bundle for every endpoint the directory lists, which may be on other origins.
    this.directory ??= await readDirectory(this.issuer);
    if (!this.client) {
      this.registering ??= this.register(false).finally(() => {
        this.registering = undefined;
      });
      await this.registering;
    }
    return fn(this.client as acme.Client);
  }

  /** RFC 8555 §7.3: newAccount with a new key, or reuse of the one stored for this directory. */
  private async register(replace: boolean): Promise<void> {
    const { account: stored, cached } = replace ? { account: undefined, cached: false } : await this.accounts.get(this.issuer.name, this.issuer.directoryUrl);
    this.accountFromCache = cached;
    if (stored?.nextAccountKeyPem) {
      this.client = await this.settleKeyChange(stored, stored.nextAccountKeyPem);
      return;
    }
    if (stored) {
      this.client = this.newClient(stored.accountKeyPem, stored.accountUrl);
      return;
    }
    const accountKeyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    const client = this.newClient(accountKeyPem);
    const outcome = await recordExchanges(() =>
      client.createAccount({
        termsOfServiceAgreed: true,
        ...(this.issuer.email && { contact: [`mailto:${this.issuer.email}`] }),
      }),
    );
    if (outcome.error !== undefined) throw classifyAcmeFailure(toFailure('newAccount', outcome.error, outcome.exchanges));
    const account: AcmeAccount = { directoryUrl: this.issuer.directoryUrl, accountKeyPem, accountUrl: client.getAccountUrl() };
    // A staging account (a dry run's) goes beside the live one: the live account stays the one registered last.
    const kept = this.issuer.staging
      ? await this.store.putAccount(this.issuer.name, account, replace, true)
      : await this.store.putAccount(this.issuer.name, account, replace);
    this.accounts.remember(this.issuer.name, kept);
    this.client = kept.accountUrl === account.accountUrl ? client : this.newClient(kept.accountKeyPem, kept.accountUrl);
  }

  /**
   * A key change was stored as pending and its outcome never recorded: the CA holds one of the
   * two keys. Only a refusal of the new key (a 4xx problem) counts as "not this one", and the old
   * key must then be accepted; anything else leaves the record as it is for the next attempt.
   */
  private async settleKeyChange(stored: AcmeAccount, nextAccountKeyPem: string): Promise<acme.Client> {
    const keep = async (accountKeyPem: string) => {
      const settled = await this.store.putAccount(this.issuer.name, { directoryUrl: stored.directoryUrl, accountKeyPem, accountUrl: stored.accountUrl }, true);
      this.accounts.remember(this.issuer.name, settled);
      return this.newClient(accountKeyPem, stored.accountUrl);
    };
    const probe = async (accountKeyPem: string) => {
      const outcome = await recordExchanges(() => this.newClient(accountKeyPem, stored.accountUrl).updateAccount({}));
      if (outcome.error === undefined) return true;
      const failure = toFailure('get account', outcome.error, outcome.exchanges);
      const status = failure.status ?? 0;
      if (status >= 400 && status < 500 && status !== 429) return false;
      throw classifyAcmeFailure(failure);
    };
    if (await probe(nextAccountKeyPem)) return keep(nextAccountKeyPem);
    if (await probe(stored.accountKeyPem)) return keep(stored.accountKeyPem);
    throw new AcmeRequestRejected(`the CA accepts neither the account key nor the pending new one for ${stored.accountUrl}; the record is kept as it is`);
  }

  private newClient(accountKeyPem: string, accountUrl?: string): acme.Client {
    const client = new acme.Client({
      directoryUrl: this.issuer.directoryUrl,
      accountKey: accountKeyPem,
      ...(accountUrl && { accountUrl }),
      ...(this.issuer.eab && { externalAccountBinding: { kid: this.issuer.eab.keyId, hmacKey: this.issuer.eab.hmacKey } }),
      backoffAttempts: 1,
      backoffMin: 0,
      backoffMax: 0,
    });
    const http = (client as unknown as { http: AcmeClientHttp }).http;
    http.maxBadNonceRetries = AcmeClientGateway.maxBadNonceRetries;
    // A nonce from an earlier answer saves the HEAD newNonce acme-client sends before every signed request.
    const newNonce = http.getNonce.bind(http);
    const nonceUrl = typeof this.directory?.newNonce === 'string' ? this.directory.newNonce : undefined;
    http.getNonce = async () => (nonceUrl && takeNonce(nonceUrl)) || newNonce();
    // acme-client would fetch the directory again for every new client; hand it the container's copy.
    if (this.directory) {
      http.directoryCache = this.directory;
      http.directoryTimestamp = Math.floor(Date.now() / 1000);
    }
    return client;
  }
}

function toOrder(raw: RawOrder, exchanges: readonly RecordedExchange[]): AcmeOrder {
  if (!raw.url) throw new AcmeRequestRejected('the CA returned an order without a URL');
  const retryAfter = retryAfterSeconds(exchanges.at(-1)?.retryAfter);
  return {
    url: raw.url,
    status: raw.status,
    finalizeUrl: raw.finalize,
    authorizationUrls: raw.authorizations,
    ...(raw.certificate && { certificateUrl: raw.certificate }),
    ...(raw.error && { error: raw.error }),
    ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }),
  };
}

/** The last exchange that went wrong explains the error acme-client threw. */
function toFailure(operation: string, error: unknown, exchanges: readonly RecordedExchange[]): AcmeFailure {
  const failed = [...exchanges].reverse().find((exchange) => exchange.networkCode !== undefined || (exchange.status ?? 0) >= 400);
  const message = error instanceof Error ? error.message : String(error);
  if (!failed) return { operation, status: 0, detail: message };
  if (failed.status === undefined) {
    return { operation, networkCode: failed.networkCode ?? 'ERROR', detail: failed.networkMessage ?? message };
  }
  const problem = (typeof failed.data === 'object' && failed.data !== null ? failed.data : {}) as AcmeProblem;
  return {
    operation,
    status: failed.status,
    detail: problem.detail ?? message,
    ...(problem.type && { problemType: problem.type }),
    ...(retryAfterSeconds(failed.retryAfter) !== undefined && { retryAfterSeconds: retryAfterSeconds(failed.retryAfter) as number }),
  };
}
