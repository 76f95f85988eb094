/** Runs one bench/worker.ts measurement in a fresh Node process and reads its JSON line. */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloorAccount } from '../floor.js';
import type { WorkerResult, WorkerTask } from '../worker.js';

const WORKER = fileURLToPath(new URL('../worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildRun {
  readonly result: WorkerResult;
  /** From spawn to exit: Node start-up, tsx, module loading, the work, shutdown. */
  readonly processWallMs: number;
}

let taskDir: string | undefined;

export async function runWorker(task: WorkerTask, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildRun> {
  const { json, processWallMs } = await runChild(task, env, nodeArgs);
  return { result: json as WorkerResult, processWallMs };
}

/** Registers the floor's ACME account in a child, so this process never touches acme-client's shared axios instance. */
export async function createFloorAccountInChild(directoryUrl: string, caCertPem: string): Promise<FloorAccount> {
  const { json } = await runChild({ kind: 'floor-account', directoryUrl, caCertPem });
  return json as FloorAccount;
}

async function runChild(
  task: { readonly kind: string; readonly [key: string]: unknown },
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  timeoutMs = Number(process.env.BENCH_WORKER_TIMEOUT_SECONDS ?? 300) * 1000,
): Promise<{ json: unknown; processWallMs: number }> {
  taskDir ??= await mkdtemp(path.join(tmpdir(), 'certstep-bench-tasks-'));
  const file = path.join(taskDir, `task-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(task));
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', WORKER, file], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, stdout: out, stderr: err });
    });
  });
  const processWallMs = performance.now() - started;
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    const why = code === null ? `killed after ${Math.round(timeoutMs / 1000)} s (BENCH_WORKER_TIMEOUT_SECONDS)` : `exited ${code}`;
    throw new Error(`worker ${task.kind} ${why}: ${stderr.trim().split('\n').slice(-5).join(' | ').slice(0, 800)}`);
  }
  return { json: JSON.parse(line) as unknown, processWallMs };
}
