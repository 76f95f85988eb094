/**
 * Section 3's paired comparison (bench/coldstart-paired.ts): a baseline bundled from another
 * commit's own bundler and sources, and the ratio of imports taken in the same round. The
 * baseline is checked on throwaway git repositories, so the test needs no history of this one.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pairedRatio, prepareBaseline } from '../../bench/coldstart-paired.js';
import type { ColdStartResult } from '../../bench/coldstart.js';
import { renderColdStartPaired } from '../../bench/report/coldstart-before.js';
import { PROJECT_ROOT } from '../../cdk/definition.js';

const BUNDLER = join(PROJECT_ROOT, 'scripts', 'lambda-bundle.mjs');
const MARK = "/* the baseline's bundler */";
const scratch = mkdtempSync(join(tmpdir(), 'certstep-paired-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A git repository holding what bundling reads, with one small handler, committed; node_modules linked, not committed. */
function repository(name: string, options: { bundler: boolean }): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'functions', 'handlers'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'functions', 'runtime', 'stubs'), join(root, 'functions', 'runtime', 'stubs'), { recursive: true });
  writeFileSync(join(root, 'functions', 'handlers', 'hello.ts'), "export const handler = async (): Promise<string> => 'hello from the baseline';\n");
  for (const file of ['tsconfig.json', 'package.json', 'package-lock.json']) cpSync(join(PROJECT_ROOT, file), join(root, file));
  if (options.bundler) {
    // The commit's bundler, told apart from this tree's by a comment it writes at the top of every bundle.
    const bundler = readFileSync(BUNDLER, 'utf8').replace('banner: { js: ESM_REQUIRE_BANNER }', `banner: { js: "${MARK} " + ESM_REQUIRE_BANNER }`);
    expect(bundler).toContain(MARK);
    mkdirSync(join(root, 'scripts'));
    writeFileSync(join(root, 'scripts', 'lambda-bundle.mjs'), bundler);
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(root, '.gitignore'), 'node_modules\n');
  git('add', '.');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'baseline');
  // After the commit the working tree's bundler is this tree's, unmarked: the baseline must not use it.
  if (options.bundler) cpSync(BUNDLER, join(root, 'scripts', 'lambda-bundle.mjs'));
  return root;
}

describe('pairedRatio', () => {
  it('divides round by round and takes the median', () => {
    expect(pairedRatio([90, 50, 120], [100, 100, 100])).toBe(0.9);
    expect(pairedRatio([40, 60], [50, 50])).toBe(1);
  });

  it('leaves out rounds without both imports, and is NaN without any', () => {
    expect(pairedRatio([80, 70, 60], [100, 100])).toBe(0.75);
    expect(pairedRatio([80], [])).toBeNaN();
  });
});

describe('a baseline from another commit', () => {
  it('is bundled by that commit’s own bundler, from its sources, and imports', async () => {
    const root = repository('with-bundler', { bundler: true });
    // Uncommitted changes are not the baseline's: it is the commit.
    writeFileSync(join(root, 'functions', 'handlers', 'hello.ts'), "export const handler = async () => 'uncommitted';\n");
    const baseline = await prepareBaseline(root, 'HEAD');
    try {
      const { file, bytes } = await baseline.bundle('hello.ts');
      const module = (await import(pathToFileURL(file).href)) as { handler: () => Promise<string> };

      expect(baseline.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(baseline.lockfileDiffers).toBe(false);
      expect(bytes).toBeGreaterThan(0);
      expect(await module.handler()).toBe('hello from the baseline');
      expect(readFileSync(file, 'utf8')).toContain(MARK);
      await expect(baseline.bundle('absent.ts')).rejects.toThrow(`no functions/handlers/absent.ts at ${baseline.commit.slice(0, 7)}`);
    } finally {
      await baseline.dispose();
    }
    expect(existsSync(join(root, 'functions', 'handlers', 'hello.ts'))).toBe(true);
  }, 60_000);

  it('says when its package-lock.json is not the tree’s', async () => {
    const root = repository('lockfile', { bundler: true });
    writeFileSync(join(root, 'package-lock.json'), '{}\n');
    const baseline = await prepareBaseline(root, 'HEAD');
    await baseline.dispose();

    expect(baseline.lockfileDiffers).toBe(true);
  }, 60_000);

  it('is refused, naming the way out, at a commit without scripts/lambda-bundle.mjs', async () => {
    const root = repository('without-bundler', { bundler: false });

    await expect(prepareBaseline(root, 'HEAD')).rejects.toThrow(/has no scripts\/lambda-bundle\.mjs to bundle with; pick a commit from 09f30ea on/);
  }, 60_000);
});

describe('the paired table', () => {
  it('shows both sizes, both medians and the paired ratio per function, and their median', () => {
    const bundle = (functionName: string, bytes: number, importMs: number[]) => ({ functionName, bytes, importMs }) as ColdStartResult['bundles'][number];
    const after = {
      bundles: [bundle('CheckRenewal', 390 * 1024, [58, 60, 66]), bundle('SyncCatalog', 394 * 1024, [60, 62, 70])],
      paired: {
        commit: '91a4bc1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        lockfileDiffers: false,
        bundles: [
          { functionName: 'CheckRenewal', bytes: 431 * 1024, importMs: [64, 75, 66] },
          { functionName: 'SyncCatalog', bytes: 471 * 1024, importMs: [75, 62, 70] },
        ],
      },
    } as unknown as ColdStartResult;

    const text = renderColdStartPaired(after).join('\n');

    expect(text).toContain('### Paired with commit `91a4bc1`');
    expect(text).toContain('| CheckRenewal | 431 | 390 | 66 ms | 60 ms | 0.91 |');
    expect(text).toContain('| SyncCatalog | 471 | 394 | 70 ms | 62 ms | 1.00 |');
    expect(text).toContain('Median of the 2 paired ratios: 0.95 (0.91 to 1.00).');
    expect(renderColdStartPaired({ bundles: [] } as unknown as ColdStartResult)).toEqual([]);
  });
});
