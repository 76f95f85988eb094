/**
 * Hostile execution inputs, each run through the whole state machine with Route 53 as DNS:
 * every one must stop in CheckRenewal with InvalidInput or ZoneNotFound, whose cause names
 * what to fix without echoing megabytes back, before any order. No CA is even running: the
 * environment and the ACME gateway throw if anything asks for one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCa, LocalEnvironment } from '../../cli/local/environment.js';
import { runLocal } from '../../cli/local/runner.js';
import { newStore, statesEntered } from '../support/local-ca.js';
import { route53Provider } from '../support/route53/provider.js';
import { type Route53TestServer, startRoute53TestServer } from '../support/route53/server.js';
import { HOSTILE_CASES } from '../support/faults/hostile-specs.js';
import { retriedStates } from '../support/faults/invariants.js';

/** An environment whose CA must never be needed: asking for it fails the run loudly. */
class NoCaEnvironment extends LocalEnvironment {
  asked = 0;
  constructor() {
    super({ external: { directoryUrl: 'https://127.0.0.1:9/never', challtestsrvUrl: 'http://127.0.0.1:9' } });
  }
  override get(): Promise<LocalCa> {
    this.asked++;
    return Promise.reject(new Error('test: the CA was asked for, but this input should have been refused first'));
  }
}

let server: Route53TestServer;
beforeAll(async () => {
  server = await startRoute53TestServer();
  server.addZone('example.test');
});
afterAll(async () => {
  await server?.stop();
});

describe('hostile certificate specs', () => {
  it('are at least 30', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(HOSTILE_CASES.map((hostile) => [hostile.label, hostile] as const))('%s: refused before any order', async (_label, hostile) => {
    // Prepare
    const environment = new NoCaEnvironment();
    let gatewaysAsked = 0;
    const acme = async () => {
      gatewaysAsked++;
      throw new Error('test: an ACME gateway was asked for, but this input should have been refused first');
    };
    const before = server.calls.length;

    // Act
    const result = await runLocal({
      input: hostile.input,
      storeDir: await newStore(),
      environment,
      dependencies: { acme, dns: () => route53Provider(server).provider },
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error, result.cause?.slice(0, 300)).toBe(hostile.error);
    // Checked before the words, so a cause that echoes a megabyte fails with a short message.
    expect(result.cause?.length ?? 0, 'the cause echoes the input instead of naming the problem').toBeLessThan(600);
    expect(result.cause).toContain(hostile.cause);
    // A null input is refused before the engine runs (it cannot express null as `$`); every other one fails its first state.
    expect(statesEntered(result)).toEqual(hostile.input === null ? [] : ['CheckRenewal', 'CleanUpAfterFailure', 'IsDryRunFailure', 'PublishFailure', 'Failed']);
    expect(retriedStates(result)).toEqual([]);
    expect([environment.asked, gatewaysAsked]).toEqual([0, 0]);
    expect(server.calls.slice(before).filter((call) => call.action === 'ChangeResourceRecordSets')).toEqual([]);
  });
});
