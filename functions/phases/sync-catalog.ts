/**
 * SyncCatalog: a deploy makes the catalog say what certstep.config.json says. The stack writes
 * the configuration's certificates to a file (an S3 asset) and a custom resource hands it here,
 * so the template stays the same size whatever the number of certificates.
 *
 * A certificate that is new, changed, or was applied from the CLI is put (now owned by the
 * configuration) and gets a run; one the configuration dropped leaves the catalog, but its
 * secret, ledger item and schedule stay, so a bad edit loses nothing. Certificates applied from
 * the CLI are never touched. Secrets made by earlier versions lose their CloudFormation resource
 * policy in the upgrade, so every certificate whose recorded policy hash differs has its
 * policy written again (the daily sweep records it: see sweep.ts).
 */
import { createHash } from 'node:crypto';
import { type CertificateSpec, type ExecutionInput, parseExecutionInput } from '../core/certificate-spec.js';
import { mapWithLimit } from '../core/concurrency.js';
import { type SecretPolicySettings, certificateSecretPolicy } from '../core/secret-policy.js';
import type { CatalogEntry, WritableCertificateCatalog } from '../ports/certificate-catalog.js';
import type { RunStarter } from '../ports/run-starter.js';
import { StartBudget } from './start-budget.js';

/** Writes a certificate secret's resource policy (the Secrets Manager store); 'missing' when there is no secret yet. */
export interface SecretPolicyWriter {
  ensurePolicy(certificate: CertificateSpec): Promise<'applied' | 'missing'>;
}

export interface SyncCatalogDependencies {
  readonly catalog: WritableCertificateCatalog;
  readonly starter: RunStarter;
  readonly secrets: SecretPolicyWriter;
  readonly issuers: { readonly names: ReadonlySet<string> };
  readonly policy: SecretPolicySettings;
  readonly maxStarts: number;
}

/** One certificate of the file, validated. */
export interface FileCertificate {
  readonly input: ExecutionInput;
  readonly expiryAlarmDays?: number;
}

export interface SyncResult {
  readonly started: readonly string[];
  /** Put without a start (a new alarm threshold, a policy hash recorded) or with one. */
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  /** Would have started, but the start cap was reached: the daily sweep starts them. */
  readonly deferred: readonly string[];
}

/** The certificates file is not what the stack writes: the asset is broken, not the configuration. */
export class CertificatesFileInvalid extends Error {
  override readonly name = 'CertificatesFileInvalid' as const;
}

/** Secrets Manager calls in flight at once: quick for thousands of certificates, under its rate limits. */
const CONCURRENCY = 8;

/** Every certificate of the file, validated like an execution input, before anything is written. */
export function parseCertificatesFile(raw: unknown, issuers: ReadonlySet<string>, source = 'the certificates file'): FileCertificate[] {
  const broken = (where: string, why: string) =>
    new CertificatesFileInvalid(`${source}: ${where}${why}; the stack validated it at synth, so the deployment asset is broken: deploy again`);
  const list = (raw as { certificates?: unknown } | null)?.certificates;
  if (!Array.isArray(list)) throw broken('', 'has no "certificates" list');
  const seen = new Set<string>();
  return list.map((item: unknown, index) => {
    const entry = (item ?? {}) as { name?: unknown; input?: unknown; expiryAlarmDays?: unknown };
    const where = `certificates[${index}]${typeof entry.name === 'string' ? ` (${entry.name})` : ''}: `;
    let input: ExecutionInput;
    try {
      input = parseExecutionInput(entry.input, issuers);
    } catch (error) {
      throw broken(where, `input: ${(error as Error).message}`);
    }
    if (entry.name !== input.certificate.name) throw broken(where, `name is not the input's certificate.name "${input.certificate.name}"`);
    if (seen.has(input.certificate.name)) throw broken(where, 'the name appears twice');
    seen.add(input.certificate.name);
    const days = entry.expiryAlarmDays;
    if (days !== undefined && (typeof days !== 'number' || !(days > 0))) throw broken(where, 'expiryAlarmDays must be a number of days above 0');
    return { input, ...(days !== undefined && { expiryAlarmDays: days }) };
  });
}

export async function syncCatalog(file: readonly FileCertificate[], deps: SyncCatalogDependencies): Promise<SyncResult> {
  const stored = new Map((await deps.catalog.entries()).map((entry) => [entry.name, entry]));
  const budget = new StartBudget(deps.maxStarts);
  const started: string[] = [];
  const changed: string[] = [];
  const deferred: string[] = [];
  await mapWithLimit(file, CONCURRENCY, async ({ input, expiryAlarmDays }) => {
    const { name } = input.certificate;
    const before = stored.get(name);
    const rerun = !before || before.source === 'apply' || !sameInput(before.input, input, deps.issuers.names);
    // Applied, not recorded: an upgrade deletes the policies CloudFormation made after this sync
    // has run, so the daily sweep, which runs after, puts them back once more and records them.
    const policy = before?.policy;
    if (policy !== policyHash(deps.policy, input.certificate)) await deps.secrets.ensurePolicy(input.certificate);
    if (!rerun && before?.expiryAlarmDays === expiryAlarmDays) return;
    const after: CatalogEntry = {
      name,
      input,
      source: 'config',
      ...(expiryAlarmDays !== undefined && { expiryAlarmDays }),
      ...(policy !== undefined && { policy }),
    };
    // The item first: a run that starts finds its certificate in the catalog, and a start that fails is retried by the sweep.
    await deps.catalog.put(after);
    changed.push(name);
    if (!rerun) return;
    if (!budget.take()) {
      deferred.push(name);
      return;
    }
    await deps.starter.start({ certificate: input.certificate, force: false });
    started.push(name);
  });
  const wanted = new Set(file.map(({ input }) => input.certificate.name));
  const removed = [...stored.values()].filter((entry) => entry.source === 'config' && !wanted.has(entry.name)).map((entry) => entry.name);
  await mapWithLimit(removed, CONCURRENCY, (name) => deps.catalog.delete(name));
  return { started: started.sort(), changed: changed.sort(), removed: removed.sort(), deferred: deferred.sort() };
}

/** The hash recorded with the item, so a deploy that changes no role or reader writes no policy. */
export function policyHash(settings: SecretPolicySettings, certificate: Pick<CertificateSpec, 'readers' | 'acm'>): string {
  return createHash('sha256')
    .update(JSON.stringify(certificateSecretPolicy(settings, certificate)))
    .digest('hex');
}

/** Both sides normalised: an item an earlier version wrote with the defaults spelled out is not a change. */
function sameInput(stored: unknown, input: ExecutionInput, issuers: ReadonlySet<string>): boolean {
  try {
    return sameJson(parseExecutionInput(stored, issuers), input);
  } catch {
    return false;
  }
}

/** Equal as JSON whatever the order of keys: an item an earlier version wrote is not a change because its keys came in another order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
