/**
 * The local stand-in for ACM: `acm/<region>/<name>.json` records what was imported and under
 * which made-up ARN, so a local run exercises the ImportToAcm state without an AWS account.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ACM_KEY_ALGORITHM } from '../core/acm-config.js';
import { AcmImportRefused } from '../core/errors.js';
import type { AcmImport, CertificateImporter } from '../ports/certificate-importer.js';

export class FileCertificateImporter implements CertificateImporter {
  constructor(
    private readonly root: string,
    private readonly region: string,
  ) {}

  async import(request: AcmImport): Promise<{ arn: string; reimported: boolean }> {
    const file = path.join(this.root, 'acm', this.region, `${request.certificateName}.json`);
    const previous = await readFile(file, 'utf8').then((text) => JSON.parse(text) as { arn: string; keyAlgorithm: string }, () => undefined);
    if (previous && previous.keyAlgorithm !== ACM_KEY_ALGORITHM[request.keyAlgorithm]) {
      throw new AcmImportRefused(`local ACM certificate ${previous.arn} holds a ${previous.keyAlgorithm} key; ACM cannot re-import another key type`);
    }
    const id = createHash('sha256').update(`${this.region}/${request.certificateName}`).digest('hex').slice(0, 36);
    const arn = previous?.arn ?? `arn:aws:acm:${this.region}:000000000000:certificate/${id}`;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify({ arn, keyAlgorithm: ACM_KEY_ALGORITHM[request.keyAlgorithm], dnsNames: request.dnsNames }, null, 2)}\n`);
    return { arn, reimported: previous !== undefined };
  }
}
