/**
 * The run ledger on a local disk: `ledger/<name>.json`, changed under a lock directory so
 * two local runs in different processes cannot both claim a certificate.
 */
import { mkdir, readFile, rename, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClaimResult, LedgerEntry, RunLedger, RunOutcome } from '../ports/run-ledger.js';

export class FileRunLedger implements RunLedger {
  constructor(private readonly root: string) {}

  async get(certificateName: string): Promise<LedgerEntry | undefined> {
    try {
      return JSON.parse(await readFile(this.file(certificateName), 'utf8')) as LedgerEntry;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  claim(certificateName: string, runId: string, now: Date, leaseUntil: Date): Promise<ClaimResult> {
    return this.locked(certificateName, async () => {
      const entry = (await this.get(certificateName)) ?? { certificateName, consecutiveFailures: 0 };
      const active = entry.activeRun;
      if (active && active.runId !== runId && new Date(active.leaseUntil) > now) {
        return { claimed: false, heldBy: active.runId, since: active.since };
      }
      const since = active?.runId === runId ? active.since : now.toISOString();
      await this.write({ ...entry, activeRun: { runId, since, leaseUntil: leaseUntil.toISOString() } });
      return { claimed: true };
    });
  }

  finish(certificateName: string, runId: string, outcome: RunOutcome): Promise<LedgerEntry> {
    return this.locked(certificateName, async () => {
      const entry = (await this.get(certificateName)) ?? { certificateName, consecutiveFailures: 0 };
      const { activeRun, nextAttemptAfter: _previousHoldOff, lastError: _previousError, ...rest } = entry;
      const failed = outcome.result === 'Failed';
      const next: LedgerEntry = {
        ...rest,
        ...(activeRun && activeRun.runId !== runId && { activeRun }),
        lastResult: outcome.result,
        lastRunAt: outcome.at.toISOString(),
        consecutiveFailures: failed ? entry.consecutiveFailures + 1 : 0,
        ...(failed && { lastError: { error: outcome.error ?? 'Unknown', cause: outcome.cause ?? '' } }),
        ...(failed && outcome.nextAttemptAfter && { nextAttemptAfter: outcome.nextAttemptAfter.toISOString() }),
      };
      await this.write(next);
      return next;
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

  /** mkdir is atomic across processes; a lock older than 30 s is a crashed holder's. */
  private async locked<T>(certificateName: string, work: () => Promise<T>): Promise<T> {
    const lock = `${this.file(certificateName)}.lock`;
    await mkdir(path.dirname(lock), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 600) throw error;
        const { mtimeMs } = await stat(lock).catch(() => ({ mtimeMs: Date.now() }));
        if (Date.now() - mtimeMs > 30_000) await rmdir(lock).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      }
    }
    try {
      return await work();
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
}
