/**
 * `certstep status`, `certstep renew <name>` and `certstep describe <name>`, over the local
 * store or (with --aws) a deployment. Output goes through `io` so tests can read exactly what
 * an operator would see.
 */
import { type AwsSourceOptions, AwsSource } from './aws-source.js';
import { UsageError } from '../arguments.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeOf, runEndReport } from '../run-end.js';
import { parseCommandLine } from '../program.js';
import type { OpsArguments, OpsCommand } from './arguments.js';
import { LocalSource } from './local-source.js';
import { type CertificateSource, type CertificateStatus, UnknownCertificate } from './model.js';
import { renderDetails, renderStatus } from './render.js';
import { type OpsIo, PROCESS_IO } from './terminal.js';

export { OPS_COMMANDS, type OpsCommand } from './arguments.js';

export type { OpsIo } from './terminal.js';

export interface OpsContext {
  readonly io?: OpsIo;
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: () => Date;
  /** Tests hand in clients; otherwise the SDK's default credential chain and region apply. */
  readonly awsClients?: AwsSourceOptions['clients'];
  /** How often `renew --aws --wait` asks (tests: 0). */
  readonly pollIntervalMs?: number;
}

/** Enough to hide round trips, few enough to stay far below Secrets Manager's request quotas. */
const CONCURRENCY = 8;

/** The command line after the command word, as a user types it (tests drive the CLI through this). */
export async function runOpsCommand(command: OpsCommand, argv: readonly string[], context: OpsContext = {}): Promise<number> {
  const invocation = parseCommandLine([command, ...argv], { ...(context.env && { env: context.env }) });
  if (invocation.kind === 'exit') return invocation.code;
  if (invocation.kind !== 'ops') throw new UsageError(`${command} is not an operations command`);
  return runParsedOpsCommand(command, invocation.args, context);
}

export async function runParsedOpsCommand(command: OpsCommand, args: OpsArguments, context: OpsContext = {}): Promise<number> {
  const io = context.io ?? PROCESS_IO;
  const source = sourceFor(args, context);
  try {
    if (command === 'status') return await status(source, args, io, context.clock);
    if (command === 'describe') return await describe(source, args.name as string, args.json, io);
    return await renew(source, args.name as string, io, { dryRun: args.dryRun === true, wait: args.wait === true });
  } catch (error) {
    if (!(error instanceof UnknownCertificate)) throw error;
    io.err(`certstep: ${error.message}`);
    return EXIT.invalidInput;
  }
}

export function sourceFor(args: OpsArguments, context: Pick<OpsContext, 'clock' | 'awsClients' | 'pollIntervalMs'> = {}): CertificateSource {
  const clock = context.clock ? { clock: context.clock } : {};
  if (args.aws)
    return new AwsSource({
      ...args.aws,
      ...clock,
      ...(context.awsClients && { clients: context.awsClients }),
      ...(context.pollIntervalMs !== undefined && { pollIntervalMs: context.pollIntervalMs }),
    });
  return new LocalSource({ storeDir: args.storeDir, run: args.run, ...clock, ...(args.dnsServer && { dnsServer: args.dnsServer }) });
}

async function status(source: CertificateSource, args: OpsArguments, io: OpsIo, clock?: () => Date): Promise<number> {
  const names = await source.list();
  const rows: CertificateStatus[] = [];
  for (let start = 0; start < names.length; start += CONCURRENCY) {
    rows.push(...(await Promise.all(names.slice(start, start + CONCURRENCY).map((name) => source.status(name)))));
  }
  const listing = source.listNotes?.() ?? [];
  if (args.json) {
    const where = args.aws ? { aws: { secretPrefix: args.aws.secretPrefix } } : { store: args.storeDir };
    io.out(JSON.stringify({ at: (clock ?? (() => new Date()))().toISOString(), ...where, certificates: rows }, null, 2));
    for (const note of listing) io.err(`certstep: ${note}`);
  } else {
    const notes = [...listing.map((note) => `${note[0]?.toUpperCase()}${note.slice(1)}.`), ...statusNotes(rows, args)];
    io.out(rows.length ? renderStatus(rows, notes) : `No certificates ${args.aws ? `under ${args.aws.secretPrefix}` : `in ${args.storeDir}`}.`);
    if (!rows.length) for (const note of listing) io.err(`certstep: ${note}`);
  }
  return 0;
}

/** The table has no room for messages; these say why a REASON is not a verdict (the --json message says it per row). */
function statusNotes(rows: readonly CertificateStatus[], args: OpsArguments): string[] {
  const notes: string[] = [];
  if (args.aws && !args.aws.ledgerTable)
    notes.push('No --ledger-table (or CERTSTEP_LEDGER_TABLE): what each secret stores is not known (only the run ledger records it without the key).');
  if (args.aws && !args.aws.catalogTable)
    notes.push('No --catalog-table (or CERTSTEP_CATALOG_TABLE): a certificate whose first run has not issued it is listed only if the ledger has it.');
  if (rows.some((row) => row.reason === 'MetadataStale'))
    notes.push(
      "MetadataStale: the run ledger does not describe the secret's current version; the next run records it (the scheduled one, or `certstep renew <name> --aws`, with --dry-run to replace nothing).",
    );
  return notes;
}

async function describe(source: CertificateSource, name: string, json: boolean, io: OpsIo): Promise<number> {
  const details = await source.describe(name);
  io.out(json ? JSON.stringify(details, null, 2) : renderDetails(details));
  return 0;
}

async function renew(source: CertificateSource, name: string, io: OpsIo, options: { dryRun: boolean; wait: boolean }): Promise<number> {
  const { dryRun } = options;
  const run = await source.startForcedRun(name, dryRun ? { dryRun } : {});
  if (!run.executionArn) return run.exitCode;
  // Without a schedule the spec lacks renewBefore, dns01 and acm: the operator should know.
  if (run.specSource !== 'schedule' && run.specSource !== 'catalog')
    io.err(`certstep: no schedule for ${name}; the run uses the spec rebuilt from its ${run.specSource ?? 'records'}`);
  if (options.wait && source.waitForEnd) {
    io.out(`Started ${dryRun ? 'a dry run' : 'a forced renewal'} of ${name}: ${run.executionArn}\nWaiting for it to end...`);
    const end = await source.waitForEnd(run.executionArn);
    const report = runEndReport(end, { dryRun });
    if (report.stream === 'out') io.out(report.text);
    else io.err(report.text);
    return exitCodeOf(end);
  }
  io.out(
    dryRun
      ? `Started a dry run of ${name}: ${run.executionArn}\nIt orders a test certificate from the issuer's staging directory (else the issuer's own), verifies it and discards it; the stored certificate, schedule and ACM copies are left alone. \`certstep describe ${name} --aws\` shows how it ended.`
      : `Started a forced renewal of ${name}: ${run.executionArn}`,
  );
  return run.exitCode;
}
