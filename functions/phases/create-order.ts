/**
 * CreateOrder: RFC 8555 §7.4 newOrder, then §7.5 each authorization, or, when an earlier run
 * left an order in flight for the same spec (run ledger), that order again: a run that died,
 * timed out or was aborted after newOrder costs no second order, and one that died after
 * finalize costs no second certificate. Authorizations the CA already holds as valid (reuse)
 * are skipped; the others yield the TXT record to present. The order is written to the run
 * ledger before anything is presented, so whatever happens next, its TXT values can be found
 * and removed. An in-flight order this run does not resume is abandoned: its pending
 * authorizations are deactivated (RFC 8555 §7.5.2), and so are those of the orders the ledger
 * keeps as abandoned by a clean-up that could not (on AWS, CleanUp has no CA client).
 */
import { ACME_REQUESTS_IN_FLIGHT, mapWithLimit } from '../core/concurrency.js';
import { AcmeRequestRejected } from '../core/errors.js';
import { specHash } from '../core/spec-hash.js';
import { type ChallengeRef, type OrderRef, type WorkflowState, challengeRecords, required } from '../core/workflow-state.js';
import type { AcmeAccountRef, AcmeGateway, AcmeOrder } from '../ports/acme-gateway.js';
import type { CertificateSummary } from '../ports/certificate-store.js';
import { type AbandonedOrder, type InFlightOrder, liveAbandonedOrders } from '../ports/run-ledger.js';
import { deactivateOrders, deactivatePendingAuthorizations } from './abandon-order.js';
import { type PhaseDependencies, acmeFor } from './dependencies.js';

/** Order states a later run can still carry to a certificate (RFC 8555 §7.1.6). */
const RESUMABLE = new Set(['pending', 'ready', 'processing', 'valid']);

export async function createOrder(state: WorkflowState, deps: Pick<PhaseDependencies, 'acme' | 'ledger' | 'clock'>): Promise<OrderRef> {
  if (state.dryRun) return createDryRunOrder(state, deps);
  const { certificate } = state;
  const run = required(state.run, 'run');
  const gateway = await acmeFor(state, deps);
  const hash = specHash(certificate);
  const entry = await deps.ledger.get(certificate.name);
  const inFlight = entry?.order;

  const resumable = inFlight?.specHash === hash ? await stillUsable(gateway, inFlight.url) : undefined;
  const order = resumable ?? (await newOrder(state, gateway, entry?.current?.certificate));
  const ref = await orderRef(gateway, order, resumable !== undefined);
  const record: InFlightOrder = {
    url: order.url,
    specHash: hash,
    runId: run.id,
    createdAt: resumable && inFlight ? inFlight.createdAt : deps.clock().toISOString(),
    records: challengeRecords({ order: ref }),
    ...(resumable && inFlight?.pendingKeyVersion && { pendingKeyVersion: inFlight.pendingKeyVersion }),
  };
  await deps.ledger.recordOrder(certificate.name, run.id, record);
  // Only now that the ledger names the new order can no later run resume the old one. An order
  // of another CA (the issuer changed) is left alone: this account cannot speak for it.
  if (inFlight && !resumable && sameOrigin(inFlight.url, order.url)) {
    await deactivatePendingAuthorizations(gateway, inFlight.url, order.authorizationUrls);
  }
  await deactivateAbandoned(certificate.name, entry?.abandonedOrders ?? [], gateway, order, deps);
  return ref;
}

/**
 * A dry run's order, at the dry run's directory, recorded in the ledger's `dryRun` so that its
 * TXT values are found whatever happens. It never names the certificate it `replaces` (RFC 9773:
 * the test certificate replaces nothing) and never touches the live order in flight or the
 * abandoned ones; only its own order, if a retried CreateOrder finds it, is picked up again.
 */
async function createDryRunOrder(state: WorkflowState, deps: Pick<PhaseDependencies, 'acme' | 'ledger' | 'clock'>): Promise<OrderRef> {
  const { certificate } = state;
  const run = required(state.run, 'run');
  const gateway = await acmeFor(state, deps);
  const hash = specHash(certificate);
  const dryRun = (await deps.ledger.get(certificate.name))?.dryRun;
  const previous = dryRun?.runId === run.id ? dryRun.order : undefined;
  const resumable = previous?.specHash === hash ? await stillUsable(gateway, previous.url) : undefined;
  const profile = certificate.profile;
  const order = resumable ?? (await gateway.createOrder(certificate.dnsNames, { ...(profile && { profile }) }));
  const ref: OrderRef = { ...(await orderRef(gateway, order, resumable !== undefined)), dryRun: true };
  const { directoryUrl } = await gateway.account();
  await deps.ledger.recordDryRunOrder(certificate.name, run.id, {
    url: order.url,
    specHash: hash,
    createdAt: resumable && previous ? previous.createdAt : deps.clock().toISOString(),
    directoryUrl,
    records: challengeRecords({ order: ref }),
    ...(resumable && previous?.publicKeySha256 && { publicKeySha256: previous.publicKeySha256 }),
  });
  return ref;
}

