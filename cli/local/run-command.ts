/** `certstep local run`: one execution of the state machine against a local or given CA. */
import { readFile, writeFile } from 'node:fs/promises';
import type { RunArguments } from '../arguments.js';
import { LocalEnvironment } from './environment.js';
import { narrate } from './narrate.js';
import { type EventLog, type LocalRunResult, runLocal, sweepLocalRun } from './runner.js';

import { EXIT } from '../exit-codes.js';
import { describeJsonSyntaxError } from '../json-error.js';
import { exitCodeOf, runEndReport } from '../run-end.js';

export { EXIT } from '../exit-codes.js';

export async function runFromFile(args: RunArguments): Promise<number> {
  const input = await readInput(args.inputFile as string);
  if (!input.ok) {
    process.stderr.write(`certstep: InvalidInput: ${input.message}\n`);
    return EXIT.invalidInput;
  }
  // A non-object input is left as it is: CheckRenewal refuses it with the usual message.
  const value = args.dryRun && isObject(input.value) ? { ...input.value, dryRun: true } : input.value;
  const environment = await environmentFor(args);
  try {
    const result = await runAndPrint(value, args, environment);
    return exitCodeOf(result);
  } finally {
    await environment.stop();
  }
}

export async function environmentFor(args: RunArguments): Promise<LocalEnvironment> {
  if (!args.acmeDirectory || !args.challtestsrvUrl) {
    return new LocalEnvironment({ start: { log: (line) => process.stdout.write(`${'pebble'.padEnd(19)} ${line}\n`) } });
  }
  const caBundlePem = args.acmeCaFile ? await readFile(args.acmeCaFile, 'utf8') : undefined;
  return new LocalEnvironment({
    external: {
      directoryUrl: args.acmeDirectory,
      challtestsrvUrl: args.challtestsrvUrl,
      ...(caBundlePem && { caBundlePem }),
      ...(args.dnsServer && { dnsServer: args.dnsServer }),
    },
  });
}

export async function runAndPrint(input: unknown, args: RunArguments, environment: LocalEnvironment): Promise<LocalRunResult> {
  // Ctrl-C or a TERM stops the execution the way StopExecution does on AWS; what it leaves is
  // then swept up here as the stack's sweeper would (a KILL cannot be caught: the next run
  // takes the certificate over from the dead process and removes what it left).
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const options = {
    input,
    storeDir: args.storeDir,
    environment,
    signal: stop.signal,
    ...(args.now && { now: args.now }),
    onEvent: (event: EventLog) => {
      for (const line of narrate(event)) process.stdout.write(`${line}\n`);
    },
  };
  const result = await runLocal(options).finally(() => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  });
  if (result.status === 'ABORTED') {
    const swept = await sweepLocalRun(result, options).catch((error: unknown) => ({ swept: false as const, why: (error as Error).message }));
    process.stderr.write(
      swept?.swept
        ? `Aborted: cleaned up ${swept.removed} TXT value(s) and released ${swept.certificate}; ${swept.cause ?? ''}\n`
        : `Aborted: ${swept?.why ?? 'nothing to clean up'}\n`,
    );
    return result;
  }
  if (args.historyFile) await writeFile(args.historyFile, `${JSON.stringify(result.events, null, 2)}\n`);
  const report = runEndReport(result, { dryRun: isDryRunInput(input), where: result.certificatePath });
  (report.stream === 'out' ? process.stdout : process.stderr).write(`${report.text}\n`);
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDryRunInput(input: unknown): boolean {
  return isObject(input) && input.dryRun === true;
}

async function readInput(file: string): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: describeJsonSyntaxError(file, text, error as Error) };
  }
}
