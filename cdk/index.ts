/** What other CDK apps import to embed certstep. */
export { CertstepRenewal, type CertstepRenewalProps } from './construct.js';
export { CertstepStack, type CertstepStackProps } from './stack.js';
export {
  type CertificateInput,
  type CertstepConfig,
  type CertstepConfigInput,
  ConfigError,
  ISSUER_PRESETS,
  type IssuerInput,
  loadConfig,
  validateConfig,
} from './config.js';
export { EXPIRING_DETAIL_TYPE, SWEEP_METRICS } from './monitoring.js';
