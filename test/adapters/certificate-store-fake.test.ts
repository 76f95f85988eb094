/** The certificate store contract against the in-memory Secrets Manager fake; test/moto runs the same cases against moto_server. */
import { describeCertificateStoreContract } from './certificate-store-contract.js';
import { fakeSecretsManager } from '../support/secrets-manager-fake.js';

describeCertificateStoreContract('the in-memory fake', () => ({
  withSecrets: async (secretIds) => fakeSecretsManager(secretIds).client,
}));
