/**
 * dns01.propagation in a local run: the resolvers it names serve the propagation check (as
 * lego's --dns.resolvers does), a resolver that cannot be asked ends the run with
 * DnsServerUnreachable naming it once the timeout's checks are spent, and `check: "none"`
 * trusts the write alone.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../cli/local/environment.js';
import { type TestCa, newStore, spec, startTestCa, statesEntered } from '../support/local-ca.js';

let ca: TestCa;
let deadResolver: string;
beforeAll(async () => {
  ca = await startTestCa();
  // A UDP port nobody listens on: queries to it are refused at once.
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  deadResolver = `127.0.0.1:${socket.address().port}`;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
});
afterAll(async () => {
  await ca?.stop();
});

const count = (states: string[], name: string) => states.filter((state) => state === name).length;

describe('dns01.propagation in a local run', () => {
  it('asks the named resolvers, and fails with DnsServerUnreachable naming one that cannot be asked, after timeout/interval checks', async () => {
    // Act
    const result = await ca.run(
      spec('dead-resolver', ['dead-resolver.example.test'], { dns01: { propagation: { resolvers: [deadResolver], timeout: 'PT3S', interval: 'PT1S' } } }),
      { storeDir: await newStore() },
    );

    // Assess: challtestsrv answers the value, but the check asked only the resolver.
    const states = statesEntered(result);
    expect(result).toMatchObject({ status: 'FAILED', error: 'DnsServerUnreachable' });
    expect(result.cause).toContain(deadResolver);
    expect(count(states, 'CheckPropagation')).toBe(3);
    expect(states).not.toContain('AcceptChallenges');
    expect(await ca.txtValues('_acme-challenge.dead-resolver.example.test')).toEqual([]);
  });

  it('with check "none" trusts the write and asks no resolver', async () => {
    const result = await ca.run(spec('no-check', ['no-check.example.test'], { dns01: { propagation: { resolvers: [deadResolver], check: 'none' } } }), {
      storeDir: await newStore(),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(count(statesEntered(result), 'CheckPropagation')).toBe(1);
  });

  it('follows CNAMEs and checks through the resolvers when challtestsrv was given without its DNS address', async () => {
    // Prepare: as `--challtestsrv URL` without `--dns-server`; the resolvers name challtestsrv's DNS.
    const response = await fetch(new URL('/set-cname', ca.acme.challtestsrvUrl), {
      method: 'POST',
      body: JSON.stringify({ host: '_acme-challenge.via-resolvers.example.test.', target: 'via-resolvers.challenges.test.' }),
    });
    expect(response.ok).toBe(true);
    const environment = new LocalEnvironment({
      external: { directoryUrl: ca.acme.directoryUrl, caBundlePem: ca.acme.caCertPem, challtestsrvUrl: ca.acme.challtestsrvUrl },
    });

    // Act
    const result = await ca.run(
      spec('via-resolvers', ['via-resolvers.example.test'], { dns01: { cnameStrategy: 'Follow', propagation: { resolvers: [ca.acme.dnsServer] } } }),
      { storeDir: await newStore(), environment },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(await ca.txtValues('via-resolvers.challenges.test')).toEqual([]);
  });
});
