/**
 * How a dry run is asked for (the execution input's dryRun flag) and where it orders: the
 * issuer's staging directory when it has one (its own setting, or Let's Encrypt staging for
 * Let's Encrypt production, which the letsencrypt preset is), else the issuer's own directory.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../cdk/config.js';
import { issuersEnvironment } from '../../cdk/config.js';
import { parseExecutionInput } from '../../functions/core/certificate-spec.js';
import { LETS_ENCRYPT_PRODUCTION, LETS_ENCRYPT_STAGING, dryRunIssuer, stagingDirectoryUrl } from '../../functions/core/issuers.js';
import { readConfig } from '../../functions/runtime/config.js';
import { issuerRegistry } from '../../functions/runtime/issuers.js';
import { testConfig } from '../cdk/support.js';

const certificate = { name: 'web', dnsNames: ['web.example.com'], issuer: 'le' };
const issuers = new Set(['le']);

describe('the dryRun flag of the execution input', () => {
  it('is read beside force, and stays absent when not given so scheduled inputs are as before', () => {
    // Act
    const dry = parseExecutionInput({ certificate, dryRun: true }, issuers);
    const plain = parseExecutionInput({ certificate, force: true }, issuers);

    // Assess
    expect(dry).toMatchObject({ force: false, dryRun: true });
    expect(plain).not.toHaveProperty('dryRun');
  });

  it('refuses anything but a boolean, naming the field', () => {
    expect(() => parseExecutionInput({ certificate, dryRun: 'yes' }, issuers)).toThrow(/dryRun.*must be a boolean \(got "yes"\)/);
  });
});

describe('the directory a dry run orders from', () => {
  it.each([
    ["Let's Encrypt production", { directoryUrl: LETS_ENCRYPT_PRODUCTION }, LETS_ENCRYPT_STAGING],
    ["Let's Encrypt production with a trailing slash", { directoryUrl: `${LETS_ENCRYPT_PRODUCTION}/` }, LETS_ENCRYPT_STAGING],
    [
      'an explicit stagingDirectoryUrl, which wins',
      { directoryUrl: LETS_ENCRYPT_PRODUCTION, stagingDirectoryUrl: 'https://staging.ca.test/dir' },
      'https://staging.ca.test/dir',
    ],
    ['a CA without a staging directory (its own)', { directoryUrl: 'https://acme.ca.test/directory' }, 'https://acme.ca.test/directory'],
  ])('for %s', (_label, issuer, expected) => {
    // Act
    const dry = dryRunIssuer({ name: 'le', email: 'a@example.com', ...issuer });

    // Assess
    expect(dry.directoryUrl).toBe(expected);
    expect(dry).toMatchObject({ name: 'le', email: 'a@example.com' });
    expect(stagingDirectoryUrl(issuer)).toBe(expected === issuer.directoryUrl ? undefined : expected);
  });

  it('reaches the Lambdas from the configuration file: the letsencrypt preset gets staging, stagingDirectoryUrl is passed on', async () => {
    // Prepare
    const base = testConfig();
    const config = validateConfig({
      ...base,
      issuers: [...base.issuers, { name: 'corp', directoryUrl: 'https://acme.corp.test/directory', stagingDirectoryUrl: 'https://acme.corp.test/staging' }],
    });
    const registry = issuerRegistry(readConfig({ CERTSTEP_ISSUERS: issuersEnvironment(config.issuers) }));

    // Act
    const preset = dryRunIssuer(await registry.resolve('letsencrypt'));
    const corp = dryRunIssuer(await registry.resolve('corp'));
    const live = await registry.resolve('corp');

    // Assess
    expect(preset.directoryUrl).toBe(LETS_ENCRYPT_STAGING);
    expect(corp.directoryUrl).toBe('https://acme.corp.test/staging');
    expect(live.directoryUrl).toBe('https://acme.corp.test/directory');
  });

  it('refuses a stagingDirectoryUrl that is not https, in the file and in CERTSTEP_ISSUERS', () => {
    const base = testConfig();
    expect(() => validateConfig({ ...base, issuers: [{ name: 'corp', directoryUrl: 'https://acme.corp.test/d', stagingDirectoryUrl: 'http://x' }] })).toThrow(
      /stagingDirectoryUrl/,
    );
    expect(() =>
      readConfig({ CERTSTEP_ISSUERS: JSON.stringify([{ name: 'corp', directoryUrl: 'https://a.test/d', stagingDirectoryUrl: 'ftp://x' }]) }),
    ).toThrow(/CERTSTEP_ISSUERS\[0\]\.stagingDirectoryUrl must be an https:\/\/ URL/);
  });
});
