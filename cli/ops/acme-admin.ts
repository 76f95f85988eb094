/**
 * `certstep revoke <name>` and `certstep account show|rollover|update-contact`: what an operator
 * does to a certificate at the CA, or to the issuer's ACME account, by hand. Locally they speak
 * to the CA named with --acme-directory (the Pebble a local run starts forgets everything when it
 * stops, so there is nothing to revoke there); with --aws, to the issuer of certstep.config.json,
 * with the account and certificates in the deployment's secrets.
 */
import { readFile } from 'node:fs/promises';
import { AcmeClientGateway } from '../../functions/adapters/acme-client-gateway.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { type IssuerConfig, LOCAL_ISSUER } from '../../functions/core/issuers.js';
import type { AcmeAccountDetails } from '../../functions/ports/acme-account-admin.js';
import type { CertificateStore } from '../../functions/ports/certificate-store.js';
import { readConfig } from '../../functions/runtime/config.js';
import { issuerRegistry } from '../../functions/runtime/issuers.js';
import { secretsManagerStore } from '../../functions/runtime/store.js';
import { UsageError } from '../arguments.js';
import { EXIT } from '../exit-codes.js';
import type { AccountArguments, AdminTarget, RevokeArguments } from './arguments.js';
import { type OpsIo, PROCESS_IO, askOnTerminal, interactive, saidYes } from './terminal.js';

export async function runAccount(args: AccountArguments, io: OpsIo = PROCESS_IO): Promise<number> {
  const { store, issuer } = await open(args.target, args.issuer);
  const gateway = new AcmeClientGateway(issuer, store);
  let details: AcmeAccountDetails;
  if (args.action === 'rollover') details = await gateway.rolloverKey();
  else if (args.action === 'update-contact') details = await gateway.updateContact(args.emails.map((email) => `mailto:${email}`));
  else details = await gateway.accountDetails();
  if (args.json) {
    io.out(JSON.stringify({ issuer: issuer.name, ...details }, null, 2));
    return EXIT.succeeded;
  }
  const done = {
    show: '',
    rollover: 'Rolled the account key over: the CA now takes only the new key, which is stored.\n',
    'update-contact': 'Contact updated.\n',
  }[args.action];
  io.out(
    `${done}issuer     ${issuer.name}\ndirectory  ${details.directoryUrl}\naccount    ${details.accountUrl}\nstatus     ${details.status}\ncontact    ${details.contact.join(', ') || '-'}`,
  );
  return EXIT.succeeded;
}

export async function runRevoke(args: RevokeArguments, io: OpsIo = PROCESS_IO, confirm: Confirm = confirmOnTerminal): Promise<number> {
  const store = storeFor(args.target);
  const stored = await store.getCurrent(args.name);
  if (!stored?.['tls.crt']) {
    io.err(`certstep: ${args.name} has no stored certificate to revoke`);
    return EXIT.invalidInput;
  }
  const { issuer } = await open(args.target, stored.issuer, store);
  const refusal = await confirm(args.yes, `Revoke ${args.name} (serial ${stored.serialNumber})? It cannot be undone. [y/N] `);
  if (refusal !== undefined) {
    io.err(
      refusal === EXIT.invalidInput ? 'certstep: revoke cannot be undone and stdin is not a terminal to ask on; add --yes to go ahead' : 'Nothing revoked',
    );
    return refusal;
  }
  // Revoked by the account that ordered it, at the CA that issued it, even if the issuer moved since.
  const atIssuingCa = stored.directoryUrl ? { ...issuer, directoryUrl: stored.directoryUrl } : issuer;
  await new AcmeClientGateway(atIssuingCa, store).revokeCertificate(stored['tls.crt'], args.reason);
  io.out(
    `Revoked ${args.name} (serial ${stored.serialNumber}, reason ${args.reason}) at ${atIssuingCa.directoryUrl}.\n` +
      `The stored certificate is left as it is: run \`certstep renew ${args.name}\` to replace it now.`,
  );
  return EXIT.succeeded;
}

/** Undefined to go ahead; otherwise the exit code: 2 when nobody can be asked, 1 when the answer was no. */
export type Confirm = (yes: boolean, question: string) => Promise<number | undefined>;

const confirmOnTerminal: Confirm = async (yes, question) => {
  if (yes) return undefined;
  if (!interactive()) return EXIT.invalidInput;
  return saidYes(await askOnTerminal(question)) ? undefined : EXIT.failed;
};

function storeFor(target: AdminTarget): CertificateStore {
  if (target.kind === 'local') return new FileCertificateStore(target.storeDir);
  return secretsManagerStore({
    issuers: [],
    certificateSecretPrefix: target.secretPrefix,
    accountSecretPrefix: target.accountSecretPrefix,
    acmeDnsSecretPrefix: '',
  });
}

async function open(target: AdminTarget, issuerName: string, store = storeFor(target)): Promise<{ store: CertificateStore; issuer: IssuerConfig }> {
  if (target.kind === 'local') {
    if (issuerName !== LOCAL_ISSUER) throw new UsageError(`locally the only issuer is "${LOCAL_ISSUER}" (got "${issuerName}")`);
    const caBundlePem = target.acmeCaFile ? await readFile(target.acmeCaFile, 'utf8') : undefined;
    return { store, issuer: { name: LOCAL_ISSUER, directoryUrl: target.acmeDirectory, ...(caBundlePem && { caBundlePem }) } };
  }
  // The issuers as the stack hands them to the Lambdas, EAB key read from its secret.
  const { loadConfig, issuersEnvironment } = await import('../../cdk/config.js');
  const config = loadConfig(target.configFile);
  const registry = issuerRegistry(runtimeConfig(target, issuersEnvironment(config.issuers)));
  if (!registry.names.has(issuerName)) throw new UsageError(`${target.configFile} has no issuer "${issuerName}" (it has ${[...registry.names].join(', ')})`);
  return { store, issuer: await registry.resolve(issuerName) };
}

function runtimeConfig(target: Extract<AdminTarget, { kind: 'aws' }>, issuers: string) {
  return readConfig({
    CERTSTEP_ISSUERS: issuers,
    CERTSTEP_CERTIFICATE_SECRET_PREFIX: target.secretPrefix,
    CERTSTEP_ACCOUNT_SECRET_PREFIX: target.accountSecretPrefix,
  });
}
