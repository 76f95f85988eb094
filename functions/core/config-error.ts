/**
 * A deployment's configuration is wrong: certstep.config.json at synth, or the environment a
 * Lambda reads at init. Not a run's outcome (those are core/errors.ts): nothing was tried, and
 * the fix is a configuration change and a deploy.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
