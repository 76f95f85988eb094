/**
 * `certstep local demo` (what `npm start` runs): issue the apex + wildcard certificate of
 * examples/web.json from a private Pebble, then run again as if at its renewal time and show
 * that it was renewed with a new key.
 */
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredCertificate } from '../../functions/ports/certificate-store.js';
import type { RunArguments } from '../arguments.js';
import { exitCodeOf } from '../run-end.js';
import { EXIT, environmentFor, runAndPrint } from './run-command.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/web.json', import.meta.url));

export async function runDemo(args: RunArguments): Promise<number> {
  const input = JSON.parse(await readFile(EXAMPLE, 'utf8')) as unknown;
  await mkdir(args.storeDir, { recursive: true });
  const storeDir = await mkdtemp(path.join(args.storeDir, 'demo-'));
  const environment = await environmentFor(args);
  try {
    say(`certstep demo: issuing ${path.relative(process.cwd(), EXAMPLE)} into ${storeDir}`);
    const first = await runAndPrint(input, { ...args, storeDir }, environment);
    if (first.status !== 'SUCCEEDED') return exitCodeOf(first);
    const issued = await readStored(first.certificatePath);

    const renewalTime = new Date(new Date(issued.renewalTime).getTime() + 60_000);
    say(`\ncertstep demo: running again as if it were ${renewalTime.toISOString()} (just past the renewal time)`);
    const second = await runAndPrint(input, { ...args, storeDir, now: renewalTime }, environment);
    if (second.status !== 'SUCCEEDED') return exitCodeOf(second);
    const renewed = await readStored(second.certificatePath);

    say('\nSummary');
    say(`  names          ${renewed.dnsNames.join(', ')}`);
    for (const [label, certificate] of [
      ['issued ', issued],
      ['renewed', renewed],
    ] as const) {
      say(`  ${label}        revision ${certificate.revision}, serial ${certificate.serialNumber}, notAfter ${certificate.notAfter}`);
    }
    say(`  new key        ${issued['tls.key'] === renewed['tls.key'] ? 'NO (unexpected)' : 'yes, a fresh key at renewal'}`);
    say(`  next renewal   ${renewed.renewalTime}`);
    say(`  stored in      ${second.certificatePath}`);
    return renewed.revision === issued.revision + 1 ? EXIT.succeeded : EXIT.failed;
  } finally {
    await environment.stop();
  }
}

async function readStored(file: string): Promise<StoredCertificate> {
  return JSON.parse(await readFile(file, 'utf8')) as StoredCertificate;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
