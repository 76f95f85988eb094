/** What a call that must fail rejected with; a call that succeeds fails the test instead. */
export async function failureOf(promise: Promise<unknown>): Promise<Error & { retryable?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { retryable?: boolean };
  }
  throw new Error('expected the call to fail');
}
