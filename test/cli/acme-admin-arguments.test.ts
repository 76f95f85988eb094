/** The words of `certstep revoke` and `certstep account`: where the CA and the account are, and what is refused. */
import { describe, expect, it } from 'vitest';
import { runAccount } from '../../cli/ops/acme-admin.js';
import { parseCommandLine } from '../../cli/program.js';

const quiet = { out: () => undefined, err: () => undefined };
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseCommandLine(argv, { ...quiet, env });
const refusal = (argv: string[]) => {
  try {
    parse(argv);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('revoke and account arguments', () => {
  it('locally names the CA and the store; with --aws the configuration and the secret prefixes, from flags or variables', () => {
    expect(parse(['revoke', 'web', '--acme-directory', 'https://127.0.0.1:14000/dir', '--reason', 'keycompromise'])).toEqual({
      kind: 'revoke',
      args: {
        name: 'web',
        reason: 'keyCompromise',
        yes: false,
        target: { kind: 'local', storeDir: '.certstep', acmeDirectory: 'https://127.0.0.1:14000/dir' },
      },
    });
    expect(parse(['account', 'rollover', 'letsencrypt', '--aws', '--config', 'prod.json'], { CERTSTEP_ACCOUNT_SECRET_PREFIX: 'team/accounts/' })).toEqual({
      kind: 'account',
      args: {
        action: 'rollover',
        issuer: 'letsencrypt',
        emails: [],
        json: false,
        target: { kind: 'aws', configFile: 'prod.json', secretPrefix: 'certstep/certificates/', accountSecretPrefix: 'team/accounts/' },
      },
    });
  });

  it.each([
    [['account', 'show', 'local'], '--acme-directory'],
    [['account', 'update-contact', 'local', '--acme-directory', 'https://ca.test/dir'], 'needs --email'],
    [['account', 'show', 'local', '--email', 'a@b.test', '--acme-directory', 'https://ca.test/dir'], '--email is for account update-contact'],
    [['account', 'delete', 'local'], 'delete'],
    [['revoke', 'web', '--aws', '--acme-directory', 'https://ca.test/dir'], '--acme-directory is for the local store'],
    [['revoke', 'web', '--config', 'x.json', '--acme-directory', 'https://ca.test/dir'], '--config needs --aws'],
    [['revoke', 'Web!', '--acme-directory', 'https://ca.test/dir'], 'is not a certificate name'],
    [['revoke', 'web', '--reason', 'bored', '--acme-directory', 'https://ca.test/dir'], '--reason must be one of'],
  ])('refuses %j, saying %s', (argv, words) => {
    expect(refusal(argv)).toContain(words);
  });

  it('with --aws reads the issuers of the configuration file, and names them when the one asked for is not there', async () => {
    const target = {
      kind: 'aws' as const,
      configFile: 'certstep.config.json',
      secretPrefix: 'certstep/certificates/',
      accountSecretPrefix: 'certstep/accounts/',
    };

    const failure = await runAccount({ action: 'show', issuer: 'nope', emails: [], json: false, target }, quiet).catch((error: Error) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/certstep\.config\.json has no issuer "nope" \(it has .*letsencrypt/);
  });
});
