/**
 * `certstep apply <file.json> --aws`: adds or changes certificates in the deployment's catalog
 * without a deploy, as `kubectl apply` does. The file is validated exactly as a deploy would
 * validate it (the stack configuration with its certificates replaced by the file's), and each
 * certificate's challenge records must go to a hosted zone the stack already names, because IAM
 * names the zones at deploy. Nothing is written unless every certificate is valid. A certificate
 * certstep.config.json manages is refused: the next deploy would overwrite it.
 */
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type CertstepConfig, ConfigError, readConfigFile, validateConfig } from '../../cdk/config.js';
import { CHALLENGE_RECORDS, challengeTargets, effectiveDns01, planDns, stackZones } from '../../cdk/dns-plan.js';
import { DynamoDbCertificateCatalog } from '../../functions/adapters/dynamodb-catalog.js';
import { StepFunctionsRunStarter } from '../../functions/adapters/sfn-starter.js';
import { type ExecutionInput, parseExecutionInput } from '../../functions/core/certificate-spec.js';
import { accountOfArn } from '../../functions/core/principal-arn.js';
import { StartBudget, maxStartsFrom } from '../../functions/phases/start-budget.js';
import { sameJson } from '../../functions/phases/sync-catalog.js';
import type { CatalogEntry, WritableCertificateCatalog } from '../../functions/ports/certificate-catalog.js';
import type { RunStarter } from '../../functions/ports/run-starter.js';
import { EXIT } from '../exit-codes.js';
import { PROCESS_IO } from './terminal.js';

export interface ApplyArguments {
  readonly file: string;
  readonly configFile: string;
  readonly catalogTable: string;
  readonly stateMachineArn: string;
  readonly json: boolean;
}

export interface ApplyContext {
  readonly io?: { out(text: string): void; err(text: string): void };
  readonly env?: NodeJS.ProcessEnv;
  readonly clients?: { readonly dynamodb?: DynamoDBClient; readonly sfn?: SFNClient };
}

export type Outcome = 'created' | 'changed' | 'unchanged';

export interface Applied {
  readonly name: string;
  readonly outcome: Outcome;
  readonly executionId?: string;
  /** Past the start cap: the daily sweep starts it. */
  readonly deferred?: true;
}

/** The file is not acceptable: the message names the file and the field. */
export class ApplyRefused extends Error {
  override readonly name = 'ApplyRefused' as const;
}

export async function runApply(args: ApplyArguments, context: ApplyContext = {}): Promise<number> {
  const io = context.io ?? PROCESS_IO;
  let inputs: ExecutionInput[];
  try {
    inputs = await validatedInputs(args.file, args.configFile, accountOfArn(args.stateMachineArn));
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof ApplyRefused)) throw error;
    io.err(`certstep: ${error.message}`);
    return EXIT.invalidInput;
  }
  const catalog = new DynamoDbCertificateCatalog(context.clients?.dynamodb ?? new DynamoDBClient({}), args.catalogTable);
  const starter = new StepFunctionsRunStarter(context.clients?.sfn ?? new SFNClient({}), args.stateMachineArn);
  const applied: Applied[] = [];
  try {
    const existing = await Promise.all(inputs.map((input) => catalog.get(input.certificate.name)));
    const owned = existing.findIndex((entry) => entry?.source === 'config');
    if (owned !== -1) {
      io.err(`certstep: ${args.file}: certificates[${owned}].name "${existing[owned]?.name}": managed by certstep.config.json: edit it there and deploy`);
      return EXIT.invalidInput;
    }
    const budget = new StartBudget(maxStartsFrom(context.env ?? process.env));
    for (const [index, input] of inputs.entries()) applied.push(await applyOne(input, existing[index], { catalog, starter, budget }));
  } catch (error) {
    const done = applied.map((one) => `${one.name} ${one.outcome}`).join(', ');
    io.err(`certstep: ${(error as Error).name}: ${(error as Error).message}${done ? ` (already applied: ${done})` : ''}; run apply again once that is fixed`);
    return EXIT.failed;
  }
  report(applied, args, io);
  return EXIT.succeeded;
}

