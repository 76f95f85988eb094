/**
 * CERTSTEP_CERTIFICATE_SECRET_POLICY as a stack in account 123456789012 would set it, for the
 * tests that run Finalize's store outside a deployment: saving a key needs them.
 */
import type { SecretPolicySettings } from '../../functions/core/secret-policy.js';

const role = (name: string) => `arn:aws:iam::123456789012:role/certstep-${name}`;

export const TEST_SECRET_POLICY: SecretPolicySettings = {
  get: [role('Finalize'), role('StoreCertificate')],
  getAcm: [role('ImportToAcm')],
  put: [role('Finalize'), role('StoreCertificate')],
  stage: [role('StoreCertificate'), role('CleanUp')],
  readers: ['arn:aws:iam::123456789012:role/web-task'],
};
