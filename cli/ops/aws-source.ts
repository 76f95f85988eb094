/**
 * An AWS deployment as a CertificateSource: certificates are the secrets under a prefix, the
 * ledger is the DynamoDB table, the next run is the EventBridge schedule named after the
 * certificate. No secret value is read (it holds the key): what is stored comes from the ledger,
 * checked against the secret's current version id (aws-stored.ts).
 */
import { type AttributeValue, type DynamoDBClient, DynamoDBClient as DynamoDb, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListSecretVersionIdsCommand, type ListSecretVersionIdsCommandOutput, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ACMClient } from '@aws-sdk/client-acm';
import { AcmImporter } from '../../functions/adapters/acm-importer.js';
import { DynamoDbCertificateCatalog } from '../../functions/adapters/dynamodb-catalog.js';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { SecretNotFound } from '../../functions/core/errors.js';
import type { ObservedOutputs } from '../../functions/core/reconcile.js';
import { observedOutputs } from '../../functions/phases/observe.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import { UsageError } from '../arguments.js';
import type { RunEnd } from '../run-end.js';
import { executionHistory, recentExecutions, txtPresence, waitForExecution } from './aws-executions.js';
import { storedFromLedger } from './aws-stored.js';
import { failingStep, runFacts } from './history.js';
import {
  CERTIFICATE_NAME,
  type CertificateDetails,
  type CertificateSource,
  type CertificateStatus,
  type ForcedRun,
  type StoredVersion,
  UnknownCertificate,
  acmCopies,
  chooseSpec,
  specFromInput,
  gatheredStatus,
  describedBasics,
} from './model.js';

export interface AwsSourceOptions {
  readonly stateMachineArn?: string;
  readonly ledgerTable?: string;
  readonly secretPrefix: string;
  readonly scheduleGroup?: string;
  /** The certificate catalog table: its certificates are listed even before their first issuance. */
  readonly catalogTable?: string;
  readonly clock?: () => Date;
  /** How often `renew --wait` asks whether the execution has ended (5 s). */
  readonly pollIntervalMs?: number;
  readonly clients?: {
    readonly sfn?: SFNClient;
    readonly secrets?: SecretsManagerClient;
    readonly dynamodb?: DynamoDBClient;
    readonly scheduler?: SchedulerClient;
    readonly route53?: Route53Client;
    readonly acm?: (region: string) => ACMClient;
  };
}

export class AwsSource implements CertificateSource {
  private readonly sfn: SFNClient;
  private readonly secrets: SecretsManagerClient;
  private readonly store: SecretsManagerCertificateStore;
  private readonly dynamodb: DynamoDBClient;
  private readonly scheduler: SchedulerClient;
  private readonly route53: Route53Client;
  private readonly clock: () => Date;
  private names?: Promise<string[]>;
  private catalogInputs?: Promise<Map<string, unknown>>;
  private readonly listingNotes: string[] = [];

