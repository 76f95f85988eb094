/**
 * Secrets Manager failures turned into certstep errors, once, at the boundary: the store, the
 * certificate secrets it makes and the acme-dns registrations all classify the same way.
 */
import { CertstepError, SecretNotFound, StoreAccessDenied, StoreRequestRejected, StoreUnavailable } from '../core/errors.js';
import { classifyAwsError } from './aws-errors.js';

/**
 * Transient failures become StoreUnavailable (retried by the state machine); the rest are terminal.
 * `missing` says what to do about a secret that does not exist when it is not the stack's to create.
 */
export function storeFailure(error: unknown, operation: string, secretId: string, owner: string, missing?: string): CertstepError {
  if (error instanceof CertstepError) return error;
  const { kind, said } = classifyAwsError(error);
  switch (kind) {
    case 'notFound':
      return new SecretNotFound(
        missing ?? `secret ${secretId} does not exist: certstep never creates secrets; add the ${owner} to the stack configuration and deploy`,
      );
    case 'transient':
      return new StoreUnavailable(`Secrets Manager ${operation} on ${secretId} did not succeed after retries: ${said}`);
    case 'denied':
      return new StoreAccessDenied(`Secrets Manager ${operation} on ${secretId} was denied: ${said}`);
    case 'rejected':
      return new StoreRequestRejected(`Secrets Manager ${operation} on ${secretId} was refused: ${said}`);
  }
}

/*
 * Secrets Manager's names for a KMS key it could not use; other refusals only name the key in
 * their message ("... KMS key ... is disabled", "... is not a valid KmsKeyId").
 */
const KMS_NAMES = new Set([
  'EncryptionFailure',
  'DecryptionFailure',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSInvalidKeyUsageException',
]);

/**
 * A write to a certificate secret made with the stack's KMS key that failed because of the key,
 * said as such: the fix is the key (or its policy), not the secret. Undefined for any other failure.
 * On a CreateSecret, a "not found" can only be the key, since the secret is what is being made.
 */
export function kmsFailure(error: unknown, operation: string, secretId: string, kmsKeyId: string | undefined): CertstepError | undefined {
  if (!kmsKeyId || error instanceof CertstepError) return undefined;
  const { kind, name, said } = classifyAwsError(error);
  const aboutTheKey = KMS_NAMES.has(name) || /\bkms\b|kmskeyid/i.test(said) || (operation === 'CreateSecret' && kind === 'notFound');
  if (!aboutTheKey) return undefined;
  const message =
    `Secrets Manager ${operation} on ${secretId} failed because of the KMS key ${kmsKeyId} (CERTSTEP_SECRETS_KMS_KEY_ARN): ${said}. ` +
    "The key must exist in this account and region, be enabled, and its key policy must let this function's role use it through Secrets Manager (kms:GenerateDataKey, kms:Decrypt)";
  if (kind === 'transient') return new StoreUnavailable(message);
  return kind === 'denied' ? new StoreAccessDenied(message) : new StoreRequestRejected(message);
}

export function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}
