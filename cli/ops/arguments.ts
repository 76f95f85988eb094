/**
 * Flags of `certstep status | renew | describe`. As strict as `local run`'s: a flag that does
 * not apply (an AWS flag without --aws, --store with --aws) is a usage error rather than
 * silently ignored, so an operator never reads the local store believing it is production.
 */
import { type RunArguments, UsageError, parseRunArguments } from '../arguments.js';
import { CERTIFICATE_NAME } from './model.js';

export const OPS_COMMANDS = ['status', 'renew', 'describe'] as const;
export type OpsCommand = (typeof OPS_COMMANDS)[number];

export interface AwsArguments {
  readonly stateMachineArn?: string;
  readonly ledgerTable?: string;
  readonly secretPrefix: string;
  readonly scheduleGroup?: string;
}

export interface OpsArguments {
  readonly name?: string;
  readonly json: boolean;
  readonly storeDir: string;
  readonly dnsServer?: string;
  /** How a local forced run reaches a CA: `local run`'s external-CA flags. */
  readonly run: Omit<RunArguments, 'storeDir' | 'inputFile'>;
  readonly aws?: AwsArguments;
}

const AWS_FLAGS = ['--state-machine-arn', '--ledger-table', '--secret-prefix', '--schedule-group'];
const RUN_FLAGS = ['--acme-directory', '--acme-ca', '--challtestsrv'];
const VALUE_FLAGS: Record<OpsCommand, readonly string[]> = {
  status: ['--store', ...AWS_FLAGS],
  describe: ['--store', '--dns-server', ...AWS_FLAGS],
  renew: ['--store', ...RUN_FLAGS, ...AWS_FLAGS],
};
const SWITCHES: Record<OpsCommand, readonly string[]> = { status: ['--aws', '--json'], describe: ['--aws', '--json'], renew: ['--aws'] };

export function parseOpsArguments(command: OpsCommand, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): OpsArguments {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (!argument.startsWith('--')) {
      positional.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    const flag = equals === -1 ? argument : argument.slice(0, equals);
    if (SWITCHES[command].includes(flag) && equals === -1) {
      switches.add(flag);
      continue;
    }
    if (!VALUE_FLAGS[command].includes(flag)) throw new UsageError(`unknown option ${flag} for ${command}`);
    const value = equals === -1 ? argv[++index] : argument.slice(equals + 1);
    if (value === undefined || value === '' || (equals === -1 && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
    values.set(flag, value);
  }

  const wantsName = command !== 'status';
  if (positional.length !== (wantsName ? 1 : 0)) {
    throw new UsageError(wantsName ? `${command} needs exactly one certificate name` : `unexpected argument ${positional[0]}`);
  }
  const name = positional[0];
  if (name !== undefined && !CERTIFICATE_NAME.test(name)) {
    throw new UsageError(`"${name}" is not a certificate name (1-63 lowercase letters, digits or "-")`);
  }

  const aws = switches.has('--aws');
  const misplaced = aws ? ['--store', '--dns-server', ...RUN_FLAGS] : AWS_FLAGS;
  const wrong = misplaced.find((flag) => values.has(flag));
  if (wrong) throw new UsageError(aws ? `${wrong} is for the local store, not with --aws` : `${wrong} needs --aws`);

  const pick = (flag: string, variable?: string) => values.get(flag) ?? (variable ? env[variable] || undefined : undefined);
  const runFlags = RUN_FLAGS.flatMap((flag) => (values.has(flag) ? [flag, values.get(flag) as string] : []));
  const { inputFile: _input, storeDir: _store, ...run } = parseRunArguments(['-', ...runFlags]);
  const awsArguments: AwsArguments | undefined = aws
    ? {
        secretPrefix: pick('--secret-prefix', 'CERTSTEP_CERTIFICATE_SECRET_PREFIX') ?? 'certstep/certificates/',
        ...optional('stateMachineArn', pick('--state-machine-arn', 'CERTSTEP_STATE_MACHINE_ARN')),
        ...optional('ledgerTable', pick('--ledger-table', 'CERTSTEP_LEDGER_TABLE')),
        ...optional('scheduleGroup', pick('--schedule-group', 'CERTSTEP_SCHEDULE_GROUP')),
      }
    : undefined;
  if (command === 'renew' && awsArguments && !awsArguments.stateMachineArn) {
    throw new UsageError('renew --aws needs --state-machine-arn or CERTSTEP_STATE_MACHINE_ARN');
  }
  return {
    ...(name !== undefined && { name }),
    json: switches.has('--json'),
    storeDir: values.get('--store') ?? '.certstep',
    ...optional('dnsServer', values.get('--dns-server')),
    run,
    ...(awsArguments && { aws: awsArguments }),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
