/**
 * `certstep export <name> --out DIR [--deploy-hook CMD]`: the current certificate as certbot's
 * files, for a VM's cron or systemd timer. Files are replaced by rename, so nginx or HAProxy
 * never read half a file, and only when their content changed; the hook runs only then, so a
 * timer can call this every hour and reload the server once per renewal.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import { splitPemChain } from '../../functions/core/verify-certificate.js';
import type { StoredCertificate } from '../../functions/ports/certificate-store.js';
import { EXIT } from '../exit-codes.js';
import type { ExportArguments } from './arguments.js';
import { PROCESS_IO } from './terminal.js';
import { LocalSource } from './local-source.js';
import { UnknownCertificate } from './model.js';

export interface ExportContext {
  readonly io?: { out(text: string): void; err(text: string): void };
  /** Tests hand in a client; otherwise the SDK's default credential chain and region apply. */
  readonly secrets?: SecretsManagerClient;
}

interface ExportFile {
  readonly name: 'cert.pem' | 'chain.pem' | 'fullchain.pem' | 'privkey.pem';
  readonly content: string;
  readonly mode: number;
}

export async function runExport(args: ExportArguments, context: ExportContext = {}): Promise<number> {
  const io = context.io ?? PROCESS_IO;
  let certificate: StoredCertificate | undefined;
  try {
    certificate = await currentCertificate(args, context);
  } catch (error) {
    if (!(error instanceof UnknownCertificate)) throw error;
    io.err(`certstep: ${error.message}`);
    return EXIT.invalidInput;
  }
  if (!certificate) {
    io.err(`certstep: ${args.name} has not been issued yet; nothing to export`);
    return EXIT.failed;
  }
  const files = certbotFiles(certificate);
  const outDir = path.resolve(args.outDir);
  const changed = await writeChanged(outDir, files);
  const what = `${args.name} (serial ${certificate.serialNumber}, notAfter ${certificate.notAfter})`;
  if (changed.length === 0) {
    io.out(`Unchanged: ${outDir} already holds ${what}${args.deployHook ? '; deploy hook not run' : ''}`);
    return EXIT.succeeded;
  }
  io.out(`Exported ${what} to ${outDir}: ${changed.join(', ')} changed`);
  if (!args.deployHook) return EXIT.succeeded;
  const code = await runHook(args.deployHook, {
    CERTSTEP_CERTIFICATE_NAME: args.name,
    CERTSTEP_OUT_DIR: outDir,
    // certbot's names, so an existing --deploy-hook script works unchanged.
    RENEWED_LINEAGE: outDir,
    RENEWED_DOMAINS: certificate.dnsNames.join(' '),
  });
  if (code !== 0) {
    io.err(`certstep: the deploy hook exited with ${code}; the new files are in ${outDir}`);
    return EXIT.failed;
  }
  io.out('Deploy hook ran');
  return EXIT.succeeded;
}

/** cert.pem is the leaf, chain.pem the rest, fullchain.pem both: what certbot writes under live/. */
export function certbotFiles(certificate: StoredCertificate): ExportFile[] {
  const pems = splitPemChain(certificate['tls.crt']);
  const lines = (blocks: readonly string[]) => blocks.map((block) => `${block}\n`).join('');
  const key = certificate['tls.key'].endsWith('\n') ? certificate['tls.key'] : `${certificate['tls.key']}\n`;
  return [
    { name: 'cert.pem', content: lines(pems.slice(0, 1)), mode: 0o644 },
    { name: 'chain.pem', content: lines(pems.slice(1)), mode: 0o644 },
    { name: 'fullchain.pem', content: lines(pems), mode: 0o644 },
    { name: 'privkey.pem', content: key, mode: 0o600 },
  ];
}

async function currentCertificate(args: ExportArguments, context: ExportContext): Promise<StoredCertificate | undefined> {
  if (!args.aws) {
    const known = await new LocalSource({ storeDir: args.storeDir }).list();
    if (!known.includes(args.name)) throw new UnknownCertificate(args.name, known);
    return new FileCertificateStore(args.storeDir).getCurrent(args.name);
  }
  const prefix = args.aws.secretPrefix;
  const store = new SecretsManagerCertificateStore({
    client: context.secrets ?? new SecretsManagerClient({}),
    certificateSecretId: (name) => `${prefix}${name}`,
  });
  try {
    return await store.getCurrent(args.name);
  } catch (error) {
    if ((error as Error).name === 'SecretNotFound') throw new UnknownCertificate(args.name, []);
    throw error;
  }
}

/**
 * Every changed file goes to a temporary name first (the key created 0600, never wider), then
 * all are renamed in one go, so the window in which cert and key disagree is a few renames.
 * A file whose content is the same only has its mode put right.
 */
async function writeChanged(outDir: string, files: readonly ExportFile[]): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const staged: { file: ExportFile; temp: string }[] = [];
  try {
    for (const file of files) {
      const target = path.join(outDir, file.name);
      if ((await readFile(target, 'utf8').catch(() => undefined)) === file.content) {
        await chmod(target, file.mode);
        continue;
      }
      const temp = path.join(outDir, `.${file.name}.${randomUUID()}.tmp`);
      await writeFile(temp, file.content, { mode: file.mode, flag: 'wx' });
      // The umask may have narrowed the mode; certbot's files are exactly 0644 and 0600.
      await chmod(temp, file.mode);
      staged.push({ file, temp });
    }
    for (const { file, temp } of staged) await rename(temp, path.join(outDir, file.name));
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  }
  return staged.map(({ file }) => file.name);
}

function runHook(command: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
