/** dns01.acmeDNS: validated like the rest of the certificate, and merged issuer → certificate like the rest of dns01. */
import { describe, expect, it } from 'vitest';
import { parseExecutionInput } from '../../functions/core/certificate-spec.js';
import { mergeDns01 } from '../../functions/runtime/dns.js';

const issuers = new Set(['local']);
const withDns01 = (dns01: Record<string, unknown>) => ({ certificate: { name: 'web', dnsNames: ['example.com', '*.example.com'], issuer: 'local', dns01 } });

describe('certificate.dns01.acmeDNS', () => {
  it.each([
    ['a host that is no URL', { acmeDNS: { host: 'auth.example.org' } }, 'certificate.dns01.acmeDNS.host: must be the https:// URL of an acme-dns server'],
    ['plain http to a public host', { acmeDNS: { host: 'http://auth.example.org' } }, 'http:// only for a loopback address'],
    ['credentials in the URL', { acmeDNS: { host: 'https://user:secret@auth.example.org' } }, 'certificate.dns01.acmeDNS.host: must be the https:// URL'],
    ['a host that is not a string', { acmeDNS: { host: 443 } }, 'certificate.dns01.acmeDNS.host: must be the https:// URL'],
    ['no host', { acmeDNS: {} }, 'certificate.dns01.acmeDNS.host: must be the https:// URL'],
    ['an unknown acmeDNS field', { acmeDNS: { host: 'https://auth.example.org', username: 'u' } }, 'certificate.dns01.acmeDNS.username: unknown field'],
    [
      'acmeDNS together with route53',
      { acmeDNS: { host: 'https://auth.example.org' }, route53: { hostedZoneId: 'Z1' } },
      'certificate.dns01.route53: cannot be set together with acmeDNS',
    ],
    [
      'acmeDNS together with Follow',
      { acmeDNS: { host: 'https://auth.example.org' }, cnameStrategy: 'Follow' },
      'certificate.dns01.cnameStrategy: "Follow" cannot be set together with acmeDNS',
    ],
  ])('rejects %s', (_label, dns01, message) => {
    // Act
    const act = () => parseExecutionInput(withDns01(dns01), issuers);

    // Assess
    expect(act).toThrowError(expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining(message) }));
  });

  it.each(['https://auth.example.org', 'https://auth.example.org:8443/acme-dns', 'http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080'])(
    'accepts %s',
    (host) => {
      const parsed = parseExecutionInput(withDns01({ acmeDNS: { host }, propagation: { resolvers: ['1.1.1.1'] } }), issuers);
      expect(parsed.certificate.dns01).toEqual({ acmeDNS: { host }, propagation: { resolvers: ['1.1.1.1'] } });
    },
  );
});

describe('mergeDns01 with acmeDNS', () => {
  const acmeDNS = { host: 'https://auth.example.org' };

  it("takes the issuer's acmeDNS unless the certificate names its own", () => {
    expect(mergeDns01({ acmeDNS }, undefined).acmeDNS).toEqual(acmeDNS);
    expect(mergeDns01({ acmeDNS }, { acmeDNS: { host: 'https://other.example.org' } }).acmeDNS).toEqual({ host: 'https://other.example.org' });
    expect(mergeDns01(undefined, { acmeDNS }).acmeDNS).toEqual(acmeDNS);
  });

  it("lets a certificate with Route 53 settings of its own opt out of its issuer's acmeDNS", () => {
    expect('acmeDNS' in mergeDns01({ acmeDNS }, { route53: { hostedZoneId: 'Z1' } })).toBe(false);
  });

  it('leaves acmeDNS out when neither gives it', () => {
    expect('acmeDNS' in mergeDns01({ cnameStrategy: 'Follow' }, {})).toBe(false);
  });
});
