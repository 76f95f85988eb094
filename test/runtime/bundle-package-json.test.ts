/**
 * scripts/lambda-bundle.mjs reduces the package.json files the AWS SDK clients and acme-client
 * import for their user agents to name and version (issue 18: "anything else unused kept out").
 * Safe only while those two fields are all they read: pinned here against the installed
 * sources, and checked on the user agents that bundled code sends.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { USER_AGENT_PACKAGE_JSON } from '../../scripts/lambda-bundle.mjs';
import { bundleEntryAsLambda, runBundle } from '../support/lambda-bundle.js';

const MODULES = join(PROJECT_ROOT, 'node_modules');
const CLIENTS = readdirSync(join(MODULES, '@aws-sdk')).filter((name) => name.startsWith('client-'));

function packageJson(name: string): { name: string; version: string; description: string } {
  return JSON.parse(readFileSync(join(MODULES, name, 'package.json'), 'utf8'));
}

/** Every `<binding>.<field>` read in the files, for the binding a package.json is imported as. */
function fieldsRead(files: string[], binding: string): Set<string> {
  const fields = new Set<string>();
  for (const file of files) for (const [, field] of readFileSync(file, 'utf8').matchAll(new RegExp(`\\b${binding}\\.(\\w+)`, 'g'))) fields.add(field as string);
  return fields;
}

describe('what reads the package.json files the bundles reduce', () => {
  it('the filter takes every installed SDK client and acme-client, and nothing beside them', () => {
    expect(CLIENTS.length).toBeGreaterThan(5);
    for (const client of CLIENTS) expect(USER_AGENT_PACKAGE_JSON.test(join(MODULES, '@aws-sdk', client, 'package.json')), client).toBe(true);
    expect(USER_AGENT_PACKAGE_JSON.test(join(MODULES, 'acme-client', 'package.json'))).toBe(true);
    expect(USER_AGENT_PACKAGE_JSON.test(join(MODULES, '@aws-sdk', 'core', 'package.json'))).toBe(false);
    expect(USER_AGENT_PACKAGE_JSON.test(join(MODULES, 'aws-xray-sdk-core', 'package.json'))).toBe(false);
    expect(USER_AGENT_PACKAGE_JSON.test(join(PROJECT_ROOT, 'package.json'))).toBe(false);
  });

  it.each(CLIENTS)('@aws-sdk/%s reads only its version', (client) => {
    const dist = join(MODULES, '@aws-sdk', client, 'dist-es');
    const importers = readdirSync(dist)
      .filter((file) => file.endsWith('.js'))
      .map((file) => join(dist, file))
      .filter((file) => readFileSync(file, 'utf8').includes('package.json'));

    expect(importers.length).toBeGreaterThan(0);
    for (const file of importers) expect(readFileSync(file, 'utf8')).toContain('import packageInfo from "../package.json"');
    expect([...fieldsRead(importers, 'packageInfo')]).toEqual(['version']);
  });

  it('acme-client reads only its name and version', () => {
    const source = join(MODULES, 'acme-client', 'src');
    const importers = readdirSync(source, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.js'))
      .map((file) => join(source, file))
      .filter((file) => readFileSync(file, 'utf8').includes('package.json'));

    expect(importers).toEqual([join(source, 'axios.js')]);
    expect([...fieldsRead(importers, 'pkg')].sort()).toEqual(['name', 'version']);
  });
});

describe('the user agents of code bundled as a Lambda', () => {
  let server: Server;
  let endpoint: string;
  const userAgents: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      userAgents.push(String(request.headers['user-agent'] ?? ''));
      response.writeHead(200, { 'Content-Type': 'text/xml' });
      response.end('<ListHostedZonesResponse><HostedZones/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('carry the versions, and the bundle none of the rest of the files', async () => {
    const route53 = packageJson('@aws-sdk/client-route-53');
    const acme = packageJson('acme-client');
    const { index } = await bundleEntryAsLambda([
      "import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';",
      "import acme from 'acme-client';",
      `const client = new Route53Client({ region: 'us-east-1', endpoint: ${JSON.stringify(endpoint)}, credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' } });`,
      'await client.send(new ListHostedZonesCommand({}));',
      "console.log(acme.axios.defaults.headers.common['User-Agent']);",
    ]);

    const printed = await runBundle(index);
    const bundled = readFileSync(index, 'utf8');

    expect(printed.trim()).toBe(`node-acme-client/${acme.version}`);
    expect(userAgents).toHaveLength(1);
    expect(userAgents[0]).toContain(`aws-sdk-js/${route53.version}`);
    expect(userAgents[0]).toContain(`api/route-53#${route53.version}`);
    expect(bundled).not.toContain(route53.description);
    expect(bundled).not.toContain(acme.description);
  }, 60_000);
});
