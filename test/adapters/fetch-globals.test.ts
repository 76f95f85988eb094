/**
 * acme-client is loaded without waking Node's fetch (functions/adapters/acme-client-module.ts):
 * axios probes fetch, Request, Response and FormData at load, and the first touch of any of them
 * makes Node load its bundled undici, ~50 ms of a cold start. The Lambda bundles no longer carry
 * axios (its stand-in, functions/runtime/stubs/axios-core.cjs, probes nothing); the CLI and the
 * sources do. Checked in fresh processes, on bundles with the real axios as the CLI's is, on the
 * sources as the CLI runs them, and on the Lambda bundles as the stack builds them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUMMY_ENV } from '../../bench/coldstart.js';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleEntry, lambdaStubAliases } from '../support/lambda-bundle.js';

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), 'certstep-fetch-globals-'));
const MODULE = join(PROJECT_ROOT, 'functions', 'adapters', 'acme-client-module.ts');

/** What a fresh process that ran `entry` reports: whether undici was loaded, and the globals as they are after. */
const REPORT = [
  "const undici = process.moduleLoadList.some((name) => name.includes('undici'));",
  "const kinds = ['fetch', 'Request', 'Response', 'FormData'].map((name) => typeof globalThis[name]);",
  'console.log(JSON.stringify({ undici, kinds }));',
].join('\n');

/** Bundled as a Lambda is, or with the real axios (without its stand-in), as the CLI bundles acme-client. */
async function bundled(source: string, axios: 'stand-in' | 'real' = 'stand-in'): Promise<string> {
  const { axios: standIn, ...others } = lambdaStubAliases();
  return (await bundleEntry([source], { alias: axios === 'real' ? others : { ...others, ...(standIn && { axios: standIn }) } })).outfile;
}

async function reportOf(args: string[]): Promise<{ undici: boolean; kinds: string[]; answered?: unknown }> {
  const { stdout } = await run(process.execPath, args, { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', ...DUMMY_ENV }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{"fetched":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('loading acme-client', () => {
  it('wakes undici when imported directly (why acme-client-module.ts exists)', async () => {
    const outfile = await bundled(`import acme from 'acme-client';\nglobalThis.kept = acme;\n${REPORT}`, 'real');
    expect((await reportOf([outfile])).undici).toBe(true);
  }, 60_000);

  it('does not, through acme-client-module.ts, and leaves the fetch globals working', async () => {
    const source = `import { acme, axios } from ${JSON.stringify(MODULE)};\nglobalThis.kept = [acme, axios];\n${REPORT.replace(
      'console.log(JSON.stringify({ undici, kinds }));',
      `const answered = await (await fetch(${JSON.stringify(url)})).json();\nconsole.log(JSON.stringify({ undici, kinds, answered }));`,
    )}`;
    const outfile = await bundled(source, 'real');
    const report = await reportOf([outfile]);
    expect(report).toEqual({ undici: false, kinds: ['function', 'function', 'function', 'function'], answered: { fetched: true } });
  }, 60_000);

  it('does not, from the sources as the CLI runs them (native ESM)', async () => {
    const entry = join(directory, 'sources.mts');
    writeFileSync(entry, `import { acme } from ${JSON.stringify(MODULE)};\n(globalThis as Record<string, unknown>).kept = acme;\n${REPORT}`);
    const report = await reportOf(['--import', 'tsx', entry]);
    expect(report).toEqual({ undici: false, kinds: ['function', 'function', 'function', 'function'] });
  }, 60_000);

  it.each(['create-order', 'accept-challenges', 'poll-order', 'finalize', 'store-certificate'])(
    'does not, at the init of the %s Lambda',
    async (handler) => {
      const outfile = await bundled(`import ${JSON.stringify(join(PROJECT_ROOT, 'functions', 'handlers', `${handler}.ts`))};\n${REPORT}`);
      expect(await reportOf([outfile])).toEqual({ undici: false, kinds: ['function', 'function', 'function', 'function'] });
    },
    60_000,
  );
});
