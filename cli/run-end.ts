/**
 * How a run ended, said and turned into an exit code the same way whether it ran here
 * (`certstep local run`, a local `renew`) or on AWS and was waited for (`renew --aws --wait`).
 */
import { storedIssue, type WorkflowState } from '../functions/core/workflow-state.js';
import { EXIT } from './exit-codes.js';

/** A run's end: the execution's status, the state machine's output, or its error and cause. */
export interface RunEnd {
  /** SUCCEEDED, FAILED, ABORTED or TIMED_OUT, as Step Functions names them. */
  readonly status: string;
  readonly output?: WorkflowState;
  readonly error?: string;
  readonly cause?: string;
}

/** CheckRenewal's BackingOff verdict, which the ASL routes to the HeldBack Succeed state. */
export function isHeldBack(end: RunEnd): boolean {
  return end.status === 'SUCCEEDED' && !end.output?.issued && end.output?.renewal?.reason === 'BackingOff';
}

/** A run the failure hold-off stopped ends SUCCEEDED in HeldBack; cron must still see it (3). */
export function exitCodeOf(end: RunEnd): number {
  // A dry run that ordered nothing (another run holds the certificate) verified nothing: not a success.
  if (end.output?.dryRun && end.status === 'SUCCEEDED') return end.output.issued ? EXIT.succeeded : EXIT.failed;
  if (end.status === 'SUCCEEDED') return isHeldBack(end) ? EXIT.heldBack : EXIT.succeeded;
  return end.error === 'InvalidInput' ? EXIT.invalidInput : EXIT.failed;
}

/**
 * The line (or two) that says how a run ended, and where it goes: standard output for a run
 * that did what it should, standard error for one that did not. `where` names the stored
 * certificate locally ("in .certstep/certificates/web.json"); a dry run is said as one even
 * when it failed before its output said so.
 */
export function runEndReport(end: RunEnd, options: { dryRun: boolean; where?: string }): { stream: 'out' | 'err'; text: string } {
  if (end.output?.dryRun || options.dryRun) return dryRunReport(end);
  const where = options.where ? ` in ${options.where}` : '';
  if (end.status !== 'SUCCEEDED')
    return { stream: 'err', text: `${failedAs(end.status)}: ${[end.error, end.cause].filter(Boolean).join(': ') || 'no error given'}` };
  const issued = end.output && storedIssue(end.output);
  const renewal = end.output?.renewal;
  if (isHeldBack(end)) return { stream: 'out', text: `Held back: ${renewal?.message} (nothing was tried)` };
  if (issued) return { stream: 'out', text: `Succeeded: certificate issued (revision ${issued.revision})${where}` };
  if (renewal?.repair === true)
    return { stream: 'out', text: `Succeeded: outputs repaired without ordering (${renewal.reason}); the certificate${where} is unchanged` };
  return { stream: 'out', text: `Succeeded: ${renewal?.message ?? 'certificate is up to date'}` };
}

/** What a dry run did, plainly: where it ordered, what it verified and discarded, that nothing live changed. */
function dryRunReport(end: RunEnd): { stream: 'out' | 'err'; text: string } {
  const tested = end.output?.issued && 'discarded' in end.output.issued ? end.output.issued : undefined;
  const untouched = 'The stored certificate, its schedule and ACM copies were left alone; no event was sent.';
  if (end.status === 'SUCCEEDED' && tested) {
    return {
      stream: 'out',
      text: `Dry run succeeded: ordered from ${tested.directoryUrl}; the test certificate (serial ${tested.serialNumber}) passed verification and was discarded.\n${untouched}`,
    };
  }
  if (end.status === 'SUCCEEDED') return { stream: 'err', text: `Dry run not done: ${end.output?.renewal?.message ?? 'nothing was ordered'}\n${untouched}` };
  return {
    stream: 'err',
    text: `Dry run failed: ${[end.error, end.cause].filter(Boolean).join(': ') || failedAs(end.status)}\n${untouched} The failure does not count towards the hold-off.`,
  };
}

function failedAs(status: string): string {
  return { FAILED: 'Failed', ABORTED: 'Aborted', TIMED_OUT: 'Timed out' }[status] ?? status;
}
