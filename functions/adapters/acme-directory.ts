/**
 * The CA's directory, read once per container (one process locally) and per directory URL,
 * and the ARI answers listed in it. Directories rarely change (acme-client itself keeps one
 * for 24 h), so one fetch serves every phase a warm container runs; an endpoint that answers
 * 404 drops it (acme-client-gateway.ts), and a failed read is never kept.
 */
import { AcmeRequestRejected } from '../core/errors.js';
import { ExpiringCache } from '../core/expiring-cache.js';
import type { RenewalInfo } from '../ports/acme-gateway.js';
import { type PlainAnswer, plainFailure, plainGet, retryAfterSeconds } from './acme-plain-http.js';
import { trustCaBundle } from './acme-trust.js';

export type AcmeDirectory = Readonly<Record<string, unknown>>;

/** Where a directory comes from: its URL, and the CA bundle to trust for it and every endpoint it lists. */
export interface DirectorySource {
  readonly directoryUrl: string;
  readonly caBundlePem?: string;
}

const DAY_MS = 24 * 60 * 60_000;
/** A container talks to a handful of CAs (live, staging, a dry run's); more is a misconfiguration, not a reason to grow. */
const directories = new ExpiringCache<string, AcmeDirectory>({ maxEntries: 16, ttlMs: DAY_MS });

/** RFC 8555 §7.1.1: the directory, from this container's cache when it has it. */
export function readDirectory(source: DirectorySource): Promise<AcmeDirectory> {
  if (source.caBundlePem) trustCaBundle(source.directoryUrl, source.caBundlePem);
  return directories.get(source.directoryUrl, async () => {
    const answer = await getOrFail('directory', source.directoryUrl);
    const directory = (typeof answer.data === 'object' && answer.data !== null ? answer.data : {}) as AcmeDirectory;
    // The directory may live on another origin than its endpoints (an ARI proxy, a CDN); trust them all.
    if (source.caBundlePem) {
      for (const value of Object.values(directory)) if (typeof value === 'string' && value.startsWith('https://')) trustCaBundle(value, source.caBundlePem);
    }
    return directory;
  });
}

/** For an answer that says the cached directory no longer describes the CA (an endpoint gone: 404). */
export function forgetDirectory(directoryUrl: string): void {
  directories.delete(directoryUrl);
}

/** RFC 9773 §4.2: the CA's suggested window for a certificate, or undefined when its directory has no renewalInfo. */
export async function fetchRenewalInfo(source: DirectorySource, certificateId: string): Promise<RenewalInfo | undefined> {
  const base = (await readDirectory(source)).renewalInfo;
  if (typeof base !== 'string') return undefined;
  const answer = await getOrFail('renewalInfo', `${base.replace(/\/$/, '')}/${certificateId}`);
  const body = answer.data as { suggestedWindow?: { start?: string; end?: string }; explanationURL?: string } | undefined;
  const { start, end } = (typeof body === 'object' && body?.suggestedWindow) || {};
  if (!start || !end || Number.isNaN(Date.parse(start)) || Number.isNaN(Date.parse(end))) {
    throw new AcmeRequestRejected(`renewalInfo: the CA answered without a valid suggestedWindow for ${certificateId}`);
  }
  const retryAfter = retryAfterSeconds(answer.retryAfter);
  return {
    window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }),
    ...(body?.explanationURL && { explanationUrl: body.explanationURL }),
  };
}

/** Whether the CA's directory lists renewalInfo (RFC 9773), which is when `replaces` may be sent. */
export async function supportsRenewalInfo(source: DirectorySource): Promise<boolean> {
  return typeof (await readDirectory(source)).renewalInfo === 'string';
}

async function getOrFail(operation: string, url: string): Promise<PlainAnswer> {
  const answer = await plainGet(url).catch((error: unknown) => {
    throw plainFailure(operation, { error });
  });
  if (answer.status !== 200) throw plainFailure(operation, { answer });
  return answer;
}
