/**
 * The local renewal scheduler: one file per certificate, `schedules/<name>.json`, holding the
 * time, the kind (renewal or retry) and the execution input to run then. `certstep local run`
 * reads nothing from it to decide when to run; it is what EventBridge Scheduler will hold on
 * AWS, written down where an operator can see it, and what a run reconciles against.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenewalScheduler, ScheduledRenewal } from '../ports/renewal-scheduler.js';

export class FileRenewalScheduler implements RenewalScheduler {
  constructor(private readonly root: string) {}

  async schedule(renewal: ScheduledRenewal): Promise<{ scheduleId: string }> {
    const file = this.file(renewal.certificateName);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ kind: 'renewal', ...renewal }, null, 2)}\n`);
    await rename(temporary, file);
    return { scheduleId: file };
  }

  async get(certificateName: string): Promise<ScheduledRenewal | undefined> {
    try {
      return JSON.parse(await readFile(this.file(certificateName), 'utf8')) as ScheduledRenewal;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private file(certificateName: string): string {
    return path.join(this.root, 'schedules', `${certificateName}.json`);
  }
}
