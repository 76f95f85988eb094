/**
 * The local stand-in for ACM: `acm/<region>/<name>.json` records what was imported (the ARN,
 * serial number and notAfter of the leaf, its key type and names) under a made-up ARN, so a
 * local run exercises ImportToAcm, and the reconcile of ACM copies, without an AWS account.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ACM_KEY_ALGORITHM } from '../core/acm-config.js';
import { AcmImportRefused } from '../core/errors.js';
import { normalizeSerial, splitPemChain } from '../core/verify-certificate.js';
import type { AcmImport, CertificateImporter, ImportedCopy } from '../ports/certificate-importer.js';

interface LocalCopy extends ImportedCopy {
  readonly keyAlgorithm: string;
  readonly dnsNames: readonly string[];
}

export class FileCertificateImporter implements CertificateImporter {
  constructor(
    private readonly root: string,
    private readonly region: string,
  ) {}

  async import(request: AcmImport): Promise<{ arn: string; reimported: boolean }> {
    const previous = await this.read(request.certificateName);
    if (previous && previous.keyAlgorithm !== ACM_KEY_ALGORITHM[request.keyAlgorithm]) {
      throw new AcmImportRefused(`local ACM certificate ${previous.arn} holds a ${previous.keyAlgorithm} key; ACM cannot re-import another key type`);
    }
    const leaf = splitPemChain(request.chainPem)[0];
    if (!leaf) throw new AcmImportRefused('there is no certificate to import');
    const certificate = new X509Certificate(leaf);
    const id = createHash('sha256').update(`${this.region}/${request.certificateName}`).digest('hex').slice(0, 36);
    const arn = previous?.arn ?? `arn:aws:acm:${this.region}:000000000000:certificate/${id}`;
    const copy: LocalCopy = {
      arn,
      serialNumber: normalizeSerial(certificate.serialNumber),
      notAfter: new Date(certificate.validTo).toISOString(),
      keyAlgorithm: ACM_KEY_ALGORITHM[request.keyAlgorithm],
      dnsNames: [...request.dnsNames],
    };
    const file = this.file(request.certificateName);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(copy, null, 2)}\n`);
    await rename(temporary, file);
    return { arn, reimported: previous !== undefined };
  }

  async describe(certificateName: string): Promise<ImportedCopy | undefined> {
    const copy = await this.read(certificateName);
    return copy && { arn: copy.arn, serialNumber: copy.serialNumber ?? '', notAfter: copy.notAfter ?? '' };
  }

  private file(certificateName: string): string {
    return path.join(this.root, 'acm', this.region, `${certificateName}.json`);
  }

  private async read(certificateName: string): Promise<LocalCopy | undefined> {
    return readFile(this.file(certificateName), 'utf8').then(
      (text) => JSON.parse(text) as LocalCopy,
      () => undefined,
    );
  }
}
