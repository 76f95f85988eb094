/** The ACM importer against exact requests (aws-sdk-client-mock). */
import {
  ACMClient,
  DescribeCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AcmImporter, CERTSTEP_TAG } from '../../functions/adapters/acm-importer.js';

const acm = mockClient(ACMClient);
const LEAF = '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----';
const CHAIN = '-----BEGIN CERTIFICATE-----\nINTERMEDIATE\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n';
const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
const request = {
  certificateName: 'web',
  dnsNames: ['example.com', '*.example.com'],
  chainPem: `${LEAF}\n${CHAIN}\n`,
  privateKeyPem: KEY,
  keyAlgorithm: 'ecdsa-p256' as const,
};
const importer = () => new AcmImporter(new ACMClient({ region: 'us-east-1' }), 'us-east-1');

beforeEach(() => acm.reset());

describe('AcmImporter', () => {
  it('imports a new certificate with the certstep tag when none carries it', async () => {
    // Prepare
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: 'arn:other', DomainName: 'example.com' }] });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [{ Key: 'team', Value: 'x' }] });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    // Act
    const result = await importer().import(request);

    // Assess
    expect(result).toEqual({ arn: ARN, reimported: false });
    expect(acm.commandCalls(ImportCertificateCommand)[0]?.args[0].input).toEqual({
      Certificate: Buffer.from(LEAF),
      PrivateKey: Buffer.from(KEY),
      CertificateChain: Buffer.from(CHAIN),
      Tags: [{ Key: CERTSTEP_TAG, Value: 'web' }],
    });
  });

  it('re-imports into the ARN that carries the tag, without tags (ACM refuses them on re-import)', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: 'example.com' }] });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [{ Key: CERTSTEP_TAG, Value: 'web' }] });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    const result = await importer().import(request);

    expect(result).toEqual({ arn: ARN, reimported: true });
    const input = acm.commandCalls(ImportCertificateCommand)[0]?.args[0].input;
    expect(input?.CertificateArn).toBe(ARN);
    expect(input?.Tags).toBeUndefined();
  });

  it('refuses to re-import another key type into the same ARN, and imports nothing', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: 'example.com' }] });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [{ Key: CERTSTEP_TAG, Value: 'web' }] });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, KeyAlgorithm: 'RSA_2048' } });

    const failure = (await importer()
      .import(request)
      .catch((error: unknown) => error)) as Error & { retryable: boolean };

    expect(failure.name).toBe('AcmImportRefused');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('holds a RSA_2048 key and ACM cannot re-import a EC_prime256v1 key');
    expect(acm.commandCalls(ImportCertificateCommand)).toHaveLength(0);
  });

  it('leaves a certificate for the same name alone when its certstep tag names another certificate, and imports a new one', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: 'arn:theirs', DomainName: 'example.com' }] });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [{ Key: CERTSTEP_TAG, Value: 'shop' }] });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    const result = await importer().import(request);

    expect(result).toEqual({ arn: ARN, reimported: false });
    expect(acm.commandCalls(ImportCertificateCommand)[0]?.args[0].input.CertificateArn).toBeUndefined();
    expect(acm.commandCalls(DescribeCertificateCommand)).toHaveLength(0);
  });

  it('re-imports into the ARN the ledger remembers once its tag names this certificate, without listing the region', async () => {
    acm.on(ListTagsForCertificateCommand, { CertificateArn: ARN }).resolves({
      Tags: [
        { Key: 'team', Value: 'x' },
        { Key: CERTSTEP_TAG, Value: 'web' },
      ],
    });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    const result = await importer().import({ ...request, arn: ARN });

    expect(result).toEqual({ arn: ARN, reimported: true });
    expect(acm.commandCalls(ImportCertificateCommand)[0]?.args[0].input.CertificateArn).toBe(ARN);
    expect(acm.commandCalls(ListCertificatesCommand)).toHaveLength(0);
  });

  it.each([
    ['names another certificate', [{ Key: CERTSTEP_TAG, Value: 'shop' }], `carries ${CERTSTEP_TAG}=shop`],
    ['is missing', [{ Key: 'team', Value: 'x' }], `has no ${CERTSTEP_TAG} tag`],
  ])('refuses to re-import into a remembered ARN whose certstep tag %s, naming the ARN and the tag, and imports nothing', async (_, tags, carries) => {
    acm.on(ListTagsForCertificateCommand, { CertificateArn: ARN }).resolves({ Tags: tags });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    const failure = (await importer()
      .import({ ...request, arn: ARN })
      .catch((error: unknown) => error)) as Error & { retryable: boolean };

    expect(failure.name).toBe('AcmImportRefused');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain(`ACM certificate ${ARN} in us-east-1, remembered for web, ${carries}`);
    expect(acm.commandCalls(ImportCertificateCommand)).toHaveLength(0);
  });

  it('looks for the tagged certificate again when the remembered ARN is gone, and imports a new one if there is none', async () => {
    acm.on(ListTagsForCertificateCommand, { CertificateArn: ARN }).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: 'arn:new' });

    const result = await importer().import({ ...request, arn: ARN });

    expect(result).toEqual({ arn: 'arn:new', reimported: false });
    expect(acm.commandCalls(ImportCertificateCommand)[0]?.args[0].input).toMatchObject({ Tags: [{ Key: CERTSTEP_TAG, Value: 'web' }] });
    expect(acm.commandCalls(ImportCertificateCommand)[0]?.args[0].input.CertificateArn).toBeUndefined();
  });

  it('reads the serial ACM answers in colon-separated hex as the store writes it (moto answers decimal: docs/testing.md)', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, Serial: '0a:1b:2c', NotAfter: new Date('2027-04-01T00:00:00Z') } });

    const copy = await importer().describe('web', ['example.com'], ARN);

    expect(copy).toEqual({ arn: ARN, serialNumber: 'a1b2c', notAfter: '2027-04-01T00:00:00.000Z' });
  });

  it('classifies throttling as retryable', async () => {
    acm.on(ListCertificatesCommand).rejects(new ThrottlingException({ message: 'slow', $metadata: { httpStatusCode: 400 } }));
    const failure = (await importer()
      .import(request)
      .catch((error: unknown) => error)) as Error & { retryable: boolean };
    expect(failure.name).toBe('AcmUnavailable');
    expect(failure.retryable).toBe(true);
  });

  it('never puts the private key into an error message', async () => {
    acm.on(ListCertificatesCommand).resolves({});
    acm.on(ImportCertificateCommand).rejects(Object.assign(new Error('The private key is not supported.'), { name: 'ValidationException' }));
    const failure = (await importer()
      .import(request)
      .catch((error: unknown) => error)) as Error;
    expect(failure.name).toBe('AcmImportRefused');
    expect(failure.message).not.toContain('KEY');
  });
});
