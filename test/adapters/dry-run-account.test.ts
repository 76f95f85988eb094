/**
 * A dry run registers its own account at the staging directory and keeps it in the issuer's
 * account record beside the live one: the live account stays the record's first ("registered
 * last") account, a live run and `certstep account show` keep using it, and a later dry run finds
 * its staging account again. Pebble answers at 127.0.0.1 and localhost, two directory URLs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeClientGateway } from '../../functions/adapters/acme-client-gateway.js';
import { withAccount } from '../../functions/adapters/account-record.js';
import { accountIn } from '../../functions/adapters/account-record.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { type IssuerConfig, dryRunIssuer } from '../../functions/core/issuers.js';
import { type TestCa, newStore, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa();
});
afterAll(async () => {
  await ca?.stop();
});

const account = (directoryUrl: string, key: string) => ({ directoryUrl, accountKeyPem: key, accountUrl: `${directoryUrl}/acct/${key}` });

describe('the account record and a dry run', () => {
  it('files a staging account beside the live one, which stays first; a replaced staging account too', () => {
    // Prepare
    const live = account('https://ca.test/live', 'k1');
    const other = account('https://ca.test/old', 'k0');
    const record = withAccount(withAccount(undefined, other), live);

    // Act
    const withStaging = withAccount(record, account('https://ca.test/staging', 'k2'), true);
    const replaced = withAccount(withStaging, account('https://ca.test/staging', 'k3'), true);

    // Assess
    expect(accountIn(withStaging)).toEqual(live);
    expect(accountIn(withStaging, 'https://ca.test/staging')).toEqual(account('https://ca.test/staging', 'k2'));
    expect(accountIn(withStaging, 'https://ca.test/old')).toEqual(other);
    expect(accountIn(replaced)).toEqual(live);
    expect(accountIn(replaced, 'https://ca.test/staging')).toEqual(account('https://ca.test/staging', 'k3'));
  });

  it('against a CA: the dry run registers its own account, and the live account is still the one the record and account show name', async () => {
    // Prepare
    const store = new FileCertificateStore(await newStore());
    const live: IssuerConfig = {
      name: 'local',
      directoryUrl: ca.acme.directoryUrl,
      caBundlePem: ca.acme.caCertPem,
      stagingDirectoryUrl: ca.acme.directoryUrl.replace('127.0.0.1', 'localhost'),
    };
    const liveAccount = await new AcmeClientGateway(live, store).account();

    // Act
    const dryAccount = await new AcmeClientGateway(dryRunIssuer(live), store).account();
    const dryAgain = await new AcmeClientGateway(dryRunIssuer(live), store).account();
    const shown = await new AcmeClientGateway(live, store).accountDetails();

    // Assess
    expect(dryAccount.directoryUrl).toBe(live.stagingDirectoryUrl);
    expect(dryAccount.accountUrl).not.toBe(liveAccount.accountUrl);
    expect(dryAgain).toEqual(dryAccount);
    expect(await store.getAccount('local')).toMatchObject({ directoryUrl: live.directoryUrl, accountUrl: liveAccount.accountUrl });
    expect(shown).toMatchObject({ directoryUrl: live.directoryUrl, accountUrl: liveAccount.accountUrl });
  });
});
