/**
 * On a Lambda runtime whose SDK predates @smithy/core/retry, the classifier falls back to the
 * standalone @smithy/service-error-classification. Both are faked here: the installed standalone
 * package re-exports @smithy/core/retry, so only fakes tell the two apart.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('@smithy/core/retry', () => {
  throw new Error('Package subpath ./retry is not defined by "exports" in @smithy/core');
});
vi.mock('@smithy/service-error-classification', () => ({
  // An old copy that happens to call every name throttling, so its use shows in the result.
  isThrottlingError: () => true,
  isTransientError: () => false,
  isRetryableByTrait: () => false,
}));

describe('classifyAwsError on a runtime without @smithy/core/retry', () => {
  it('uses the standalone classification package', async () => {
    // Prepare
    const { classifyAwsError } = await import('../../functions/adapters/aws-errors.js');

    // Act
    const failure = classifyAwsError(Object.assign(new Error('bad input'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }));

    // Assess
    expect(failure.kind).toBe('transient');
  });
});
