/**
 * The checked arguments of `certstep status | renew | describe | export | remove`. As strict as
 * `local run`'s: a flag that does not apply (an AWS flag without --aws, --store with --aws) is a
 * usage error rather than silently ignored, so an operator never reads the local store believing
 * it is production. Which flags a command has at all is cli/program.ts's (commander's) business.
 */
import { REVOCATION_REASONS, type RevocationReason } from '../../functions/ports/acme-account-admin.js';
import { DEFAULT_STORE, type RunArguments, type RunOptions, UsageError, isHttpUrl, runArgumentsFrom } from '../arguments.js';
import type { ApplyArguments } from './apply.js';
import { CERTIFICATE_NAME } from './model.js';

export const OPS_COMMANDS = ['status', 'renew', 'describe'] as const;
export type OpsCommand = (typeof OPS_COMMANDS)[number];

export interface AwsArguments {
  readonly stateMachineArn?: string;
  readonly ledgerTable?: string;
  readonly secretPrefix: string;
  readonly scheduleGroup?: string;
  /** The certificate catalog: with it, certificates that were never issued (no secret yet) are known too. */
  readonly catalogTable?: string;
}

export interface OpsArguments {
  readonly name?: string;
  readonly json: boolean;
  readonly storeDir: string;
  readonly dnsServer?: string;
  /** How a local forced run reaches a CA: `local run`'s external-CA flags. */
  readonly run: Omit<RunArguments, 'storeDir' | 'inputFile'>;
  readonly aws?: AwsArguments;
  /** `renew --dry-run`. */
  readonly dryRun?: boolean;
  /** `renew --aws --wait`: wait for the execution to end and exit as a local run does. */
  readonly wait?: boolean;
}

export interface ExportArguments {
  readonly name: string;
  readonly outDir: string;
  readonly deployHook?: string;
  readonly storeDir: string;
  readonly aws?: AwsArguments;
}

export interface RemoveArguments {
  readonly name: string;
  readonly yes: boolean;
  readonly storeDir: string;
  readonly aws?: AwsArguments & { readonly includeAcm: boolean; readonly recoveryWindowDays: number };
}

/** Every option of the operations commands, as commander names them (camelCase). */
export interface OpsOptions extends RunOptions {
  readonly aws?: boolean;
  readonly json?: boolean;
  readonly stateMachineArn?: string;
  readonly ledgerTable?: string;
  readonly secretPrefix?: string;
  readonly scheduleGroup?: string;
  readonly out?: string;
  readonly deployHook?: string;
  readonly yes?: boolean;
  readonly includeAcm?: boolean;
  readonly recoveryWindowDays?: string;
  readonly catalogTable?: string;
  readonly wait?: boolean;
}

const AWS_OPTIONS = [
  ['stateMachineArn', '--state-machine-arn'],
  ['ledgerTable', '--ledger-table'],
  ['secretPrefix', '--secret-prefix'],
  ['scheduleGroup', '--schedule-group'],
  ['catalogTable', '--catalog-table'],
] as const;
const LOCAL_OPTIONS = [
  ['store', '--store'],
  ['dnsServer', '--dns-server'],
  ['acmeDirectory', '--acme-directory'],
  ['acmeCa', '--acme-ca'],
  ['challtestsrv', '--challtestsrv'],
] as const;

export function opsArgumentsFrom(command: OpsCommand, name: string | undefined, options: OpsOptions, env: NodeJS.ProcessEnv = process.env): OpsArguments {
  if (name !== undefined) checkName(name);
  const aws = awsArgumentsFrom(options, env);
  if (command === 'renew' && aws && !aws.stateMachineArn) throw new UsageError('renew --aws needs --state-machine-arn or CERTSTEP_STATE_MACHINE_ARN');
  if (options.wait && !aws) throw new UsageError('--wait needs --aws: a local renew always runs to its end');
  const {
    inputFile: _input,
    storeDir: _store,
    ...run
  } = runArgumentsFrom('-', {
    ...(options.acmeDirectory !== undefined && { acmeDirectory: options.acmeDirectory }),
    ...(options.acmeCa !== undefined && { acmeCa: options.acmeCa }),
    ...(options.challtestsrv !== undefined && { challtestsrv: options.challtestsrv }),
  });
  return {
    ...(name !== undefined && { name }),
    json: options.json === true,
    storeDir: options.store ?? DEFAULT_STORE,
    ...(options.dnsServer !== undefined && { dnsServer: options.dnsServer }),
    run,
    ...(aws && { aws }),
    ...(options.dryRun === true && { dryRun: true }),
    ...(options.wait === true && { wait: true }),
  };
}

