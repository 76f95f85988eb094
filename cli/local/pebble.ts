/**
 * A private Pebble (Let's Encrypt's test CA) and pebble-challtestsrv (its fake DNS) on
 * loopback, on ports nobody else uses, so tests and the local mode can run side by side.
 * Facts this relies on are in /work/shared/notes/local-stack.md.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GoroutineWaits, goroutineWaits } from './goroutine-dump.js';
import { freePort, httpGetText, httpRequest, resolvesA } from './net.js';
import { createThrowawayTls } from './throwaway-tls.js';
import { ensurePebbleInstalled } from './pebble-install.js';

export { PebbleNotInstalled, ensurePebbleInstalled } from './pebble-install.js';

export interface LocalAcmeOptions {
  /** extra environment for the pebble process, e.g. { PEBBLE_WFE_NONCEREJECT: '30' }; defaults PEBBLE_VA_NOSLEEP=1 */
  pebbleEnv?: Record<string, string>;
  /** certificateValidityPeriod in seconds; default 7776000 (90 days, like Let's Encrypt) */
  certificateValidityPeriodSeconds?: number;
  /** EAB: when given, Pebble requires it */
  externalAccountMACKeys?: Record<string, string>;
  log?: (line: string) => void;
  /** directory for generated files (TLS certs, config); default a fresh mkdtemp dir removed by stop() */
  workDir?: string;
  /** `host:port` Pebble asks for DNS-01 records instead of challtestsrv (e.g. the Route 53 test server's DNS). */
  pebbleDnsServer?: string;
}

export interface LocalAcme {
  directoryUrl: string;
  caCertPem: string;
  caCertFile: string;
  managementUrl: string;
  challtestsrvUrl: string;
  dnsServer: string;
  /** PEM of Pebble's issuing root (/roots/0), for verifying issued certs */
  rootPem(): Promise<string>;
  /** PEM of Pebble's intermediate (/intermediates/0) */
  intermediatePem(): Promise<string>;
  /** stop pebble only and start it again on the same ports and config (Pebble forgets all accounts) */
  restartPebble(): Promise<void>;
  /**
   * For a Pebble that stopped answering: whether its directory still answers, and where its
   * goroutines wait (its SIGQUIT dump). Pebble exits after the dump: restartPebble() next.
   */
  diagnoseStall(): Promise<PebbleStall>;
  /** idempotent; kills both processes (and waits for exit), removes a temp workDir */
  stop(): Promise<void>;
}

export interface PebbleStall {
  /** How long GET of the directory (no account, no lock of its store) took, or why it failed. */
  readonly directory: string;
  readonly waits: GoroutineWaits;
}

const READY_TIMEOUT_MS = 15_000;
const TAIL_LINES = 50;
const PORT_TAKEN = /address already in use/i;

