/**
 * The ACM importer through the real SDK against moto_server, with real certificates (openssl):
 * the first import tagged, a re-import into the same ARN found by the ledger's ARN or by the tag,
 * a key type ACM cannot re-import refused, and where moto is more lenient than ACM.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACMClient, DescribeCertificateCommand, ImportCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcmImporter, CERTSTEP_TAG } from '../../functions/adapters/acm-importer.js';
import type { KeyAlgorithm } from '../../functions/core/certificate-spec.js';
import { failureOf } from '../support/failure.js';
import { type Moto, startMoto } from '../support/moto.js';

let moto: Moto;
let work: string;
beforeAll(async () => {
  moto = await startMoto();
  work = mkdtempSync(path.join(tmpdir(), 'certstep-moto-acm-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/CN=certstep test CA',
      '-keyout',
      path.join(work, 'ca.key'),
      '-out',
      path.join(work, 'ca.crt'),
    ],
    { stdio: 'ignore' },
  );
});
afterAll(async () => {
  await moto?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});
beforeEach(() => moto.reset());

let serial = 0x1000;

/** A leaf for `dnsName` signed by the test CA, with the key type asked for; chain is leaf then CA. */
function issued(dnsName: string, keyAlgorithm: KeyAlgorithm): { chainPem: string; privateKeyPem: string; serialNumber: string } {
  const name = `leaf-${++serial}`;
  const key = path.join(work, `${name}.key`);
  const newKey = keyAlgorithm === 'rsa-2048' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  execFileSync('openssl', ['req', ...newKey, '-nodes', '-subj', `/CN=${dnsName}`, '-keyout', key, '-out', path.join(work, `${name}.csr`)], { stdio: 'ignore' });
  writeFileSync(path.join(work, `${name}.ext`), `subjectAltName=DNS:${dnsName}\n`);
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      path.join(work, `${name}.csr`),
      '-CA',
      path.join(work, 'ca.crt'),
      '-CAkey',
      path.join(work, 'ca.key'),
      '-set_serial',
      `0x${serial.toString(16)}`,
      '-days',
      '20',
      '-extfile',
      path.join(work, `${name}.ext`),
      '-out',
      path.join(work, `${name}.crt`),
    ],
    { stdio: 'ignore' },
  );
  return {
    chainPem: `${readFileSync(path.join(work, `${name}.crt`), 'utf8')}${readFileSync(path.join(work, 'ca.crt'), 'utf8')}`,
    privateKeyPem: readFileSync(key, 'utf8'),
    serialNumber: serial.toString(16),
  };
}

/**
 * The serial as the importer reads it from moto: moto answers DescribeCertificate's Serial in
 * decimal where ACM answers colon-separated hex (pinned below), so the importer's hex reading of
 * a moto answer is the decimal digits.
 */
const asMotoReportsIt = (hexSerial: string) => BigInt(`0x${hexSerial}`).toString(10);

