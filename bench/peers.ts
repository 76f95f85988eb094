/**
 * Peer ACME clients from Debian doing the same job as certstep: apex + wildcard certificates
 * over DNS-01 against the bench's Pebble, with hook scripts (bench/peers/hooks) that call
 * challtestsrv's /set-txt and /clear-txt. Each runs the way its documentation suggests: one
 * process per certificate, one after the other, default settings except what is needed to
 * reach Pebble (trust its throwaway CA) and to use the hooks. Every process runs under
 * /usr/bin/time, so CPU time and peak memory include the hooks and curl they start.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaEndpoint } from './lib/bench-ca.js';

const HOOKS = fileURLToPath(new URL('./peers/hooks/', import.meta.url));

export interface PeerCommand {
  readonly file: string;
  readonly args: string[];
  readonly env?: Record<string, string>;
}

export interface PeerContext {
  readonly ca: CaEndpoint;
  /** A private directory for this peer's accounts, certificates and logs. */
  readonly dir: string;
}

export interface PeerClient {
  readonly name: string;
  readonly debianPackage: string;
  readonly binary: string;
  /** What had to be set beyond the defaults, for the report. */
  readonly settings: string;
  /** Undefined when usable, otherwise why not. */
  unusable?(ctx: PeerContext): string | undefined;
  /** Account registration etc.; not timed. */
  setup(ctx: PeerContext): Promise<void>;
  issue(ctx: PeerContext, apex: string): PeerCommand;
}

const hook = (name: string) => path.join(HOOKS, name);
const baseEnv = (ctx: PeerContext) => ({ CHALLTESTSRV_URL: ctx.ca.challtestsrvUrl });

export const certbot: PeerClient = {
  name: 'certbot',
  debianPackage: 'certbot',
  binary: '/usr/bin/certbot',
  settings: '`--manual --preferred-challenges dns` with auth and cleanup hooks; `--server` Pebble; `REQUESTS_CA_BUNDLE` = Pebble CA',
  async setup(ctx) {
    await run('/usr/bin/certbot', ['register', ...certbotDirs(ctx), '--agree-tos', '--register-unsafely-without-email', '--non-interactive'], certbotEnv(ctx));
  },
  issue: (ctx, apex) => ({
    file: '/usr/bin/certbot',
    args: [
      'certonly',
      ...certbotDirs(ctx),
      '--manual',
      '--preferred-challenges',
      'dns',
      '--manual-auth-hook',
      hook('certbot-auth.sh'),
      '--manual-cleanup-hook',
      hook('certbot-cleanup.sh'),
      '--non-interactive',
      '--agree-tos',
      '-d',
      apex,
      '-d',
      `*.${apex}`,
    ],
    env: certbotEnv(ctx),
  }),
};

function certbotDirs(ctx: PeerContext): string[] {
  return [
    '--server',
    ctx.ca.directoryUrl,
    '--config-dir',
    path.join(ctx.dir, 'config'),
    '--work-dir',
    path.join(ctx.dir, 'work'),
    '--logs-dir',
    path.join(ctx.dir, 'logs'),
  ];
}

function certbotEnv(ctx: PeerContext): Record<string, string> {
  return { ...baseEnv(ctx), REQUESTS_CA_BUNDLE: ctx.ca.caCertFile };
}

/** lego's exec provider waits EXEC_SEQUENCE_INTERVAL (default 60 s) between the apex and the wildcard value of one name. */
const LEGO_SEQUENCE_INTERVAL = process.env.BENCH_LEGO_SEQUENCE_INTERVAL ?? '1';

