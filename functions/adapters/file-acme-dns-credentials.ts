/**
 * acme-dns registrations in the local store directory, `acme-dns/<server>/<domain>.json`,
 * mode 0600 like the keys: the first registration written for a (server, domain) stays.
 */
import path from 'node:path';
import { InvalidState } from '../core/errors.js';
import { type AcmeDnsCredentials, type AcmeDnsRegistration, acmeDnsCredentialName, isAcmeDnsRegistration } from '../ports/acme-dns-credentials.js';
import { readJson, writeJsonExclusive } from './file-store.js';

export class FileAcmeDnsCredentials implements AcmeDnsCredentials {
  constructor(readonly root: string) {}

  async get(host: string, domain: string): Promise<AcmeDnsRegistration | undefined> {
    const file = this.file(host, domain);
    let stored: unknown;
    try {
      stored = await readJson<unknown>(file);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // JSON.parse's message would quote the file, which holds the password.
      throw new InvalidState(`${file} does not hold JSON (content not shown); delete it to register again`);
    }
    if (stored === undefined) return undefined;
    if (!isAcmeDnsRegistration(stored)) throw new InvalidState(`${file} is not an acme-dns registration (content not shown); delete it to register again`);
    return stored;
  }

  async putIfAbsent(host: string, domain: string, registration: AcmeDnsRegistration): Promise<AcmeDnsRegistration> {
    if (await writeJsonExclusive(this.file(host, domain), registration)) return registration;
    return (await this.get(host, domain)) ?? registration;
  }

  private file(host: string, domain: string): string {
    return path.join(this.root, 'acme-dns', `${acmeDnsCredentialName(host, domain)}.json`);
  }
}
