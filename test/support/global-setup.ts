/**
 * Runs once before the suite: a fresh machine gets Debian's pebble here (the same code the
 * CLI uses), so CI needs nothing installed by hand.
 */
import { ensurePebbleInstalled } from '../../cli/local/pebble.js';

export default async function setup(): Promise<void> {
  await ensurePebbleInstalled((line) => process.stdout.write(`[global-setup] ${line}\n`));
}
