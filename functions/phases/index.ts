/**
 * Every Lambda function of the state machine, by the name its ARN substitution uses
 * (`${CheckRenewalFunctionArn}` → CheckRenewal). The local runner binds these to local
 * adapters; each Lambda entry binds one of them to AWS adapters.
 */
import { openTaskInput } from '../core/task-input.js';
import type { WorkflowState } from '../core/workflow-state.js';
import { acceptChallenges } from './accept-challenges.js';
import { checkPropagation } from './check-propagation.js';
import { type CheckRenewalRequest, checkRenewal } from './check-renewal.js';
import { cleanUp } from './clean-up.js';
import { createOrder } from './create-order.js';
import type { PhaseDependencies } from './dependencies.js';
import { finalize } from './finalize.js';
import { importToAcm } from './import-to-acm.js';
import { type PollOrderInput, pollOrder } from './poll-order.js';
import { presentChallenges } from './present-challenges.js';
import { scheduleRenewal } from './schedule-renewal.js';
import { storeCertificate } from './store-certificate.js';

export type PhaseHandler = (input: unknown) => Promise<unknown>;

export const FUNCTION_NAMES = [
  'CheckRenewal',
  'CreateOrder',
  'PresentChallenges',
  'CheckPropagation',
  'AcceptChallenges',
  'PollOrder',
  'Finalize',
  'StoreCertificate',
  'ImportToAcm',
  'ScheduleRenewal',
  'CleanUp',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Each phase gets its Task's input without the envelope, as its Lambda entry gives it (runtime/handler.ts). */
export function bindPhases(deps: PhaseDependencies): Record<FunctionName, PhaseHandler> {
  const payload = (input: unknown) => openTaskInput(input).payload;
  const state = (input: unknown) => payload(input) as WorkflowState;
  return {
    CheckRenewal: (input) => checkRenewal(payload(input) as CheckRenewalRequest, deps),
    CreateOrder: (input) => createOrder(state(input), deps),
    PresentChallenges: (input) => presentChallenges(state(input), deps),
    CheckPropagation: (input) => checkPropagation(state(input), deps),
    AcceptChallenges: (input) => acceptChallenges(state(input), deps),
    PollOrder: (input) => pollOrder(payload(input) as PollOrderInput, deps),
    Finalize: (input) => finalize(state(input), deps),
    StoreCertificate: (input) => storeCertificate(state(input), deps),
    ImportToAcm: (input) => importToAcm(state(input), deps),
    ScheduleRenewal: (input) => scheduleRenewal(state(input), deps),
    CleanUp: (input) => cleanUp(state(input), deps, openTaskInput(input).context.executionArn),
  };
}
