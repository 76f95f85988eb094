/** The dns01 and acm sections of the certificate spec: every rejection names its field. */
import { describe, expect, it } from 'vitest';
import { parseExecutionInput } from '../../functions/core/certificate-spec.js';

const issuers = new Set(['local']);
const withSection = (section: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  certificate: { name: 'web', dnsNames: ['example.com', '*.example.com'], issuer: 'local', ...extra, ...section },
});

describe('certificate.dns01 and certificate.acm', () => {
  it.each([
    ['an unknown dns01 field', { dns01: { solver: 'x' } }, 'certificate.dns01.solver: unknown field'],
    ['a cnameStrategy other than None/Follow', { dns01: { cnameStrategy: 'follow' } }, 'certificate.dns01.cnameStrategy: must be "None" or "Follow"'],
    [
      'a malformed hosted zone id',
      { dns01: { route53: { hostedZoneId: 'z-lower' } } },
      'certificate.dns01.route53.hostedZoneId: must be a Route 53 hosted zone id',
    ],
    ['a role that is not a role ARN', { dns01: { route53: { role: 'arn:aws:iam::123:user/x' } } }, 'certificate.dns01.route53.role: must be an IAM role ARN'],
    ['an externalId without a role', { dns01: { route53: { externalId: 'abc' } } }, 'certificate.dns01.route53.externalId: only makes sense with a role'],
    ['privateZone that is not a boolean', { dns01: { route53: { privateZone: 'yes' } } }, 'certificate.dns01.route53.privateZone: must be a boolean'],
    ['a zones key matching no dnsName', { dns01: { route53: { zones: { 'other.com': { hostedZoneId: 'Z1' } } } } }, 'matches none of certificate.dnsNames'],
    ['a wildcard zones key', { dns01: { route53: { zones: { '*.example.com': {} } } } }, 'is not a domain name'],
    ['an unknown field inside a zone', { dns01: { route53: { zones: { 'example.com': { ttl: 5 } } } } }, '.ttl: unknown field'],
    [
      'a cnameTargets key that is no DNS name',
      { dns01: { route53: { cnameTargets: { 'a..example.com': 'x.acme.example.net' } } } },
      'certificate.dns01.route53.cnameTargets["a..example.com"]: is not a DNS name: empty label',
    ],
    [
      'a cnameTargets target that is no DNS name',
      { dns01: { route53: { cnameTargets: { 'example.com': 'acme example.net' } } } },
      'certificate.dns01.route53.cnameTargets["example.com"]: is not a DNS name: must not contain whitespace',
    ],
    [
      'a wildcard cnameTargets target',
      { dns01: { route53: { cnameTargets: { 'example.com': '*.acme.example.net' } } } },
      'certificate.dns01.route53.cnameTargets["example.com"]: is not a DNS name: a wildcard cannot be a record name',
    ],
    [
      'a cnameTargets target that is not a string',
      { dns01: { route53: { cnameTargets: { 'example.com': 5 } } } },
      'certificate.dns01.route53.cnameTargets["example.com"]: must be the fully qualified name the CNAME points at',
    ],
    [
      'a wildcard and its base pointing at two targets',
      { dns01: { route53: { cnameTargets: { 'example.com': 'a.acme.example.net', '*.example.com': 'b.acme.example.net' } } } },
      'certificate.dns01.route53.cnameTargets["*.example.com"]: names the same _acme-challenge record as another key, with another target',
    ],
    ['an unknown propagation field', { dns01: { propagation: { wait: 'PT1M' } } }, 'certificate.dns01.propagation.wait: unknown field'],
    [
      'a resolver that is not an IP address',
      { dns01: { propagation: { resolvers: ['one.one.one.one'] } } },
      'certificate.dns01.propagation.resolvers[0]: must be an IP address, optionally with a port, such as "1.1.1.1"',
    ],
    [
      'a resolver port out of range',
      { dns01: { propagation: { resolvers: ['1.1.1.1:99999'] } } },
      'certificate.dns01.propagation.resolvers[0]: must be an IP address',
    ],
    ['an empty resolver list', { dns01: { propagation: { resolvers: [] } } }, 'certificate.dns01.propagation.resolvers: must be a non-empty array'],
    [
      'a timeout that is no duration',
      { dns01: { propagation: { timeout: '10m' } } },
      'certificate.dns01.propagation.timeout: must be an ISO 8601 duration in whole weeks, days, hours, minutes or seconds, such as P30D or PT12H (got "10m")',
    ],
    [
      'an interval that is a number',
      { dns01: { propagation: { interval: 10 } } },
      'certificate.dns01.propagation.interval: must be an ISO 8601 duration such as PT10M (got number 10)',
    ],
    [
      'a timeout shorter than the interval',
      { dns01: { propagation: { timeout: 'PT5S', interval: 'PT10S' } } },
      'certificate.dns01.propagation.timeout: must not be shorter than interval (PT10S)',
    ],
    [
      'more checks than a run can hold',
      { dns01: { propagation: { timeout: 'P1D', interval: 'PT10S' } } },
      'certificate.dns01.propagation.timeout: allows at most 500 checks of interval PT10S',
    ],
    [
      'an unknown check',
      { dns01: { propagation: { check: 'recursive' } } },
      'certificate.dns01.propagation.check: must be "authoritative", "resolvers" or "none" (got "recursive")',
    ],
    ['acm without regions', { acm: {} }, 'certificate.acm.regions: must be a non-empty array'],
    ['acm with a bad region', { acm: { regions: ['moon-1'] } }, 'certificate.acm.regions[0]: must be an AWS region'],
    ['acm listing a region twice', { acm: { regions: ['us-east-1', 'us-east-1'] } }, 'lists a region twice'],
    ['CloudFront without us-east-1', { acm: { regions: ['eu-west-1'], cloudFront: true } }, 'must include us-east-1'],
    [
      'CloudFront with a P-384 key',
      { acm: { regions: ['us-east-1'], cloudFront: true }, keyAlgorithm: 'ecdsa-p384' },
      'ecdsa-p384 is not accepted by CloudFront',
    ],
  ])('rejects %s', (_label, section, message) => {
    // Prepare
    const { keyAlgorithm, ...rest } = section as Record<string, unknown>;
    const input = withSection(rest, keyAlgorithm ? { keyAlgorithm } : {});

    // Act
    const act = () => parseExecutionInput(input, issuers);

    // Assess
    expect(act).toThrowError(expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining(message) }));
  });

  it('normalises zone ids and domain keys, and keeps what is valid', () => {
    const parsed = parseExecutionInput(
      withSection({
        dns01: {
          cnameStrategy: 'Follow',
          route53: {
            hostedZoneId: '/hostedzone/Z0ABC',
            zones: { 'EXAMPLE.com.': { hostedZoneId: 'Z1', role: 'arn:aws:iam::123456789012:role/dns', externalId: 'ext-1' } },
          },
        },
        acm: { regions: ['us-east-1', 'eu-west-1'], cloudFront: true },
      }),
      issuers,
    );
    expect(parsed.certificate.dns01).toEqual({
      cnameStrategy: 'Follow',
      route53: { hostedZoneId: 'Z0ABC', zones: { 'example.com': { hostedZoneId: 'Z1', role: 'arn:aws:iam::123456789012:role/dns', externalId: 'ext-1' } } },
    });
    expect(parsed.certificate.acm).toEqual({ regions: ['us-east-1', 'eu-west-1'], cloudFront: true });
  });

  it('normalises cnameTargets: a wildcard key is its base, targets lowercase without the dot; a zones key may cover a target only', () => {
    const parsed = parseExecutionInput(
      withSection({
        dns01: {
          cnameStrategy: 'Follow',
          route53: {
            cnameTargets: { '*.Example.COM.': '_ACME-Challenge.Example.com.Acme.Example.NET.' },
            zones: { 'acme.example.net': { hostedZoneId: 'Z9' } },
          },
        },
      }),
      issuers,
    );
    expect(parsed.certificate.dns01?.route53).toEqual({
      cnameTargets: { 'example.com': '_acme-challenge.example.com.acme.example.net' },
      zones: { 'acme.example.net': { hostedZoneId: 'Z9' } },
    });
  });

  it('keeps valid propagation settings as written', () => {
    const propagation = {
      resolvers: ['1.1.1.1', '8.8.8.8:53', '2606:4700::1111', '[2001:4860:4860::8888]:53'],
      timeout: 'PT10M',
      interval: 'PT10S',
      check: 'resolvers',
    };
    const parsed = parseExecutionInput(withSection({ dns01: { propagation } }), issuers);
    expect(parsed.certificate.dns01).toEqual({ propagation });
  });

  it('leaves both sections out of the normalised spec when absent', () => {
    const parsed = parseExecutionInput(withSection({}), issuers);
    expect('dns01' in parsed.certificate).toBe(false);
    expect('acm' in parsed.certificate).toBe(false);
  });

  it.each([
    ['a zones key that is no domain, before its settings', { 'a..b': null }, 'certificate.dns01.route53.zones["a..b"]: is not a domain name: empty label'],
    [
      'a zones key matching no name, spelt as written',
      { 'OTHER.com.': {} },
      'certificate.dns01.route53.zones["OTHER.com."]: matches none of certificate.dnsNames',
    ],
  ])('names %s', (_label, zones, message) => {
    // Act
    const act = () => parseExecutionInput(withSection({ dns01: { route53: { zones } } }), issuers);

    // Assess
    expect(act).toThrowError(expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining(message) }));
  });
});
