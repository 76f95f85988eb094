/**
 * Text for people. Machines get `--json` instead, so this may change its layout freely.
 * Times are shown in UTC to the second: renewal and hold-off times are compared across machines.
 */
import type { CertificateDetails, CertificateStatus, LastRun } from './model.js';

export function time(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function activeRun(status: CertificateStatus): string {
  const run = status.activeRun;
  if (!run) return 'no';
  return run.expired ? `no (lease of ${shortId(run.runId)} ended ${time(run.leaseUntil)})` : `yes (${shortId(run.runId)} since ${time(run.since)})`;
}

function shortId(executionArn: string): string {
  return executionArn.split(':').at(-1) ?? executionArn;
}

export function renderStatus(rows: readonly CertificateStatus[], notes: readonly string[] = []): string {
  if (rows.length === 0) return 'No certificates.';
  const rendered = table(
    ['NAME', 'DNS NAMES', 'NOT AFTER', 'RENEWS AT', 'REASON', 'LAST RESULT', 'FAILURES', 'HOLD-OFF UNTIL', 'ACTIVE RUN'],
    rows.map((row) => [
      row.name,
      row.dnsNames.join(',') || '-',
      time(row.notAfter),
      time(row.renewalTime),
      row.reason,
      row.lastResult ? `${row.lastResult} ${time(row.lastRunAt)}` : '-',
      String(row.consecutiveFailures),
      time(row.holdOffUntil),
      activeRun(row),
    ]),
  );
  return notes.length ? [rendered, '', ...notes].join('\n') : rendered;
}

function section(title: string, pairs: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return [title, ...pairs.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`), ''];
}

export function renderDetails(details: CertificateDetails): string {
  const { status, spec, stored, ledger } = details;
  const lines: string[] = [];
  lines.push(
    ...section(`Certificate ${details.name}`, [
      ['dnsNames', status.dnsNames.join(', ') || '-'],
      ['spec from', details.specSource ?? 'nowhere (no schedule, stored certificate or execution)'],
      ...(spec
        ? ([
            ['issuer', spec.issuer],
            ['keyAlgorithm', spec.keyAlgorithm],
            ['renewBefore', spec.renewBefore],
            ...(spec.profile ? [['profile', spec.profile] as const] : []),
            ...(spec.dns01 ? [['dns01', JSON.stringify(spec.dns01)] as const] : []),
            ...(spec.acm ? [['acm', JSON.stringify(spec.acm)] as const] : []),
          ] as const)
        : []),
      ['renewal', `${status.reason}: ${status.message}`],
    ]),
  );
  lines.push(
    ...(stored
      ? section('Stored certificate', [
          ['serial', stored.serialNumber],
          ['notBefore', time(stored.notBefore)],
          ['notAfter', time(stored.notAfter)],
          ['renewalTime', time(stored.renewalTime)],
          ['revision', String(stored.revision)],
          ['ariCertId', stored.ariCertId ?? '-'],
          ['profile', stored.profile ?? '-'],
        ])
      : ['Stored certificate', details.storedUnknown ? '  not known here without reading the key (see Notes)' : '  none yet', '']),
  );
  lines.push('Stored versions');
  if (details.versions.length === 0) lines.push('  none');
  else {
    const rows = details.versions.map((version) => [
      version.id,
      version.stages.join(',') || '-',
      time(version.created),
      version.serialNumber ? `serial ${version.serialNumber} revision ${version.revision ?? '?'}` : '',
    ]);
    lines.push(...indent(table(['VERSION', 'STAGES', 'CREATED', ''], rows)));
  }
  lines.push('');
  if (details.acm?.length) {
    lines.push('ACM copies');
    const rows = details.acm.map((copy) => [
      copy.region,
      copy.arn ?? '-',
      copy.serialNumber ?? '-',
      copy.current ? 'current' : !copy.arn ? 'missing' : copy.serialNumber ? 'stale' : 'not checked',
    ]);
    lines.push(...indent(table(['REGION', 'ARN', 'SERIAL', 'STATE'], rows)), '');
  }
  lines.push(
    ...section('Ledger', [
      ['last result', ledger?.lastResult ? `${ledger.lastResult} at ${time(ledger.lastRunAt)}` : '-'],
      ['consecutive failures', String(ledger?.consecutiveFailures ?? 0)],
      ['hold-off until', status.holdOffUntil ? time(status.holdOffUntil) : '-'],
      ['last error', ledger?.lastError ? `${ledger.lastError.error}: ${ledger.lastError.cause}` : '-'],
      ['active run', activeRun(status)],
      // Their pending authorizations count against the account's limit at the CA until the next CreateOrder deactivates them.
      ['abandoned orders', ledger?.abandonedOrders?.length ? `${ledger.abandonedOrders.length} awaiting deactivation` : '-'],
      // Only once there was one: a dry run changes none of the rows above.
      ...(ledger?.lastDryRun ? [['last dry run', lastDryRun(ledger.lastDryRun)] as [string, string]] : []),
    ]),
  );
  lines.push(...section('Next scheduled run', [['at', time(details.schedule?.at)]]));
  lines.push('Executions (newest first)');
  if (details.executions.length === 0) lines.push('  none found');
  for (const execution of details.executions) {
    lines.push(
      `  ${time(execution.startedAt)} -> ${time(execution.stoppedAt)}  ${(execution.outcome ?? '-').padEnd(17)}  ${execution.status.padEnd(9)}  ${execution.id}`,
    );
    if (execution.failedState) lines.push(`      failed in ${execution.failedState}`);
    if (execution.error) lines.push(`      ${execution.error}: ${execution.cause ?? ''}`);
  }
  lines.push('');
  if (details.lastRun) lines.push(...runLines(`Last execution ${shortId(details.lastRun.executionId)}`, details.lastRun), '');
  const failure = details.lastFailure;
  if (failure) {
    lines.push(...runLines(`Last failure ${shortId(failure.executionId)} at ${time(failure.startedAt)}`, failure));
    if (failure.failedState) lines.push(`  failed in ${failure.failedState}`);
    if (failure.error) lines.push(`  ${failure.error}: ${failure.cause ?? ''}`);
    lines.push('');
  }
  if (details.notes.length) lines.push('Notes', ...details.notes.map((note) => `  ${note}`), '');
  return lines.join('\n').trimEnd();
}

/** The order, authorizations and TXT records of one run. */
function runLines(title: string, run: LastRun): string[] {
  const lines = [title, run.order ? `  order  ${run.order.url}  (${run.order.status})` : '  order  none created'];
  if (run.authorizations.length) {
    lines.push('  authorizations');
    lines.push(
      ...indent(
        table(
          ['NAME', 'STATUS'],
          run.authorizations.map((a) => [a.name, a.status]),
        ),
        '    ',
      ),
    );
  }
  if (run.records.length) {
    lines.push('  TXT records presented');
    lines.push(
      ...indent(
        table(
          ['RECORD', 'FOR', 'VALUE', 'STILL PRESENT'],
          run.records.map((r) => [r.recordName, r.forName, r.value, r.present]),
        ),
        '    ',
      ),
    );
  }
  return lines;
}

function indent(text: string, prefix = '  '): string[] {
  return text.split('\n').map((line) => `${prefix}${line}`);
}

function lastDryRun(dry: NonNullable<CertificateDetails['ledger']>['lastDryRun'] & object): string {
  const where = dry.directoryUrl ? ` from ${dry.directoryUrl}` : '';
  const what =
    dry.result === 'Succeeded' ? `; test certificate ${dry.serial ?? '?'} verified and discarded` : `: ${dry.error ?? 'Unknown'}: ${dry.cause ?? ''}`;
  return `${dry.result} at ${time(dry.at)}${where}${what}`;
}
