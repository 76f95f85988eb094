/**
 * Runs once before each pass of the suite. It says which Node.js the pass runs on (`npm test`
 * runs one pass on the machine's Node and one on the Node.js 22 that Lambda runs, and CI logs
 * should show both), then gives a fresh machine Debian's pebble (the same code the CLI uses),
 * so CI needs nothing installed by hand.
 */
import { ensurePebbleInstalled } from '../../cli/local/pebble.js';

export default async function setup(): Promise<() => void> {
  // Test files run in child processes forked from this one, so on this same binary.
  const line = `tests on Node ${process.version} (${process.execPath})`;
  process.stdout.write(`[global-setup] ${line}\n`);
  await ensurePebbleInstalled((message) => process.stdout.write(`[global-setup] ${message}\n`));
  return () => {
    process.stdout.write(`[global-teardown] ${line}\n`);
  };
}
