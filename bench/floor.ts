/**
 * The floor: what a bare acme-client script needs to issue apex + wildcard certificates over
 * DNS-01 against the same Pebble + challtestsrv, in one process, with the account reused.
 * Per certificate: createOrder, getAuthorizations, set each TXT value via challtestsrv,
 * completeChallenge, poll the order until ready, finalize with a fresh P-256 key, poll until
 * valid, getCertificate, clear the TXT values. Certificates run concurrently.
 *
 * Polling decides most of the wall time against a CA that answers in milliseconds, so the
 * floor comes in two flavours:
 * - 'same':  the state machine's local waits (cli/local/runner.ts LOCAL_POLLING: look at once,
 *            then every 1 s), the fair floor for certstep as it is configured today;
 * - 'tight': look at once, then every 50 ms, what a client that polls hard could reach.
 *
 * Standalone:
 *   npx tsx bench/floor.ts --directory https://127.0.0.1:14000/dir --ca pebble-ca.pem \
 *       --challtestsrv http://127.0.0.1:8055 [--count 20] [--polling same|tight]
 */
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import acme from 'acme-client';

export type FloorPolling = 'same' | 'tight';

/** Milliseconds before the first look and between looks, per flavour. */
export const FLOOR_POLLING: Record<FloorPolling, { initialWaitMs: number; intervalMs: number }> = {
  same: { initialWaitMs: 0, intervalMs: 1000 },
  tight: { initialWaitMs: 0, intervalMs: 50 },
};

export interface FloorAccount {
  readonly accountKeyPem: string;
  readonly accountUrl: string;
}

export interface FloorCertificateResult {
  readonly dnsNames: readonly string[];
  readonly wallMs: number;
  /** Order polls until ready, and after finalize until valid. */
  readonly validationPolls: number;
  readonly issuancePolls: number;
  readonly chainPem: string;
}

/**
 * Trusts Pebble's throwaway CA for acme-client's HTTP calls, with keep-alive like certstep's
 * adapter. Only that CA: the floor talks to nobody else, and a `ca` list that also holds the
 * ~140 system roots costs ~50 ms of CPU for every new TLS connection (Node parses the list
 * into a fresh secure context each time), which is not ACME work.
 */
export function trustCa(caCertPem: string): void {
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: caCertPem, keepAlive: true });
  // Without a timeout one lost response hangs the whole run (seen once at 100 certificates
  // polling every 50 ms); certstep's adapter uses the same 20 s.
  acme.axios.defaults.timeout = 20_000;
}

/** Registers an account once; later runs construct their client from it (no newAccount call). */
export async function createFloorAccount(directoryUrl: string): Promise<FloorAccount> {
  const accountKeyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
  const client = new acme.Client({ directoryUrl, accountKey: accountKeyPem });
  await client.createAccount({ termsOfServiceAgreed: true });
  return { accountKeyPem, accountUrl: client.getAccountUrl() };
}