export async function startLocalAcme(options: LocalAcmeOptions = {}): Promise<LocalAcme> {
  const log = options.log ?? (() => {});
  const bins = await ensurePebbleInstalled(log);
  const ownsWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'certstep-pebble-')));
  try {
    await mkdir(workDir, { recursive: true });
    const tls = await createThrowawayTls();
    const caCertFile = join(workDir, 'tls-ca.pem');
    const certFile = join(workDir, 'tls-cert.pem');
    // PKCS#8 ("PRIVATE KEY"): Pebble loads it with Go's tls.X509KeyPair, which accepts it.
    const keyFile = join(workDir, 'tls-key.pem');
    await writeFile(caCertFile, tls.caCertPem);
    await writeFile(certFile, tls.leafCertPem);
    await writeFile(keyFile, tls.leafKeyPem, { mode: 0o600 });

    // Ports are picked by listen(0)-then-close, so another process can grab one before our
    // children bind it; one fresh set of ports almost always gets past such a clash.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch({ ...options, log, bins, workDir, ownsWorkDir, caCertPem: tls.caCertPem, caCertFile, certFile, keyFile });
      } catch (error) {
        if (!(error instanceof PortClash) || attempt >= 2) throw error;
        log(`Port clash (${error.detail}); retrying once with new ports`);
      }
    }
  } catch (error) {
    if (ownsWorkDir) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

interface LaunchInput extends LocalAcmeOptions {
  log: (line: string) => void;
  bins: { pebble: string; challtestsrv: string };
  workDir: string;
  ownsWorkDir: boolean;
  caCertPem: string;
  caCertFile: string;
  certFile: string;
  keyFile: string;
}

async function launch(input: LaunchInput): Promise<LocalAcme> {
  const { log, bins, caCertPem } = input;
  const [acmePort, managementPort, dnsPort, challMgmtPort, httpPort, tlsPort] = [
    await freePort(),
    await freePort(),
    await freePort('127.0.0.1', { udp: true }),
    await freePort(),
    // Only dialled by Pebble's VA for http-01/tls-alpn-01, never bound: any number will do.
    await freePort(),
    await freePort(),
  ];
  const macKeys = input.externalAccountMACKeys;
  const configFile = join(input.workDir, 'pebble-config.json');
  await writeFile(
    configFile,
    JSON.stringify(
      {
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: input.certFile,
          privateKey: input.keyFile,
          httpPort,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: macKeys !== undefined,
          externalAccountMACKeys: macKeys ?? {},
          certificateValidityPeriod: input.certificateValidityPeriodSeconds ?? 7_776_000,
        },
      },
      null,
      2,
    ),
  );

  const dnsServer = `127.0.0.1:${dnsPort}`;
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const managementUrl = `https://127.0.0.1:${managementPort}`;
  const challtestsrvUrl = `http://127.0.0.1:${challMgmtPort}`;
  const pebbleEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', ...input.pebbleEnv };

  const startPebble = () =>
    new Child('pebble', bins.pebble, ['-config', configFile, '-dnsserver', input.pebbleDnsServer ?? dnsServer, '-strict=false'], pebbleEnv);
  // Empty strings switch off the HTTP/TLS challenge servers and the AAAA default we do not need.
  const challtestsrv = new Child(
    'pebble-challtestsrv',
    bins.challtestsrv,
    ['-dns01', dnsServer, '-management', `127.0.0.1:${challMgmtPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv6', ''],
    process.env,
  );
  let pebble = startPebble();

  // 'exit' handlers must be synchronous: no waiting for the children, just signal them, so a
  // test run that dies without stop() does not leave CAs listening on this machine.
  const onParentExit = () => {
    pebble.proc.kill('SIGKILL');
    challtestsrv.proc.kill('SIGKILL');
    if (input.ownsWorkDir) rmSync(input.workDir, { recursive: true, force: true });
  };
  process.on('exit', onParentExit);

  // Both listeners, because Pebble binds them in parallel and dies if either is taken; an
  // answer that passes TLS with our fresh CA cannot come from anyone else's server.
  const pebbleReady = (child: Child) =>
    child.waitUntil(
      async () =>
        (await httpRequest(directoryUrl, { ca: caCertPem, timeoutMs: 1000 })).status === 200 &&
        (await httpRequest(`${managementUrl}/roots/0`, { ca: caCertPem, timeoutMs: 1000 })).status === 200,
    );

  const killBoth = async () => {
    process.off('exit', onParentExit);
    await Promise.all([pebble.kill(), challtestsrv.kill()]);
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await killBoth();
      if (input.ownsWorkDir) await rm(input.workDir, { recursive: true, force: true });
    })());

  try {
    log(`Starting pebble-challtestsrv (DNS on ${dnsServer}) and pebble (${directoryUrl})`);
    // challtestsrv only logs a failed bind and keeps running, so waitUntil watches its output
    // for that; challtestsrv answers every A query with 127.0.0.1, which proves DNS is ours.
    await challtestsrv.waitUntil(
      async () => (await httpRequest(challtestsrvUrl, { timeoutMs: 1000 })).status > 0 && (await resolvesA(dnsServer, 'ready.certstep.test')),
    );
    await pebbleReady(pebble);
  } catch (error) {
    // The work dir stays: a retry reuses the TLS files, and startLocalAcme removes it otherwise.
    await killBoth();
    throw error;
  }
  log(`Pebble ready at ${directoryUrl}`);

  return {
    directoryUrl,
    caCertPem,
    caCertFile: input.caCertFile,
    managementUrl,
    challtestsrvUrl,
    dnsServer,
    rootPem: () => httpGetText(`${managementUrl}/roots/0`, caCertPem),
    intermediatePem: () => httpGetText(`${managementUrl}/intermediates/0`, caCertPem),
    async diagnoseStall() {
      const started = Date.now();
      const directory = await httpRequest(directoryUrl, { ca: caCertPem, timeoutMs: 5000 }).then(
        (answer) => `HTTP ${answer.status} in ${Date.now() - started} ms`,
        (error: Error) => `no answer (${error.message})`,
      );
      return { directory, waits: goroutineWaits(await pebble.goroutineDump(), 'github.com/letsencrypt/pebble/') };
    },
    async restartPebble() {
      if (stopping) throw new Error('restartPebble() after stop()');
      log('Restarting pebble (all accounts and orders are forgotten)');
      await pebble.kill();
      pebble = startPebble();
      await pebbleReady(pebble);
      log(`Pebble ready again at ${directoryUrl}`);
    },
    stop,
  };
}

/** A port we picked was taken before our child bound it: worth one retry with new ports. */
class PortClash extends Error {
  override readonly name = 'PortClash';
  constructor(
    message: string,
    /** The "listen tcp ...: bind: address already in use" line. */
    readonly detail: string,
  ) {
    super(message);
  }
}

/** A child process whose output is kept (last lines only) to explain a failed start. */
class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  private exitDescription: string | undefined;
  private readonly tail: string[] = [];
  private partial = '';

  constructor(
    readonly name: string,
    file: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.proc = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout?.on('data', (chunk: Buffer) => this.remember(chunk));
    this.proc.stderr?.on('data', (chunk: Buffer) => this.remember(chunk));
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') so that the last output is in the tail before anyone reads it.
      this.proc.once('close', (code, signal) => {
        this.exitDescription ??= signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      this.proc.on('error', (error) => {
        this.exitDescription = `could not be started: ${error.message}`;
        resolve();
      });
    });
  }

  private remember(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    this.tail.push(...lines);
    if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
  }

  private output(): string {
    return [...this.tail, this.partial].filter((line) => line.trim() !== '').join('\n');
  }

  private failure(what: string): Error {
    const output = this.output();
    const message = `${this.name} ${what}${output ? `; its last output:\n${output}` : ' and printed nothing'}`;
    const clash = output.split('\n').find((line) => PORT_TAKEN.test(line));
    return clash === undefined ? new Error(message) : new PortClash(message, clash.trim());
  }

  private throwIfPortTaken(): void {
    if (PORT_TAKEN.test(this.output())) throw this.failure('could not bind a port');
  }

  /** Polls `probe` until it returns true; fails fast with the output if the process dies. */
  async waitUntil(probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exitDescription !== undefined) {
        await this.exited;
        throw this.failure(this.exitDescription);
      }
      this.throwIfPortTaken();
      try {
        // Racing the exit keeps a probe hanging on someone else's silent listener from
        // hiding that our process already died.
        if (await Promise.race([probe(), this.exited.then(() => false)])) {
          // The bind error may be logged just after the other listener answered.
          await sleep(50);
          this.throwIfPortTaken();
          return;
        }
        lastError = 'unexpected answer';
      } catch (error) {
        if (error instanceof PortClash) throw error;
        lastError = error instanceof Error ? error.message : String(error);
      }
      await sleep(100);
    }
    throw this.failure(`was not ready after ${READY_TIMEOUT_MS / 1000} s (${lastError})`);
  }

  /**
   * A Go program's goroutine dump: SIGQUIT makes it print every stack to stderr and exit. Its
   * whole output from then on, however long (the tail keeps 50 lines); empty if it had exited.
   */
  async goroutineDump(): Promise<string> {
    if (this.exitDescription !== undefined) return '';
    const chunks: Buffer[] = [];
    const keep = (chunk: Buffer) => chunks.push(chunk);
    this.proc.stderr?.on('data', keep);
    await this.kill('SIGQUIT', 5000);
    this.proc.stderr?.off('data', keep);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** `signal` (SIGTERM), then SIGKILL if it lingers past `graceMs`; resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
    if (this.exitDescription !== undefined) return this.exited;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
