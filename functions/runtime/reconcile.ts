/**
 * What the reconcile reads, as Lambdas build it: the store, the ledger, the CA (ARI only), the
 * schedule and ACM. CheckRenewal and the daily sweep decide with the same code, so they gather
 * with the same adapters.
 */
import { acmImportersOnDemand } from './acm-on-demand.js';
import { renewalInfoSources } from './ari.js';
import { type RuntimeConfig, issuerNames } from './config.js';
import { dynamoDbLedger } from './ledger.js';
import { eventBridgeScheduler } from './scheduler.js';
import { secretsManagerStore } from './store.js';

export function reconcileDependencies(config: RuntimeConfig) {
  const store = secretsManagerStore(config);
  return {
    clock: () => new Date(),
    store,
    issuers: { names: issuerNames(config) },
    ledger: dynamoDbLedger(),
    // For ARI (RFC 9773) only: renewalInfo needs no account, so no ACME client either.
    acme: renewalInfoSources(config),
    // Read only: the reconcile compares what they hold with what should be.
    scheduler: eventBridgeScheduler(),
    // Only certificates with ACM copies reach it; their cold starts pay for loading ACM's client.
    acmImporter: acmImportersOnDemand(),
  };
}
