/**
 * Finds Debian's `pebble` package (pebble + pebble-challtestsrv), installing it when we are
 * allowed to without asking anyone for a password; otherwise says exactly what to run.
 */

import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

const SUDO_INSTALL_COMMAND = 'sudo apt-get install -y pebble';

export class PebbleNotInstalled extends Error {
  override readonly name = 'PebbleNotInstalled';
  readonly installCommand: string;

  constructor(detail: string, installCommand = SUDO_INSTALL_COMMAND) {
    super(`${detail} Install with: ${installCommand}`);
    this.installCommand = installCommand;
  }
}

export interface PebbleBinaries {
  pebble: string;
  challtestsrv: string;
}

/** Finds pebble and pebble-challtestsrv on PATH or /usr/bin; installs Debian's `pebble` when missing. */
export async function ensurePebbleInstalled(log: (line: string) => void = () => {}): Promise<PebbleBinaries> {
  const found = await findBinaries();
  if (found) return found;

  const asRoot = process.getuid?.() === 0;
  // `sudo -n` fails instead of prompting: a test run must never hang on a password.
  if (!asRoot && (await run('sudo', ['-n', 'true'])).code !== 0) {
    throw new PebbleNotInstalled('pebble and pebble-challtestsrv are not installed, and this user may not install them (not root; `sudo -n true` failed).');
  }
  // sudo resets the environment, so DEBIAN_FRONTEND has to travel through `env`.
  const apt = (args: string[]) => (asRoot ? run('apt-get', args) : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]));
  const prefix = asRoot ? '' : 'sudo ';

  log(`Installing Debian package pebble (${prefix}apt-get install -y pebble)`);
  let result = await apt(['install', '-y', 'pebble']);
  if (result.code !== 0) {
    // A fresh machine or container usually has empty package lists.
    log(`apt-get install failed; running ${prefix}apt-get update and retrying`);
    const update = await apt(['update']);
    result = update.code === 0 ? await apt(['install', '-y', 'pebble']) : update;
  }
  if (result.code !== 0) {
    throw new PebbleNotInstalled(
      `Installing pebble failed (${result.failure})${result.output ? `; last output:\n${result.output}\n` : '.'}`,
      asRoot ? 'apt-get update && apt-get install -y pebble' : `sudo apt-get update && ${SUDO_INSTALL_COMMAND}`,
    );
  }

  const installed = await findBinaries();
  if (!installed) {
    throw new PebbleNotInstalled('apt-get installed pebble but pebble or pebble-challtestsrv is still not on PATH or in /usr/bin.');
  }
  log(`Installed ${installed.pebble} and ${installed.challtestsrv}`);
  return installed;
}

async function findBinaries(): Promise<PebbleBinaries | undefined> {
  const pebble = await findExecutable('pebble');
  const challtestsrv = await findExecutable('pebble-challtestsrv');
  return pebble && challtestsrv ? { pebble, challtestsrv } : undefined;
}

/** PATH first, then /usr/bin, where Debian puts them even when PATH is a minimal one. */
async function findExecutable(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

interface RunResult {
  code: number;
  /** Why it failed, for the error message ("exit code 100", "spawn sudo ENOENT"). */
  failure: string;
  /** Last lines of stdout and stderr together. */
  output: string;
}

function run(file: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const tail = () => output.trim().split('\n').slice(-20).join('\n');
    child.on('error', (error) => resolve({ code: -1, failure: error.message, output: tail() }));
    child.on('close', (code, signal) => resolve({ code: code ?? -1, failure: signal ? `killed by ${signal}` : `exit code ${code}`, output: tail() }));
  });
}
