/**
 * Hides Node's fetch globals while acme-client loads axios (see acme-client-module.ts), and
 * puts them back as they were. Node defines `fetch`, `Request`, `Response` and `FormData` on
 * globalThis but loads its bundled undici only when one is first touched. axios touches them
 * at load: fetch, Request and Response to decide whether its fetch adapter could work, FormData
 * to recognise native form bodies. certstep sends acme-client's requests itself (acme-http.ts),
 * so both probes are pure cost: ~50 ms of a cold start (measured on the import of acme-client
 * alone, 133 → 82 ms median of 7 on this machine). The Lambda bundles carry axios's stand-in
 * instead (functions/runtime/stubs/axios-core.cjs), which probes nothing; this is for the CLI
 * and the sources, which load the real axios.
 */
const NAMES = ['fetch', 'Request', 'Response', 'FormData'] as const;

const saved = NAMES.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
for (const [name, descriptor] of saved) {
  // Only what can be put back exactly is hidden; anything else is left for axios to find.
  if (descriptor?.configurable) Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true });
}

/** Puts every hidden global back with its own descriptor (a lazy getter stays lazy). */
export function restoreFetchGlobals(): void {
  for (const [name, descriptor] of saved) if (descriptor?.configurable) Object.defineProperty(globalThis, name, descriptor);
}
