/** Polling settings for Lambdas; CERTSTEP_POLLING (JSON) may override them per deployment. */
import { AWS_POLLING, type PhaseDependencies } from '../phases/dependencies.js';

export function pollingFromEnvironment(env: NodeJS.ProcessEnv = process.env): Pick<PhaseDependencies, 'validationPolling' | 'issuancePolling'> {
  if (!env.CERTSTEP_POLLING) return AWS_POLLING;
  const override = JSON.parse(env.CERTSTEP_POLLING) as Partial<typeof AWS_POLLING>;
  return { ...AWS_POLLING, ...override };
}
