/**
 * The reconcilers' ACM importers (functions/runtime/acm-on-demand.ts) load ACM's client at their
 * first call and then behave as acm.ts's do: same answers, same region per client.
 */
import { ACMClient, DescribeCertificateCommand, ImportCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { acmImportersOnDemand } from '../../functions/runtime/acm-on-demand.js';

const acm = mockClient(ACMClient);
const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const LEAF = '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----';

beforeEach(() => acm.reset());

describe('acmImportersOnDemand', () => {
  it("describes a copy with the adapter's answer, through a client of the region asked for", async () => {
    // Prepare
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, Serial: '0a:1b:2c', NotAfter: new Date('2027-04-01T00:00:00Z') } });

    // Act
    const copy = await acmImportersOnDemand()('eu-west-1').describe('web', ['example.com'], ARN);

    // Assess
    expect(copy).toEqual({ arn: ARN, serialNumber: 'a1b2c', notAfter: '2027-04-01T00:00:00.000Z' });
    const [call] = acm.commandCalls(DescribeCertificateCommand);
    if (!call) throw new Error('no DescribeCertificate call');
    expect(call.args[0].input).toEqual({ CertificateArn: ARN });
    expect(await (call.thisValue as ACMClient).config.region()).toBe('eu-west-1');
  });

  it('imports through the adapter, one client per region', async () => {
    // Prepare
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [] });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    const importers = acmImportersOnDemand();
    const request = { certificateName: 'web', dnsNames: ['example.com'], chainPem: `${LEAF}\n`, privateKeyPem: 'KEY', keyAlgorithm: 'ecdsa-p256' as const };

    // Act
    const results = [await importers('eu-west-1').import(request), await importers('us-east-1').import(request)];

    // Assess
    expect(results).toEqual([
      { arn: ARN, reimported: false },
      { arn: ARN, reimported: false },
    ]);
    const regions = await Promise.all(acm.commandCalls(ImportCertificateCommand).map((call) => (call.thisValue as ACMClient).config.region()));
    expect(regions).toEqual(['eu-west-1', 'us-east-1']);
  });
});
