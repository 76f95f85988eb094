/** How the Lambdas pick the acme-dns provider: by the merged dns01, with the secret prefix and key the stack sets. */
import { describe, expect, it } from 'vitest';
import { AcmeDnsProvider } from '../../functions/adapters/acme-dns.js';
import { Route53DnsProvider } from '../../functions/adapters/route53-dns.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { readConfig } from '../../functions/runtime/config.js';
import { route53DnsFor } from '../../functions/runtime/dns.js';

const ISSUERS = JSON.stringify([{ name: 'le', directoryUrl: 'https://acme.example/dir', dns01: { acmeDNS: { host: 'https://auth.example.org' } } }]);
const certificate = (dns01?: CertificateSpec['dns01']): CertificateSpec =>
  ({ name: 'web', dnsNames: ['example.com'], issuer: 'le', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D', ...(dns01 && { dns01 }) }) as CertificateSpec;

describe('the DNS provider of a certificate on AWS', () => {
  it('is acme-dns when the issuer names a server, and Route 53 when the certificate opts out with its own route53 settings', () => {
    const dnsFor = route53DnsFor(readConfig({ CERTSTEP_ISSUERS: ISSUERS }));
    expect(dnsFor(certificate())).toBeInstanceOf(AcmeDnsProvider);
    expect(dnsFor(certificate({ route53: { hostedZoneId: 'Z1' } }))).toBeInstanceOf(Route53DnsProvider);
  });

  it('reads the acme-dns secret prefix and the stack key from the environment, with a default prefix', () => {
    expect(readConfig({ CERTSTEP_ISSUERS: ISSUERS })).toMatchObject({ acmeDnsSecretPrefix: 'certstep/acme-dns/' });
    expect('secretsKmsKeyArn' in readConfig({ CERTSTEP_ISSUERS: ISSUERS })).toBe(false);
    expect(
      readConfig({
        CERTSTEP_ISSUERS: ISSUERS,
        CERTSTEP_ACME_DNS_SECRET_PREFIX: 'prod/acme-dns/',
        CERTSTEP_SECRETS_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:1:key/k',
      }),
    ).toMatchObject({ acmeDnsSecretPrefix: 'prod/acme-dns/', secretsKmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' });
  });
});
