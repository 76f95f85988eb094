/**
 * A zone account's role is assumed with the certificate's session name: two certificates behind
 * the same role get different sessions and their own credentials, and a long name is cut to
 * what STS accepts without two names meeting. The STS side is intercepted where the SDK is
 * handed it, in fromZoneRole (functions/runtime/zone-role.ts); Route 53 answers through aws-sdk-client-mock.
 */
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { roleSessionName } from '../../functions/core/role-session-name.js';
import { readConfig } from '../../functions/runtime/config.js';
import { route53Clients, route53DnsFor } from '../../functions/runtime/dns.js';
import { fromZoneRole } from '../../functions/runtime/zone-role.js';

vi.mock('../../functions/runtime/zone-role.js', () => ({
  fromZoneRole: vi.fn(() => async () => ({ accessKeyId: 'AKIATEST', secretAccessKey: 'test' })),
}));

const ROLE = 'arn:aws:iam::210987654321:role/certstep-dns';
const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const assumed = vi.mocked(fromZoneRole);
const sessionsAsked = () => assumed.mock.calls.map(([options]) => options.params);
const route53 = mockClient(Route53Client);

beforeEach(() => {
  assumed.mockClear();
  route53.reset();
});

describe('the session name of a certificate', () => {
  it('is certstep-<name> when that fits', () => {
    expect(roleSessionName('web')).toBe('certstep-web');
    expect(roleSessionName('a'.repeat(55))).toBe(`certstep-${'a'.repeat(55)}`);
    expect(roleSessionName('a'.repeat(56))).toHaveLength(64);
    expect(roleSessionName('a'.repeat(56))).not.toBe(`certstep-${'a'.repeat(56)}`);
  });

  it('keeps a prefix of a long name and ends with a hash of all of it: 64 characters STS accepts, the same every time, different for names that share the prefix', () => {
    const long = `${'x'.repeat(56)}-one`;
    const other = `${'x'.repeat(56)}-two`;

    const name = roleSessionName(long);

    expect(name).toHaveLength(64);
    expect(name).toMatch(STS_NAME);
    expect(name.startsWith(`certstep-${'x'.repeat(44)}-`)).toBe(true);
    expect(roleSessionName(long)).toBe(name);
    expect(roleSessionName(other)).not.toBe(name);
    expect(roleSessionName('y'.repeat(63))).toMatch(STS_NAME);
  });

  it('replaces what STS refuses, and hashes so the replacement cannot meet a name that had it', () => {
    expect(roleSessionName('a/b')).toMatch(/^certstep-a-b-[0-9a-f]{10}$/);
    expect(roleSessionName('a/b')).not.toBe(roleSessionName('a-b'));
  });
});

describe('Route 53 clients behind a role', () => {
  it('assume the role once per session name, with the external id, and keep each session its own client', () => {
    const clients = route53Clients();
    const access = { role: ROLE, externalId: 'certstep-prod' };

    const web = clients(access, 'certstep-web');
    const shop = clients(access, 'certstep-shop');
    const webAgain = clients(access, 'certstep-web');

    expect(sessionsAsked()).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'certstep-web', ExternalId: 'certstep-prod' },
      { RoleArn: ROLE, RoleSessionName: 'certstep-shop', ExternalId: 'certstep-prod' },
    ]);
    expect(shop).not.toBe(web);
    expect(webAgain).toBe(web);
  });

  it("share the function's own credentials when no role is named, whatever the session", () => {
    const clients = route53Clients();

    expect(clients({}, 'certstep-web')).toBe(clients({}, 'certstep-shop'));
    expect(assumed).not.toHaveBeenCalled();
  });

  it("are asked with each certificate's session name by the provider the Lambdas build", async () => {
    // Prepare
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: '/hostedzone/Z9', Name: 'example.org.', CallerReference: 'x', Config: { PrivateZone: false } },
      DelegationSet: { NameServers: [] },
    });
    const dnsFor = route53DnsFor(readConfig({ CERTSTEP_ISSUERS: JSON.stringify([{ name: 'le', directoryUrl: 'https://acme.example/dir' }]) }));
    const certificate = (name: string, dnsName: string, hostedZoneId = 'Z9') =>
      ({
        name,
        dnsNames: [dnsName],
        issuer: 'le',
        keyAlgorithm: 'ecdsa-p256',
        renewBefore: 'P30D',
        dns01: { route53: { hostedZoneId, role: ROLE, externalId: 'certstep-prod' } },
      }) as CertificateSpec;

    // Act
    await dnsFor(certificate('web', 'www.example.org')).checkZones(['www.example.org']);
    await dnsFor(certificate('shop', 'shop.example.org')).checkZones(['shop.example.org']);
    // Another zone: the details of Z9 are cached per client since issue 18, so only a zone not yet described is asked for.
    await dnsFor(certificate('web', 'www.example.org', 'Z8')).checkZones(['www.example.org']);

    // Assess
    expect(sessionsAsked().map((params) => params.RoleSessionName)).toEqual(['certstep-web', 'certstep-shop']);
    const callers = route53.commandCalls(GetHostedZoneCommand).map((call) => call.thisValue);
    expect(callers).toHaveLength(3);
    expect(callers[1]).not.toBe(callers[0]);
    expect(callers[2]).toBe(callers[0]);
  });
});
