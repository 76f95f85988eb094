/**
 * The local renewal scheduler: one file per certificate, `schedules/<name>.json`, holding the
 * time and the execution input to run then. `certstep local run` reads nothing from it; it
 * is what EventBridge Scheduler will hold on AWS, written down where an operator can see it.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenewalScheduler, ScheduledRenewal } from '../ports/renewal-scheduler.js';

export class FileRenewalScheduler implements RenewalScheduler {
  constructor(private readonly root: string) {}

  async schedule(renewal: ScheduledRenewal): Promise<{ scheduleId: string }> {
    const file = path.join(this.root, 'schedules', `${renewal.certificateName}.json`);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(renewal, null, 2)}\n`);
    await rename(temporary, file);
    return { scheduleId: file };
  }
}
