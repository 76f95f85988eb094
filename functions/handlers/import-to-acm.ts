/** Lambda: ImportToAcm. No ACME client in this bundle. */
import { ACMClient } from '@aws-sdk/client-acm';
import type { WorkflowState } from '../core/workflow-state.js';
import { AcmImporter } from '../adapters/acm-importer.js';
import { importToAcm } from '../phases/import-to-acm.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { secretsManagerStore } from '../runtime/store.js';

const clients = new Map<string, ACMClient>();
const deps = {
  store: secretsManagerStore(readConfig()),
  acmImporter: (region: string) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = new ACMClient({ region, maxAttempts: 5 })));
    return new AcmImporter(client, region);
  },
};

export const handler = lambdaHandler('ImportToAcm', (state: WorkflowState) => importToAcm(state, deps));
