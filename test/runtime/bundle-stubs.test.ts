/**
 * mime-db (134 KiB of JSON, through axios → form-data → mime-types) is aliased to an empty
 * stub in the bundles (issue 18): it is gone from them, and acme-client's axios still sends
 * and reads JSON through a bundle built that way. So is bowser in the Lambdas (~34 KiB, a chunk
 * no Node client reads): the SDK's browser user-agent provider, which imports it, still answers.
 */
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { lambdaAliases, stubLists } from '../../scripts/lambda-bundle.mjs';
import { bundleEntry, bundleEntryAsLambda, bundleLikeLambda, bytesIn, runBundle } from '../support/lambda-bundle.js';

const STUBS = join(PROJECT_ROOT, 'functions', 'runtime', 'stubs');
const ALIASES = { 'node-forge': join(STUBS, 'node-forge.cjs'), 'mime-db': join(STUBS, 'mime-db.cjs') };

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ echoed: JSON.parse(body || '{}'), contentType: request.headers['content-type'] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function bundle(entry: string, alias: Record<string, string>) {
  const result = await bundleLikeLambda({ entryPoints: [entry], write: false, external: ['@aws-sdk/*', '@smithy/*'], alias });
  return {
    bytesOf: (part: string) => bytesIn(result, part),
    total: Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0),
  };
}

describe('the mime-db stub', () => {
  it('keeps mime-db out of an ACME function bundle', async () => {
    const entry = join(PROJECT_ROOT, 'functions', 'handlers', 'create-order.ts');

    const stubbed = await bundle(entry, ALIASES);
    const whole = await bundle(entry, { 'node-forge': ALIASES['node-forge'] });

    expect(whole.bytesOf('node_modules/mime-db/')).toBeGreaterThan(100_000);
    expect(stubbed.bytesOf('node_modules/mime-db/')).toBe(0);
    expect(whole.total - stubbed.total).toBeGreaterThan(100_000);
  }, 60_000);

  it("leaves acme-client's axios sending and reading JSON", async () => {
    const { outfile } = await bundleEntry(
      [
        "import acme from 'acme-client';",
        "import FormData from 'form-data';",
        `const answer = await acme.axios.post(${JSON.stringify(`${base}/echo`)}, { hello: 'ca' }, { validateStatus: () => true });`,
        'const form = new FormData();',
        "form.append('part', Buffer.from('x'), { filename: 'part.pem' });",
        'console.log(JSON.stringify({ data: answer.data, form: form.getHeaders()["content-type"].split(";")[0] }));',
      ],
      { alias: ALIASES, external: ['@aws-sdk/*', '@smithy/*'] },
    );

    const printed = await runBundle(outfile);

    expect(readFileSync(outfile, 'utf8')).not.toContain('application/vnd.openxmlformats');
    expect(JSON.parse(printed)).toEqual({ data: { echoed: { hello: 'ca' }, contentType: 'application/json' }, form: 'multipart/form-data' });
  }, 60_000);

  it('is what the package build aliases mime-db to', () => {
    // The package build's CLI takes its stubs from the list every Lambda's bundle reads too.
    const script = readFileSync(join(PROJECT_ROOT, 'scripts', 'build.mjs'), 'utf8');
    const stubs = stubLists();

    expect(script).toMatch(/alias: stubAliases\(stubLists\(\)\.everyBundle\)/);
    expect(join(PROJECT_ROOT, stubs.everyBundle['mime-db'] ?? '')).toBe(ALIASES['mime-db']);
    expect(lambdaAliases()['mime-db']).toBe(ALIASES['mime-db']);
  });
});

describe('the bowser stub', () => {
  it("leaves the SDK's browser user-agent provider, its one caller, answering without a browser", async () => {
    const { index } = await bundleEntryAsLambda([
      "import { createUserAgentStringParsingProvider } from '@aws-sdk/core/client';",
      "const sections = await createUserAgentStringParsingProvider({ serviceId: 'Route 53', clientVersion: '3.0.0' })();",
      'console.log(JSON.stringify(sections));',
    ]);

    const sections = JSON.parse(await runBundle(index)) as string[][];

    expect(lambdaAliases().bowser).toBe(join(STUBS, 'bowser.cjs'));
    expect(sections).toContainEqual(['md/browser', 'unknown_unknown']);
    expect(sections).toContainEqual(['api/Route 53', '3.0.0']);
  }, 60_000);
});
