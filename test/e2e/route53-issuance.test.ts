/**
 * The whole state machine with the AWS adapters: the Route 53 provider writes the TXT records
 * (through the real SDK, into the Route 53 test server) that Pebble validates over the test
 * server's DNS, and the Secrets Manager store keeps the key and certificate.
 */
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import { StoreUnavailable } from '../../functions/core/errors.js';
import type { StoredCertificate } from '../../functions/ports/certificate-store.js';
import { type TestCa, newStore, opensslVerify, publicKeysOf, spec, statesEntered } from '../support/local-ca.js';
import { route53Provider, visibleTxt } from '../support/route53/provider.js';
import { type PebbleOnRoute53, startPebbleOnRoute53 } from '../support/route53/pebble.js';
import type { Route53TestServer } from '../support/route53/server.js';
import { type SecretsManagerFake, fakeSecretsManager } from '../support/secrets-manager-fake.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';

let server: Route53TestServer;
let ca: TestCa;
let zoneId: string;
let stack: PebbleOnRoute53;
beforeAll(async () => {
  stack = await startPebbleOnRoute53();
  ({ server, ca, zoneId } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

function awsDependencies(secrets: SecretsManagerFake) {
  return {
    dns: () => route53Provider(server).provider,
    store: new SecretsManagerCertificateStore({ client: secrets.client, secretPolicy: TEST_SECRET_POLICY }),
  };
}

describe('issuance through Route 53 and Secrets Manager', () => {
  it('issues an apex + wildcard certificate whose records Pebble read from Route 53, and stores it as AWSCURRENT', async () => {
    // Prepare
    const secrets = fakeSecretsManager(['certstep/certificates/web', 'certstep/accounts/local']);
    const before = server.calls.length;

    // Act
    const result = await ca.run(spec('web', ['example.test', '*.example.test']), { storeDir: await newStore(), dependencies: awsDependencies(secrets) });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const stored = JSON.parse(secrets.valueAt('certstep/certificates/web', 'AWSCURRENT') ?? '{}') as StoredCertificate;
    expect(await opensslVerify(ca, stored)).toContain('OK');
    const keys = publicKeysOf(stored);
    expect(keys.fromKey).toBe(keys.fromCertificate);
    const batches = server.calls.slice(before).filter((call) => call.action === 'ChangeResourceRecordSets');
    expect(batches).toHaveLength(2);
    expect(batches[0]?.changes).toEqual([
      { action: 'CREATE', name: '_acme-challenge.example.test.', type: 'TXT', ttl: 60, values: expect.arrayContaining([expect.stringMatching(/^".+"$/)]) },
    ]);
    expect(batches[0]?.changes?.[0]?.values).toHaveLength(2);
    expect(await visibleTxt(server, '_acme-challenge.example.test')).toEqual([]);
    expect(server.recordSets(zoneId).some((set) => set.type === 'TXT')).toBe(false);

    const puts = secrets.mock.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
    expect(puts.filter((put) => put.SecretId === 'certstep/certificates/web').map((put) => put.VersionStages)).toEqual([['AWSPENDING'], ['AWSCURRENT']]);
    expect(secrets.mock.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toMatchObject({
      SecretId: 'certstep/certificates/web',
      VersionStage: 'AWSPENDING',
    });
    expect(JSON.stringify(result.events)).not.toContain('PRIVATE KEY');
  });

  it('keeps the replaced certificate as AWSPREVIOUS when it renews', async () => {
    // Prepare
    const secrets = fakeSecretsManager(['certstep/certificates/api', 'certstep/accounts/local']);
    const storeDir = await newStore();
    const first = await ca.run(spec('api', ['api.example.test']), { storeDir, dependencies: awsDependencies(secrets) });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const firstValue = secrets.valueAt('certstep/certificates/api', 'AWSCURRENT');

    // Act
    const second = await ca.run({ ...spec('api', ['api.example.test']), force: true }, { storeDir, dependencies: awsDependencies(secrets) });

    // Assess
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(secrets.valueAt('certstep/certificates/api', 'AWSPREVIOUS')).toBe(firstValue);
    expect(JSON.parse(secrets.valueAt('certstep/certificates/api', 'AWSCURRENT') ?? '{}').revision).toBe(2);
  });

  it('fails with ZoneNotFound before any order for a name outside every hosted zone', async () => {
    // Prepare
    const secrets = fakeSecretsManager(['certstep/certificates/lost', 'certstep/accounts/local']);

    // Act
    const result = await ca.run(spec('lost', ['example.test', 'www.nowhere.test']), { storeDir: await newStore(), dependencies: awsDependencies(secrets) });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ZoneNotFound');
    expect(result.cause).toContain('_acme-challenge.www.nowhere.test');
    expect(statesEntered(result)).not.toContain('CreateOrder');
    expect(secrets.mock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('refuses a private hosted zone with ZoneNotFound before any order, as no public CA can see it', async () => {
    // Prepare
    const hidden = server.addZone('intranet.test', { private: true });
    const secrets = fakeSecretsManager(['certstep/certificates/hidden', 'certstep/accounts/local']);
    const dependencies = { ...awsDependencies(secrets), dns: () => route53Provider(server, { route53: { hostedZoneId: hidden.id } }).provider };

    // Act
    const result = await ca.run(spec('hidden', ['app.intranet.test']), { storeDir: await newStore(), dependencies });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ZoneNotFound');
    expect(result.cause).toContain(`hosted zone ${hidden.id} (intranet.test) for _acme-challenge.app.intranet.test is private`);
    expect(statesEntered(result)).not.toContain('CreateOrder');
    expect(server.calls.filter((call) => call.action === 'ChangeResourceRecordSets' && call.zoneId === hidden.id)).toHaveLength(0);
  });
});

describe('cnameStrategy Follow through Route 53, names delegating their challenges by CNAME', () => {
  /** The certificate's names stay in example.test; their challenges are CNAMEs into a second zone that cnameTargets names. */
  function delegated(name: string) {
    const target = server.addZone(`${name}-delegation.test`);
    const dns01 = {
      cnameStrategy: 'Follow' as const,
      route53: {
        cnameTargets: { [`${name}.example.test`]: `${name}.${name}-delegation.test` },
        zones: { [`${name}-delegation.test`]: { hostedZoneId: target.id } },
      },
    };
    const cname = { name: `_acme-challenge.${name}.example.test.`, type: 'CNAME', ttl: 300, values: [`${name}.${name}-delegation.test.`] };
    return { target, dns01, cname };
  }

  it('writes the TXT at the target, validates through the CNAME, cleans the target up and leaves the CNAME as it was', async () => {
    // Prepare
    const { target, dns01, cname } = delegated('follow');
    server.seed(zoneId, cname);
    const secrets = fakeSecretsManager(['certstep/certificates/follow', 'certstep/accounts/local']);
    const before = server.calls.length;

    // Act
    const result = await ca.run(spec('follow', ['follow.example.test', '*.follow.example.test'], { dns01 }), {
      storeDir: await newStore(),
      dependencies: { ...awsDependencies(secrets), dns: (certificate) => route53Provider(server, certificate.dns01).provider },
    });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const changes = server.calls.slice(before).filter((call) => call.action === 'ChangeResourceRecordSets');
    expect(changes.map((call) => [call.zoneId, call.changes?.map((change) => `${change.action} ${change.type} ${change.name}`)])).toEqual([
      [target.id, ['CREATE TXT follow.follow-delegation.test.']],
      [target.id, ['DELETE TXT follow.follow-delegation.test.']],
    ]);
    expect(server.recordSets(target.id).some((set) => set.type === 'TXT')).toBe(false);
    expect(server.recordSets(zoneId).filter((set) => set.name === cname.name)).toEqual([cname]);
    expect(server.calls.slice(before).some((call) => call.zoneId === zoneId)).toBe(false);
  });

  it('fails with CnameRequired naming the record to create, before any order, when the CNAME is not there yet', async () => {
    // Prepare
    const { target, dns01 } = delegated('early');
    const secrets = fakeSecretsManager(['certstep/certificates/early', 'certstep/accounts/local']);

    // Act
    const result = await ca.run(spec('early', ['early.example.test'], { dns01 }), {
      storeDir: await newStore(),
      dependencies: { ...awsDependencies(secrets), dns: (certificate) => route53Provider(server, certificate.dns01).provider },
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CnameRequired');
    expect(result.cause).toContain('create the record "_acme-challenge.early.example.test. CNAME early.early-delegation.test."');
    expect(statesEntered(result)).not.toContain('CreateOrder');
    expect(server.calls.filter((call) => call.action === 'ChangeResourceRecordSets' && call.zoneId === target.id)).toHaveLength(0);
  });
});

describe('a store failure after issuance', () => {
  it('is retried by the state machine: the certificate is fetched from the same order again, never ordered twice', async () => {
    // Prepare: Secrets Manager throttles the first attempt to make the new version current.
    const secrets = fakeSecretsManager(['certstep/certificates/retry', 'certstep/accounts/local']);
    const store = new SecretsManagerCertificateStore({ client: secrets.client, secretPolicy: TEST_SECRET_POLICY });
    let failures = 0;
    const flakyStore = Object.assign(Object.create(store) as SecretsManagerCertificateStore, {
      makeCurrent: async (...args: Parameters<SecretsManagerCertificateStore['makeCurrent']>) => {
        if (failures++ === 0) throw new StoreUnavailable('injected: Secrets Manager PutSecretValue throttled (ThrottlingException)');
        return store.makeCurrent(...args);
      },
    });

    // Act
    const result = await ca.run(spec('retry', ['retry.example.test']), {
      storeDir: await newStore(),
      dependencies: { dns: () => route53Provider(server).provider, store: flakyStore },
    });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const entered = statesEntered(result);
    expect(entered.filter((state) => state === 'CreateOrder')).toHaveLength(1);
    expect(entered.filter((state) => state === 'Finalize')).toHaveLength(1);
    expect(result.events.filter((event) => event.type === 'StateRetried').map((event) => (event.state as { name: string }).name)).toEqual(['StoreCertificate']);
    expect(JSON.parse(secrets.valueAt('certstep/certificates/retry', 'AWSCURRENT') ?? '{}').revision).toBe(1);
  });
});
