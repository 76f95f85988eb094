/**
 * Certificates made by openssl for tests that read chains: self-signed roots and certificates
 * one key signs for another, with subjects given in openssl's `-subj` syntax (`/O=a/CN=b`,
 * `+` for a multi-valued RDN, `\` before a literal `/` or `+`), so names can hold what real
 * CAs rarely put in them: commas, quotes, several CNs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Made {
  /** The certificate, PEM. */
  readonly pem: string;
  /** Its key's file, to sign with or to certify again under another issuer (a cross-sign). */
  readonly keyFile: string;
  readonly certificateFile: string;
}

export class OpensslChains {
  private readonly directory = mkdtempSync(join(tmpdir(), 'certstep-chains-'));
  private made = 0;

  /** A self-signed CA certificate, so its issuer is `subject` too. */
  root(subject: string): Made {
    const { keyFile, certificateFile } = this.files();
    this.openssl(['req', '-x509', '-new', '-key', this.newKey(keyFile), '-multivalue-rdn', '-utf8', '-subj', subject, '-days', '2', '-out', certificateFile]);
    return this.read(keyFile, certificateFile);
  }

  /** `subject` certified by `issuer`, with a new key or, for a cross-sign, the key of an earlier certificate. */
  issue(subject: string, issuer: Made, options: { keyFile?: string } = {}): Made {
    const { keyFile: newKeyFile, certificateFile } = this.files();
    const keyFile = options.keyFile ?? this.newKey(newKeyFile);
    const csr = `${certificateFile}.csr`;
    this.openssl(['req', '-new', '-key', keyFile, '-multivalue-rdn', '-utf8', '-subj', subject, '-out', csr]);
    this.openssl(['x509', '-req', '-in', csr, '-CA', issuer.certificateFile, '-CAkey', issuer.keyFile, '-days', '2', '-out', certificateFile]);
    return this.read(keyFile, certificateFile);
  }

  private newKey(keyFile: string): string {
    this.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    return keyFile;
  }

  private files(): { keyFile: string; certificateFile: string } {
    this.made += 1;
    return { keyFile: join(this.directory, `${this.made}.key`), certificateFile: join(this.directory, `${this.made}.pem`) };
  }

  private read(keyFile: string, certificateFile: string): Made {
    return { pem: readFileSync(certificateFile, 'utf8'), keyFile, certificateFile };
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

/** Certificates one after another, leaf first, as a CA serves a chain. */
export const chainOf = (...certificates: Made[]): string => certificates.map((certificate) => certificate.pem.trim()).join('\n');