/** The order as the state carries it, with RFC 8555 §7.5 each authorization's dns-01 challenge, except those the CA already holds as valid. */
async function orderRef(gateway: AcmeGateway, order: AcmeOrder, resumed: boolean): Promise<OrderRef> {
  const authorizations = await mapWithLimit(order.authorizationUrls, ACME_REQUESTS_IN_FLIGHT, (url) => gateway.getAuthorization(url));
  const challenges: ChallengeRef[] = [];
  const reusedAuthorizations: string[] = [];
  for (const authorization of authorizations) {
    const shownName = `${authorization.wildcard ? '*.' : ''}${authorization.dnsName}`;
    if (authorization.status === 'valid') {
      reusedAuthorizations.push(shownName);
      continue;
    }
    if (!authorization.challenge) {
      throw new AcmeRequestRejected(`the CA offered no dns-01 challenge for ${shownName}; certstep validates with DNS-01 only`);
    }
    challenges.push({
      dnsName: authorization.dnsName,
      wildcard: authorization.wildcard,
      authorizationUrl: authorization.url,
      challengeUrl: authorization.challenge.url,
      recordName: `_acme-challenge.${authorization.dnsName}`,
      value: authorization.challenge.txtValue,
    });
  }
  return {
    url: order.url,
    status: order.status,
    finalizeUrl: order.finalizeUrl,
    challenges,
    reusedAuthorizations,
    ...(resumed && { resumed: true }),
  };
}

/**
 * The orders a clean-up gave up without deactivating them, dealt with now that a CA client is at
 * hand; best effort, so this run goes on with its order whatever happens. Each one dealt with is
 * forgotten: deactivated, refused for good, too old to matter, of another CA (this account
 * cannot speak for it), or the order this run uses. One whose failure may pass stays for the
 * next run, until it ages out.
 */
async function deactivateAbandoned(
  name: string,
  recorded: readonly AbandonedOrder[],
  gateway: AcmeGateway,
  order: AcmeOrder,
  deps: Pick<PhaseDependencies, 'ledger' | 'clock'>,
): Promise<void> {
  if (recorded.length === 0) return;
  const now = deps.clock();
  const due = liveAbandonedOrders(recorded, now)
    .map((abandoned) => abandoned.url)
    .filter((url) => url !== order.url && sameOrigin(url, order.url));
  const outcomes = await deactivateOrders(gateway, due, order.authorizationUrls);
  const handled = recorded.map((abandoned) => abandoned.url).filter((url) => !due.includes(url) || !outcomes[due.indexOf(url)]?.retry);
  // Not forgotten if the ledger fails now: the next run finds them not pending any more and forgets them then.
  await deps.ledger.forgetAbandonedOrders(name, handled, now).catch(() => undefined);
}

/** The in-flight order, if the CA still holds it in a state that can end in a certificate. */
async function stillUsable(gateway: AcmeGateway, url: string): Promise<AcmeOrder | undefined> {
  try {
    const order = await gateway.getOrder(url);
    return RESUMABLE.has(order.status) ? order : undefined;
  } catch (error) {
    // The CA no longer knows it (404, expired, another account): order anew. Anything
    // transient is retried by the state machine instead, so a flaky CA costs no order.
    if (error instanceof AcmeRequestRejected) return undefined;
    throw error;
  }
}

/**
 * `current` is the run ledger's record of the stored certificate, which CheckRenewal checked
 * against the secret's current version moments ago, under this run's claim: no key is read here.
 */
async function newOrder(state: WorkflowState, gateway: AcmeGateway, current: CertificateSummary | undefined): Promise<AcmeOrder> {
  const profile = state.certificate.profile;
  // RFC 9773 §5: name the certificate this order replaces, so the CA can exempt the renewal from limits.
  // Only from the account that holds it: a CA refuses `replaces` for another account's certificate
  // (and another CA never issued it), and one stored before the account was recorded may be either.
  const replaces = current?.ariCertId && orderedBy(current, await gateway.account()) && (await gateway.supportsRenewalInfo()) ? current.ariCertId : undefined;
  try {
    return await gateway.createOrder(state.certificate.dnsNames, { ...(profile && { profile }), ...(replaces && { replaces }) });
  } catch (error) {
    // A CA may refuse `replaces` (already replaced, another account): order without it rather than fail.
    if (!replaces || !(error instanceof AcmeRequestRejected)) throw error;
    return gateway.createOrder(state.certificate.dnsNames, { ...(profile && { profile }) });
  }
}

function orderedBy(current: CertificateSummary, account: AcmeAccountRef): boolean {
  return current.directoryUrl === account.directoryUrl && current.accountUrl === account.accountUrl;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
