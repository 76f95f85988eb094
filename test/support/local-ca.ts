/**
 * Helpers for end-to-end tests against a real Pebble + challtestsrv: a private CA per test
 * file, a store per test, and direct looks at DNS and at stored files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { get } from 'node:https';
import { type LocalCa, LocalEnvironment } from '../../cli/local/environment.js';
import { type LocalAcme, type LocalAcmeOptions, startLocalAcme } from '../../cli/local/pebble.js';
import { type LocalRunOptions, type LocalRunResult, localDependencies, runLocal } from '../../cli/local/runner.js';
import type { StoredCertificate } from '../../functions/ports/certificate-store.js';

export interface TestCa {
  readonly acme: LocalAcme;
  readonly environment: LocalEnvironment;
  run(input: unknown, options?: Partial<LocalRunOptions>): Promise<LocalRunResult>;
  txtValues(recordName: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startTestCa(options: LocalAcmeOptions = {}, issuer: Pick<LocalCa, 'email' | 'eab'> = {}): Promise<TestCa> {
  const acme = await startLocalAcme(options);
  const environment = new LocalEnvironment({
    external: {
      directoryUrl: acme.directoryUrl,
      caBundlePem: acme.caCertPem,
      challtestsrvUrl: acme.challtestsrvUrl,
      dnsServer: acme.dnsServer,
      ...issuer,
    },
  });
  // PEBBLE_AUTHZREUSE=0 is not "never": Pebble reuses a valid authorization unless
  // `rand.Intn(100) > percent` (wfe.go), which is false one time in a hundred at 0, and a test
  // that needs a challenge then finds none to present. So with 0, each successful run's
  // authorizations are deactivated (RFC 8555 §7.5.2) before the next run can be given them.
  const neverReuse = options.pebbleEnv?.PEBBLE_AUTHZREUSE === '0';
  return {
    acme,
    environment,
    run: async (input, overrides = {}) => {
      const storeDir = overrides.storeDir ?? (await newStore());
      const result = await runLocal({ input, storeDir, environment, ...overrides });
      const orderUrl = result.output?.order?.url;
      if (neverReuse && result.status === 'SUCCEEDED' && orderUrl) {
        // The run's own CA and store, so that its account (which owns the order) signs; not its
        // acme dependency, which a test may have wrapped with faults.
        const store = overrides.dependencies?.store;
        const own = { input, storeDir, environment: overrides.environment ?? environment, ...(store && { dependencies: { store } }) };
        const gateway = await localDependencies(own).acme(issuerOf(input));
        for (const url of (await gateway.getOrder(orderUrl)).authorizationUrls) await gateway.deactivateAuthorization(url);
      }
      return result;
    },
    txtValues: async (recordName) => {
      const resolver = new Resolver({ timeout: 2000, tries: 2 });
      resolver.setServers([acme.dnsServer]);
      try {
        return (await resolver.resolveTxt(recordName)).map((chunks) => chunks.join('')).sort();
      } catch (error) {
        if (['ENODATA', 'ENOTFOUND'].includes((error as NodeJS.ErrnoException).code ?? '')) return [];
        throw error;
      }
    },
    stop: () => acme.stop(),
  };
}

function issuerOf(input: unknown): string {
  return (input as { certificate?: { issuer?: string } } | null)?.certificate?.issuer ?? 'local';
}

export async function newStore(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'certstep-test-'));
}

export function spec(name: string, dnsNames: string[], extra: Record<string, unknown> = {}) {
  return { certificate: { name, dnsNames, issuer: 'local', ...extra } };
}

export async function readStored(file: string): Promise<StoredCertificate> {
  return JSON.parse(await readFile(file, 'utf8')) as StoredCertificate;
}

/** Names of the states the execution entered, in order. */
export function statesEntered(result: LocalRunResult): string[] {
  return result.events.filter((event) => event.type === 'StateEntered').map((event) => (event.state as { name: string }).name);
}

/** `openssl verify` of the stored chain against Pebble's root; returns openssl's output. */
export async function opensslVerify(ca: TestCa, stored: StoredCertificate): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'certstep-verify-'));
  const [leaf, ...chain] = stored['tls.crt'].match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  await writeFile(path.join(directory, 'root.pem'), await ca.acme.rootPem());
  await writeFile(path.join(directory, 'chain.pem'), `${chain.join('\n')}\n`);
  await writeFile(path.join(directory, 'leaf.pem'), `${leaf}\n`);
  return execFileSync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'leaf.pem'], {
    cwd: directory,
    encoding: 'utf8',
  });
}

/** Public key of a certificate and of a private key, as openssl prints them, for comparison. */
export function publicKeysOf(stored: StoredCertificate): { fromCertificate: string; fromKey: string } {
  const leaf = stored['tls.crt'].match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? '';
  const fromCertificate = execFileSync('openssl', ['x509', '-noout', '-pubkey'], { input: leaf, encoding: 'utf8' });
  const fromKey = execFileSync('openssl', ['pkey', '-pubout'], { input: stored['tls.key'], encoding: 'utf8' });
  return { fromCertificate, fromKey };
}

/** Pebble's management API: a certificate's revocation status by serial (hex), e.g. {Status: 'Revoked', Reason: 4}. */
export function pebbleCertStatus(acme: LocalAcme, serialHex: string): Promise<{ Status: string; Reason?: number }> {
  return new Promise((resolve, reject) => {
    get(new URL(`/cert-status-by-serial/${serialHex}`, acme.managementUrl), { ca: acme.caCertPem }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}