async function applyOne(
  input: ExecutionInput,
  before: CatalogEntry | undefined,
  deps: { catalog: WritableCertificateCatalog; starter: RunStarter; budget: StartBudget },
): Promise<Applied> {
  const { name } = input.certificate;
  if (before && sameJson(before.input, input)) return { name, outcome: 'unchanged' };
  const outcome: Outcome = before ? 'changed' : 'created';
  // The item first: the run reads nothing from it, but a start that fails is retried by the daily sweep.
  await deps.catalog.put({ name, input, source: 'apply', ...(before?.policy !== undefined && { policy: before.policy }) });
  if (!deps.budget.take()) return { name, outcome, deferred: true };
  const { executionId } = await deps.starter.start(input);
  return { name, outcome, executionId };
}

function report(applied: readonly Applied[], args: ApplyArguments, io: { out(text: string): void }): void {
  if (args.json) {
    io.out(JSON.stringify({ certificates: applied }, null, 2));
    return;
  }
  for (const one of applied) {
    const run = one.executionId ? `, execution ${one.executionId}` : one.deferred ? ', deferred: the start cap is reached, the daily sweep starts it' : '';
    io.out(`${one.name}: ${one.outcome}${run}`);
  }
}

/** Every certificate of the file as the execution input a deploy would give it, or the first fault. */
export async function validatedInputs(file: string, configFile: string, stackAccount?: string): Promise<ExecutionInput[]> {
  const stackRaw = readConfigFile(configFile);
  const stack = validateConfig(stackRaw, configFile);
  const certificates = certificatesOf(await readJson(file), file);
  const config = validateConfig(withCertificates(stackRaw, certificates), file);
  const configured = new Set(stack.certificates.map((certificate) => certificate.name));
  for (const [index, certificate] of config.certificates.entries()) {
    if (configured.has(certificate.name))
      throw new ApplyRefused(`${file}: certificates[${index}].name "${certificate.name}": managed by certstep.config.json: edit it there and deploy`);
  }
  checkZones(config, stack, file);
  if (stackAccount) checkReaders(config, stack, stackAccount, file);
  const issuers = new Set(stack.issuers.map((issuer) => issuer.name));
  return config.certificates.map((certificate) => parseExecutionInput({ certificate, force: false }, issuers));
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ApplyRefused(`${file}: cannot read it (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApplyRefused(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

/** `{"certificates": [...]}` as in certstep.config.json, a list of certificates, or one certificate. */
function certificatesOf(raw: unknown, file: string): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (raw && typeof raw === 'object' && 'certificates' in raw) {
    const { certificates, ...rest } = raw as { certificates: unknown };
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new ApplyRefused(`${file}: ${extra}: unknown field (stack settings belong in certstep.config.json)`);
    if (!Array.isArray(certificates)) throw new ApplyRefused(`${file}: certificates: must be a list of certificates`);
    return certificates;
  }
  if (raw && typeof raw === 'object') return [raw];
  throw new ApplyRefused(`${file}: must be {"certificates": [...]}, a list of certificates or one certificate`);
}

/**
 * The stack configuration with the file's certificates: every per-certificate setting of the
 * stack keeps only the entries that name one of them, so they are checked as a deploy checks them.
 */
function withCertificates(stackRaw: unknown, certificates: readonly unknown[]): unknown {
  const names = new Set(certificates.map((certificate) => (certificate as { name?: unknown } | null)?.name));
  const only = (record: unknown) =>
    record && typeof record === 'object' ? Object.fromEntries(Object.entries(record).filter(([name]) => names.has(name))) : record;
  const root = stackRaw as Record<string, unknown>;
  const notifications = root.notifications as Record<string, unknown> | undefined;
  return {
    ...root,
    certificates,
    ...(root.expiryAlarmDays !== undefined && { expiryAlarmDays: only(root.expiryAlarmDays) }),
    ...(root.certificateReaders !== undefined && { certificateReaders: only(root.certificateReaders) }),
    ...(notifications?.certificates !== undefined && { notifications: { ...notifications, certificates: only(notifications.certificates) } }),
  };
}

/**
 * A reader in another account must be able to decrypt, not only be named in the secret's
 * policy, which the function that makes the secret writes at run time. The key is fixed at
 * deploy: the AWS managed key serves its own account only (synth refuses such a reader in
 * certstep.config.json), and the stack's key names in its policy the readers certstep.config.json
 * names. A reader that only an applied file names would get AccessDenied from KMS at its first
 * read; it is refused here instead. With kmsKeyArn the key policy is the user's to keep.
 */
function checkReaders(config: CertstepConfig, stack: CertstepConfig, stackAccount: string, file: string): void {
  if (stack.kmsKeyArn) return;
  const inKeyPolicy = new Set([...stack.stackReaders, ...[...stack.readers.values()].flat()]);
  for (const [index, certificate] of config.certificates.entries()) {
    for (const [position, arn] of (certificate.readers ?? []).entries()) {
      const account = accountOfArn(arn);
      if (account === undefined || account === stackAccount) continue;
      const root = `${arn.split(':').slice(0, 5).join(':')}:root`;
      if (stack.secretsKey === 'stack' && (inKeyPolicy.has(arn) || inKeyPolicy.has(root))) continue;
      const where = `${file}: certificates[${index}].readers[${position}] "${arn}" is in account ${account}, not the stack's (${stackAccount})`;
      throw new ApplyRefused(
        stack.secretsKey === 'stack'
          ? `${where}, and the stack's key names in its policy only the readers of certstep.config.json: add it to readers or certificateReaders there and deploy, then apply`
          : `${where}: the AWS managed key aws/secretsmanager cannot be used from another account. Set "secretsKey": "stack" in certstep.config.json (or kmsKeyArn to a key whose policy lets that account decrypt) and deploy, then apply`,
      );
    }
  }
}

