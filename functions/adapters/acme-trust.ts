/**
 * Per-CA trust: the issuer's CA bundle (a private or test CA) is trusted, on top of the system
 * roots, for every origin its directory lists. Kept apart from acme-client so that a Lambda that
 * only reads the directory and ARI (CheckRenewal, the sweep) trusts the same way without it.
 */
import https from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';

const agentsByOrigin = new Map<string, https.Agent>();

/** Trust `caBundlePem` (in addition to the system roots) for every request to `url`'s origin. */
export function trustCaBundle(url: string, caBundlePem: string): void {
  const origin = new URL(url).origin;
  if (agentsByOrigin.has(origin)) return;
  // One secure context, built once: an agent given `ca` would parse every root certificate
  // again for each connection (measured: ~40 % of a local issuance, and 3x the memory).
  const secureContext = createSecureContext({ ca: [...rootCertificates, caBundlePem] });
  agentsByOrigin.set(origin, new https.Agent({ secureContext, keepAlive: true }));
}

/** The agent that trusts this URL's CA bundle, when one was given for its origin. */
export function agentFor(url: string): https.Agent | undefined {
  return agentsByOrigin.get(safeOrigin(url));
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
