/**
 * cnameStrategy "Follow" in certstep.config.json: IAM is granted on the CNAME targets alone, so
 * synth refuses a Follow certificate whose targets or their zones it cannot name, and targets
 * given without Follow. test/cdk/iam.test.ts checks the policy a valid one gets.
 */
import { describe, expect, it } from 'vitest';
import { type CertstepConfigInput, validateConfig } from '../../cdk/config.js';
import { planDns } from '../../cdk/dns-plan.js';
import { configErrorOf as errorOf, testConfig } from './support.js';

const ACME_ZONE = 'Z7';

/** A certificate for names hosted at another DNS provider, whose challenges are CNAMEs into acme.example.net. */
function followConfig(route53: Record<string, unknown> = {}, certificate: Record<string, unknown> = {}): CertstepConfigInput {
  const base = testConfig();
  const shop = {
    name: 'shop',
    dnsNames: ['www.example.org', '*.example.org'],
    issuer: 'letsencrypt',
    dns01: {
      cnameStrategy: 'Follow',
      route53: {
        cnameTargets: { 'www.example.org': 'www-example-org.acme.example.net', 'example.org': 'example-org.acme.example.net' },
        zones: { 'acme.example.net': { hostedZoneId: ACME_ZONE } },
        ...route53,
      },
    },
    ...certificate,
  };
  return { ...base, certificates: [...base.certificates, shop] } as CertstepConfigInput;
}

describe('cnameStrategy Follow at synth', () => {
  it('accepts a Follow certificate whose targets are named in a configured zone, and plans only the targets', () => {
    const config = validateConfig(followConfig());
    const plan = planDns(config.issuers, config.certificates);
    expect(plan.directZones.get(ACME_ZONE)).toEqual(['example-org.acme.example.net', 'www-example-org.acme.example.net']);
    expect(JSON.stringify([...plan.directZones.values()])).not.toContain('_acme-challenge.www.example.org');
  });

  it("takes the targets and the zone from the issuer's dns01, where Follow is set too", () => {
    const base = testConfig();
    const input = {
      ...base,
      issuers: [
        {
          preset: 'letsencrypt' as const,
          dns01: {
            cnameStrategy: 'Follow' as const,
            route53: { cnameTargets: { 'www.example.org': 'www.acme.example.net' }, zones: { 'acme.example.net': { hostedZoneId: ACME_ZONE } } },
          },
        },
        { preset: 'letsencrypt-staging' as const },
      ],
      certificates: [base.certificates[1], { name: 'shop', dnsNames: ['www.example.org'], issuer: 'letsencrypt' }],
    } as CertstepConfigInput;
    const config = validateConfig(input);
    expect(planDns(config.issuers, config.certificates).directZones.get(ACME_ZONE)).toEqual(['www.acme.example.net']);
  });

  it('takes a role for the target zone from its zones entry, and grants nothing directly on that zone', () => {
    const role = 'arn:aws:iam::210987654321:role/acme-delegation';
    const config = validateConfig(followConfig({ zones: { 'acme.example.net': { hostedZoneId: ACME_ZONE, role } } }));
    const plan = planDns(config.issuers, config.certificates);
    expect(plan.roleZones.get(role)?.get(ACME_ZONE)).toEqual(['example-org.acme.example.net', 'www-example-org.acme.example.net']);
    expect(plan.directZones.has(ACME_ZONE)).toBe(false);
  });

  it.each([
    [
      'a name without a target, saying what to add',
      followConfig({ cnameTargets: { 'example.org': 'example-org.acme.example.net' } }),
      'certificates[2].dnsNames[0] "www.example.org": cnameStrategy "Follow" needs the name that _acme-challenge.www.example.org is a CNAME to, ' +
        "as IAM is granted on that name alone at synth time: add it to certificates[2].dns01.route53.cnameTargets (or the issuer's), " +
        'such as "cnameTargets": {"www.example.org": "<the CNAME\'s target>"}, with the target\'s hosted zone in dns01.route53.zones, ' +
        'such as "zones": {"acme.example.net": {"hostedZoneId": "Z0123456789ABCDEFGHIJ"}}',
    ],
    [
      'a target that is the CNAME itself',
      followConfig({ cnameTargets: { 'www.example.org': '_acme-challenge.www.example.org', 'example.org': 'example-org.acme.example.net' } }),
      'certificates[2].dns01.route53.cnameTargets["www.example.org"]: is _acme-challenge.www.example.org itself: give the name that record is a CNAME to',
    ],
    [
      'a target outside every configured zone, even with a solver-wide zone id',
      followConfig({
        hostedZoneId: 'Z1',
        cnameTargets: { 'www.example.org': 'www.elsewhere.example', 'example.org': 'example-org.acme.example.net' },
      }),
      'certificates[2].dns01.route53.cnameTargets["www.example.org"]: www.elsewhere.example is in none of the hosted zones of dns01.route53.zones ' +
        "(the solver-wide hostedZoneId is the names' own): add the Route 53 hosted zone the CNAME points into, " +
        'such as "zones": {"elsewhere.example": {"hostedZoneId": "Z0123456789ABCDEFGHIJ"}}',
    ],
    [
      'a target whose zones entry gives no hosted zone id',
      followConfig({ zones: { 'acme.example.net': { role: 'arn:aws:iam::210987654321:role/acme-delegation' } } }),
      'certificates[2].dns01.route53.cnameTargets["www.example.org"]: the dns01.route53.zones entry "acme.example.net" that holds www-example-org.acme.example.net gives no hostedZoneId; least-privilege IAM names the zone at synth time',
    ],
    [
      'a target for a name the certificate does not have',
      followConfig({
        cnameTargets: { 'www.example.org': 'www.acme.example.net', 'example.org': 'apex.acme.example.net', 'shop.example.org': 'shop.acme.example.net' },
      }),
      'certificates[2].dns01.route53.cnameTargets["shop.example.org"]: matches none of certificates[2].dnsNames',
    ],
    [
      'a target that is no DNS name',
      followConfig({ cnameTargets: { 'www.example.org': 'www..acme.example.net' } }),
      'certificates[2].dns01.route53.cnameTargets["www.example.org"]: is not a DNS name: empty label (a leading dot or two dots in a row)',
    ],
    [
      'targets without Follow',
      followConfig({}, { dns01: { route53: { hostedZoneId: 'Z1', cnameTargets: { 'www.example.org': 'www.acme.example.net' } } } }),
      'certificates[2].dns01.route53.cnameTargets: cnameTargets is only used with cnameStrategy "Follow": set certificates[2].dns01.cnameStrategy (or the issuer\'s) to "Follow", or remove it',
    ],
  ])('refuses %s', (_case, input, message) => {
    expect(errorOf(() => validateConfig(input, 'certstep.config.json'))).toBe(`certstep.config.json: ${message}`);
  });

  it("refuses an issuer's target for a name of a certificate that does not follow CNAMEs, naming the issuer's entry", () => {
    const base = testConfig();
    const input = {
      ...base,
      issuers: [{ preset: 'letsencrypt' as const, dns01: { route53: { cnameTargets: { 'www.example.com': 'www.acme.example.net' } } } }, base.issuers[1]],
    } as CertstepConfigInput;
    expect(errorOf(() => validateConfig(input))).toBe(
      'configuration: issuers[0].dns01.route53.cnameTargets["www.example.com"]: names www.example.com of certificates[0], which does not use cnameStrategy "Follow": ' +
        'cnameTargets is only used with cnameStrategy "Follow": set certificates[0].dns01.cnameStrategy (or the issuer\'s) to "Follow", or remove it',
    );
  });
});
