/** Lambda: ImportToAcm. No ACME client in this bundle. */
import type { WorkflowState } from '../core/workflow-state.js';
import { importToAcm } from '../phases/import-to-acm.js';
import { acmImporters } from '../runtime/acm.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
import { secretsManagerStore } from '../runtime/store.js';

const deps = { store: secretsManagerStore(readConfig()), acmImporter: acmImporters(), ledger: dynamoDbLedger() };

export const handler = lambdaHandler('ImportToAcm', (state: WorkflowState) => importToAcm(state, deps));
