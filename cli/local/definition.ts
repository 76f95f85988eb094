/**
 * Loads statemachine/renewal.asl.json — the very file CDK deploys — and fills its
 * `${XFunctionArn}` substitutions with placeholder ARNs whose function name says which
 * local handler runs the Task.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFINITION_PATH = fileURLToPath(new URL('../../statemachine/renewal.asl.json', import.meta.url));

const SUBSTITUTION = /\$\{([A-Za-z0-9_]+)\}/g;
const LOCAL_ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:certstep-local-';

export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Next: string }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string; readonly ResultPath?: string }[];
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly Parameters?: unknown;
  readonly Comment?: string;
  readonly [key: string]: unknown;
}
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly [key: string]: unknown;
}

export function readDefinitionText(): string {
  return readFileSync(DEFINITION_PATH, 'utf8');
}

/** Every `${Name}` the definition expects CDK (or this runner) to substitute. */
export function substitutionNames(text: string = readDefinitionText()): string[] {
  return [...new Set([...text.matchAll(SUBSTITUTION)].map((match) => match[1] as string))].sort();
}

/** The function a substitution names: `CheckRenewalFunctionArn` → `CheckRenewal`. */
export function functionNameOf(substitution: string): string {
  return substitution.replace(/FunctionArn$/, '');
}

export function localDefinition(text: string = readDefinitionText()): AslDefinition {
  const substituted = text.replace(SUBSTITUTION, (_whole, name: string) => `${LOCAL_ARN_PREFIX}${functionNameOf(name)}`);
  return JSON.parse(substituted) as AslDefinition;
}

/** Task state name → local function name, for every Task (nested Map/Parallel states included). */
export function taskFunctions(definition: AslDefinition): Map<string, string> {
  const tasks = new Map<string, string>();
  const visit = (states: Record<string, AslState>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        const resource = state.Resource ?? '';
        tasks.set(name, resource.startsWith(LOCAL_ARN_PREFIX) ? resource.slice(LOCAL_ARN_PREFIX.length) : resource);
      }
      for (const nested of nestedStateMachines(state)) visit(nested.States);
    }
  };
  visit(definition.States);
  return tasks;
}

function nestedStateMachines(state: AslState): AslDefinition[] {
  const nested: AslDefinition[] = [];
  for (const key of ['Iterator', 'ItemProcessor']) {
    const machine = state[key] as AslDefinition | undefined;
    if (machine?.States) nested.push(machine);
  }
  for (const branch of (state.Branches as AslDefinition[] | undefined) ?? []) nested.push(branch);
  return nested;
}
