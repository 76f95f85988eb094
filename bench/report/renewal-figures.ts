/**
 * Figures derived from the measured renewal (section 2) that the cost, scale and findings
 * sections share: Lambda time and GB-seconds per invocation, and API calls by action.
 */
import type { ColdStartResult } from '../coldstart.js';
import type { CostResult, Invocation, MeasuredRun } from '../cost.js';
import { memoryOf } from '../cost.js';
import { median, sum } from '../lib/stats.js';
import { AWS_MODEL, PRICES } from './prices.js';

export interface LambdaCosts {
  /** Per measured renewal invocation: billed ms locally, modelled on AWS (cold first use of each function), and memory. */
  readonly rows: { invocation: Invocation; memoryMb: number; localMs: number; awsMs: number; cold: boolean }[];
  readonly gbSeconds: { local: number; aws: number; ceiling: number };
  readonly requests: number;
}

export function renewalRun(cost: CostResult): MeasuredRun | undefined {
  return cost.measured.find((run) => run.kind === 'renewal');
}

/** The same renewal with every function starting in a new container (bench/cost.ts). */
export function coldRenewalRun(cost: CostResult): MeasuredRun | undefined {
  return cost.measured.find((run) => run.kind === 'renewal, cold containers');
}

export function lambdaCosts(cost: CostResult, coldStart: ColdStartResult | undefined): LambdaCosts | undefined {
  const run = renewalRun(cost);
  if (!run) return undefined;
  const seen = new Set<string>();
  const rows = run.invocations.map((invocation) => {
    const memoryMb = memoryOf(cost.memoryMb, invocation.functionName);
    const calls = sum(Object.values(invocation.calls));
    const acme = sum(Object.values(invocation.acmeRequests));
    const cold = !seen.has(invocation.functionName);
    seen.add(invocation.functionName);
    const bundle = coldStart?.bundles.find((candidate) => candidate.functionName === invocation.functionName);
    const importMs = bundle && bundle.importMs.length > 0 ? median(bundle.importMs) : AWS_MODEL.fallbackImportMs;
    const awsMs = invocation.ms + calls * AWS_MODEL.awsApiCallMs + acme * AWS_MODEL.acmeRequestMs + (cold ? AWS_MODEL.runtimeInitMs + importMs : 0);
    return { invocation, memoryMb, localMs: Math.max(1, Math.ceil(invocation.ms)), awsMs: Math.ceil(awsMs), cold };
  });
  const gb = (ms: number, mb: number) => (ms / 1000) * (mb / 1024);
  return {
    rows,
    gbSeconds: {
      local: sum(rows.map((row) => gb(row.localMs, row.memoryMb))),
      aws: sum(rows.map((row) => gb(row.awsMs, row.memoryMb))),
      ceiling: sum(rows.map((row) => gb(AWS_MODEL.ceilingMs, row.memoryMb))),
    },
    requests: rows.length,
  };
}

export function callsBy(run: MeasuredRun): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const invocation of run.invocations) for (const [key, value] of Object.entries(invocation.calls)) totals[key] = (totals[key] ?? 0) + value;
  return totals;
}

export function acmeBy(run: MeasuredRun): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const invocation of run.invocations) for (const [key, value] of Object.entries(invocation.acmeRequests)) totals[key] = (totals[key] ?? 0) + value;
  return totals;
}

export function serviceTotal(calls: Record<string, number>, service: string): number {
  return sum(
    Object.entries(calls)
      .filter(([key]) => key.startsWith(`${service}:`))
      .map(([, value]) => value),
  );
}

export function dynamoCost(calls: Record<string, number>): number {
  return (
    (calls['DynamoDB:GetItem'] ?? 0) * PRICES.dynamoPerRead + ((calls['DynamoDB:UpdateItem'] ?? 0) + (calls['DynamoDB:PutItem'] ?? 0)) * PRICES.dynamoPerWrite
  );
}

export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '–' : entries.map(([key, value]) => `${key} ${value}`).join(', ');
}