export const lego: PeerClient = {
  name: 'lego',
  debianPackage: 'lego',
  binary: '/usr/bin/lego',
  settings:
    `\`--dns exec\` with \`EXEC_PATH\` = hook, \`EXEC_SEQUENCE_INTERVAL=${LEGO_SEQUENCE_INTERVAL}\` (default 60 s between the two values of one name); ` +
    '`--dns.resolvers` = challtestsrv and `--dns.disable-cp` (its complete-propagation check asks for the SOA, which challtestsrv answers NOTIMP: without ' +
    'it every run fails after 60 s); `LEGO_CA_CERTIFICATES` = Pebble CA',
  async setup(ctx) {
    // lego has no separate registration command: a first, untimed issuance registers the account.
    const warm = this.issue(ctx, `${path.basename(ctx.dir)}-warmup.example.test`);
    await run(warm.file, warm.args, warm.env ?? {});
  },
  issue: (ctx, apex) => ({
    file: '/usr/bin/lego',
    args: [
      '--server',
      ctx.ca.directoryUrl,
      '--accept-tos',
      '--email',
      'bench@example.test',
      '--path',
      ctx.dir,
      '--dns',
      'exec',
      '--dns.resolvers',
      ctx.ca.dnsServer,
      '--dns.disable-cp',
      '-d',
      apex,
      '-d',
      `*.${apex}`,
      'run',
    ],
    env: {
      ...baseEnv(ctx),
      LEGO_CA_CERTIFICATES: ctx.ca.caCertFile,
      EXEC_PATH: hook('lego-exec.sh'),
      EXEC_SEQUENCE_INTERVAL: LEGO_SEQUENCE_INTERVAL,
    },
  }),
};

export const dehydrated: PeerClient = {
  name: 'dehydrated',
  debianPackage: 'dehydrated',
  binary: '/usr/bin/dehydrated',
  settings: 'config: `CA` = Pebble, `CHALLENGETYPE=dns-01`, `HOOK` = hook, `CURL_OPTS=--cacert <Pebble CA>`; `-c -d apex -d *.apex`',
  async setup(ctx) {
    await writeFile(
      path.join(ctx.dir, 'config'),
      [
        `CA="${ctx.ca.directoryUrl}"`,
        'CHALLENGETYPE="dns-01"',
        `HOOK="${hook('dehydrated-hook.sh')}"`,
        `BASEDIR="${ctx.dir}"`,
        `CURL_OPTS="--cacert ${ctx.ca.caCertFile}"`,
        '',
      ].join('\n'),
    );
    await run('/usr/bin/dehydrated', ['-f', path.join(ctx.dir, 'config'), '--register', '--accept-terms'], baseEnv(ctx));
  },
  issue: (ctx, apex) => ({
    file: '/usr/bin/dehydrated',
    args: ['-f', path.join(ctx.dir, 'config'), '-c', '-d', apex, '-d', `*.${apex}`],
    env: baseEnv(ctx),
  }),
};

/**
 * uacme 1.7.4 has no option or environment variable for a CA file: it uses libcurl-gnutls,
 * which reads only the compiled-in system bundle (/etc/ssl/certs/ca-certificates.crt) and
 * ignores CURL_CA_BUNDLE and SSL_CERT_FILE (those are read by the curl command, not by libcurl;
 * GnuTLS has no such variable either). So each uacme process runs in a private mount namespace
 * (`unshare -m`, root only) in which a copy of the system bundle with Pebble's CA appended is
 * bind-mounted over that file. The machine's own trust store is never touched.
 */
