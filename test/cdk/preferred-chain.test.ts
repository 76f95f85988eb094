/**
 * `preferredChain` is a setting of the issuer (as in cert-manager): the configuration file
 * accepts it, the Lambdas get it through CERTSTEP_ISSUERS, and the issuer they resolve carries
 * it to the gateway.
 */
import { describe, expect, it } from 'vitest';
import { issuersEnvironment, validateConfig } from '../../cdk/config.js';
import { readConfig } from '../../functions/runtime/config.js';
import { issuerRegistry } from '../../functions/runtime/issuers.js';
import { configErrorOf as errorOf, testConfig } from './support.js';

describe('preferredChain', () => {
  it('goes from the issuer in the configuration file to the issuer the Lambdas resolve', async () => {
    // Prepare
    const config = validateConfig(testConfig({ issuers: [{ preset: 'letsencrypt', preferredChain: 'ISRG Root X1' }, { preset: 'letsencrypt-staging' }] }));

    // Act
    const runtime = readConfig({ CERTSTEP_ISSUERS: issuersEnvironment(config.issuers) });
    const registry = issuerRegistry(runtime);
    const [preferring, plain] = await Promise.all([registry.resolve('letsencrypt'), registry.resolve('letsencrypt-staging')]);

    // Assess
    expect(config.issuers[0]).toMatchObject({ name: 'letsencrypt', preferredChain: 'ISRG Root X1' });
    expect(preferring.preferredChain).toBe('ISRG Root X1');
    expect(plain).not.toHaveProperty('preferredChain');
  });

  it.each([
    ['empty', ''],
    ['longer than a common name may be', 'R'.repeat(65)],
    ['on two lines', 'ISRG\nRoot X1'],
    ['padded with spaces', ' ISRG Root X1'],
  ])('refuses a name %s, naming the field', (_label, preferredChain) => {
    // Act
    const message = errorOf(() => validateConfig(testConfig({ issuers: [{ preset: 'letsencrypt', preferredChain }, { preset: 'letsencrypt-staging' }] })));

    // Assess
    expect(message).toContain('issuers[0].preferredChain');
  });

  it('refuses a CERTSTEP_ISSUERS preferredChain that is not a non-empty string', () => {
    // Act
    const run = () => readConfig({ CERTSTEP_ISSUERS: JSON.stringify([{ name: 'le', directoryUrl: 'https://acme.example/dir', preferredChain: 7 }]) });

    // Assess
    expect(run).toThrow('CERTSTEP_ISSUERS[0].preferredChain must be a non-empty string');
  });
});
