/** Lambda: ScheduleRenewal. No ACME client in this bundle. */
import type { WorkflowState } from '../core/workflow-state.js';
import { scheduleRenewal } from '../phases/schedule-renewal.js';
import { lambdaHandler } from '../runtime/handler.js';
import { eventBridgeScheduler } from '../runtime/scheduler.js';

const deps = { scheduler: eventBridgeScheduler() };

export const handler = lambdaHandler('ScheduleRenewal', (state: WorkflowState) => scheduleRenewal(state, deps));
