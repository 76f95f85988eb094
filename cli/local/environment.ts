/**
 * The CA and DNS a local run talks to: either a private Pebble + challtestsrv started on
 * first use (so an invalid or up-to-date run never starts them), or ones already running
 * that the caller names (so a tester can run Pebble with fault-injection settings).
 */
import { AcmeClientGateway } from '../../functions/adapters/acme-client-gateway.js';
import { AcmeDnsProvider } from '../../functions/adapters/acme-dns.js';
import { ChallTestSrvDnsProvider } from '../../functions/adapters/challtestsrv-dns.js';
import { followingCnames, resolverCnameLookup } from '../../functions/adapters/cname-follow.js';
import { checkedThroughResolvers } from '../../functions/adapters/resolver-propagation.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { DnsChangeRejected, InvalidInput } from '../../functions/core/errors.js';
import { type IssuerConfig, type IssuerRegistry, LOCAL_ISSUER } from '../../functions/core/issuers.js';
import type { AcmeDnsCredentials } from '../../functions/ports/acme-dns-credentials.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import type { CertificateStore } from '../../functions/ports/certificate-store.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult } from '../../functions/ports/dns-provider.js';
import { type LocalAcme, type LocalAcmeOptions, startLocalAcme } from './pebble.js';

export interface LocalCa {
  readonly directoryUrl: string;
  readonly caBundlePem?: string;
  readonly challtestsrvUrl: string;
  /** Where challtestsrv answers DNS; unknown for an external one. */
  readonly dnsServer?: string;
  /** Present when this process started Pebble. */
  readonly pebble?: LocalAcme;
  /** Account contact and external account binding for the `local` issuer. */
  readonly email?: string;
  readonly eab?: IssuerConfig['eab'];
  readonly preferredChain?: string;
}

export class LocalEnvironment {
  private started?: Promise<LocalCa>;

  constructor(private readonly source: { external: LocalCa } | { start: LocalAcmeOptions }) {}

  get(): Promise<LocalCa> {
    if (!this.started) {
      this.started =
        'external' in this.source
          ? Promise.resolve(this.source.external)
          : startLocalAcme(this.source.start).then((pebble) => ({
              directoryUrl: pebble.directoryUrl,
              caBundlePem: pebble.caCertPem,
              challtestsrvUrl: pebble.challtestsrvUrl,
              dnsServer: pebble.dnsServer,
              pebble,
            }));
    }
    return this.started;
  }

  /** Whether a CA was needed (and started or used) during this environment's life. */
  get used(): boolean {
    return this.started !== undefined;
  }

  async stop(): Promise<void> {
    if (!this.started || 'external' in this.source) return;
    const ca = await this.started.catch(() => undefined);
    await ca?.pebble?.stop();
  }

  issuers(): IssuerRegistry {
    return {
      names: new Set([LOCAL_ISSUER]),
      resolve: async (name: string): Promise<IssuerConfig> => {
        if (name !== LOCAL_ISSUER) throw new InvalidInput(`certificate.issuer: unknown issuer "${name}"`);
        const ca = await this.get();
        return {
          name,
          directoryUrl: ca.directoryUrl,
          ...(ca.caBundlePem && { caBundlePem: ca.caBundlePem }),
          ...(ca.email && { email: ca.email }),
          ...(ca.eab && { eab: ca.eab }),
          ...(ca.preferredChain && { preferredChain: ca.preferredChain }),
        };
      },
    };
  }

  acmeGateways(store: CertificateStore): (issuer: string) => Promise<AcmeGateway> {
    const registry = this.issuers();
    return async (issuer) => new AcmeClientGateway(await registry.resolve(issuer), store);
  }

  /** One provider per environment, so concurrent runs share its per-name lock. */
  private provider?: Promise<ChallTestSrvDnsProvider>;

  /**
   * The provider for one certificate. Its `dns01.propagation.resolvers` serve every lookup
   * (CNAMEs and the propagation check), as lego's --dns.resolvers does; otherwise the DNS
   * address of challtestsrv does. cnameStrategy Follow writes at the CNAME target, and acmeDNS
   * sends the records to that server, with the registrations kept in credentials.
   */
  dnsProvider(certificate?: CertificateSpec, credentials?: AcmeDnsCredentials): DnsProvider {
    if (certificate?.dns01?.acmeDNS) return this.acmeDnsProvider(certificate, certificate.dns01.acmeDNS.host, credentials);
    const propagation = certificate?.dns01?.propagation;
    const servers = async (): Promise<readonly string[] | undefined> => {
      if (propagation?.resolvers?.length) return propagation.resolvers;
      const { dnsServer } = await this.get();
      return dnsServer ? [dnsServer] : undefined;
    };
    const shared = this.sharedDnsProvider();
    const checked = propagation ? checkedThroughResolvers(shared, { config: propagation, servers }) : shared;
    if (certificate?.dns01?.cnameStrategy !== 'Follow') return checked;
    return followingCnames(checked, async (name) => {
      const known = await servers();
      if (!known) throw new DnsChangeRejected('cnameStrategy "Follow" needs a DNS server to look CNAMEs up: pass --dns-server HOST:PORT');
      return resolverCnameLookup(known)(name);
    });
  }

  /**
   * Lookups go to the certificate's resolvers, else to challtestsrv's DNS (which is what
   * Pebble asks), else to the system's; only the last two need the CA, so it is started on
   * first use, never for a clean-up with nothing to clean.
   */
  private acmeDnsProvider(certificate: CertificateSpec, host: string, credentials: AcmeDnsCredentials | undefined): DnsProvider {
    if (!credentials) throw new InvalidInput('certificate.dns01.acmeDNS: this run has no store to keep acme-dns registrations in');
    const propagation = certificate.dns01?.propagation;
    const given = propagation?.resolvers;
    let built: Promise<AcmeDnsProvider> | undefined;
    const provider = () =>
      (built ??= (given?.length ? Promise.resolve(given) : this.get().then((ca) => (ca.dnsServer ? [ca.dnsServer] : []))).then(
        (resolvers) => new AcmeDnsProvider({ host, credentials, resolvers, propagation }),
      ));
    return {
      timing: new AcmeDnsProvider({ host, credentials, propagation }).timing,
      checkZones: async (dnsNames) => (await provider()).checkZones(dnsNames),
      present: async (records) => (await provider()).present(records),
      cleanUp: async (records) => {
        if (records.length > 0 || this.used) await (await provider()).cleanUp(records);
      },
      isPropagated: async (records, presented) => (await provider()).isPropagated(records, presented),
    };
  }

  private sharedDnsProvider(): DnsProvider {
    const resolve = () =>
      (this.provider ??= this.get().then(
        (ca) => new ChallTestSrvDnsProvider({ managementUrl: ca.challtestsrvUrl, ...(ca.dnsServer && { dnsServer: ca.dnsServer }) }),
      ));
    return {
      timing: { initialWaitSeconds: 0, intervalSeconds: 1, maxAttempts: 15 },
      checkZones: async () => undefined,
      present: async (records: readonly ChallengeRecord[]) => (await resolve()).present(records),
      // Nothing was ever presented if the CA was never needed: don't start Pebble just to clean up.
      cleanUp: async (records: readonly ChallengeRecord[]) => {
        if (records.length > 0 || this.used) await (await resolve()).cleanUp(records);
      },
      isPropagated: async (records: readonly ChallengeRecord[], presented: Presented): Promise<PropagationResult> =>
        (await resolve()).isPropagated(records, presented),
    };
  }
}
