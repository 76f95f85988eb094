/**
 * The Lambda bundles alias axios to functions/runtime/stubs/axios-core.cjs: acme-client keeps
 * its axios instance, interceptors and all, and certstep's adapter does the sending. This drives
 * acme-client's own instance and HttpClient, bundled once with axios and once with the stand-in,
 * through the same scripted adapter, and requires the two to agree on what the adapter is handed
 * and on everything acme-client gets back, answer by answer.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { stubLists } from '../../scripts/lambda-bundle.mjs';
import { bundleEntry, bytesIn, lambdaHandlerBundle, lambdaStubAliases, runBundle } from '../support/lambda-bundle.js';

const STUB = join(PROJECT_ROOT, 'functions', 'runtime', 'stubs', 'axios-core.cjs');

/** Each call made, with the answer the scripted adapter gives it. */
const SCRIPT = `
import axios from 'axios';
import instance from 'acme-client/src/axios.js';
import HttpClient from 'acme-client/src/http.js';

const { AxiosError } = axios;

const PEM = '-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n';
const answers = {
  '/json': { status: 200, headers: { 'content-type': 'application/json', 'replay-nonce': 'n1' }, data: '{"status":"valid","list":[1,2]}' },
  '/created': { status: 201, headers: { location: 'https://ca.test/order/1', 'replay-nonce': 'n2' }, data: '{"status":"pending"}' },
  '/problem': { status: 400, headers: { 'content-type': 'application/problem+json' }, data: '{"type":"urn:ietf:params:acme:error:badNonce","detail":"stale"}' },
  '/limited': { status: 429, headers: { 'retry-after': '30' }, data: '{"type":"urn:ietf:params:acme:error:rateLimited"}' },
  '/down': { status: 503, headers: {}, data: 'Service Unavailable' },
  '/pem': { status: 200, headers: { 'content-type': 'application/pem-certificate-chain', link: '<https://ca.test/alt>;rel="alternate"' }, data: PEM },
  '/empty': { status: 204, headers: {}, data: '' },
  '/not-json': { status: 200, headers: { 'content-type': 'application/json' }, data: '{"cut' },
};
const seen = [];
instance.defaults.acmeSettings.retryMaxAttempts = 0;
instance.defaults.adapter = async (config) => {
  const headers = typeof config.headers?.toJSON === 'function' ? config.headers.toJSON() : { ...config.headers };
  const lower = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined && v !== null && v !== false).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const path = new URL(config.url).pathname;
  seen.push({ path, method: config.method, headers: lower, data: config.data ?? null, validates: [200, 400].map((s) => !config.validateStatus || config.validateStatus(s)) });
  if (path === '/offline') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const answer = answers[path];
  const response = { ...answer, statusText: 'x', config, request: undefined };
  if (!config.validateStatus || config.validateStatus(answer.status)) return response;
  // As axios's own adapters reject (its settle): an AxiosError holding the answer.
  throw new AxiosError('Request failed with status code ' + answer.status, 'ERR_BAD_REQUEST', config, undefined, response);
};

function outcome(promise) {
  return promise.then(
    (r) => ({ resolved: { status: r.status, data: r.data, nonce: r.headers['replay-nonce'] ?? null, location: r.headers.location ?? null, link: r.headers.link ?? null } }),
    (e) => ({ rejected: { name: e?.name, code: e?.code ?? null, message: e?.message, status: e?.response?.status ?? null, data: e?.response?.data ?? null } }),
  );
}

const http = new HttpClient('https://ca.test/directory', Buffer.from('unused'));
const results = [];
for (const path of Object.keys(answers).concat('/offline')) {
  results.push([path, 'HttpClient post', await outcome(http.request('https://ca.test' + path, 'post', { data: { protected: 'p', payload: '', signature: 's' } }))]);
  results.push([path, 'HttpClient get', await outcome(http.request('https://ca.test' + path, 'get'))]);
}
results.push(['/json', 'instance.get', await outcome(instance.get('https://ca.test/json'))]);
results.push(['/json', 'instance() with a string body', await outcome(instance({ url: 'https://ca.test/json', method: 'POST', data: 'raw', headers: { 'X-Extra': 'yes', accept: 'application/pem-certificate-chain' } }))]);
console.log(JSON.stringify({ results, seen, userAgent: instance.defaults.headers.common['User-Agent'] }));
`;

