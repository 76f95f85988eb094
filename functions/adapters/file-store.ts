/**
 * The certificate store on a local disk, laid out so a person can read it:
 *   certificates/<name>.json           current version (the same JSON as the Secrets Manager secret)
 *   certificates/<name>.previous.json  the version it replaced
 *   pending/<name>/<versionId>.json    keys written before finalize
 *   accounts/<issuer>.json             ACME account key and URL, per directory URL (adapters/account-record.ts)
 *   acme-dns/<server>/<domain>.json    acme-dns registrations (adapters/file-acme-dns-credentials.ts)
 * Files holding keys are 0600; every write is write-then-rename so a crash never leaves half a file.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type AcmeAccount,
  type CertificateStore,
  type CurrentVersion,
  type PendingKey,
  type SecretOwner,
  type StoredCertificate,
  summaryOf,
} from '../ports/certificate-store.js';
import { accountIn, withAccount } from './account-record.js';

export class FileCertificateStore implements CertificateStore {
  constructor(readonly root: string) {}

  certificatePath(name: string): string {
    return path.join(this.root, 'certificates', `${name}.json`);
  }

  async getCurrent(name: string): Promise<StoredCertificate | undefined> {
    return readJson<StoredCertificate>(this.certificatePath(name));
  }

  /** The version id is the SHA-256 of the file: it changes exactly when the current certificate does. */
  async readCurrent(name: string): Promise<CurrentVersion | undefined> {
    const bytes = await readBytes(this.certificatePath(name));
    if (bytes === undefined) return undefined;
    const certificate = summaryOf(JSON.parse(bytes.toString('utf8')) as StoredCertificate);
    return { versionId: fileVersion(bytes), ...(certificate && { certificate }) };
  }

  async currentVersion(name: string): Promise<string | undefined> {
    const bytes = await readBytes(this.certificatePath(name));
    return bytes === undefined ? undefined : fileVersion(bytes);
  }

  async putPendingKey({ name }: SecretOwner, key: PendingKey): Promise<{ versionId: string; created: boolean }> {
    const versionId = pendingVersionId(key.orderUrl);
    const file = path.join(this.root, 'pending', name, `${versionId}.json`);
    const created = await writeJsonExclusive(file, key);
    return { versionId, created };
  }

  async getPendingKey(name: string, versionId: string): Promise<PendingKey | undefined> {
    if (!/^[a-f0-9]{32}$/.test(versionId)) return undefined;
    return readJson<PendingKey>(path.join(this.root, 'pending', name, `${versionId}.json`));
  }

  async listPendingKeys(name: string): Promise<string[]> {
    try {
      return (await readdir(path.join(this.root, 'pending', name))).flatMap((file) => /^([a-f0-9]{32})\.json$/.exec(file)?.[1] ?? []).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async removePendingKey(name: string, versionId: string): Promise<void> {
    if (!/^[a-f0-9]{32}$/.test(versionId)) return;
    await rm(path.join(this.root, 'pending', name, `${versionId}.json`), { force: true });
  }

  async makeCurrent(name: string, certificate: StoredCertificate, pendingVersionId: string): Promise<{ versionId: string }> {
    const current = await this.getCurrent(name);
    if (current?.serialNumber !== certificate.serialNumber) {
      if (current) await writeJsonAtomic(path.join(this.root, 'certificates', `${name}.previous.json`), current);
      await writeJsonAtomic(this.certificatePath(name), certificate);
    }
    await rm(path.join(this.root, 'pending', name, `${pendingVersionId}.json`), { force: true });
    return { versionId: (await this.currentVersion(name)) ?? '' };
  }

  async getAccount(issuer: string, directoryUrl?: string): Promise<AcmeAccount | undefined> {
    return accountIn(await readJson<unknown>(this.accountPath(issuer)), directoryUrl);
  }

  async putAccount(issuer: string, account: AcmeAccount, replace: boolean, beside = false): Promise<AcmeAccount> {
    if (!replace && (await writeJsonExclusive(this.accountPath(issuer), withAccount(undefined, account)))) return account;
    // The issuer has a record already: the first account stored for a directory wins, unless replacing.
    // Local runs of one issuer registering at a new directory at the same moment are not guarded.
    const record = await readJson<unknown>(this.accountPath(issuer));
    const existing = accountIn(record, account.directoryUrl);
    if (!replace && existing) return existing;
    await writeJsonAtomic(this.accountPath(issuer), withAccount(record, account, beside));
    return account;
  }

  private accountPath(issuer: string): string {
    return path.join(this.root, 'accounts', `${issuer}.json`);
  }
}

/** Deterministic per order, like the ClientRequestToken Secrets Manager will get. */
export function pendingVersionId(orderUrl: string): string {
  return createHash('sha256').update(orderUrl).digest('hex').slice(0, 32);
}

async function readBytes(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function fileVersion(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

/** Writes only if absent; false when someone else's file is already there. */
export async function writeJsonExclusive(file: string, value: unknown): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
