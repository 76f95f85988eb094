/**
 * `certstep remove <name>`: everything a certificate left behind. Locally that is every file of
 * it in the store. On AWS: its schedule, its secret (with a recovery window; the pending keys are
 * versions of it and go with it), its ledger item and, only with --include-acm, its ACM copies,
 * which load balancers may still use. What is already gone is skipped, so a second remove says
 * there is nothing left and exits 0. A run that holds the certificate is never pulled out from
 * under: its TXT values, its order and its claim are in the ledger item remove would delete, so
 * remove refuses until the run has ended (a local run whose process is gone holds nothing).
 * With a catalog table it goes first, so the daily sweep no longer starts runs for it.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ACMClient, DeleteCertificateCommand } from '@aws-sdk/client-acm';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbCertificateCatalog } from '../../functions/adapters/dynamodb-catalog.js';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { type LedgerEntry, liveRun } from '../../functions/ports/run-ledger.js';
import { EXIT } from '../exit-codes.js';
import type { RemoveArguments } from './arguments.js';
import { PROCESS_IO, askOnTerminal, interactive, saidYes } from './terminal.js';

export interface RemoveContext {
  readonly io?: { out(text: string): void; err(text: string): void };
  /** Whether a person can be asked; process.stdin.isTTY by default. */
  readonly interactive?: boolean;
  readonly ask?: (question: string) => Promise<string>;
  readonly clock?: () => Date;
  readonly clients?: {
    readonly secrets?: SecretsManagerClient;
    readonly scheduler?: SchedulerClient;
    readonly dynamodb?: DynamoDBClient;
    readonly acm?: (region: string) => ACMClient;
  };
}

/** One thing to delete: what the user reads, and how to delete it. */
interface Removal {
  readonly what: string;
  readonly remove: () => Promise<unknown>;
}

export async function runRemove(args: RemoveArguments, context: RemoveContext = {}): Promise<number> {
  const io = context.io ?? PROCESS_IO;
  const canAsk = context.interactive ?? interactive();
  if (!args.yes && !canAsk) {
    io.err('certstep: remove deletes for good and stdin is not a terminal to ask on; add --yes to go ahead');
    return EXIT.invalidInput;
  }
  const where = args.aws ? `the AWS deployment (secrets under ${args.aws.secretPrefix})` : args.storeDir;
  const { removals, kept, ledger } = args.aws ? await awsRemovals(args, context) : await localRemovals(args);
  const running = liveRun(ledger, (context.clock ?? (() => new Date()))());
  if (running) {
    io.err(
      `certstep: a run holds ${args.name} (execution ${running.runId}, since ${running.since}, its claim lasts until ${running.leaseUntil}); ` +
        'removing it now would strand its TXT records and its order. Let it end (or stop it), then remove again',
    );
    return EXIT.failed;
  }
  for (const line of kept) io.out(line);
  if (removals.length === 0) {
    io.out(`Nothing to remove for ${args.name} in ${where}`);
    return EXIT.succeeded;
  }
  io.out(`Removing ${args.name} from ${where}:`);
  for (const removal of removals) io.out(`  ${removal.what}`);
  if (!args.yes) {
    const answer = await (context.ask ?? askOnTerminal)(`Remove ${args.name}? [y/N] `);
    if (!saidYes(answer)) {
      io.out('Nothing removed');
      return EXIT.failed;
    }
  }
  // In order, stopping at the first failure: the ledger goes last because it holds the ACM ARNs.
  for (const removal of removals) {
    try {
      await removal.remove();
    } catch (error) {
      io.err(`certstep: could not remove ${removal.what}: ${(error as Error).name}: ${(error as Error).message}; run remove again once that is fixed`);
      return EXIT.failed;
    }
  }
  io.out(`Removed ${args.name}`);
  return EXIT.succeeded;
}

