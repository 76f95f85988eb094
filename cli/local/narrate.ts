/**
 * One human line per step, in cert-manager's spirit, from the execution's own events: what
 * the operator sees is exactly what the history records.
 */
import type { EventLog } from './runner.js';

interface StateData {
  readonly name: string;
  readonly input?: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
}

type Lines = (output: Record<string, unknown>) => string[];

const str = (value: unknown) => String(value ?? '');

const TASK_LINES: Record<string, Lines> = {
  CheckRenewal: ({ renewal }) => {
    const decision = (renewal ?? {}) as Record<string, unknown>;
    if (!decision.message) return [];
    if (decision.due) return [`issuing: ${str(decision.message)} (${str(decision.reason)})`];
    return [decision.repair ? `${str(decision.message)} (${str(decision.reason)})` : str(decision.message)];
  },
  CreateOrder: ({ order }) => {
    const created = order as { url: string; status: string; challenges: unknown[]; reusedAuthorizations: string[]; resumed?: boolean };
    const what = created.resumed ? `order resumed (${created.status}), left in flight by an earlier run` : 'order created';
    return [
      `${what}: ${created.url} (${created.challenges.length} to validate, ${created.reusedAuthorizations.length} already valid)`,
      ...created.reusedAuthorizations.map((name) => `authorization already valid, not presented again: ${name}`),
    ];
  },
  PresentChallenges: ({ order }) =>
    ((order as { challenges: { recordName: string; dnsName: string; wildcard: boolean }[] }).challenges ?? []).map(
      (challenge) => `TXT presented: ${challenge.recordName} for ${challenge.wildcard ? '*.' : ''}${challenge.dnsName}`,
    ),
  CheckPropagation: ({ propagation }) => {
    const progress = propagation as { ready: boolean; attempts: number; maxAttempts: number; detail: string };
    return [progress.ready ? `propagated: ${progress.detail}` : `not propagated yet (check ${progress.attempts}/${progress.maxAttempts}): ${progress.detail}`];
  },
  AcceptChallenges: ({ validation }) => [str((validation as { detail: string }).detail)],
  PollAuthorizations: ({ validation, order }) => {
    const progress = validation as { status: string; attempts: number };
    if (progress.status === 'pending') return [`waiting for the CA to validate (check ${progress.attempts})`];
    if (progress.status === 'invalid') return [];
    const names = ((order as { challenges: { dnsName: string; wildcard: boolean }[] }).challenges ?? []).map(
      (challenge) => `${challenge.wildcard ? '*.' : ''}${challenge.dnsName}`,
    );
    return names.map((name) => `authorization valid: ${name}`);
  },
  Finalize: ({ issuance }) => {
    const progress = issuance as { pendingKeyVersion?: string; detail: string; status: string };
    // An order the CA issued while answering the CSR is never polled: PollFinalizedOrder's line is said here.
    const issued = progress.status === 'valid' ? ['certificate issued by the CA'] : [];
    // A dry run saves no key: its detail says so.
    if (!progress.pendingKeyVersion) return [str(progress.detail), ...issued];
    return [`key saved as pending version ${progress.pendingKeyVersion}; ${progress.detail.replace(/^sent/, 'sent')}`, ...issued];
  },
  PollFinalizedOrder: ({ issuance }) => {
    const progress = issuance as { status: string; attempts: number };
    return progress.status === 'valid'
      ? ['certificate issued by the CA']
      : progress.status === 'pending'
        ? [`waiting for the CA to issue (check ${progress.attempts})`]
        : [];
  },
  StoreCertificate: ({ issued }) => {
    const summary = issued as { serialNumber: string; notAfter: string; revision: number; discarded?: boolean };
    if (summary.discarded) return [`test certificate verified and discarded (dry run): serial ${summary.serialNumber}, notAfter ${summary.notAfter}`];
    return [`issued: serial ${summary.serialNumber}, notAfter ${summary.notAfter}, revision ${summary.revision}`];
  },
  ImportToAcm: ({ acm }) =>
    ((acm as { imports: { region: string; arn: string; reimported: boolean }[] }).imports ?? []).map(
      (imported) => `${imported.reimported ? 're-imported into' : 'imported as'} ${imported.arn} (${imported.region})`,
    ),
  ScheduleRenewal: ({ schedule }) => [`next renewal at ${str((schedule as { at: string }).at)}`],
  CleanUp: ({ cleanUp }) => [`cleaned up ${str((cleanUp as { removed: number }).removed)} TXT record(s)`],
  CleanUpAfterFailure: ({ cleanUp }) => [`cleaned up ${str((cleanUp as { removed: number }).removed)} TXT record(s) after the failure`],
};

/** Narration is a courtesy: an event it cannot read yields no line, never a crash of the run. */
export function narrate(event: EventLog): string[] {
  try {
    return narrateEvent(event);
  } catch {
    return [];
  }
}

function narrateEvent(event: EventLog): string[] {
  const state = event.state as StateData | undefined;
  switch (event.type) {
    case 'StateExited': {
      const lines = state && TASK_LINES[state.name];
      // A Task whose error was caught also exits, with the error where its result would be.
      const caught = state?.name !== 'CleanUpAfterFailure' && (state?.output as { failure?: unknown } | undefined)?.failure !== undefined;
      if (!lines || !state.output || caught) return [];
      return lines(state.output).map((line) => `${state.name.padEnd(19)} ${line}`);
    }
    case 'StateRetried':
      return state ? [`${state.name.padEnd(19)} retrying (attempt ${str((event.retry as { attempt: number }).attempt)})`] : [];
    case 'StateFailed':
      return state ? [`${state.name.padEnd(19)} failed: ${str(event.Error)}: ${str(event.Cause)}`] : [];
    default:
      return [];
  }
}
