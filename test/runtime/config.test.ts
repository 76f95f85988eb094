/**
 * Lambda configuration: read once at module scope, failing at init with the variable's name;
 * every handler module loads with a complete environment.
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../functions/runtime/config.js';

const ISSUERS = JSON.stringify([{ name: 'letsencrypt', directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', email: 'ops@example.com' }]);
const COMPLETE = {
  CERTSTEP_ISSUERS: ISSUERS,
  CERTSTEP_LEDGER_TABLE: 'certstep-ledger',
  CERTSTEP_SCHEDULE_GROUP: 'certstep',
  CERTSTEP_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:certstep',
  CERTSTEP_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
  CERTSTEP_CATALOG_TABLE: 'certstep-catalog',
  CERTSTEP_CERTIFICATE_SECRET_POLICY: JSON.stringify({
    get: ['arn:aws:iam::123456789012:role/get'],
    getAcm: [],
    put: ['arn:aws:iam::123456789012:role/put'],
    stage: ['arn:aws:iam::123456789012:role/put'],
    readers: [],
  }),
  AWS_REGION: 'eu-west-1',
};

describe('readConfig', () => {
  it.each([
    ['no CERTSTEP_ISSUERS', {}, 'CERTSTEP_ISSUERS is not set'],
    ['issuers that are not JSON', { CERTSTEP_ISSUERS: '[{' }, 'CERTSTEP_ISSUERS is not valid JSON'],
    ['an empty issuer list', { CERTSTEP_ISSUERS: '[]' }, 'must be a non-empty JSON array'],
    ['an issuer without a name', { CERTSTEP_ISSUERS: '[{"directoryUrl":"https://x/dir"}]' }, 'CERTSTEP_ISSUERS[0].name'],
    [
      'a plain-http directory',
      { CERTSTEP_ISSUERS: '[{"name":"x","directoryUrl":"http://x/dir"}]' },
      'CERTSTEP_ISSUERS[0].directoryUrl must be an https:// URL',
    ],
    ['half an EAB', { CERTSTEP_ISSUERS: '[{"name":"x","directoryUrl":"https://x/dir","eabKeyId":"k"}]' }, 'eabKeyId and eabHmacSecretId go together'],
  ])('fails at init with %s', (_label, env, message) => {
    expect(() => readConfig(env)).toThrowError(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(message) }));
  });

  it('defaults the secret prefixes', () => {
    expect(readConfig({ CERTSTEP_ISSUERS: ISSUERS })).toMatchObject({
      certificateSecretPrefix: 'certstep/certificates/',
      accountSecretPrefix: 'certstep/accounts/',
    });
  });
});

describe('Lambda entry modules', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    vi.resetModules();
  });

  const handlers = readdirSync(new URL('../../functions/handlers/', import.meta.url)).filter((file) => file.endsWith('.ts'));

  it.each(handlers)('%s exports a handler once its environment is complete', async (file) => {
    Object.assign(process.env, COMPLETE);
    const module = (await import(`../../functions/handlers/${file}`)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  it('refuses to load without its configuration', async () => {
    delete process.env.CERTSTEP_ISSUERS;
    await expect(import('../../functions/handlers/create-order.js')).rejects.toThrow('CERTSTEP_ISSUERS is not set');
  });
});