export const uacme: PeerClient = {
  name: 'uacme',
  debianPackage: 'uacme',
  binary: '/usr/bin/uacme',
  settings: '`-h` hook, `-a` Pebble, `-y`; Pebble CA trusted through `unshare -m` + a bind-mounted system bundle (no CA option exists)',
  unusable: () => {
    const probe = spawnSync('unshare', ['-m', 'true']);
    return probe.status === 0
      ? undefined
      : `\`unshare -m\` is not permitted here (${probe.stderr.toString().trim() || `exit ${probe.status}`}), and uacme has no other way to trust Pebble's CA`;
  },
  async setup(ctx) {
    const bundle = path.join(ctx.dir, 'ca-bundle.pem');
    await writeFile(bundle, `${await readFile('/etc/ssl/certs/ca-certificates.crt', 'utf8')}\n${ctx.ca.caCertPem}`);
    const wrapper = path.join(ctx.dir, 'with-pebble-ca.sh');
    await writeFile(
      wrapper,
      `#!/bin/sh\n# Runs inside unshare -m: this bind mount is visible to this process tree only.\nmount --bind '${bundle}' ` +
        `/etc/ssl/certs/ca-certificates.crt || exit 99\nexec "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    await run('unshare', ['-m', wrapper, '/usr/bin/uacme', '-y', '-c', path.join(ctx.dir, 'conf'), '-a', ctx.ca.directoryUrl, 'new'], baseEnv(ctx));
  },
  issue: (ctx, apex) => ({
    file: 'unshare',
    args: [
      '-m',
      path.join(ctx.dir, 'with-pebble-ca.sh'),
      '/usr/bin/uacme',
      '-y',
      '-c',
      path.join(ctx.dir, 'conf'),
      '-a',
      ctx.ca.directoryUrl,
      '-h',
      hook('uacme-hook.sh'),
      'issue',
      apex,
      `*.${apex}`,
    ],
    env: baseEnv(ctx),
  }),
};

export const PEERS: readonly PeerClient[] = [certbot, lego, dehydrated, uacme];

export function peerVersion(peer: PeerClient): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format placeholder, not a template
  const query = spawnSync('dpkg-query', ['-W', '-f', '${Version}', peer.debianPackage]);
  return query.status === 0 ? query.stdout.toString().trim() : 'not installed';
}

/** Installs missing peers (and /usr/bin/time) from Debian when allowed; returns what could not be installed. */
export function installPeers(peers: readonly PeerClient[], log: (line: string) => void): Map<string, string> {
  const problems = new Map<string, string>();
  const missing = peers.filter((peer) => spawnSync(peer.binary, ['--version']).error !== undefined);
  const needTime = spawnSync('/usr/bin/time', ['-f', '%e', 'true']).error !== undefined;
  const packages = [...missing.map((peer) => peer.debianPackage), ...(needTime ? ['time'] : [])];
  if (packages.length === 0) return problems;
  if (process.env.BENCH_INSTALL_PEERS === '0' || process.getuid?.() !== 0) {
    for (const peer of missing) problems.set(peer.name, `not installed (install with: apt-get install -y ${peer.debianPackage})`);
    return problems;
  }
  log(`Installing from Debian: ${packages.join(' ')}`);
  let install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update', '-qq']);
    install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  for (const peer of missing) {
    if (spawnSync(peer.binary, ['--version']).error !== undefined) {
      problems.set(peer.name, `could not be installed: apt-get said ${install.stderr.toString().trim().split('\n').at(-1) ?? `exit ${install.status}`}`);
    }
  }
  return problems;
}

export interface ProcessMeasurement {
  readonly ok: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
  readonly error?: string;
}

/** One process under /usr/bin/time: its wall, user + system CPU (children included) and peak RSS. */
export async function timeProcess(command: PeerCommand, timeoutMs = 180_000): Promise<ProcessMeasurement> {
  const report = path.join(await scratchDir(), `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const started = performance.now();
  const outcome = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(
      '/usr/bin/time',
      ['-f', '%e %U %S %M', '-o', report, command.file, ...command.args],
      { env: { ...process.env, ...command.env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
  const wallMs = performance.now() - started;
  const lines = (await readFile(report, 'utf8').catch(() => '')).trim().split('\n');
  const [, user = 'NaN', system = 'NaN', rss = 'NaN'] = (lines.at(-1) ?? '').split(' ');
  return {
    ok: outcome.code === 0,
    wallMs,
    cpuMs: (Number(user) + Number(system)) * 1000,
    maxRssKb: Number(rss),
    ...(outcome.code !== 0 && { error: `exit ${outcome.code}: ${outcome.output.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` }),
  };
}

let scratch: string | undefined;
async function scratchDir(): Promise<string> {
  if (!scratch) {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    scratch = await mkdtemp(path.join(tmpdir(), 'certstep-bench-time-'));
  }
  return scratch;
}

async function run(file: string, args: string[], env: Record<string, string>): Promise<void> {
  const result = await timeProcess({ file, args, env });
  if (!result.ok) throw new Error(`${path.basename(file)} ${args.slice(0, 3).join(' ')} failed: ${result.error}`);
}

export async function preparePeer(peer: PeerClient, ca: CaEndpoint, root: string): Promise<PeerContext> {
  const dir = path.join(root, peer.name);
  await mkdir(dir, { recursive: true });
  const ctx = { ca, dir };
  await peer.setup(ctx);
  return ctx;
}