/** Every file the local adapters keep for one certificate (see functions/adapters/file-*.ts and the runner). */
async function localRemovals(args: RemoveArguments): Promise<{ removals: Removal[]; kept: string[]; ledger: LedgerEntry | undefined }> {
  const root = args.storeDir;
  const candidates = [
    path.join(root, 'certificates', `${args.name}.json`),
    path.join(root, 'certificates', `${args.name}.previous.json`),
    path.join(root, 'pending', args.name),
    path.join(root, 'schedules', `${args.name}.json`),
    path.join(root, 'ledger', `${args.name}.json`),
    path.join(root, 'executions', args.name),
  ];
  for (const region of await readdir(path.join(root, 'acm')).catch(() => [])) candidates.push(path.join(root, 'acm', region, `${args.name}.json`));
  const removals: Removal[] = [];
  for (const candidate of candidates) {
    const found = await stat(candidate).catch(() => undefined);
    if (found) removals.push({ what: `${candidate}${found.isDirectory() ? '/' : ''}`, remove: () => rm(candidate, { recursive: true, force: true }) });
  }
  // An unreadable ledger file is removed like the rest: nothing can hold a certificate through it.
  const ledger = await new FileRunLedger(root).get(args.name).catch(() => undefined);
  return { removals, kept: [], ledger };
}

async function awsRemovals(args: RemoveArguments, context: RemoveContext): Promise<{ removals: Removal[]; kept: string[]; ledger: LedgerEntry | undefined }> {
  const aws = args.aws as NonNullable<RemoveArguments['aws']>;
  const secrets = context.clients?.secrets ?? new SecretsManagerClient({});
  const scheduler = context.clients?.scheduler ?? new SchedulerClient({});
  const dynamodb = context.clients?.dynamodb ?? new DynamoDBClient({});
  const scheduleGroup = aws.scheduleGroup as string;
  const ledgerTable = aws.ledgerTable as string;
  const secretId = `${aws.secretPrefix}${args.name}`;
  const catalog = aws.catalogTable === undefined ? undefined : new DynamoDbCertificateCatalog(dynamodb, aws.catalogTable);
  const [secret, schedule, ledger, entry] = await Promise.all([
    secrets.send(new DescribeSecretCommand({ SecretId: secretId })).catch(absentWhenNotFound),
    scheduler.send(new GetScheduleCommand({ Name: args.name, GroupName: scheduleGroup })).catch(absentWhenNotFound),
    new DynamoDbRunLedger(dynamodb, ledgerTable).get(args.name),
    catalog?.get(args.name),
  ]);
  const removals: Removal[] = [];
  const kept: string[] = [];
  if (catalog && entry) {
    removals.push({ what: `catalog item ${args.name} in ${aws.catalogTable}`, remove: () => catalog.delete(args.name) });
    if (entry.source === 'config')
      kept.push(`${args.name} is managed by certstep.config.json: the next deploy brings it back unless it is removed from certstep.config.json`);
  }
  if (schedule)
    removals.push({
      what: `schedule ${scheduleGroup}/${args.name}`,
      remove: () => scheduler.send(new DeleteScheduleCommand({ Name: args.name, GroupName: scheduleGroup })).catch(absentWhenNotFound),
    });
  for (const [region, arn] of Object.entries(ledger?.acmArns ?? {})) {
    if (!aws.includeAcm) {
      kept.push(`Keeping ACM certificate ${arn} (${region}); --include-acm deletes it`);
      continue;
    }
    const acm = context.clients?.acm?.(region) ?? new ACMClient({ region });
    removals.push({ what: `ACM certificate ${arn}`, remove: () => acm.send(new DeleteCertificateCommand({ CertificateArn: arn })).catch(absentWhenNotFound) });
  }
  // A secret already scheduled for deletion is as good as gone.
  if (secret && !secret.DeletedDate)
    removals.push({
      what: `secret ${secretId} (recoverable for ${aws.recoveryWindowDays} days), with its pending keys`,
      remove: () => secrets.send(new DeleteSecretCommand({ SecretId: secretId, RecoveryWindowInDays: aws.recoveryWindowDays })),
    });
  if (ledger)
    removals.push({
      what: `ledger item ${args.name} in ${ledgerTable}`,
      remove: () => dynamodb.send(new DeleteItemCommand({ TableName: ledgerTable, Key: { certificateName: { S: args.name } } })),
    });
  return { removals, kept, ledger };
}

function absentWhenNotFound(error: unknown): undefined {
  if ((error as Error).name === 'ResourceNotFoundException') return undefined;
  throw error;
}
