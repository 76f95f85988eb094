/**
 * StoreCertificate: download the chain (RFC 8555 §7.4.2), verify it against the pending key
 * and the requested names, and only then make it the current version.
 */
import { ariCertificateId, momentInWindow } from '../core/ari.js';
import { durationToMilliseconds } from '../core/duration.js';
import { InvalidState } from '../core/errors.js';
import { plannedRenewalTime } from '../core/renewal-time.js';
import { splitPemChain, verifyIssuedCertificate, verifyTestCertificate } from '../core/verify-certificate.js';
import { type DiscardedCertificate, type IssuedSummary, type RecordedVersion, type WorkflowState, required } from '../core/workflow-state.js';
import type { AcmeGateway } from '../ports/acme-gateway.js';
import { summaryOf } from '../ports/certificate-store.js';
import { type PhaseDependencies, acmeFor } from './dependencies.js';

export async function storeCertificate(
  state: WorkflowState,
  deps: Pick<PhaseDependencies, 'acme' | 'store' | 'ledger' | 'clock'>,
): Promise<IssuedSummary | DiscardedCertificate | RecordedVersion> {
  if (state.renewal?.reason === 'MetadataStale') return recordCurrentVersion(state, deps);
  if (state.dryRun) return verifyAndDiscard(state, deps);
  const { certificate } = state;
  const issuance = required(state.issuance, 'issuance');
  const certificateUrl = required(issuance.certificateUrl, 'issuance.certificateUrl');
  const pendingKeyVersion = required(issuance.pendingKeyVersion, 'issuance.pendingKeyVersion');
  const key = await deps.store.getPendingKey(certificate.name, pendingKeyVersion);
  const read = await deps.store.readCurrent(certificate.name);
  const current = read?.certificate;
  const gateway = await acmeFor(state, deps);
  const chainPem = await gateway.downloadCertificate(certificateUrl);

  if (!key) {
    // A retry after a successful store: the key was consumed when the version became current.
    if (read && current && (await isAlreadyStored(chainPem, current.serialNumber))) {
      await deps.ledger.recordCurrent(certificate.name, read);
      return issuedSummary(current, read.versionId, current.secretArn);
    }
    throw new InvalidState(`the pending key ${pendingKeyVersion} for ${certificate.name} is gone; start a new run`);
  }
  const verified = verifyIssuedCertificate({
    chainPem,
    privateKeyPem: key.privateKeyPem,
    dnsNames: certificate.dnsNames,
    now: deps.clock(),
  });
  const ariCertId = ariCertificateId(chainPem);
  const renewalTime = (await renewalTimeFor(gateway, ariCertId, verified, certificate.renewBefore)).toISOString();
  const revision = current?.serialNumber === verified.serialNumber ? current.revision : (current?.revision ?? 0) + 1;
  const { directoryUrl, accountUrl } = await gateway.account();
  const stored = {
    'tls.crt': chainPem.endsWith('\n') ? chainPem : `${chainPem}\n`,
    'tls.key': key.privateKeyPem,
    dnsNames: [...certificate.dnsNames],
    serialNumber: verified.serialNumber,
    notBefore: verified.notBefore,
    notAfter: verified.notAfter,
    renewalTime,
    issuer: certificate.issuer,
    keyAlgorithm: certificate.keyAlgorithm,
    revision,
    ...(certificate.profile && { profile: certificate.profile }),
    ...(ariCertId && { ariCertId }),
    directoryUrl,
    accountUrl,
  };
  const { versionId, secretArn, noPendingKeys } = await deps.store.makeCurrent(certificate.name, stored, pendingKeyVersion, { current: read });
  // Only now: a record ahead of the secret would let CheckRenewal trust a certificate that was
  // never stored. A crash between the two leaves the record behind, which CheckRenewal sees.
  await deps.ledger.recordCurrent(certificate.name, { versionId, certificate: { ...summaryOf(stored), ...(secretArn && { secretArn }) } });
  return { ...issuedSummary(stored, versionId, secretArn), ...(noPendingKeys && { noPendingKeys }) };
}

/**
 * StoreCertificate's read-only mode, for a CheckRenewal that found the run ledger's record of the
 * certificate stale (phases/known-current.ts): the secret's current version is read (with its key,
 * which only this function and the ones that use keys may) and recorded without the key. The
 * state machine then goes back to CheckRenewal, which decides on the fresh record.
 */
async function recordCurrentVersion(state: WorkflowState, deps: Pick<PhaseDependencies, 'store' | 'ledger'>): Promise<RecordedVersion> {
  const read = await deps.store.readCurrent(state.certificate.name);
  if (read) await deps.ledger.recordCurrent(state.certificate.name, read);
  return { versionId: read?.versionId ?? null, holdsCertificate: read?.certificate !== undefined };
}

/**
 * A dry run's StoreCertificate: the chain is downloaded and passes the same gate a live one
 * must (names, chain, validity, and the key: the public key Finalize recorded), then it is
 * dropped. Nothing is stored and no renewal info is asked for.
 */
async function verifyAndDiscard(state: WorkflowState, deps: Pick<PhaseDependencies, 'acme' | 'clock'>): Promise<DiscardedCertificate> {
  const { certificate } = state;
  const issuance = required(state.issuance, 'issuance');
  const gateway = await acmeFor(state, deps);
  const chainPem = await gateway.downloadCertificate(required(issuance.certificateUrl, 'issuance.certificateUrl'));
  const verified = verifyTestCertificate({
    chainPem,
    publicKeySha256: required(issuance.publicKeySha256, 'issuance.publicKeySha256'),
    dnsNames: certificate.dnsNames,
    now: deps.clock(),
  });
  const { directoryUrl } = await gateway.account();
  return { discarded: true, ...verified, dnsNames: [...certificate.dnsNames], directoryUrl };
}

/**
 * A moment inside the CA's ARI window when it offers one; otherwise notAfter - renewBefore
 * (or the share-of-lifetime fallback), a little earlier per certificate so that many
 * certificates issued together do not all renew in the same minute.
 */
async function renewalTimeFor(
  gateway: AcmeGateway,
  ariCertId: string | undefined,
  verified: { serialNumber: string; notBefore: string; notAfter: string },
  renewBefore: string,
): Promise<Date> {
  if (ariCertId) {
    const info = await gateway.renewalInfo(ariCertId).catch(() => undefined);
    if (info) return momentInWindow(info.window, verified.serialNumber);
  }
  const renewBeforeMs = durationToMilliseconds(renewBefore) ?? 30 * 86_400_000;
  return plannedRenewalTime(new Date(verified.notBefore), new Date(verified.notAfter), renewBeforeMs, verified.serialNumber);
}

async function isAlreadyStored(chainPem: string, serialNumber: string): Promise<boolean> {
  const { X509Certificate } = await import('node:crypto');
  const [leaf] = splitPemChain(chainPem);
  return leaf !== undefined && new X509Certificate(leaf).serialNumber.toLowerCase() === serialNumber;
}

/** What the state machine carries of the stored certificate: metadata and the secret's version, never the key. */
function issuedSummary(
  stored: Pick<IssuedSummary, 'serialNumber' | 'notBefore' | 'notAfter' | 'renewalTime' | 'revision' | 'dnsNames'>,
  versionId: string,
  secretArn: string | undefined,
): IssuedSummary {
  const { serialNumber, notBefore, notAfter, renewalTime, revision, dnsNames } = stored;
  return { serialNumber, notBefore, notAfter, renewalTime, revision, dnsNames: [...dnsNames], versionId, ...(secretArn && { secretArn }) };
}
