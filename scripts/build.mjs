#!/usr/bin/env node
/**
 * Builds what the npm package ships, so an installed certstep runs compiled JavaScript only:
 *   <out>/cli.mjs                     the whole CLI in one file (bin/certstep.mjs runs it)
 *   <out>/cdk/index.mjs               the construct, aws-cdk-lib and constructs left to the app
 *   <out>/types/…                     its declarations
 *   <out>/lambda/<kebab-name>/index.mjs  each handler with its chunks, bundled as synth bundles it
 * Usage: node scripts/build.mjs [--out DIR] [--cli-only]   (default: dist, everything)
 * Plain JavaScript on purpose: it must run from `prepack` without tsx.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER, bundleLambda, stubAliases, stubLists } from './lambda-bundle.mjs';
import { validationKey } from './stubs/asl-validator-prevalidated.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// `new URL('<relative path>', import.meta.url)`: the idiom sources use to find shipped files.
const FILE_RELATIVE_URL = /new URL\((['"][^'"]+['"]),\s*import\.meta\.url\)/g;

/**
 * Sources find shipped files relative to themselves (cli/local/definition.ts reads
 * `../../statemachine/renewal.asl.json`, cdk/definition.ts takes `..` as the package root).
 * In a bundle every module shares the bundle's URL, so each project module gets the URL its
 * source file has in the package instead: the same relative lookups then land on the same
 * shipped files, and the sources need no build-time special case. The out directory is
 * assumed to become the package's dist/ (the pack test builds elsewhere and packs it as dist/),
 * so the URLs are computed from `dist/…`, not from where the build writes.
 */
function sourceUrlPlugin(outFileInPackage) {
  return {
    name: 'certstep-source-url',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = await readFile(args.path, 'utf8');
        const source = relative(ROOT, args.path).split(sep).join('/');
        const fromBundle = posix.relative(posix.dirname(outFileInPackage), source);
        const url = `new URL(${JSON.stringify(fromBundle)}, import.meta.url)`;
        return { contents: text.replace(FILE_RELATIVE_URL, (_, path) => `new URL(${path}, ${url})`), loader: 'ts' };
      });
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  // The stubs every bundle gets (node-forge, mime-db); the Lambdas get those only they get too (the
  // env-only credential provider, semver's one gte, X.509), in scripts/lambda-bundle.mjs. The CLI
  // keeps the SDK's whole chain and revokes with acme-client's X.509. Each stub says why.
  alias: stubAliases(stubLists().everyBundle),
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

/** The asl-validator aws-local-stepfunctions imports (it has its own version, nested). */
function runnersAslValidator() {
  const requireFromRoot = createRequire(join(ROOT, 'package.json'));
  return createRequire(requireFromRoot.resolve('aws-local-stepfunctions')).resolve('asl-validator');
}

/**
 * The definition cli/local/definition.ts builds for the local runner, validated here with the
 * options cli/local/runner.ts gives aws-local-stepfunctions (merged as its constructor merges
 * them). An invalid definition fails the build. Should the runner's options or the definition
 * change, the key no longer matches and the CLI validates at run time again: slower, never wrong.
 */
async function validatedLocalDefinitions() {
  const scratch = mkdtempSync(join(tmpdir(), 'certstep-build-'));
  try {
    const module = join(scratch, 'definition.mjs');
    await build({ ...common, entryPoints: [join(ROOT, 'cli', 'local', 'definition.ts')], outfile: module, target: 'node20', sourcemap: false });
    const { localDefinition } = await import(pathToFileURL(module).href);
    const definition = localDefinition(readFileSync(join(ROOT, 'statemachine', 'renewal.asl.json'), 'utf8'));
    const options = { checkArn: true, checkPaths: true };
    // Before validating: the validator writes defaults into the definition it is given.
    const key = validationKey(definition, options);
    const verdict = createRequire(import.meta.url)(runnersAslValidator())(definition, options);
    if (!verdict.isValid) throw new Error(`statemachine/renewal.asl.json is invalid:\n${verdict.errorsText('\n')}`);
    return { [key]: definition };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `asl-validator` in the CLI bundle: the runner's own one behind scripts/stubs/asl-validator-prevalidated.mjs. */
function prevalidatedAslPlugin(verdicts) {
  const stub = join(ROOT, 'scripts', 'stubs', 'asl-validator-prevalidated.mjs');
  return {
    name: 'certstep-prevalidated-asl',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^asl-validator$/ }, (args) => ({
        path: createRequire(args.importer).resolve('asl-validator'),
        namespace: 'certstep-prevalidated-asl',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'certstep-prevalidated-asl' }, (args) => ({
        contents: [
          `import validate from ${JSON.stringify(args.path)};`,
          `import { prevalidated } from ${JSON.stringify(stub)};`,
          `export default prevalidated(validate, ${JSON.stringify(verdicts)});`,
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'js',
      }));
    },
  };
}

async function buildCli(out) {
  const outfile = join(out, 'cli.mjs');
  const verdicts = await validatedLocalDefinitions();
  await build({
    ...common,
    entryPoints: [join(ROOT, 'cli', 'main.ts')],
    outfile,
    target: 'node20',
    minify: true,
    plugins: [sourceUrlPlugin('dist/cli.mjs'), prevalidatedAslPlugin(verdicts)],
  });
}

async function buildConstruct(out) {
  const outfile = join(out, 'cdk', 'index.mjs');
  await build({
    ...common,
    entryPoints: [join(ROOT, 'cdk', 'index.ts')],
    outfile,
    target: 'node20',
    // One copy of each, the app's: constructs from two copies do not mix.
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    plugins: [sourceUrlPlugin('dist/cdk/index.mjs')],
  });
}

/** Each handler bundled as synth bundles it (scripts/lambda-bundle.mjs), so a prebuilt Lambda equals a synth-time one. */
async function buildLambdas(out) {
  const handlers = join(ROOT, 'functions', 'handlers');
  const names = readdirSync(handlers)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => basename(file, '.ts'));
  await Promise.all(names.map((name) => bundleLambda(join(handlers, `${name}.ts`), join(out, 'lambda', name))));
  return names;
}

function buildTypes(out) {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--declarationDir', join(out, 'types')];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc (declarations) exited with ${result.status}`);
}

export async function buildPackage(out = join(ROOT, 'dist'), { cliOnly = false } = {}) {
  if (cliOnly) {
    await buildCli(out);
    return { out, lambdas: [] };
  }
  rmSync(out, { recursive: true, force: true });
  const [, , lambdas] = await Promise.all([buildCli(out), buildConstruct(out), buildLambdas(out)]);
  buildTypes(out);
  return { out, lambdas };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? resolve(process.argv[at + 1] ?? 'dist') : undefined;
  const { out: written, lambdas } = await buildPackage(out, { cliOnly: process.argv.includes('--cli-only') });
  const parts = lambdas.length > 0 ? `cli.mjs, cdk/index.mjs, types/, ${lambdas.length} Lambdas` : 'cli.mjs';
  process.stdout.write(`built ${relative(process.cwd(), written) || '.'}: ${parts}\n`);
}
