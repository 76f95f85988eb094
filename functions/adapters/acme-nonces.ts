/**
 * Replay nonces the CA handed out and nobody used (RFC 8555 §7.2: every response carries a
 * fresh one). acme-client asks newNonce with a HEAD before every signed request and ignores the
 * nonce in the answer to the previous one: half of a renewal's ACME requests. These are kept per
 * CA origin and handed to the next signed request instead. Each is handed out once; a CA that
 * expired one answers badNonce with a new nonce, which acme-client retries with, so a stale
 * nonce costs the request the HEAD would have cost anyway.
 */
const MAX_PER_ORIGIN = 8;
/** Well inside any CA's nonce lifetime seen in practice; a warm container's older ones are dropped unread. */
const MAX_AGE_MS = 60_000;
const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce';

const pools = new Map<string, { readonly nonce: string; readonly at: number }[]>();

/**
 * Keeps the nonce of an answer acme-client will not use itself: not newNonce's own (acme-client
 * returns that one to its caller) and not a badNonce problem's (acme-client retries with it).
 */
export function keepNonce(answer: { url: string; method?: string; status: number; nonce?: string; problemType?: string }, now = Date.now()): void {
  if (!answer.nonce || answer.method?.toLowerCase() === 'head' || answer.problemType === BAD_NONCE) return;
  const origin = originOf(answer.url);
  if (!origin) return;
  const pool = (pools.get(origin) ?? []).filter((kept) => now - kept.at < MAX_AGE_MS);
  pool.push({ nonce: answer.nonce, at: now });
  pools.set(origin, pool.slice(-MAX_PER_ORIGIN));
}

/** The freshest unused nonce for requests to `url`'s origin, taken out of the pool; undefined when there is none. */
export function takeNonce(url: string, now = Date.now()): string | undefined {
  const pool = pools.get(originOf(url) ?? '');
  while (pool && pool.length > 0) {
    const kept = pool.pop();
    if (kept && now - kept.at < MAX_AGE_MS) return kept.nonce;
  }
  return undefined;
}

/** Drops every kept nonce, as in a new Lambda container: for the bench and tests that count a cold container's requests. */
export function forgetNonces(): void {
  pools.clear();
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
