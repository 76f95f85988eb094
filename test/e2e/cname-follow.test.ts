/**
 * cnameStrategy "Follow" through the local run: `_acme-challenge.<name>` is a CNAME into a
 * challenge zone (set in challtestsrv with /set-cname), so the TXT value goes to the target,
 * Pebble validates through the CNAME, the target is cleaned up and the CNAME stays.
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestCa, newStore, spec, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

async function setCname(host: string, target: string): Promise<void> {
  const response = await fetch(new URL('/set-cname', ca.acme.challtestsrvUrl), {
    method: 'POST',
    body: JSON.stringify({ host: `${host}.`, target: `${target}.` }),
  });
  expect(response.ok).toBe(true);
}

async function cnameOf(name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([ca.acme.dnsServer]);
  return resolver.resolveCname(name).catch(() => []);
}

/** What challtestsrv was asked to set, by name: the request history of its DNS side is per query, so watch the management calls instead. */
function watchingTxtWrites(): { hosts: string[]; stop: () => void } {
  const hosts: string[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith('/set-txt') && typeof init?.body === 'string') hosts.push((JSON.parse(init.body) as { host: string }).host);
    return original(input, init);
  }) as typeof fetch;
  return { hosts, stop: () => (globalThis.fetch = original) };
}

describe('cnameStrategy Follow, locally', () => {
  it('writes the TXT at the CNAME target, validates, cleans the target up and leaves the CNAME', async () => {
    // Prepare
    await setCname('_acme-challenge.follow.example.test', 'follow.challenges.test');
    const writes = watchingTxtWrites();

    // Act
    const result = await ca
      .run(spec('follow', ['follow.example.test'], { dns01: { cnameStrategy: 'Follow' } }), { storeDir: await newStore() })
      .finally(writes.stop);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(writes.hosts).toEqual(['follow.challenges.test.']);
    expect(await ca.txtValues('follow.challenges.test')).toEqual([]);
    expect(await cnameOf('_acme-challenge.follow.example.test')).toEqual(['follow.challenges.test']);
  });

  it('without Follow writes at the name itself, as before, and never sees its value through the CNAME', async () => {
    // Prepare
    await setCname('_acme-challenge.plain.example.test', 'plain.challenges.test');
    const writes = watchingTxtWrites();

    // Act
    const result = await ca.run(spec('plain', ['plain.example.test']), { storeDir: await newStore() }).finally(writes.stop);

    // Assess: DNS answers the name with the target's (empty) TXT, so the value never shows.
    expect(writes.hosts).toEqual(['_acme-challenge.plain.example.test.']);
    expect(result).toMatchObject({ status: 'FAILED', error: 'PropagationTimeout' });
  });
});
