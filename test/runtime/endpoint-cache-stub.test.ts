/**
 * The bundles alias @aws-sdk/endpoint-cache to an always-empty cache (functions/runtime/stubs/
 * endpoint-cache.ts), keeping endpoint discovery's LRU out of every DynamoDB function. Checked:
 * the installed DynamoDB client builds the cache but no command of it reads it; the stub has the
 * SDK cache's methods and stores nothing; the LRU is gone from the bundles; a DynamoDB client
 * bundled with the stub works against moto, with discovery off and when the environment turns
 * it on.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointCache as SdkEndpointCache } from '@aws-sdk/endpoint-cache';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { lambdaAliases } from '../../scripts/lambda-bundle.mjs';
import { EndpointCache } from '../../functions/runtime/stubs/endpoint-cache.js';
import { bundleEntryAsLambda, bytesIn, lambdaHandlerBundle, runBundle } from '../support/lambda-bundle.js';
import { type Moto, startMoto } from '../support/moto.js';

const methods = (prototype: object) => Object.getOwnPropertyNames(prototype).sort();

const DYNAMODB = join(PROJECT_ROOT, 'node_modules', '@aws-sdk', 'client-dynamodb', 'dist-es');

describe('the endpoint-cache stub', () => {
  it('stands in for a cache the DynamoDB client builds and none of its commands reads', () => {
    const sources = readdirSync(DYNAMODB, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
    const reading = sources.filter((file) => /getEndpointDiscoveryPlugin|endpointDiscoveryMiddleware/.test(readFileSync(join(DYNAMODB, file), 'utf8')));

    expect(sources.length).toBeGreaterThan(50);
    expect(readFileSync(join(DYNAMODB, 'DynamoDBClient.js'), 'utf8')).toContain('resolveEndpointDiscoveryConfig(');
    expect(reading).toEqual([]);
  });

  it("has every method of the SDK's cache, and stores nothing", () => {
    const cache = new EndpointCache();
    cache.set('key', [{ Address: 'dynamodb.example.com', CachePeriodInMinutes: 1 }]);

    expect(methods(EndpointCache.prototype)).toEqual(methods(SdkEndpointCache.prototype));
    expect([cache.getEndpoint('key'), cache.get('key'), cache.has('key')]).toEqual([undefined, undefined, false]);
    expect(lambdaAliases()['@aws-sdk/endpoint-cache']).toBe(join(PROJECT_ROOT, 'functions', 'runtime', 'stubs', 'endpoint-cache.ts'));
  });

  it.each(['check-renewal', 'sync-catalog'])(
    'keeps the LRU out of %s',
    async (handler) => {
      const bundle = await lambdaHandlerBundle(handler);

      expect(bytesIn(bundle, 'node_modules/@aws-sdk/client-dynamodb/')).toBeGreaterThan(0);
      expect(bytesIn(bundle, 'node_modules/mnemonist/')).toBe(0);
      expect(bytesIn(bundle, 'node_modules/@aws-sdk/endpoint-cache/')).toBe(0);
    },
    60_000,
  );
});

describe('a DynamoDB client bundled with it', () => {
  let moto: Moto;
  let index: string;
  beforeAll(async () => {
    moto = await startMoto();
    ({ index } = await bundleEntryAsLambda([
      "import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';",
      'const client = new DynamoDBClient({});',
      "const TableName = 'certstep-ledger';",
      "await client.send(new CreateTableCommand({ TableName, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] })).catch((error) => { if (error.name !== 'ResourceInUseException') throw error; });",
      "await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'web' }, run: { S: process.argv[2] } } }));",
      "const { Item } = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'web' } }, ConsistentRead: true }));",
      'console.log(Item.run.S);',
    ]));
  }, 60_000);
  afterAll(() => moto?.stop());

  it('reads and writes through the endpoint it resolves, discovery off', async () => {
    expect((await runBundle(index, { args: ['off'], env: { ...moto.env } })).trim()).toBe('off');
  }, 30_000);

  it('still does when the environment turns discovery on', async () => {
    expect((await runBundle(index, { args: ['on'], env: { ...moto.env, AWS_ENABLE_ENDPOINT_DISCOVERY: 'true' } })).trim()).toBe('on');
  }, 30_000);
});
