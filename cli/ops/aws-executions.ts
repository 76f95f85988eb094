/**
 * The AWS side of `certstep describe`: a certificate's recent executions and whether the TXT
 * records its last run presented are still in Route 53. Step Functions cannot filter executions
 * by input, so the newest ones are described one by one, within a fixed budget of calls.
 */
import { ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { ChallengeRef, WorkflowState } from '../../functions/core/workflow-state.js';
import type { RunEnd } from '../run-end.js';
import { type StepEvent, fromAwsEvents, outcomeOf } from './history.js';
import type { ExecutionSummary, PresentedRecord } from './model.js';

export const EXECUTION_LIMITS = { shown: 5, described: 50, historyPages: 5 } as const;

export interface FoundExecutions {
  readonly executions: (ExecutionSummary & { readonly input?: unknown })[];
  /** The budget ran out before `shown` executions of this certificate were found. */
  readonly truncated: boolean;
}

export async function recentExecutions(sfn: SFNClient, stateMachineArn: string, name: string): Promise<FoundExecutions> {
  const found: FoundExecutions['executions'] = [];
  let described = 0;
  let nextToken: string | undefined;
  do {
    // ListExecutions returns the newest first.
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100, ...(nextToken && { nextToken }) }));
    for (const item of page.executions ?? []) {
      if (found.length >= EXECUTION_LIMITS.shown) return { executions: found, truncated: false };
      if (described >= EXECUTION_LIMITS.described) return { executions: found, truncated: true };
      if (!item.executionArn) continue;
      described++;
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn }));
      const input = parseJson(execution.input);
      if ((input as { certificate?: { name?: unknown } } | undefined)?.certificate?.name !== name) continue;
      const status = execution.status ?? item.status ?? 'UNKNOWN';
      found.push({
        id: item.executionArn,
        status,
        outcome: outcomeOf(status, parseJson(execution.output)),
        ...((execution.startDate ?? item.startDate) && { startedAt: (execution.startDate ?? item.startDate)?.toISOString() }),
        ...((execution.stopDate ?? item.stopDate) && { stoppedAt: (execution.stopDate ?? item.stopDate)?.toISOString() }),
        ...(execution.error && { error: execution.error }),
        ...(execution.cause && { cause: execution.cause }),
        input,
      });
    }
    nextToken = page.nextToken;
  } while (nextToken && found.length < EXECUTION_LIMITS.shown);
  return { executions: found, truncated: false };
}

/** Step Functions' statuses of an execution that has not ended yet. */
const UNDER_WAY = new Set(['RUNNING', 'PENDING_REDRIVE']);

/**
 * `renew --aws --wait`: DescribeExecution every `intervalMs` until the execution ends, then how
 * it ended. The state machine's own TimeoutSeconds (an hour) bounds the wait.
 */
export async function waitForExecution(sfn: SFNClient, executionArn: string, options: { intervalMs: number }): Promise<RunEnd> {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = execution.status ?? 'UNKNOWN';
    if (!UNDER_WAY.has(status)) {
      const parsed = parseJson(execution.output);
      const output = typeof parsed === 'object' && parsed !== null ? (parsed as WorkflowState) : undefined;
      return { status, ...(output && { output }), ...(execution.error && { error: execution.error }), ...(execution.cause && { cause: execution.cause }) };
    }
    await new Promise<void>((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** Read newest first, as the brief for a failure wants, within a few pages; returned in order. */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<StepEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < EXECUTION_LIMITS.historyPages; page++) {
    const answer = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1000, includeExecutionData: true, ...(nextToken && { nextToken }) }),
    );
    events.push(...(answer.events ?? []));
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return fromAwsEvents(events);
}

/**
 * Looks each record up in the hosted zone the certificate's dns01 settings name. Zones found by
 * listing, or reached through another account's role, are not guessed at: the check is skipped.
 */
export async function txtPresence(route53: Route53Client, spec: CertificateSpec | undefined, challenges: readonly ChallengeRef[]): Promise<PresentedRecord[]> {
  const records: PresentedRecord[] = [];
  for (const challenge of challenges) {
    const forName = `${challenge.wildcard ? '*.' : ''}${challenge.dnsName}`;
    const zone = zoneFor(challenge.dnsName, spec);
    let present: string;
    if (zone.role) present = `unknown (zone reached through role ${zone.role}; not checked)`;
    else if (!zone.hostedZoneId) present = 'unknown (no dns01.route53.hostedZoneId in the spec; not checked)';
    else present = await lookUp(route53, zone.hostedZoneId, challenge.recordName, challenge.value);
    records.push({ recordName: challenge.recordName, value: challenge.value, forName, present });
  }
  return records;
}

function zoneFor(dnsName: string, spec: CertificateSpec | undefined): { hostedZoneId?: string; role?: string } {
  const solver = spec?.dns01?.route53;
  if (!solver) return {};
  const base = dnsName.replace(/^\*\./, '');
  const domain = Object.keys(solver.zones ?? {})
    .filter((candidate) => base === candidate || base.endsWith(`.${candidate}`))
    .sort((a, b) => b.length - a.length)[0];
  const zone = domain ? solver.zones?.[domain] : undefined;
  const hostedZoneId = zone?.hostedZoneId ?? solver.hostedZoneId;
  const role = zone ? zone.role : solver.role;
  return { ...(hostedZoneId && { hostedZoneId }), ...(role && { role }) };
}

async function lookUp(route53: Route53Client, hostedZoneId: string, recordName: string, value: string): Promise<string> {
  try {
    const answer = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, StartRecordName: recordName, StartRecordType: 'TXT', MaxItems: 1 }),
    );
    const set = answer.ResourceRecordSets?.[0];
    const sameName = set?.Name?.replace(/\.$/, '').toLowerCase() === recordName.toLowerCase();
    if (!set || !sameName || set.Type !== 'TXT') return 'no';
    return (set.ResourceRecords ?? []).some((record) => record.Value === `"${value}"`) ? 'yes' : 'no';
  } catch (error) {
    return `unknown (Route 53 ListResourceRecordSets in ${hostedZoneId}: ${(error as Error).name})`;
  }
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
