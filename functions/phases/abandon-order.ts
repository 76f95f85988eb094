/**
 * RFC 8555 §7.5.2: when certstep gives up on an order, its pending authorizations are
 * deactivated rather than left to expire at the CA, where they count against the account's
 * pending-authorization limit for days. A courtesy, not a step issuing depends on: a failure is
 * reported back, never thrown, so it cannot fail the run.
 *
 * Callers only pass orders no run will resume (the ledger no longer holds them). Authorizations
 * are shared between an account's orders (a CA may hand a pending one to a new order for the
 * same name), so those of the order that takes over are kept.
 */
import { ACME_REQUESTS_IN_FLIGHT, mapWithLimit } from '../core/concurrency.js';
import type { AcmeGateway } from '../ports/acme-gateway.js';

export interface AbandonedOrder {
  readonly deactivated: number;
  /** What went wrong, if anything did; the authorizations then simply expire. */
  readonly failure?: string;
}

export async function deactivatePendingAuthorizations(gateway: AcmeGateway, orderUrl: string, keep: readonly string[] = []): Promise<AbandonedOrder> {
  let urls: readonly string[];
  try {
    urls = (await gateway.getOrder(orderUrl)).authorizationUrls.filter((url) => !keep.includes(url));
  } catch (error) {
    return { deactivated: 0, failure: `order ${orderUrl}: ${(error as Error).message}` };
  }
  const outcomes = await mapWithLimit(urls, ACME_REQUESTS_IN_FLIGHT, async (url) => {
    try {
      // Valid ones stay: the CA may reuse them for the next order of the same names.
      if ((await gateway.getAuthorization(url)).status !== 'pending') return false;
      await gateway.deactivateAuthorization(url);
      return true;
    } catch (error) {
      return `${url}: ${(error as Error).message}`;
    }
  });
  const failures = outcomes.filter((outcome): outcome is string => typeof outcome === 'string');
  return { deactivated: outcomes.filter((outcome) => outcome === true).length, ...(failures.length > 0 && { failure: failures.join('; ') }) };
}
