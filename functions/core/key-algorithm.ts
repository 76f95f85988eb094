/** The private key types certstep can order; its own module so that the spec and ACM rules share it without importing each other. */
export const KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ecdsa-p256';
