/**
 * The DNS provider as Lambdas build it, settings merged issuer → certificate: Route 53 with
 * clients per assumed role, or acme-dns when the certificate names a server.
 */
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CertificateSpec } from '../core/certificate-spec.js';
import type { Dns01Config, Route53ZoneConfig } from '../core/dns01-config.js';
import { roleSessionName } from '../core/role-session-name.js';
import { AcmeDnsProvider } from '../adapters/acme-dns.js';
import { Route53DnsProvider } from '../adapters/route53-dns.js';
import { SecretsManagerAcmeDnsCredentials } from '../adapters/secrets-manager-acme-dns-credentials.js';
import type { DnsProvider } from '../ports/dns-provider.js';
import type { RuntimeConfig } from './config.js';
import { traced } from './tracing.js';
import { fromZoneRole } from './zone-role.js';

/** The SDK's standard retry: jittered exponential backoff on Throttling and PriorRequestNotComplete, bounded. */
const ROUTE53_MAX_ATTEMPTS = 6;

/**
 * Route 53 clients, one per set of credentials: the function's own, or a zone account's role
 * assumed with the certificate's session name (core/role-session-name.ts). The session name is
 * part of the key, so two certificates behind the same role never share a session, and the zone
 * account's CloudTrail names the certificate behind each change.
 */
export function route53Clients(): (access: Pick<Route53ZoneConfig, 'role' | 'externalId'>, sessionName: string) => Route53Client {
  const clients = new Map<string, Route53Client>();
  return (access, sessionName) => {
    const key = access.role ? JSON.stringify([access.role, access.externalId ?? '', sessionName]) : '';
    let client = clients.get(key);
    if (!client) {
      client = traced(
        new Route53Client({
          region: 'us-east-1',
          maxAttempts: ROUTE53_MAX_ATTEMPTS,
          ...(access.role && {
            credentials: fromZoneRole({
              params: { RoleArn: access.role, RoleSessionName: sessionName, ...(access.externalId && { ExternalId: access.externalId }) },
            }),
          }),
        }),
      );
      clients.set(key, client);
    }
    return client;
  };
}

/** A certificate's own dns01 settings win over its issuer's, field by field (zones and cnameTargets key by key). */
export function mergeDns01(issuer: Dns01Config | undefined, certificate: Dns01Config | undefined): Dns01Config {
  const cnameTargets =
    issuer?.route53?.cnameTargets || certificate?.route53?.cnameTargets
      ? { ...issuer?.route53?.cnameTargets, ...certificate?.route53?.cnameTargets }
      : undefined;
  const route53 = {
    ...issuer?.route53,
    ...certificate?.route53,
    zones: { ...issuer?.route53?.zones, ...certificate?.route53?.zones },
    ...(cnameTargets && { cnameTargets }),
  };
  const cnameStrategy = certificate?.cnameStrategy ?? issuer?.cnameStrategy;
  const propagation = issuer?.propagation || certificate?.propagation ? { ...issuer?.propagation, ...certificate?.propagation } : undefined;
  // A certificate that names Route 53 settings of its own opts out of its issuer's acme-dns.
  const acmeDNS = certificate?.acmeDNS ?? (certificate?.route53 ? undefined : issuer?.acmeDNS);
  return { route53, ...(cnameStrategy && { cnameStrategy }), ...(propagation && { propagation }), ...(acmeDNS && { acmeDNS }) };
}

export function route53DnsFor(config: RuntimeConfig): (certificate: CertificateSpec) => DnsProvider {
  const clientFor = route53Clients();
  let acmeDnsCredentials: SecretsManagerAcmeDnsCredentials | undefined;
  return (certificate) => {
    const issuer = config.issuers.find((candidate) => candidate.name === certificate.issuer);
    const dns01 = mergeDns01(issuer?.dns01, certificate.dns01);
    if (dns01.acmeDNS) {
      acmeDnsCredentials ??= new SecretsManagerAcmeDnsCredentials({
        client: traced(new SecretsManagerClient({ maxAttempts: 5 })),
        secretPrefix: config.acmeDnsSecretPrefix,
        ...(config.secretsKmsKeyArn && { kmsKeyId: config.secretsKmsKeyArn }),
      });
      return new AcmeDnsProvider({
        host: dns01.acmeDNS.host,
        credentials: acmeDnsCredentials,
        resolvers: dns01.propagation?.resolvers ?? [],
        propagation: dns01.propagation,
      });
    }
    const sessionName = roleSessionName(certificate.name);
    // A new provider per call keeps the zone listing to one invocation; zone details stay
    // cached per client (route53-zones.ts), and the clients live as long as the container.
    return new Route53DnsProvider({ dns01, clientFor: (access) => clientFor(access, sessionName) });
  };
}
