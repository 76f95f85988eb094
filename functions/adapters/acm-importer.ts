/**
 * Imports certificates into ACM, one region at a time. The first import tags the ACM
 * certificate with certstep's name for it; later imports find it by that tag and re-import
 * into the same ARN, so load balancers and CloudFront distributions keep using it. An ARN is
 * only ever imported into while that tag names the certificate: one certstep did not create is
 * never touched, whatever its domain name. ACM
 * cannot change the key algorithm of an ARN, so a mismatch is refused with a clear message.
 */
import {
  type ACMClient,
  DescribeCertificateCommand,
  type DescribeCertificateCommandOutput,
  ImportCertificateCommand,
  type ImportCertificateCommandOutput,
  ListCertificatesCommand,
  type ListCertificatesCommandOutput,
  ListTagsForCertificateCommand,
  type ListTagsForCertificateCommandOutput,
} from '@aws-sdk/client-acm';
import { ACM_KEY_ALGORITHM, CERTSTEP_TAG } from '../core/acm-config.js';
import { AcmImportRefused, AcmUnavailable } from '../core/errors.js';
import { normalizeSerial, splitPemChain } from '../core/verify-certificate.js';
import type { AcmImport, CertificateImporter, ImportedCopy } from '../ports/certificate-importer.js';
import { classifyAwsError } from './aws-errors.js';

export { CERTSTEP_TAG };

export type { AcmImport };

export class AcmImporter implements CertificateImporter {
  constructor(
    private readonly client: ACMClient,
    private readonly region: string,
  ) {}

  /** Imports (or re-imports) and returns the ACM certificate ARN. */
  async import(request: AcmImport): Promise<{ arn: string; reimported: boolean }> {
    const [leaf, ...chain] = splitPemChain(request.chainPem);
    if (!leaf) throw new AcmImportRefused('there is no certificate to import');
    const existing =
      (request.arn && (await this.claimed(request.arn, request.certificateName))) || (await this.findByTag(request.certificateName, request.dnsNames[0] ?? ''));
    if (existing) {
      const described = await this.send<DescribeCertificateCommandOutput>('DescribeCertificate', new DescribeCertificateCommand({ CertificateArn: existing }));
      const have = described.Certificate?.KeyAlgorithm;
      const want = ACM_KEY_ALGORITHM[request.keyAlgorithm];
      if (have && have !== want) {
        throw new AcmImportRefused(
          `ACM certificate ${existing} in ${this.region} holds a ${have} key and ACM cannot re-import a ${want} key into it; ` +
            'keep the old keyAlgorithm, or remove the ACM certificate (after detaching it) so a new ARN is created',
        );
      }
    }
    const answer = await this.send<ImportCertificateCommandOutput>(
      'ImportCertificate',
      new ImportCertificateCommand({
        ...(existing && { CertificateArn: existing }),
        Certificate: Buffer.from(leaf),
        PrivateKey: Buffer.from(request.privateKeyPem),
        ...(chain.length > 0 && { CertificateChain: Buffer.from(chain.join('\n')) }),
        // ACM refuses tags on a re-import; the first import carries ours.
        ...(!existing && { Tags: [{ Key: CERTSTEP_TAG, Value: request.certificateName }] }),
      }),
    );
    if (!answer.CertificateArn) throw new AcmUnavailable(`ACM in ${this.region} returned no certificate ARN`);
    return { arn: answer.CertificateArn, reimported: existing !== undefined };
  }

  /** What the ARN certstep imported into holds now; undefined when there is none (or it was deleted). */
  async describe(certificateName: string, dnsNames: readonly string[], arn?: string): Promise<ImportedCopy | undefined> {
    const found = arn ?? (await this.findByTag(certificateName, dnsNames[0] ?? ''));
    if (!found) return undefined;
    let described: DescribeCertificateCommandOutput;
    try {
      described = (await this.client.send(new DescribeCertificateCommand({ CertificateArn: found }))) as DescribeCertificateCommandOutput;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw this.failure('DescribeCertificate', error);
    }
    const certificate = described.Certificate;
    if (!certificate?.Serial) return undefined;
    return {
      arn: found,
      serialNumber: normalizeSerial(certificate.Serial),
      notAfter: certificate.NotAfter ? new Date(certificate.NotAfter).toISOString() : '',
    };
  }

  /**
   * The remembered ARN, once its tag still names this certificate. Refused rather than replaced
   * by a new import: load balancers and distributions use that ARN, so a new one would leave
   * them on a certificate that expires; and a tag naming something else means someone else
   * claims it, which the stack's IAM would refuse anyway (docs/iam.md, "ACM import"). Undefined
   * when the ARN is gone: nothing can be attached to a deleted certificate, so looking again is safe.
   */
  private async claimed(arn: string, certificateName: string): Promise<string | undefined> {
    let tags: ListTagsForCertificateCommandOutput;
    try {
      tags = (await this.client.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))) as ListTagsForCertificateCommandOutput;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw this.failure('ListTagsForCertificate', error);
    }
    const tag = tags.Tags?.find((candidate) => candidate.Key === CERTSTEP_TAG);
    if (tag?.Value === certificateName) return arn;
    const carries = tag ? `carries ${CERTSTEP_TAG}=${tag.Value ?? ''}` : `has no ${CERTSTEP_TAG} tag`;
    throw new AcmImportRefused(
      `ACM certificate ${arn} in ${this.region}, remembered for ${certificateName}, ${carries}; certstep only re-imports into ` +
        `a certificate tagged ${CERTSTEP_TAG}=${certificateName}. If it is this certificate's, tag it so; if not, the ledger remembers ` +
        `the wrong ARN: remove acmArns.${this.region} from the certificate's ledger entry, and the next import finds or creates the right one`,
    );
  }

  /** Only certificates for the same first name are candidates, which keeps the tag look-ups few. */
  private async findByTag(certificateName: string, firstName: string): Promise<string | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.send<ListCertificatesCommandOutput>(
        'ListCertificates',
        new ListCertificatesCommand({
          Includes: { keyTypes: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1'] },
          ...(nextToken && { NextToken: nextToken }),
        }),
      );
      for (const summary of page.CertificateSummaryList ?? []) {
        if (summary.DomainName !== firstName || !summary.CertificateArn) continue;
        const tags = await this.send<ListTagsForCertificateCommandOutput>(
          'ListTagsForCertificate',
          new ListTagsForCertificateCommand({ CertificateArn: summary.CertificateArn }),
        );
        if (tags.Tags?.some((tag) => tag.Key === CERTSTEP_TAG && tag.Value === certificateName)) return summary.CertificateArn;
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return undefined;
  }

  private async send<T>(operation: string, command: { input: unknown }): Promise<T> {
    try {
      return (await this.client.send(command as never)) as T;
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  private failure(operation: string, error: unknown): Error {
    const { kind, said } = classifyAwsError(error);
    if (kind === 'transient') return new AcmUnavailable(`ACM ${operation} in ${this.region} did not succeed: ${said}`);
    return new AcmImportRefused(`ACM ${operation} in ${this.region} was refused: ${said}`);
  }
}
