#!/usr/bin/env node
// An installed package runs the bundled CLI (npm run build, run by prepack): compiled
// JavaScript, no tsx, a fast start. A fresh checkout has no build and runs the TypeScript
// sources through tsx instead, so `npm start` needs no build step.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/cli.mjs', import.meta.url);
if (existsSync(bundled)) {
  await import(bundled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
