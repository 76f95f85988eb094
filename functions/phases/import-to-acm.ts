/** ImportToAcm: put the certificate that just became current into ACM in every configured region. */
import { InvalidState } from '../core/errors.js';
import { type WorkflowState, required } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function importToAcm(
  state: WorkflowState,
  deps: Pick<PhaseDependencies, 'store' | 'acmImporter'>,
): Promise<{ imports: { region: string; arn: string; reimported: boolean }[] }> {
  const acm = required(state.certificate.acm, 'certificate.acm');
  const issued = required(state.issued, 'issued');
  const current = await deps.store.getCurrent(state.certificate.name);
  if (current?.serialNumber !== issued.serialNumber) {
    throw new InvalidState(`the current certificate of ${state.certificate.name} is not the one this run issued (${issued.serialNumber})`);
  }
  const imports = [];
  for (const region of acm.regions) {
    const result = await deps.acmImporter(region).import({
      certificateName: state.certificate.name,
      dnsNames: current.dnsNames,
      chainPem: current['tls.crt'],
      privateKeyPem: current['tls.key'],
      keyAlgorithm: current.keyAlgorithm,
    });
    imports.push({ region, ...result });
  }
  return { imports };
}
