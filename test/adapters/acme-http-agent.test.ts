/**
 * certstep sends acme-client's requests itself (functions/adapters/acme-http.ts), with the CA
 * bundle registered for the origin (acme-trust.ts). A caller in the same process that trusts its
 * own CA the way acme-client documents it, with an httpsAgent on acme-client's axios, keeps that
 * trust where no bundle was registered, as it had through axios's own adapter. Against Pebble,
 * whose TLS certificate no system root signs.
 */
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { acme } from '../../functions/adapters/acme-client-module.js';
import { installInterceptors, recordExchanges } from '../../functions/adapters/acme-http.js';

let pebble: LocalAcme;
beforeAll(async () => {
  pebble = await startLocalAcme();
  installInterceptors();
}, 120_000);
afterAll(async () => {
  acme.axios.defaults.httpsAgent = undefined;
  await pebble?.stop();
});

async function register(): Promise<{ error?: unknown; statuses: (number | undefined)[]; codes: (string | undefined)[] }> {
  const accountKey = await acme.crypto.createPrivateEcdsaKey('P-256');
  const client = new acme.Client({ directoryUrl: pebble.directoryUrl, accountKey });
  const { error, exchanges } = await recordExchanges(() => client.createAccount({ termsOfServiceAgreed: true }));
  return { error, statuses: exchanges.map((exchange) => exchange.status), codes: exchanges.map((exchange) => exchange.networkCode) };
}

describe("acme-client's httpsAgent, through certstep's sending", () => {
  it('is not trusted without it (the control: Pebble is not a system root)', async () => {
    acme.axios.defaults.httpsAgent = undefined;
    const outcome = await register();
    expect(outcome.error).toBeDefined();
    expect(outcome.codes[0]).toMatch(/CERT|SELF_SIGNED|UNABLE/);
  });

  it('is trusted with an agent that trusts its CA, and the account is registered', async () => {
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: pebble.caCertPem });
    const outcome = await register();
    expect(outcome.error).toBeUndefined();
    expect(outcome.statuses).toContain(201);
  });
});
