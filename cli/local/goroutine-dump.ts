/**
 * Reads the goroutine dump a Go program (Pebble) prints on SIGQUIT, to say where a CA that stopped
 * answering is stuck: how many goroutines wait on a lock, and in which of the program's own
 * functions. The bench uses it before it restarts a Pebble that stopped answering signed
 * requests, so that the report says whose fault the stall was.
 */

export interface GoroutineWaits {
  /** Goroutines in the dump. */
  readonly goroutines: number;
  /** Goroutines parked on a lock (`semacquire`): a mutex, a read-write mutex, a WaitGroup. */
  readonly waitingOnLocks: number;
  /** For those, the innermost frame of the program's own code (`package.(*Type).Method`), most common first. */
  readonly where: readonly { readonly frame: string; readonly goroutines: number }[];
}

/**
 * `ownPrefix` names the program's packages (`github.com/letsencrypt/pebble/`): the frame
 * counted is the first of its frames from the top of each stack, the call that took the lock.
 */
export function goroutineWaits(dump: string, ownPrefix: string): GoroutineWaits {
  // Each goroutine is a header line ("goroutine 7 [semacquire, 2 minutes]:") and its frames,
  // two lines each (function, then file:line), up to a blank line.
  const blocks = dump.split(/\n\s*\n/).filter((block) => /^goroutine \d+ \[/m.test(block));
  const counts = new Map<string, number>();
  let waitingOnLocks = 0;
  for (const block of blocks) {
    const header = /^goroutine \d+ \[([^\]]*)\]/m.exec(block)?.[1] ?? '';
    if (!header.startsWith('semacquire')) continue;
    waitingOnLocks++;
    const frame = block
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.startsWith(ownPrefix));
    const name = frame ? frame.slice(ownPrefix.length).replace(/\([^()]*\)$/, '') : '(none of its own frames)';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const where = [...counts].map(([frame, goroutines]) => ({ frame, goroutines })).sort((a, b) => b.goroutines - a.goroutines || a.frame.localeCompare(b.frame));
  return { goroutines: blocks.length, waitingOnLocks, where };
}