export function exportArgumentsFrom(name: string, options: OpsOptions, env: NodeJS.ProcessEnv = process.env): ExportArguments {
  checkName(name);
  const aws = awsArgumentsFrom(options, env);
  if (!options.out) throw new UsageError('export needs --out DIR');
  return {
    name,
    outDir: options.out,
    ...(options.deployHook !== undefined && { deployHook: options.deployHook }),
    storeDir: options.store ?? DEFAULT_STORE,
    ...(aws && { aws }),
  };
}

export function removeArgumentsFrom(name: string, options: OpsOptions, env: NodeJS.ProcessEnv = process.env): RemoveArguments {
  checkName(name);
  const aws = awsArgumentsFrom(options, env);
  if (!aws) {
    if (options.includeAcm) throw new UsageError('--include-acm needs --aws (locally every copy is removed)');
    if (options.recoveryWindowDays !== undefined) throw new UsageError('--recovery-window-days needs --aws');
    return { name, yes: options.yes === true, storeDir: options.store ?? DEFAULT_STORE };
  }
  // Secrets Manager's own bounds; the default is the shortest, as for a mistyped name one week is enough to notice.
  const days = options.recoveryWindowDays ?? '7';
  if (!/^\d+$/.test(days) || Number(days) < 7 || Number(days) > 30)
    throw new UsageError(`--recovery-window-days must be a whole number from 7 to 30 (got "${days}")`);
  if (!aws.ledgerTable || !aws.scheduleGroup)
    throw new UsageError('remove --aws needs --ledger-table and --schedule-group (or CERTSTEP_LEDGER_TABLE and CERTSTEP_SCHEDULE_GROUP)');
  return {
    name,
    yes: options.yes === true,
    storeDir: DEFAULT_STORE,
    aws: {
      ...aws,
      includeAcm: options.includeAcm === true,
      recoveryWindowDays: Number(days),
    },
  };
}

/** The options of `apply`, as commander names them. */
export interface ApplyOptions {
  readonly aws?: boolean;
  readonly config?: string;
  readonly catalogTable?: string;
  readonly stateMachineArn?: string;
  readonly json?: boolean;
}

export function applyArgumentsFrom(file: string, options: ApplyOptions, env: NodeJS.ProcessEnv = process.env): ApplyArguments {
  if (!options.aws)
    throw new UsageError("apply changes the AWS deployment's catalog and needs --aws; locally, run one certificate with `certstep local run <input.json>`");
  const catalogTable = options.catalogTable ?? (env.CERTSTEP_CATALOG_TABLE || undefined);
  const stateMachineArn = options.stateMachineArn ?? (env.CERTSTEP_STATE_MACHINE_ARN || undefined);
  if (!catalogTable || !stateMachineArn)
    throw new UsageError(
      'apply --aws needs --catalog-table and --state-machine-arn (or CERTSTEP_CATALOG_TABLE and CERTSTEP_STATE_MACHINE_ARN; the stack outputs CatalogTableName and StateMachineArn)',
    );
  return { file, configFile: options.config ?? 'certstep.config.json', catalogTable, stateMachineArn, json: options.json === true };
}

/** With --aws: the deployment's names, from flags or the CERTSTEP_* variables; without: refuses AWS flags. */
export function awsArgumentsFrom(options: OpsOptions, env: NodeJS.ProcessEnv): AwsArguments | undefined {
  refuseMisplaced(options, options.aws === true, LOCAL_OPTIONS, AWS_OPTIONS);
  if (!options.aws) return undefined;
  const pick = (value: string | undefined, variable: string) => value ?? (env[variable] || undefined);
  return {
    secretPrefix: pick(options.secretPrefix, 'CERTSTEP_CERTIFICATE_SECRET_PREFIX') ?? 'certstep/certificates/',
    ...optional('stateMachineArn', pick(options.stateMachineArn, 'CERTSTEP_STATE_MACHINE_ARN')),
    ...optional('ledgerTable', pick(options.ledgerTable, 'CERTSTEP_LEDGER_TABLE')),
    ...optional('scheduleGroup', pick(options.scheduleGroup, 'CERTSTEP_SCHEDULE_GROUP')),
    ...optional('catalogTable', pick(options.catalogTable, 'CERTSTEP_CATALOG_TABLE')),
  };
}