/** Every Route 53 zone a certificate's challenge records go to must be one the stack's IAM already names. */
function checkZones(config: CertstepConfig, stack: CertstepConfig, file: string): void {
  const plan = planDns(stack.issuers, stack.certificates);
  const known = new Set([...plan.directZones.keys(), ...[...plan.roleZones.values()].flatMap((zones) => [...zones.keys()])]);
  for (const issuer of stack.issuers) {
    const route53 = issuer.dns01?.route53;
    if (route53?.hostedZoneId) known.add(route53.hostedZoneId);
    for (const zone of Object.values(route53?.zones ?? {})) if (zone.hostedZoneId) known.add(zone.hostedZoneId);
  }
  // The record names IAM lets the functions change in each zone the stack changes with its own role.
  const { direct } = stackZones(stack.issuers, stack.certificates);
  const allowed = (zone: string, recordName: string) =>
    (direct.get(zone) ?? []).some((pattern) => (pattern === CHALLENGE_RECORDS ? recordName.startsWith('_acme-challenge.') : pattern === recordName));
  for (const [index, certificate] of config.certificates.entries()) {
    const dns01 = effectiveDns01(config.issuers, certificate);
    if (dns01.acmeDNS) continue;
    for (const target of challengeTargets(dns01, certificate.dnsNames)) {
      const zone = target.zone?.hostedZoneId;
      if (zone === undefined) continue;
      const where = `${file}: certificates[${index}].dnsNames[${certificate.dnsNames.indexOf(target.dnsName)}] "${target.dnsName}": its challenge record`;
      if (!known.has(zone))
        throw new ApplyRefused(
          `${where} goes to hosted zone ${zone}, ` +
            `which the stack's IAM does not name (it names ${[...known].sort().join(', ') || 'no zone'}): add the zone to certstep.config.json and deploy, then apply`,
        );
      if (!target.zone?.role && direct.has(zone) && !allowed(zone, target.recordName))
        throw new ApplyRefused(
          `${where} ${target.recordName} is a CNAME target the stack's IAM does not let certstep change in zone ${zone} (only _acme-challenge.* and the targets certstep.config.json names): add the certificate's cnameTargets to certstep.config.json and deploy, then apply`,
        );
    }
  }
}