async function run(alias: Record<string, string>): Promise<{ results: unknown[]; seen: unknown[]; userAgent: string; bundled: number }> {
  const { outfile, result } = await bundleEntry([SCRIPT], { alias });
  const output = JSON.parse((await runBundle(outfile)).trim().split('\n').at(-1) ?? '{}');
  return { ...output, bundled: bytesIn(result, 'node_modules/axios/') };
}

describe("axios's stand-in in the Lambda bundles", () => {
  it('is what every Lambda bundle gets for axios, and the CLI does not', () => {
    const stubs = stubLists();
    expect(stubs.lambdasOnly.axios).toBe('functions/runtime/stubs/axios-core.cjs');
    expect(stubs.everyBundle.axios).toBeUndefined();
  });

  it.each(['create-order', 'accept-challenges', 'poll-order', 'finalize', 'store-certificate'])(
    'leaves axios and its HTTP stack out of the %s Lambda, which still carries acme-client',
    async (handler) => {
      const result = await lambdaHandlerBundle(handler);
      for (const module of ['node_modules/axios/', 'node_modules/follow-redirects/', 'node_modules/form-data/', 'node_modules/proxy-from-env/'])
        expect(bytesIn(result, module), `${handler}: ${module}`).toBe(0);
      expect(bytesIn(result, 'functions/runtime/stubs/axios-core.cjs')).toBeGreaterThan(0);
      expect(bytesIn(result, 'node_modules/acme-client/')).toBeGreaterThan(0);
    },
    60_000,
  );

  it("hands acme-client exactly what axios hands it, and the adapter exactly what axios's would get", async () => {
    // Prepare
    const withAxios = await run({});
    const withStub = await run({ ...lambdaStubAliases(), axios: STUB });

    // Assess: the control really bundled axios, the other none of it
    expect(withAxios.bundled).toBeGreaterThan(50_000);
    expect(withStub.bundled).toBe(0);
    expect(withStub.results).toEqual(withAxios.results);
    expect(withStub.seen).toEqual(withAxios.seen);
    expect(withStub.userAgent).toBe(withAxios.userAgent);
    // And the comparison covers what certstep relies on: JSON parsed, text kept, every status back as an answer.
    expect(withAxios.results).toContainEqual([
      '/created',
      'HttpClient post',
      { resolved: { status: 201, data: { status: 'pending' }, nonce: 'n2', location: 'https://ca.test/order/1', link: null } },
    ]);
    expect(withAxios.results).toContainEqual([
      '/pem',
      'HttpClient get',
      expect.objectContaining({ resolved: expect.objectContaining({ data: expect.stringContaining('BEGIN CERTIFICATE') }) }),
    ]);
    expect(withAxios.results).toContainEqual(['/limited', 'HttpClient post', expect.objectContaining({ resolved: expect.objectContaining({ status: 429 }) })]);
    expect(withAxios.results).toContainEqual(['/offline', 'HttpClient post', { rejected: expect.objectContaining({ code: 'ECONNREFUSED' }) }]);
    expect(withAxios.seen).toContainEqual(expect.objectContaining({ method: 'post', data: '{"protected":"p","payload":"","signature":"s"}' }));
  }, 60_000);

  it('says what is missing when asked for an adapter of its own', async () => {
    const { outfile } = await bundleEntry(
      [
        "import axios from 'axios';",
        "try { await axios.get('https://ca.test/'); } catch (error) { console.log(JSON.stringify({ name: error.name, message: error.message })); }",
      ],
      { alias: { axios: STUB } },
    );
    const output = JSON.parse((await runBundle(outfile)).trim());
    expect(output.name).toBe('AxiosNotBundled');
    expect(output.message).toContain('aliases.json');
  }, 60_000);
});
