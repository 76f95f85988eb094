/**
 * The run ledger on a local disk: `ledger/<name>.json`, changed under a lock directory so two
 * local runs in different processes cannot both claim a certificate. A claim names the process
 * that holds it: a local run that was killed leaves its claim to a process that no longer
 * exists, and that claim is ignored at once instead of blocking every run until its lease ends.
 */
import { hostname } from 'node:os';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LedgerEntry } from '../ports/run-ledger.js';
import { TransitionLedger, emptyEntry } from './ledger-transitions.js';

export class FileRunLedger extends TransitionLedger {
  protected override readonly holder = { host: hostname(), pid: process.pid };

  constructor(private readonly root: string) {
    super();
  }

  async get(certificateName: string): Promise<LedgerEntry | undefined> {
    let entry: LedgerEntry;
    try {
      entry = JSON.parse(await readFile(this.file(certificateName), 'utf8')) as LedgerEntry;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const holder = entry.activeRun?.holder;
    if (holder && holder.host === this.holder.host && !isAlive(holder.pid)) {
      const { activeRun: _dead, ...rest } = entry;
      return rest;
    }
    return entry;
  }

  protected update(certificateName: string, change: (entry: LedgerEntry) => LedgerEntry): Promise<LedgerEntry> {
    return this.locked(certificateName, async () => {
      const before = (await this.get(certificateName)) ?? emptyEntry(certificateName);
      const after = change(before);
      if (after !== before) await this.write(after);
      return after;
    });
  }

  private file(certificateName: string): string {
    return path.join(this.root, 'ledger', `${certificateName}.json`);
  }

  private async write(entry: LedgerEntry): Promise<void> {
    const file = this.file(entry.certificateName);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(entry, null, 2)}\n`);
    await rename(temporary, file);
  }

  /**
   * An exclusive create is atomic across processes; the lock file names its process, so the
   * lock of a process that was killed inside it is broken at once (an unreadable one after 30 s).
   */
  private async locked<T>(certificateName: string, work: () => Promise<T>): Promise<T> {
    const lock = `${this.file(certificateName)}.lock`;
    await mkdir(path.dirname(lock), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2000) throw error;
        const owner = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
        const { mtimeMs } = await stat(lock).catch(() => ({ mtimeMs: Date.now() }));
        if ((Number.isInteger(owner) && owner > 0 && !isAlive(owner)) || Date.now() - mtimeMs > 30_000) await rm(lock, { force: true });
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      }
    }
    try {
      return await work();
    } finally {
      await rm(lock, { force: true });
    }
  }
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists as another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
