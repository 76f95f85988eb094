/**
 * What a Lambda imports only when a run needs it (scripts/lambda-bundle.mjs keeps such code in a
 * chunk a cold start does not read): `load` runs at the first call, and every later call, even
 * one made while the first is still loading, gets that same promise, so a chunk is imported and
 * a client built once per container.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}