  constructor(private readonly options: AwsSourceOptions) {
    this.sfn = options.clients?.sfn ?? new SFNClient({});
    this.secrets = options.clients?.secrets ?? new SecretsManagerClient({});
    this.store = new SecretsManagerCertificateStore({ client: this.secrets, certificateSecretId: (name) => `${options.secretPrefix}${name}` });
    this.dynamodb = options.clients?.dynamodb ?? new DynamoDb({});
    this.scheduler = options.clients?.scheduler ?? new SchedulerClient({});
    this.route53 = options.clients?.route53 ?? new Route53Client({});
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Every certificate any part of the deployment knows, as the local store lists them: its
   * secret (made at the first issuance), its catalog item (what should exist, with --catalog-table)
   * and its ledger entry (what ran, with --ledger-table). So a certificate whose first run keeps
   * failing is listed, with its failures, and not only the ones that were issued.
   */
  list(): Promise<string[]> {
    this.names ??= (async () => {
      const [secrets, catalog, ledger] = await Promise.all([this.secretNames(), this.catalog(), this.ledgerNames()]);
      return [...new Set([...secrets, ...catalog.keys(), ...ledger])].filter((name) => CERTIFICATE_NAME.test(name)).sort();
    })();
    return this.names;
  }

  /** What `list` could not read: the secrets always, the catalog and the ledger as far as IAM lets it. */
  listNotes(): string[] {
    return [...this.listingNotes];
  }

  /**
   * The catalog and the ledger add the certificates not issued yet; an operator policy written
   * before they were read (no dynamodb:Scan) still lists the issued ones, with a note.
   */
  private async unlessRefused<T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.listingNotes.push(
        `could not list ${what} (${(error as Error).name}: ${(error as Error).message.split('\n')[0]}): certificates not issued yet may be missing; the operator needs dynamodb:Scan on it`,
      );
      return fallback;
    }
  }

  /** The name filter is a prefix match, which also keeps the ACME account secrets out. */
  private async secretNames(): Promise<string[]> {
    const prefix = this.options.secretPrefix;
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.secrets.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100, ...(NextToken && { NextToken }) }),
      );
      for (const secret of page.SecretList ?? []) if (secret.Name?.startsWith(prefix)) names.push(secret.Name.slice(prefix.length));
      NextToken = page.NextToken;
    } while (NextToken);
    return names;
  }

  /** Each catalog item's execution input by certificate name, read once (one Scan of the table). */
  private catalog(): Promise<Map<string, unknown>> {
    const table = this.options.catalogTable;
    this.catalogInputs ??= table
      ? this.unlessRefused(
          `the catalog table ${table}`,
          async () => new Map((await new DynamoDbCertificateCatalog(this.dynamodb, table).entries()).map((entry) => [entry.name, entry.input])),
          new Map<string, unknown>(),
        )
      : Promise.resolve(new Map());
    return this.catalogInputs;
  }

  /** The certificate names of the run ledger's items: a Scan that reads the key only. */
  private async ledgerNames(): Promise<string[]> {
    const table = this.options.ledgerTable;
    if (!table) return [];
    return this.unlessRefused(`the run ledger ${table}`, () => this.scanLedgerNames(table), []);
  }

  private async scanLedgerNames(table: string): Promise<string[]> {
    const names: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new ScanCommand({
          TableName: table,
          ProjectionExpression: '#name',
          ExpressionAttributeNames: { '#name': 'certificateName' },
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) if (item.certificateName?.S) names.push(item.certificateName.S);
      start = page.LastEvaluatedKey;
    } while (start);
    return names;
  }

  async status(name: string): Promise<CertificateStatus> {
    return (await this.gather(name)).status;
  }

  async describe(name: string): Promise<CertificateDetails> {
    const gathered = await this.gather(name);
    const notes: string[] = [];
    if (gathered.specSource === 'stored certificate')
      notes.push('no schedule: the spec was rebuilt from the stored certificate (renewBefore P30D, no dns01 or acm settings)');
    if (!this.options.ledgerTable)
      notes.push(
        'no --ledger-table (or CERTSTEP_LEDGER_TABLE): ledger not read, nor what the stored certificate is (only the ledger records it without the key)',
      );
    else if (gathered.storedUnknown) notes.push(gathered.storedUnknown.message);
    if (!this.options.scheduleGroup) notes.push('no --schedule-group (or CERTSTEP_SCHEDULE_GROUP): schedule not read');
    let details: Pick<CertificateDetails, 'executions' | 'lastRun' | 'lastFailure'> = { executions: [] };
    if (this.options.stateMachineArn)
      details = await this.executions(name, this.options.stateMachineArn, gathered.spec, notes, (gathered.ledger?.consecutiveFailures ?? 0) > 0);
    else notes.push('no --state-machine-arn (or CERTSTEP_STATE_MACHINE_ARN): executions not read');
    const ledgerArns = gathered.ledger?.acmArns ?? {};
    const found: Record<string, { arn?: string; serialNumber?: string }> = {};
    for (const [region, arn] of Object.entries(ledgerArns)) found[region] = { arn };
    for (const [region, copy] of Object.entries(gathered.copies)) if (copy) found[region] = copy;
    const acm = acmCopies([...(gathered.spec?.acm?.regions ?? []), ...Object.keys(ledgerArns)], found, gathered.stored);
    return {
      ...describedBasics(name, gathered, await this.versions(name)),
      ...details,
      ...(acm.length && { acm }),
      notes,
    };
  }

  async startForcedRun(name: string, options: { dryRun?: boolean } = {}): Promise<ForcedRun> {
    const stateMachineArn = this.options.stateMachineArn;
    if (!stateMachineArn) throw new UsageError('renew --aws needs --state-machine-arn or CERTSTEP_STATE_MACHINE_ARN');
    const { spec, specSource, storedUnknown } = await this.gather(name);
    if (!spec) {
      const why = storedUnknown ? `its stored certificate is not known (${storedUnknown.message})` : 'no stored certificate';
      throw new Error(`certificate ${name} has no schedule (--schedule-group) or catalog item (--catalog-table) to take its spec from, and ${why}`);
    }
    const started = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: forcedRunName(name, this.clock(), options.dryRun ? 'dry-run' : 'renew'),
        input: JSON.stringify({ certificate: spec, force: true, ...(options.dryRun && { dryRun: true }) }),
      }),
    );
    return { exitCode: 0, ...(specSource && { specSource }), ...(started.executionArn && { executionArn: started.executionArn }) };
  }

  waitForEnd(executionArn: string): Promise<RunEnd> {
    return waitForExecution(this.sfn, executionArn, { intervalMs: this.options.pollIntervalMs ?? 5000 });
  }

  private async gather(name: string) {
    const known = await this.list();
    if (!known.includes(name)) throw new UnknownCertificate(name, known);
    const [versionId, ledger, schedule] = await Promise.all([
      this.currentVersion(name),
      this.options.ledgerTable ? new DynamoDbRunLedger(this.dynamodb, this.options.ledgerTable).get(name) : undefined,
      this.schedule(name),
    ]);
    const { stored, unknown: storedUnknown } = storedFromLedger(name, versionId, ledger, this.options.ledgerTable !== undefined);
    const catalog = (await this.catalog()).get(name);
    const chosen = chooseSpec(name, { schedule: schedule?.input, ...(catalog !== undefined && { catalog }), ...(stored && { stored }) });
    const copies: Record<string, { arn: string; serialNumber: string } | undefined> = {};
    const outputs = chosen.spec && stored && (await this.outputs(name, chosen.spec, schedule, ledger, copies));
    const status = gatheredStatus(name, chosen, { stored, storedUnknown, ledger, schedule, outputs }, this.clock());
    return { ...chosen, stored, storedUnknown, ledger, schedule, status, copies };
  }

  /** The AWSCURRENT version id, from DescribeSecret; undefined when the secret has none or is gone since it was listed. */
  private async currentVersion(name: string): Promise<string | undefined> {
    try {
      return await this.store.currentVersion(name);
    } catch (error) {
      if (error instanceof SecretNotFound) return undefined;
      throw error;
    }
  }

  /**
   * What CheckRenewal would reconcile: ACM in each configured region (by the ARN the ledger
   * remembers, or certstep's tag), the schedule, and what finished runs left. Pending keys are
   * not listed here (that needs DescribeSecret on every secret); CheckRenewal does.
   */
  private async outputs(
    name: string,
    spec: CertificateSpec,
    schedule: { at?: string; input?: unknown } | undefined,
    ledger: LedgerEntry | undefined,
    copies: Record<string, { arn: string; serialNumber: string } | undefined>,
  ): Promise<ObservedOutputs> {
    const serials: Record<string, string | undefined> = {};
    for (const region of spec.acm?.regions ?? []) {
      const client = this.options.clients?.acm?.(region) ?? new ACMClient({ region });
      const copy = await new AcmImporter(client, region).describe(name, spec.dnsNames, ledger?.acmArns?.[region]);
      copies[region] = copy && { arn: copy.arn, serialNumber: copy.serialNumber };
      serials[region] = copy?.serialNumber;
    }
    return observedOutputs(spec, ledger, { serials, ...(schedule && { schedule }), pendingKeys: [] }, this.clock());
  }

  private async schedule(name: string): Promise<{ at?: string; input?: unknown } | undefined> {
    if (!this.options.scheduleGroup) return undefined;
    try {
      const answer = await this.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: this.options.scheduleGroup }));
      const at = /^at\((.+)\)$/.exec(answer.ScheduleExpression ?? '')?.[1];
      let input: unknown;
      try {
        input = answer.Target?.Input ? (JSON.parse(answer.Target.Input) as unknown) : undefined;
      } catch {
        input = undefined; // a hand-edited target input: fall back to the stored certificate
      }
      return { ...(at && { at: new Date(`${at}Z`).toISOString() }), input };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  /** The secret's versions, newest first; none when there is no secret yet (a certificate never issued). */
  private async versions(name: string): Promise<StoredVersion[]> {
    let answer: ListSecretVersionIdsCommandOutput;
    try {
      answer = await this.secrets.send(new ListSecretVersionIdsCommand({ SecretId: `${this.options.secretPrefix}${name}`, MaxResults: 100 }));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return [];
      throw error;
    }
    return (answer.Versions ?? [])
      .map((version) => ({
        id: version.VersionId ?? '',
        stages: version.VersionStages ?? [],
        ...(version.CreatedDate && { created: version.CreatedDate.toISOString() }),
      }))
      .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  }

  private async executions(name: string, stateMachineArn: string, spec: CertificateDetails['spec'], notes: string[], ledgerSaysFailed = false) {
    const found = await recentExecutions(this.sfn, stateMachineArn, name);
    if (found.truncated) notes.push(`only the newest executions were looked at; fewer than 5 of them were for ${name}`);
    const histories = new Map<string, Awaited<ReturnType<typeof executionHistory>>>();
    const history = async (arn: string) => histories.get(arn) ?? histories.set(arn, await executionHistory(this.sfn, arn)).get(arn) ?? [];
    const executions = [];
    for (const { input: _input, ...execution } of found.executions) {
      const failedState = execution.status === 'FAILED' ? failingStep(await history(execution.id)) : undefined;
      executions.push({ ...execution, ...(failedState && { failedState }) });
    }
    const newest = found.executions[0];
    if (!newest) return { executions };
    const run = async (execution: (typeof found.executions)[number]) => {
      const facts = runFacts(await history(execution.id));
      // The run's own input says where its records went, even if the spec has changed since.
      const records = await txtPresence(this.route53, specFromInput(execution.input) ?? spec, facts.challenges);
      return { executionId: execution.id, ...(facts.order && { order: facts.order }), authorizations: facts.authorizations, records };
    };
    // A failure followed by held-back runs: its order is what the operator is looking for.
    const failedAt = found.executions.findIndex((execution) => execution.status === 'FAILED');
    const failed = failedAt > 0 ? executions[failedAt] : undefined;
    if (failedAt === -1 && ledgerSaysFailed) notes.push('the last failed execution is older than the executions looked at; the ledger shows its error');
    return {
      executions,
      lastRun: await run(newest),
      ...(failed && {
        lastFailure: {
          ...(await run(found.executions[failedAt] as (typeof found.executions)[number])),
          ...(failed.startedAt && { startedAt: failed.startedAt }),
          ...(failed.error && { error: failed.error }),
          ...(failed.cause && { cause: failed.cause }),
          ...(failed.failedState && { failedState: failed.failedState }),
        },
      }),
    };
  }
}

/** Execution names allow 80 characters of letters, digits, - and _. */
export function forcedRunName(name: string, now: Date, kind: 'renew' | 'dry-run' = 'renew'): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return `${kind}-${name.slice(0, 80 - kind.length - 2 - stamp.length)}-${stamp}`;
}
