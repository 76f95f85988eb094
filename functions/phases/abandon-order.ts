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
import { AcmeRequestRejected } from '../core/errors.js';
import type { AcmeGateway } from '../ports/acme-gateway.js';

export interface Deactivation {
  readonly deactivated: number;
  /** What went wrong, if anything did; the authorizations then simply expire. */
  readonly failure?: string;
  /**
   * Whether trying again later may succeed where this failed: the CA could not be reached or
   * asked to wait. A refusal (the CA no longer knows the order, or it belongs to another
   * account) will not change.
   */
  readonly retry?: boolean;
}

export async function deactivatePendingAuthorizations(gateway: AcmeGateway, orderUrl: string, keep: readonly string[] = []): Promise<Deactivation> {
  return (await deactivateOrders(gateway, [orderUrl], keep))[0] as Deactivation;
}

/**
 * Several orders at once, one outcome each in the order given. Their authorizations are handled
 * as one list, so no more than ACME_REQUESTS_IN_FLIGHT requests are out however many orders
 * there are, and one shared by two orders is handled once.
 */
export async function deactivateOrders(gateway: AcmeGateway, orderUrls: readonly string[], keep: readonly string[] = []): Promise<Deactivation[]> {
  const orders = await mapWithLimit(orderUrls, ACME_REQUESTS_IN_FLIGHT, async (url): Promise<{ authorizations: string[] } | Failed> => {
    try {
      return { authorizations: (await gateway.getOrder(url)).authorizationUrls.filter((authorization) => !keep.includes(authorization)) };
    } catch (error) {
      return { error: `order ${url}: ${(error as Error).message}`, retry: mayPass(error) };
    }
  });
  const work: { order: number; url: string }[] = [];
  for (const [index, order] of orders.entries()) {
    if (!('authorizations' in order)) continue;
    for (const url of order.authorizations) if (!work.some((seen) => seen.url === url)) work.push({ order: index, url });
  }
  const outcomes = await mapWithLimit(work, ACME_REQUESTS_IN_FLIGHT, async ({ url }): Promise<boolean | Failed> => {
    try {
      // Valid ones stay: the CA may reuse them for the next order of the same names.
      if ((await gateway.getAuthorization(url)).status !== 'pending') return false;
      await gateway.deactivateAuthorization(url);
      return true;
    } catch (error) {
      return { error: `${url}: ${(error as Error).message}`, retry: mayPass(error) };
    }
  });
  return orders.map((order, index): Deactivation => {
    const mine = outcomes.filter((_, at) => work[at]?.order === index);
    const failures = 'error' in order ? [order] : mine.filter((outcome): outcome is Failed => typeof outcome === 'object');
    return {
      deactivated: mine.filter((outcome) => outcome === true).length,
      ...(failures.length > 0 && { failure: failures.map((failure) => failure.error).join('; ') }),
      ...(failures.some((failure) => failure.retry) && { retry: true }),
    };
  });
}

interface Failed {
  readonly error: string;
  readonly retry: boolean;
}

function mayPass(error: unknown): boolean {
  return !(error instanceof AcmeRequestRejected);
}