export function floorClient(directoryUrl: string, account: FloorAccount): acme.Client {
  return new acme.Client({ directoryUrl, accountKey: account.accountKeyPem, accountUrl: account.accountUrl });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function challtestsrv(url: string, route: '/set-txt' | '/clear-txt', body: object): Promise<void> {
  const response = await fetch(new URL(route, url), { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`challtestsrv ${route}: HTTP ${response.status}`);
}

/** Polls the order until it leaves `pending`/`processing` (or, after finalize, until `valid`). */
async function pollOrder(
  client: acme.Client,
  order: acme.Order,
  until: readonly string[],
  polling: { initialWaitMs: number; intervalMs: number },
): Promise<{ order: acme.Order; polls: number }> {
  await sleep(polling.initialWaitMs);
  let errors = 0;
  for (let polls = 1; polls <= 600; polls++) {
    let current: acme.Order;
    try {
      current = await client.getOrder(order);
    } catch (error) {
      // A timed-out or reset poll is retried a few times, as a polling client would.
      if (++errors > 3) throw error;
      await sleep(polling.intervalMs);
      continue;
    }
    if (until.includes(current.status)) return { order: current, polls };
    if (current.status === 'invalid') throw new Error(`order ${order.url} became invalid`);
    await sleep(polling.intervalMs);
  }
  throw new Error(`order ${order.url} still not ${until.join('/')} after 600 polls`);
}

/** One certificate, the ACME calls in the order the state machine makes them. */
export async function issueOne(
  client: acme.Client,
  dnsNames: readonly string[],
  challtestsrvUrl: string,
  polling: { initialWaitMs: number; intervalMs: number },
): Promise<FloorCertificateResult> {
  const started = performance.now();
  const order = await client.createOrder({ identifiers: dnsNames.map((value) => ({ type: 'dns', value })) });
  const authorizations = await client.getAuthorizations(order);
  const presented: { host: string; challenge: acme.Authorization['challenges'][number] }[] = [];
  for (const authorization of authorizations) {
    if (authorization.status === 'valid') continue;
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'dns-01');
    if (!challenge) throw new Error(`no dns-01 challenge for ${authorization.identifier.value}`);
    const value = await client.getChallengeKeyAuthorization(challenge);
    const host = `_acme-challenge.${authorization.identifier.value}.`;
    await challtestsrv(challtestsrvUrl, '/set-txt', { host, value });
    presented.push({ host, challenge });
  }
  await Promise.all(presented.map(({ challenge }) => client.completeChallenge(challenge)));
  const validated = await pollOrder(client, order, ['ready', 'valid'], polling);

  const keyPem = await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csr] = await acme.crypto.createCsr({ commonName: dnsNames[0], altNames: [...dnsNames] }, keyPem);
  const finalized = await client.finalizeOrder(validated.order, csr);
  const issued = finalized.status === 'valid' ? { order: finalized, polls: 0 } : await pollOrder(client, finalized, ['valid'], polling);
  const chainPem = await client.getCertificate(issued.order);
  for (const host of new Set(presented.map((entry) => entry.host))) await challtestsrv(challtestsrvUrl, '/clear-txt', { host });
  return { dnsNames, wallMs: performance.now() - started, validationPolls: validated.polls, issuancePolls: issued.polls, chainPem };
}

/** Every certificate at once over one client (one account, shared keep-alive connections). */
export async function issueAll(
  client: acme.Client,
  certificates: readonly (readonly string[])[],
  challtestsrvUrl: string,
  polling: FloorPolling,
): Promise<FloorCertificateResult[]> {
  return Promise.all(certificates.map((dnsNames) => issueOne(client, dnsNames, challtestsrvUrl, FLOOR_POLLING[polling])));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      directory: { type: 'string' },
      ca: { type: 'string' },
      challtestsrv: { type: 'string' },
      count: { type: 'string', default: '1' },
      polling: { type: 'string', default: 'same' },
      prefix: { type: 'string', default: `floor${Date.now().toString(36)}` },
    },
  });
  if (!values.directory || !values.challtestsrv) {
    process.stderr.write('usage: npx tsx bench/floor.ts --directory URL [--ca FILE] --challtestsrv URL [--count N] [--polling same|tight]\n');
    process.exit(2);
  }
  const polling = values.polling === 'tight' ? 'tight' : 'same';
  if (values.ca) trustCa(await readFile(values.ca, 'utf8'));
  const account = await createFloorAccount(values.directory);
  const certificates = Array.from({ length: Number(values.count) }, (_, index) => [
    `${values.prefix}-${index}.example.test`,
    `*.${values.prefix}-${index}.example.test`,
  ]);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const results = await issueAll(floorClient(values.directory, account), certificates, values.challtestsrv, polling);
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({ count: results.length, polling, wallMs: Math.round(performance.now() - started), cpuMs: Math.round((used.user + used.system) / 1000), maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
