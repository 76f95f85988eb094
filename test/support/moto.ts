/**
 * moto_server (moto 5.2) on a loopback port: an implementation of the AWS APIs that nobody on
 * this project wrote, so the adapters are held to what it accepts, not to our own fakes. One
 * process serves every service; `env` points the v3 SDK at it (Route 53 can be pointed elsewhere
 * with AWS_ENDPOINT_URL_ROUTE_53). Missing moto_server fails the test that asked for it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, httpRequest } from '../../cli/local/net.js';
import { requireImageTool } from './image-tools.js';

export interface Moto {
  readonly endpoint: string;
  readonly region: string;
  /** What a v3 SDK client (or a child process) needs to talk to this moto, with dummy credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** POST /moto-api/reset: every service's state dropped, for the next test. */
  reset(): Promise<void>;
  /** POST /moto-api/config, e.g. `{stepfunctions: {execute_state_machine: true}}`. */
  configure(config: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export interface MotoOptions {
  readonly region?: string;
  /** Extra environment for moto_server itself, e.g. INITIAL_NO_AUTH_ACTION_COUNT to enforce IAM. */
  readonly serverEnv?: Readonly<Record<string, string>>;
}

export async function startMoto(options: MotoOptions = {}): Promise<Moto> {
  const command = requireImageTool('moto_server');
  const region = options.region ?? 'us-east-1';
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, ...options.serverEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tail: string[] = [];
    proc.stderr?.on('data', (chunk: Buffer) => {
      tail.push(chunk.toString());
      if (tail.length > 40) tail.shift();
    });
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(endpoint, proc);
    } catch (error) {
      proc.kill('SIGKILL');
      // listen(0)-then-close is racy: another process may have taken the port in between.
      if (attempt < 3 && tail.join('').includes('Address already in use')) continue;
      throw new Error(`moto_server did not start on ${endpoint}: ${(error as Error).message}\n${tail.join('').slice(-2000)}`);
    }
    return motoAt(endpoint, region, proc);
  }
}

function motoAt(endpoint: string, region: string, proc: ChildProcess): Moto {
  const onParentExit = () => proc.kill('SIGKILL');
  process.on('exit', onParentExit);
  const post = async (path: string, body?: unknown) => {
    const res = await httpRequest(`${endpoint}${path}`, { method: 'POST', ...(body !== undefined && { body }) });
    if (res.status < 200 || res.status > 299) throw new Error(`moto ${path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
  };
  return {
    endpoint,
    region,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    },
    reset: () => post('/moto-api/reset'),
    configure: (config) => post('/moto-api/config', config),
    stop: async () => {
      process.off('exit', onParentExit);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('close', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntilServing(endpoint: string, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`it exited with code ${proc.exitCode}`);
    try {
      const res = await httpRequest(`${endpoint}/moto-api/`);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no answer within 30 s');
}
