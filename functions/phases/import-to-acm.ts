/**
 * ImportToAcm: put the current certificate into ACM in every configured region that does not
 * hold it yet. After an issue that is every region; on a repair run only the regions the
 * reconcile found out of sync. The ARN of each region is remembered in the run ledger, so later
 * runs find it without listing the region's certificates.
 */
import { InvalidState } from '../core/errors.js';
import { type WorkflowState, required } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export interface AcmImportResult {
  readonly region: string;
  readonly arn: string;
  readonly reimported: boolean;
}

export async function importToAcm(
  state: WorkflowState,
  deps: Pick<PhaseDependencies, 'store' | 'acmImporter' | 'ledger'>,
): Promise<{ imports: AcmImportResult[] }> {
  const acm = required(state.certificate.acm, 'certificate.acm');
  const name = state.certificate.name;
  const current = await deps.store.getCurrent(name);
  if (!current) throw new InvalidState(`certificate ${name} has no current version to import into ACM`);
  if (state.issued && current.serialNumber !== state.issued.serialNumber) {
    throw new InvalidState(`the current certificate of ${name} is not the one this run issued (${state.issued.serialNumber})`);
  }
  const regions = state.issued ? acm.regions : acm.regions.filter((region) => state.renewal?.repairs?.acmRegions.includes(region));
  const arns = (await deps.ledger.get(name))?.acmArns ?? {};
  const imports: AcmImportResult[] = [];
  for (const region of regions) {
    const known = arns[region];
    const result = await deps.acmImporter(region).import({
      certificateName: name,
      dnsNames: current.dnsNames,
      chainPem: current['tls.crt'],
      privateKeyPem: current['tls.key'],
      keyAlgorithm: current.keyAlgorithm,
      ...(known && { arn: known }),
    });
    if (result.arn !== known) await deps.ledger.recordAcmArn(name, region, result.arn);
    imports.push({ region, ...result });
  }
  return { imports };
}