/** A flag of the other side (a local flag with --aws, an AWS flag without it) is refused rather than ignored. */
function refuseMisplaced<O extends object>(
  options: O,
  aws: boolean,
  local: readonly (readonly [keyof O, string])[],
  awsOnly: readonly (readonly [keyof O, string])[],
): void {
  const wrong = (aws ? local : awsOnly).find(([key]) => options[key] !== undefined)?.[1];
  if (wrong) throw new UsageError(aws ? `${wrong} is for the local store, not with --aws` : `${wrong} needs --aws`);
}

export function checkName(name: string): void {
  if (!CERTIFICATE_NAME.test(name)) throw new UsageError(`"${name}" is not a certificate name (1-63 lowercase letters, digits or "-")`);
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

export type AccountAction = 'show' | 'rollover' | 'update-contact';

/** Where the CA and the account live. */
export type AdminTarget =
  | { readonly kind: 'local'; readonly storeDir: string; readonly acmeDirectory: string; readonly acmeCaFile?: string }
  | { readonly kind: 'aws'; readonly configFile: string; readonly secretPrefix: string; readonly accountSecretPrefix: string };

export interface AccountArguments {
  readonly action: AccountAction;
  readonly issuer: string;
  readonly emails: readonly string[];
  readonly json: boolean;
  readonly target: AdminTarget;
}

export interface RevokeArguments {
  readonly name: string;
  readonly reason: RevocationReason;
  readonly yes: boolean;
  readonly target: AdminTarget;
}

/** certbot's spellings (`keycompromise`) as well as RFC 5280's (`keyCompromise`). */
export function revocationReason(given: string | undefined): RevocationReason {
  if (given === undefined) return 'unspecified';
  const found = (Object.keys(REVOCATION_REASONS) as RevocationReason[]).find((reason) => reason.toLowerCase() === given.toLowerCase());
  if (!found) throw new UsageError(`--reason must be one of ${Object.keys(REVOCATION_REASONS).join(', ')} (got "${given}")`);
  return found;
}

/** Local: the CA named with --acme-directory; --aws: the issuers of the configuration file, the account and certificates in the deployment's secrets. */
export function adminTargetFrom(options: AdminOptions, env: NodeJS.ProcessEnv): AdminTarget {
  refuseMisplaced(options, options.aws === true, ADMIN_LOCAL_OPTIONS, ADMIN_AWS_OPTIONS);
  if (options.aws) {
    return {
      kind: 'aws',
      configFile: options.config ?? 'certstep.config.json',
      secretPrefix: options.secretPrefix ?? (env.CERTSTEP_CERTIFICATE_SECRET_PREFIX || 'certstep/certificates/'),
      accountSecretPrefix: options.accountSecretPrefix ?? (env.CERTSTEP_ACCOUNT_SECRET_PREFIX || 'certstep/accounts/'),
    };
  }
  if (!options.acmeDirectory)
    throw new UsageError(
      'locally this needs the CA: --acme-directory URL (and --acme-ca FILE); the Pebble a local run starts forgets everything when it stops',
    );
  if (!isHttpUrl(options.acmeDirectory)) throw new UsageError(`--acme-directory must be an http(s) URL (got "${options.acmeDirectory}")`);
  return {
    kind: 'local',
    storeDir: options.store ?? DEFAULT_STORE,
    acmeDirectory: options.acmeDirectory,
    ...(options.acmeCa !== undefined && { acmeCaFile: options.acmeCa }),
  };
}

const ADMIN_LOCAL_OPTIONS = [
  ['store', '--store'],
  ['acmeDirectory', '--acme-directory'],
  ['acmeCa', '--acme-ca'],
] as const;
const ADMIN_AWS_OPTIONS = [
  ['config', '--config'],
  ['secretPrefix', '--secret-prefix'],
  ['accountSecretPrefix', '--account-secret-prefix'],
] as const;

/** The options of `revoke` and `account`, as commander names them. */
export interface AdminOptions {
  readonly aws?: boolean;
  readonly store?: string;
  readonly acmeDirectory?: string;
  readonly acmeCa?: string;
  readonly config?: string;
  readonly secretPrefix?: string;
  readonly accountSecretPrefix?: string;
  readonly reason?: string;
  readonly email?: readonly string[];
  readonly json?: boolean;
  readonly yes?: boolean;
}
