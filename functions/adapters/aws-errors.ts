/**
 * What an AWS SDK error means for a phase, decided once for every adapter: worth running the
 * phase again (transient), a policy to change first (denied), a missing resource (notFound), or
 * a request AWS will refuse again (rejected). Each adapter turns the kind into its own certstep
 * error, whose name the state machine retries or not.
 *
 * Transient is, first, the SDK's own verdict, the one its retry strategy acts on: a phase is
 * retried by the state machine when the SDK would have retried the call, once the SDK's own
 * attempts ran out. Any 5xx, a modeled server fault and a socket error count too, whichever
 * copy of the SDK the runtime has.
 */

/*
 * @smithy/core carries the classification as @smithy/core/retry from 3.24 (May 2026) on. Lambda
 * bundles carry this project's copy of the SDK (scripts/lambda-bundle.mjs), so no runtime's older
 * copy is ever asked, and a static import keeps it in the code a cold start reads anyway.
 */
import * as sdk from '@smithy/core/retry';

export type AwsFailureKind = 'transient' | 'denied' | 'notFound' | 'rejected';

export interface AwsFailure {
  readonly kind: AwsFailureKind;
  /** AWS's name for the error ('Error' when it has none). */
  readonly name: string;
  /** What AWS said, to end a certstep error message with: `<message> (<name>)`. */
  readonly said: string;
}

/** The SDK's error shape: name, message, `$fault`, `$retryable`, `$metadata`, and Node's `code`. */
type SdkShaped = Parameters<typeof sdk.isTransientError>[0] & { code?: string };

/*
 * The SDK counts these as transient only in its newer copies (the runtime's may be older), and
 * a socket error reaches us with the code and no HTTP status.
 */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/*
 * Refusals a policy change fixes, whatever the status: the services answer most of them with a
 * 400. DecryptionFailure and EncryptionFailure are Secrets Manager's words for a KMS key policy
 * that refuses the role.
 */
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'NotAuthorized',
  'NotAuthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'KMSAccessDeniedException',
  'DecryptionFailure',
  'EncryptionFailure',
]);

export function classifyAwsError(error: unknown): AwsFailure {
  const failure = (typeof error === 'object' && error !== null ? error : new Error(String(error))) as SdkShaped;
  const name = typeof failure.name === 'string' && failure.name ? failure.name : 'Error';
  const said = `${failure.message || name} (${name})`;
  return { kind: kindOf(failure, name), name, said };
}

function kindOf(failure: SdkShaped, name: string): AwsFailureKind {
  const status = failure.$metadata?.httpStatusCode;
  if (
    sdk.isThrottlingError(failure) ||
    sdk.isTransientError(failure) ||
    sdk.isRetryableByTrait(failure) ||
    failure.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    NETWORK_CODES.has(failure.code ?? '')
  ) {
    return 'transient';
  }
  if (DENIED.has(name) || status === 401 || status === 403) return 'denied';
  if (name === 'ResourceNotFoundException' || name === 'NotFoundException' || name.startsWith('NoSuch') || status === 404) return 'notFound';
  return 'rejected';
}
