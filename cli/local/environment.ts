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
import type { PropagationConfig } from '../../functions/core/dns01-config.js';
import { DnsChangeRejected, InvalidInput } from '../../functions/core/errors.js';
import { type IssuerConfig, type IssuerRegistry, LOCAL_ISSUER, dryRunIssuer } from '../../functions/core/issuers.js';
import type { AcmeDnsCredentials } from '../../functions/ports/acme-dns-credentials.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import type { CertificateStore } from '../../functions/ports/certificate-store.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult, PropagationTiming } from '../../functions/ports/dns-provider.js';
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

  acmeGateways(store: CertificateStore): (issuer: string, options?: { dryRun?: boolean }) => Promise<AcmeGateway> {
    const registry = this.issuers();
    // The embedded Pebble has no staging directory: a dry run orders from it and discards the certificate.
    return async (issuer, options) => {
      const resolved = await registry.resolve(issuer);
      return new AcmeClientGateway(options?.dryRun ? dryRunIssuer(resolved) : resolved, store);
    };
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
    const servers = () => this.lookupServers(propagation);
    const shared = this.sharedDnsProvider();
    const checked = propagation ? checkedThroughResolvers(shared, { config: propagation, servers }) : shared;
    if (certificate?.dns01?.cnameStrategy !== 'Follow') return checked;
    return followingCnames(checked, async (name) => {
      const known = await servers();
      if (!known) throw new DnsChangeRejected('cnameStrategy "Follow" needs a DNS server to look CNAMEs up: pass --dns-server HOST:PORT');
      return resolverCnameLookup(known)(name);
    });
  }

  /** The certificate's resolvers, else challtestsrv's DNS (what Pebble asks); undefined when neither is known. */
  private async lookupServers(propagation: PropagationConfig | undefined): Promise<readonly string[] | undefined> {
    if (propagation?.resolvers?.length) return propagation.resolvers;
    const { dnsServer } = await this.get();
    return dnsServer ? [dnsServer] : undefined;
  }

  /** Lookups as for any local certificate, else the system's resolver. */
  private acmeDnsProvider(certificate: CertificateSpec, host: string, credentials: AcmeDnsCredentials | undefined): DnsProvider {
    if (!credentials) throw new InvalidInput('certificate.dns01.acmeDNS: this run has no store to keep acme-dns registrations in');
    const propagation = certificate.dns01?.propagation;
    let built: Promise<AcmeDnsProvider> | undefined;
    const build = () =>
      (built ??= this.lookupServers(propagation).then((resolvers = []) => new AcmeDnsProvider({ host, credentials, resolvers, propagation })));
    return this.deferred(new AcmeDnsProvider({ host, credentials, propagation }).timing, build, async (dnsNames) => (await build()).checkZones(dnsNames));
  }

  private sharedDnsProvider(): DnsProvider {
    const build = () =>
      (this.provider ??= this.get().then(
        (ca) => new ChallTestSrvDnsProvider({ managementUrl: ca.challtestsrvUrl, ...(ca.dnsServer && { dnsServer: ca.dnsServer }) }),
      ));
    return this.deferred({ initialWaitSeconds: 0, intervalSeconds: 1, maxAttempts: 15 }, build, async () => undefined);
  }

  /**
   * A provider built on first use, so the CA is started only when it is needed: nothing was
   * ever presented if the CA was never needed, so a clean-up with nothing to clean starts nothing.
   */
  private deferred(timing: PropagationTiming, build: () => Promise<DnsProvider>, checkZones: DnsProvider['checkZones']): DnsProvider {
    return {
      timing,
      checkZones,
      present: async (records: readonly ChallengeRecord[]) => (await build()).present(records),
      cleanUp: async (records: readonly ChallengeRecord[]) => {
        if (records.length > 0 || this.used) await (await build()).cleanUp(records);
      },
      isPropagated: async (records: readonly ChallengeRecord[], presented: Presented): Promise<PropagationResult> =>
        (await build()).isPropagated(records, presented),
    };
  }
}