const acm = () => new ACMClient({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const importer = () => new AcmImporter(acm(), moto.region);
const request = (material: ReturnType<typeof issued>, keyAlgorithm: KeyAlgorithm = 'ecdsa-p256', arn?: string) => ({
  certificateName: 'web',
  dnsNames: ['acm.example.com'],
  chainPem: material.chainPem,
  privateKeyPem: material.privateKeyPem,
  keyAlgorithm,
  ...(arn && { arn }),
});

describe('the ACM importer on moto_server', () => {
  it('imports a new certificate with the certstep tag, and describes what it holds', async () => {
    // Prepare
    const first = issued('acm.example.com', 'ecdsa-p256');

    // Act
    const result = await importer().import(request(first));
    const copy = await importer().describe('web', ['acm.example.com'], result.arn);

    // Assess
    expect(result.reimported).toBe(false);
    expect(result.arn).toMatch(/^arn:aws:acm:us-east-1:\d{12}:certificate\//);
    expect((await acm().send(new ListTagsForCertificateCommand({ CertificateArn: result.arn }))).Tags).toEqual([{ Key: CERTSTEP_TAG, Value: 'web' }]);
    expect(copy).toMatchObject({ arn: result.arn, serialNumber: asMotoReportsIt(first.serialNumber) });
    expect(Date.parse(copy?.notAfter ?? '')).toBeGreaterThan(Date.now());
  });

  it('re-imports the renewed certificate into the ARN the ledger remembers', async () => {
    // Prepare
    const first = await importer().import(request(issued('acm.example.com', 'ecdsa-p256')));
    const renewed = issued('acm.example.com', 'ecdsa-p256');

    // Act
    const again = await importer().import(request(renewed, 'ecdsa-p256', first.arn));

    // Assess
    expect(again).toEqual({ arn: first.arn, reimported: true });
    expect((await importer().describe('web', ['acm.example.com'], first.arn))?.serialNumber).toBe(asMotoReportsIt(renewed.serialNumber));
    expect((await acm().send(new ListCertificatesCommand({}))).CertificateSummaryList).toHaveLength(1);
  });

  it('finds the ARN by its tag when the ledger lost it, and re-imports there', async () => {
    // Prepare
    const first = await importer().import(request(issued('acm.example.com', 'ecdsa-p256')));
    const renewed = issued('acm.example.com', 'ecdsa-p256');

    // Act
    const found = await importer().describe('web', ['acm.example.com']);
    const again = await importer().import(request(renewed));

    // Assess
    expect(found?.arn).toBe(first.arn);
    expect(again).toEqual({ arn: first.arn, reimported: true });
  });

  it('refuses to re-import another key type into the ARN, and imports nothing', async () => {
    // Prepare
    const rsa = issued('acm.example.com', 'rsa-2048');
    const first = await importer().import(request(rsa, 'rsa-2048'));

    // Act
    const failure = await failureOf(importer().import(request(issued('acm.example.com', 'ecdsa-p256'), 'ecdsa-p256', first.arn)));

    // Assess
    expect(failure).toMatchObject({ name: 'AcmImportRefused', retryable: false });
    expect(failure.message).toContain('holds a RSA_2048 key and ACM cannot re-import a EC_prime256v1 key');
    expect((await importer().describe('web', ['acm.example.com'], first.arn))?.serialNumber).toBe(asMotoReportsIt(rsa.serialNumber));
  });

  it('refuses to re-import into a remembered ARN that another certificate tagged, and leaves it as it was', async () => {
    // Prepare
    const theirs = issued('acm.example.com', 'ecdsa-p256');
    const other = await importer().import({ ...request(theirs), certificateName: 'shop' });

    // Act
    const failure = await failureOf(importer().import(request(issued('acm.example.com', 'ecdsa-p256'), 'ecdsa-p256', other.arn)));

    // Assess
    expect(failure).toMatchObject({ name: 'AcmImportRefused', retryable: false });
    expect(failure.message).toContain(`${other.arn} in us-east-1, remembered for web, carries ${CERTSTEP_TAG}=shop`);
    expect((await importer().describe('shop', ['acm.example.com'], other.arn))?.serialNumber).toBe(asMotoReportsIt(theirs.serialNumber));
  });

  it('imports anew when the remembered ARN is gone', async () => {
    const gone = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

    const result = await importer().import(request(issued('acm.example.com', 'ecdsa-p256'), 'ecdsa-p256', gone));

    expect(result.reimported).toBe(false);
    expect(result.arn).not.toBe(gone);
  });

  it('describes nothing for an ARN that is gone', async () => {
    expect(
      await importer().describe('web', ['acm.example.com'], 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000'),
    ).toBeUndefined();
  });
});

describe('where moto_server is more lenient than ACM, or different (pinned, so an upgrade that changes it is noticed)', () => {
  it('answers DescribeCertificate with the serial in decimal (AWS: colon-separated hex, e.g. 10:2a)', async () => {
    const material = issued('acm.example.com', 'ecdsa-p256');
    const { arn } = await importer().import(request(material));

    const described = await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }));

    expect(described.Certificate?.Serial).toBe(BigInt(`0x${material.serialNumber}`).toString(10));
    expect(described.Certificate?.KeyAlgorithm).toBe('EC_prime256v1');
  });

  it('drops the tags of a certificate on re-import (AWS keeps them)', async () => {
    const first = await importer().import(request(issued('acm.example.com', 'ecdsa-p256')));

    await importer().import(request(issued('acm.example.com', 'ecdsa-p256'), 'ecdsa-p256', first.arn));

    expect((await acm().send(new ListTagsForCertificateCommand({ CertificateArn: first.arn }))).Tags ?? []).toEqual([]);
  });

  it('accepts Tags on a re-import (AWS refuses them)', async () => {
    const first = await importer().import(request(issued('acm.example.com', 'ecdsa-p256')));
    const renewed = issued('acm.example.com', 'ecdsa-p256');
    const [leaf, ...chain] = renewed.chainPem.split(/(?<=-----END CERTIFICATE-----\n)/);

    const answer = await acm().send(
      new ImportCertificateCommand({
        CertificateArn: first.arn,
        Certificate: Buffer.from(leaf ?? ''),
        CertificateChain: Buffer.from(chain.join('')),
        PrivateKey: Buffer.from(renewed.privateKeyPem),
        Tags: [{ Key: CERTSTEP_TAG, Value: 'web' }],
      }),
    );

    expect(answer.CertificateArn).toBe(first.arn);
  });
});
