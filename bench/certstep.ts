/**
 * certstep under load: many executions of the full local state machine (`runLocal`: the real
 * ASL, the real phase code, local adapters) at once in one process, all sharing one
 * LocalEnvironment pointed at the bench's Pebble, and one store directory so that the ACME
 * account registered by the warm-up is reused, as it is on AWS.
 *
 * Polling is certstep's own (LOCAL_POLLING in cli/local/runner.ts) unless a what-if asks for
 * something else through runLocal's `polling` option; the bench never edits certstep's code.
 */
import { LocalEnvironment } from '../cli/local/environment.js';
import { type EventLog, type LocalRunOptions, type LocalRunResult, runLocal } from '../cli/local/runner.js';
import type { CaEndpoint } from './lib/bench-ca.js';

export interface CertstepCertificateResult {
  readonly name: string;
  readonly status: LocalRunResult['status'];
  readonly error?: string;
  readonly wallMs: number;
  /** Every state entered, in order (one Standard-workflow transition each). */
  readonly statesEntered: string[];
  /** Milliseconds spent in each state, summed over its visits (StateEntered → StateExited). */
  readonly msByState: Record<string, number>;
  /** Seconds the Wait states were asked to wait, summed. */
  readonly waitSecondsAsked: number;
}

export type PollingOverride = LocalRunOptions['polling'];

/**
 * How the process comes to trust Pebble's throwaway CA:
 * - 'bundle': the issuer's caBundlePem, as `certstep local` and the tests configure it (the
 *   gateway then sends every ACME request through its own https.Agent);
 * - 'node-extra-ca-certs': no caBundlePem, the CA added to Node's default store through
 *   NODE_EXTRA_CA_CERTS by the parent; this is the code path of a publicly trusted CA such as
 *   Let's Encrypt on AWS, where no bundle is configured.
 */
export type CaTrust = 'bundle' | 'node-extra-ca-certs';

export function environmentFor(ca: CaEndpoint, trust: CaTrust = 'bundle'): LocalEnvironment {
  return new LocalEnvironment({
    external: {
      directoryUrl: ca.directoryUrl,
      ...(trust === 'bundle' && { caBundlePem: ca.caCertPem }),
      challtestsrvUrl: ca.challtestsrvUrl,
      dnsServer: ca.dnsServer,
    },
  });
}

export function benchInput(name: string, dnsNames: readonly string[]) {
  return { certificate: { name, dnsNames: [...dnsNames], issuer: 'local' } };
}

/** Apex + wildcard, distinct per run so that no authorization can be reused. */
export function certificateNames(prefix: string, count: number): { name: string; dnsNames: string[] }[] {
  return Array.from({ length: count }, (_, index) => {
    const apex = `${prefix}-b${index}.example.test`;
    return { name: `${prefix}-b${index}`, dnsNames: [apex, `*.${apex}`] };
  });
}

export async function issueWithCertstep(options: {
  readonly environment: LocalEnvironment;
  readonly storeDir: string;
  readonly certificates: readonly { name: string; dnsNames: readonly string[] }[];
  readonly polling?: PollingOverride;
}): Promise<CertstepCertificateResult[]> {
  return Promise.all(
    options.certificates.map(async ({ name, dnsNames }) => {
      const started = performance.now();
      const result = await runLocal({
        input: benchInput(name, dnsNames),
        storeDir: options.storeDir,
        environment: options.environment,
        ...(options.polling && { polling: options.polling }),
      });
      return summarise(name, result, performance.now() - started);
    }),
  );
}

export function summarise(name: string, result: LocalRunResult, wallMs: number): CertstepCertificateResult {
  const statesEntered: string[] = [];
  const msByState: Record<string, number> = {};
  const enteredAt = new Map<string, number>();
  let waitSecondsAsked = 0;
  for (const event of result.events) {
    const state = event.state as { name: string; type: string; input?: unknown } | undefined;
    if (!state) continue;
    if (event.type === 'StateEntered') {
      statesEntered.push(state.name);
      enteredAt.set(state.name, event.timestamp);
      if (state.type === 'Wait') waitSecondsAsked += waitSecondsOf(state.name, state.input);
    } else if (event.type === 'StateExited' || event.type === 'StateFailed') {
      const since = enteredAt.get(state.name);
      if (since !== undefined) msByState[state.name] = (msByState[state.name] ?? 0) + (event.timestamp - since);
    }
  }
  return {
    name,
    status: result.status,
    ...(result.error && { error: `${result.error}: ${result.cause ?? ''}`.slice(0, 300) }),
    wallMs,
    statesEntered,
    msByState,
    waitSecondsAsked,
  };
}

/** The Wait states read their seconds from the state written by the Task before them. */
function waitSecondsOf(stateName: string, input: unknown): number {
  const state = input as { propagation?: { waitSeconds?: number }; validation?: { waitSeconds?: number }; issuance?: { waitSeconds?: number } } | undefined;
  const seconds =
    stateName === 'WaitForPropagation'
      ? state?.propagation?.waitSeconds
      : stateName === 'WaitForValidation'
        ? state?.validation?.waitSeconds
        : stateName === 'WaitForCertificate'
          ? state?.issuance?.waitSeconds
          : undefined;
  return typeof seconds === 'number' ? seconds : 0;
}

export type { EventLog };
