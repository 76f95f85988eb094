/**
 * Aborts an execution from inside a call it makes, and never answers that call, so the abort
 * lands at a known point of the run. Aborting from the event log is not enough: the log is read
 * behind the run, which may have ended by the time a StateExited event is seen.
 */
export function haltHere(stop: AbortController): Promise<never> {
  stop.abort();
  return new Promise<never>(() => {});
}
