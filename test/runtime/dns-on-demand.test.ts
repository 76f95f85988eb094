/**
 * SweepEndedRun's record removal (functions/runtime/dns-on-demand.ts) builds the Lambdas' DNS
 * providers at the first removal only, and then removes exactly as they do.
 */
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { readConfig } from '../../functions/runtime/config.js';
import { route53DnsFor } from '../../functions/runtime/dns.js';
import { recordRemoversOnDemand } from '../../functions/runtime/dns-on-demand.js';

vi.mock('../../functions/runtime/dns.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../functions/runtime/dns.js')>();
  return { ...real, route53DnsFor: vi.fn(real.route53DnsFor) };
});

const route53 = mockClient(Route53Client);
const built = vi.mocked(route53DnsFor);
const config = readConfig({ CERTSTEP_ISSUERS: JSON.stringify([{ name: 'le', directoryUrl: 'https://acme.example/dir' }]) });
const certificate = {
  name: 'web',
  dnsNames: ['www.example.org'],
  issuer: 'le',
  keyAlgorithm: 'ecdsa-p256',
  renewBefore: 'P30D',
  dns01: { route53: { hostedZoneId: 'Z9' } },
} as CertificateSpec;
const record = { dnsName: 'www.example.org', recordName: '_acme-challenge.www.example.org', value: 'token-value' };

beforeEach(() => {
  route53.reset();
  built.mockClear();
});

describe('recordRemoversOnDemand', () => {
  it('builds no DNS provider until a value is to be removed, then one for the container', async () => {
    // Prepare
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ Name: '_acme-challenge.www.example.org.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"token-value"' }] }],
      IsTruncated: false,
      MaxItems: 1,
    });
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    const removers = recordRemoversOnDemand(config);

    // Act
    const remover = removers(certificate);
    // Long enough for an import started eagerly to have built the providers.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const untouched = built.mock.calls.length;
    await remover.cleanUp([record]);
    await removers(certificate).cleanUp([record]);

    // Assess
    expect(untouched).toBe(0);
    expect(built).toHaveBeenCalledTimes(1);
    const changes = route53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => call.args[0].input);
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({
      HostedZoneId: 'Z9',
      ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: { Name: '_acme-challenge.www.example.org.', Type: 'TXT' } }] },
    });
  });
});
