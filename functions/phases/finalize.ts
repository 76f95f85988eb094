/**
 * Finalize: RFC 8555 §7.4 with a fresh private key. The key is saved as a pending version
 * *before* the CSR goes out, so that if anything dies after the CA signs, the certificate can
 * still be paired with its key. Re-running for the same order reuses the saved key and does
 * not finalize twice.
 */
import { describeProblem } from '../core/acme-failure.js';
import { InvalidState } from '../core/errors.js';
import { publicKeySha256 } from '../core/verify-certificate.js';
import { type IssuanceProgress, type OrderRef, type WorkflowState, required } from '../core/workflow-state.js';
import type { AcmeGateway, AcmeOrder } from '../ports/acme-gateway.js';
import { type PhaseDependencies, acmeFor } from './dependencies.js';

export async function finalize(
  state: WorkflowState,
  deps: Pick<PhaseDependencies, 'acme' | 'store' | 'ledger' | 'keys' | 'issuancePolling'>,
): Promise<IssuanceProgress> {
  if (state.dryRun) return finalizeDryRun(state, deps);
  const { certificate } = state;
  const orderRef = required(state.order, 'order');
  const gateway = await acmeFor(state, deps);
  // A resumed order already has its key: the one saved before its CSR went out (run ledger).
  const known = (await deps.ledger.get(certificate.name))?.order;
  const keyRecorded = known?.url === orderRef.url && known.pendingKeyVersion !== undefined;
  let order = keyRecorded ? await gateway.getOrder(orderRef.url) : await orderAsLastAnswered(state, orderRef, gateway);
  const savedBefore = keyRecorded && known?.pendingKeyVersion ? await deps.store.getPendingKey(certificate.name, known.pendingKeyVersion) : undefined;
  // rotationPolicy Never keeps the current key (cert-manager's semantics) unless its type changed.
  const kept = !savedBefore && certificate.rotationPolicy === 'Never' ? await deps.store.getCurrent(certificate.name) : undefined;
  const reuse = kept?.keyAlgorithm === certificate.keyAlgorithm ? kept['tls.key'] : undefined;
  const fresh = savedBefore
    ? undefined
    : { orderUrl: order.url, keyAlgorithm: certificate.keyAlgorithm, privateKeyPem: reuse ?? (await deps.keys.generatePrivateKey(certificate.keyAlgorithm)) };
  const saved =
    savedBefore && known?.pendingKeyVersion
      ? { versionId: known.pendingKeyVersion, created: false }
      : await deps.store.putPendingKey(certificate, required(fresh, 'key'));
  // Written down before the CSR goes out: a later run resuming this order finds its key.
  if (!savedBefore) await deps.ledger.recordPendingKey(certificate.name, order.url, saved.versionId);
  if (order.status === 'ready') {
    // A key that went in is the one stored under the version. Otherwise a retried attempt found
    // one saved there already, and the CSR must carry that one: it is read back.
    const key =
      savedBefore ?? (saved.created ? fresh : undefined) ?? required(await deps.store.getPendingKey(certificate.name, saved.versionId), 'pending key');
    order = await gateway.finalizeOrder(order, await deps.keys.createCsr(certificate.dnsNames, key.privateKeyPem));
  } else if (saved.created) {
    throw new InvalidState(`order ${order.url} is ${order.status} but no key was saved for it here; it cannot be used. Start a new run to order again.`);
  }
  const detail = savedBefore
    ? `the order already has its ${certificate.keyAlgorithm} key, saved before its CSR went out`
    : reuse
      ? `sent a CSR for the current ${certificate.keyAlgorithm} key (rotationPolicy Never)`
      : `sent a CSR for a new ${certificate.keyAlgorithm} key`;
  return { ...issuanceStart(order, deps, detail), pendingKeyVersion: saved.versionId };
}

/**
 * A dry run's Finalize: a fresh key that is never saved. Only its public half's SHA-256 goes to
 * the ledger, before the CSR goes out, so a retried Finalize after the CA took the CSR still
 * knows what the test certificate must certify; the private key is dropped with this call.
 * An order still ready never got a CSR: a retry sends one for another fresh key.
 */
async function finalizeDryRun(state: WorkflowState, deps: Pick<PhaseDependencies, 'acme' | 'ledger' | 'keys' | 'issuancePolling'>): Promise<IssuanceProgress> {
  const { certificate } = state;
  const orderRef = required(state.order, 'order');
  const gateway = await acmeFor(state, deps);
  const known = (await deps.ledger.get(certificate.name))?.dryRun?.order;
  let keyHash = known?.url === orderRef.url ? known.publicKeySha256 : undefined;
  let order = keyHash ? await gateway.getOrder(orderRef.url) : await orderAsLastAnswered(state, orderRef, gateway);
  const sending = order.status === 'ready';
  if (sending) {
    const privateKeyPem = await deps.keys.generatePrivateKey(certificate.keyAlgorithm);
    keyHash = publicKeySha256(privateKeyPem);
    await deps.ledger.recordDryRunKey(certificate.name, order.url, keyHash);
    order = await gateway.finalizeOrder(order, await deps.keys.createCsr(certificate.dnsNames, privateKeyPem));
  } else if (!keyHash) {
    throw new InvalidState(`order ${order.url} is ${order.status} but this dry run recorded no key for it; it cannot be verified. Start a new dry run.`);
  }
  const detail = sending
    ? `sent a CSR for a new ${certificate.keyAlgorithm} key that is not kept (dry run)`
    : 'the order already has its CSR; its key was recorded by its public half (dry run)';
  return { ...issuanceStart(order, deps, detail), publicKeySha256: keyHash };
}

/**
 * The order as this run last heard of it, without asking again when that answer was `ready`:
 * the poll that routed here (or CreateOrder, when every authorization was already valid) said
 * so moments ago, and only a CSR moves a ready order on to processing. (One that expired or lost
 * an authorization since is refused by the CA at the finalize, as a look would have shown.) A CSR
 * of this run is the one case to rule out, and the callers do: the key is written down before the
 * CSR (run ledger), so a retried or resumed Finalize finds it and looks the order up. Any other
 * last answer is looked up too.
 */
async function orderAsLastAnswered(state: WorkflowState, orderRef: OrderRef, gateway: AcmeGateway): Promise<AcmeOrder> {
  const lastStatus = state.validation?.status ?? orderRef.status;
  if (lastStatus !== 'ready') return gateway.getOrder(orderRef.url);
  return {
    url: orderRef.url,
    status: 'ready',
    finalizeUrl: orderRef.finalizeUrl,
    authorizationUrls: [...new Set(orderRef.challenges.map((challenge) => challenge.authorizationUrl))],
  };
}

/** The issuance loop's first position after a finalize, live or dry; the caller adds how it knows the key. */
function issuanceStart(order: AcmeOrder, deps: Pick<PhaseDependencies, 'issuancePolling'>, detail: string): IssuanceProgress {
  return {
    status: order.status === 'processing' || order.status === 'ready' ? 'pending' : order.status,
    attempts: 0,
    maxAttempts: deps.issuancePolling.maxAttempts,
    waitSeconds: deps.issuancePolling.initialWaitSeconds,
    // The state machine routes on this answer (IsCertificateIssued): a refusal must say why.
    detail: order.status === 'invalid' ? `the CA refused the order: ${describeProblem(order.error)}` : detail,
    ...(order.certificateUrl && { certificateUrl: order.certificateUrl }),
  };
}
