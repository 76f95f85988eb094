/**
 * CreateOrder: RFC 8555 §7.4 newOrder, then §7.5 each authorization. Authorizations the CA
 * already holds as valid (reuse) are skipped; the others yield the TXT record to present.
 */
import { AcmeRequestRejected } from '../core/errors.js';
import type { ChallengeRef, OrderRef, WorkflowState } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function createOrder(state: WorkflowState, deps: Pick<PhaseDependencies, 'acme' | 'store'>): Promise<OrderRef> {
  const gateway = await deps.acme(state.certificate.issuer);
  const profile = state.certificate.profile;
  // RFC 9773 §5: name the certificate this order replaces, so the CA can exempt the renewal from limits.
  const current = await deps.store.getCurrentSummary(state.certificate.name);
  const replaces = current?.ariCertId && (await gateway.supportsRenewalInfo()) ? current.ariCertId : undefined;
  let order;
  try {
    order = await gateway.createOrder(state.certificate.dnsNames, { ...(profile && { profile }), ...(replaces && { replaces }) });
  } catch (error) {
    // A CA may refuse `replaces` (already replaced, another account): order without it rather than fail.
    if (!replaces || !(error instanceof AcmeRequestRejected)) throw error;
    order = await gateway.createOrder(state.certificate.dnsNames, { ...(profile && { profile }) });
  }
  const authorizations = await Promise.all(order.authorizationUrls.map((url) => gateway.getAuthorization(url)));
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
  return { url: order.url, status: order.status, finalizeUrl: order.finalizeUrl, challenges, reusedAuthorizations };
}
