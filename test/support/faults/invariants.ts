/**
 * What every fault case checks, whatever the fault: the run ended the way it should, the
 * certificate that was serving still serves, no challenge TXT value is left in DNS, and no
 * private key reached the execution history or the output.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, vi } from 'vitest';
import type { EventLog, LocalRunResult } from '../../../cli/local/runner.js';

type StateEvent = EventLog & { state: { name: string; type: string; input?: unknown; output?: unknown } };

const stateEvents = (result: Pick<LocalRunResult, 'events'>, type: string) =>
  result.events.filter((event): event is StateEvent => event.type === type && typeof event.state === 'object');

/** How many times the execution entered a state. */
export function timesEntered(result: Pick<LocalRunResult, 'events'>, state: string): number {
  return stateEvents(result, 'StateEntered').filter((event) => event.state.name === state).length;
}

/** Names of the states the state machine retried (one entry per StateRetried event). */
export function retriedStates(result: Pick<LocalRunResult, 'events'>): string[] {
  return stateEvents(result, 'StateRetried').map((event) => event.state.name);
}

/** The raw input a state was last entered with: what a redrive of that state starts from. */
export function inputOf<T = Record<string, unknown>>(result: Pick<LocalRunResult, 'events'>, state: string): T {
  const entered = stateEvents(result, 'StateEntered')
    .filter((event) => event.state.name === state)
    .at(-1);
  if (!entered) throw new Error(`the execution never entered ${state}`);
  return entered.state.input as T;
}

/** The output a state left, e.g. CleanUpAfterFailure's `cleanUp.removed`. */
export function outputOf<T = Record<string, unknown>>(result: Pick<LocalRunResult, 'events'>, state: string): T {
  const exited = stateEvents(result, 'StateExited')
    .filter((event) => event.state.name === state)
    .at(-1);
  if (!exited) throw new Error(`the execution never left ${state}`);
  return exited.state.output as T;
}

/** Asserts the end of a failed run: its error name, words of its cause, and that clean-up ran. */
export function expectFailedCleanly(result: LocalRunResult, error: string, cause: RegExp | string): void {
  expect(result.status, `expected ${error}, the run ended ${result.status}: ${result.error} ${result.cause}`).toBe('FAILED');
  expect(result.error, result.cause).toBe(error);
  if (typeof cause === 'string') expect(result.cause).toContain(cause);
  else expect(result.cause).toMatch(cause);
  // Clean-up itself succeeded: the run ended in Failed, not FailedWithoutCleanUp.
  expect(timesEntered(result, 'CleanUpAfterFailure')).toBe(1);
  expect(timesEntered(result, 'Failed')).toBe(1);
}

/** Asserts the end of a successful run: it issued, and ended in the Issued state. */
export function expectIssued(result: Pick<LocalRunResult, 'status' | 'cause' | 'events'>): void {
  expect(result.status, result.cause).toBe('SUCCEEDED');
  expect(stateEvents(result, 'StateEntered').at(-1)?.state.name).toBe('Issued');
}

/** Every private key a store directory holds: certificate keys, pending keys and ACME account keys. */
export async function privateKeysIn(storeDir: string): Promise<string[]> {
  const keys: string[] = [];
  for (const file of await filesUnder(storeDir)) {
    if (!file.endsWith('.json') || file.includes(`${path.sep}executions${path.sep}`)) continue;
    keys.push(...keyBodiesIn(await readFile(file, 'utf8')));
  }
  return keys;
}

/** The base64 bodies of the PEM private keys in a text (JSON-escaped or not), e.g. a secret value. */
export function keyBodiesIn(text: string): string[] {
  return [...text.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n|\n)([\s\S]+?)-----END/g)].map((match) => (match[1] ?? '').replace(/\\n|\n/g, ''));
}

/**
 * No key material in the execution history (the events, and the copies the runner keeps
 * under executions/) nor in anything written to stdout/stderr: neither the PEM armour nor a
 * slice of any key body the store holds, nor of any extra key given (e.g. a secret value).
 */
export async function expectNoKeyMaterial(
  result: Pick<LocalRunResult, 'events'>,
  storeDir: string,
  options: { output?: string; extraKeys?: readonly string[] } = {},
): Promise<void> {
  const histories = [JSON.stringify(result.events)];
  for (const file of await filesUnder(path.join(storeDir, 'executions'))) histories.push(await readFile(file, 'utf8'));
  const haystack = `${histories.join('\n')}\n${options.output ?? ''}`;
  const keys = [...(await privateKeysIn(storeDir)), ...(options.extraKeys ?? [])];
  expect(keys.length, 'expected the store to hold at least one key to look for').toBeGreaterThan(0);
  expect(haystack).not.toContain('PRIVATE KEY');
  for (const body of keys) {
    // A 40-character slice from the middle: long enough never to occur by chance.
    const slice = body.slice(Math.floor(body.length / 2) - 20, Math.floor(body.length / 2) + 20);
    expect(slice.length).toBe(40);
    expect(haystack.includes(slice), 'a slice of a private key appears in the history or output').toBe(false);
  }
}

/**
 * Puts a real certificate in place as the one serving `input`'s certificate in `storeDir`,
 * issued under another ACME account (another store). Pebble reuses a valid authorization
 * 1 % of the time even at PEBBLE_AUTHZREUSE=0 (it reuses unless rand.Intn(100) > percent),
 * which would let a run skip the very challenge a fault targets; an account that never
 * validated these names has nothing to reuse. Returns the file's exact bytes.
 */
export async function placeServingCertificate(
  run: (input: unknown) => Promise<LocalRunResult>,
  input: { certificate: { name: string } },
  storeDir: string,
): Promise<string> {
  const elsewhere = await run(input);
  expect(elsewhere.status, elsewhere.cause).toBe('SUCCEEDED');
  const bytes = await readFile(elsewhere.certificatePath, 'utf8');
  await mkdir(path.join(storeDir, 'certificates'), { recursive: true });
  await writeFile(path.join(storeDir, 'certificates', `${input.certificate.name}.json`), bytes);
  return bytes;
}

/** Records what the process writes to stdout and stderr (still writing it through). */
export function captureOutput(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    return vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return original(chunk, ...rest);
    }) as never);
  });
  return {
    text: () => chunks.join(''),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}
