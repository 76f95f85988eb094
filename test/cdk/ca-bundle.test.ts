/**
 * `caBundlePem` lets an issuer be a private ACME server (step-ca, Pebble, an internal CA): the
 * configuration file accepts PEM certificates, the Lambdas get them through CERTSTEP_ISSUERS
 * and the issuer they resolve trusts them. Lambda's 4 KB environment bounds them.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { issuersEnvironment, validateConfig } from '../../cdk/config.js';
import { readConfig } from '../../functions/runtime/config.js';
import { issuerRegistry } from '../../functions/runtime/issuers.js';
import { configErrorOf as errorOf, synthesise, testConfig } from './support.js';

function caCertificate(): string {
  return execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=Private ACME CA', '-days', '1'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
}

const privateIssuer = (caBundlePem: string) => ({ name: 'internal', directoryUrl: 'https://acme.internal.example/directory', caBundlePem });

describe('caBundlePem', () => {
  it('goes from the issuer in the configuration file to the issuer the Lambdas resolve', async () => {
    // Prepare
    const pem = caCertificate();
    const config = validateConfig(testConfig({ issuers: [{ preset: 'letsencrypt' }, { preset: 'letsencrypt-staging' }, privateIssuer(pem)] }));

    // Act
    const registry = issuerRegistry(readConfig({ CERTSTEP_ISSUERS: issuersEnvironment(config.issuers) }));
    const [internal, public_] = await Promise.all([registry.resolve('internal'), registry.resolve('letsencrypt')]);

    // Assess
    expect(internal.caBundlePem).toBe(pem);
    expect(public_).not.toHaveProperty('caBundlePem');
  });

  it.each([
    ['a private key', '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n'],
    ['a file name', '/etc/ssl/private-ca.pem'],
    ['a whole system bundle', `${'-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'.repeat(60)}`],
  ])('refuses %s, naming the field', (_label, caBundlePem) => {
    const message = errorOf(() =>
      validateConfig(testConfig({ issuers: [{ preset: 'letsencrypt' }, { preset: 'letsencrypt-staging' }, privateIssuer(caBundlePem)] })),
    );

    expect(message).toContain('issuers[2].caBundlePem');
  });

  it('refuses a CERTSTEP_ISSUERS caBundlePem that holds no certificate', () => {
    const run = () => readConfig({ CERTSTEP_ISSUERS: JSON.stringify([{ name: 'internal', directoryUrl: 'https://acme.example/dir', caBundlePem: 'x' }]) });

    expect(run).toThrow('CERTSTEP_ISSUERS[0].caBundlePem must be PEM certificates');
  });

  it("refuses bundles that do not fit in Lambda's 4 KB environment, saying to keep only the CA that signs the directory", () => {
    // Prepare: each bundle is within its own limit; three of them are not within Lambda's.
    const bundle = `${caCertificate()}${caCertificate()}${caCertificate()}`;
    const issuers = [
      { preset: 'letsencrypt' as const },
      { ...privateIssuer(bundle), name: 'one' },
      { ...privateIssuer(bundle), name: 'two' },
      { ...privateIssuer(bundle), name: 'three' },
    ];

    // Act
    const message = errorOf(() =>
      synthesise(
        testConfig({ issuers, certificates: [{ name: 'web', dnsNames: ['example.com'], issuer: 'letsencrypt', dns01: { route53: { hostedZoneId: 'Z1' } } }] }),
        {
          bundle: false,
        },
      ),
    );

    // Assess
    expect(message).toMatch(/issuers: take \d+ bytes as the Lambdas' CERTSTEP_ISSUERS variable, over the 3 KB .* give caBundlePem only the CA certificate/);
  });
});
