/**
 * What "every path" of a JSONPath state machine means, read from the definition itself: each
 * transition (Next, each Choice rule, Default, each Catch), each retrier both succeeding after a
 * retry and exhausted, each polling loop taken zero and at least one time. A run's history is
 * mapped onto the same items, so a state or branch nobody drives shows up as uncovered.
 */
import type { AslDefinition, AslState } from '../../cli/local/definition.js';

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly MaxAttempts?: number;
}
export type Rule = Readonly<Record<string, unknown>> & { readonly Next?: string };

export class UnsupportedChoiceRule extends Error {
  override readonly name = 'UnsupportedChoiceRule';
}

const ERROR_WILDCARDS = new Set(['States.ALL', 'States.TaskFailed']);
const errorMatches = (names: readonly string[], error: string) => names.includes(error) || names.some((name) => ERROR_WILDCARDS.has(name));

export const rulesOf = (state: AslState): readonly Rule[] => (state.Choices ?? []) as readonly Rule[];
export const retriersOf = (state: AslState): readonly Retrier[] => (state.Retry ?? []) as readonly Retrier[];
/** The index of the retrier (or catcher) that handles an error, as Step Functions picks it: the first that matches. */
export const handlerIndex = (handlers: readonly { readonly ErrorEquals: readonly string[] }[], error: string) =>
  handlers.findIndex((handler) => errorMatches(handler.ErrorEquals, error));

export const transition = (from: string, to: string, how: string) => `${from} -> ${to} (${how})`;
export const retryItem = (state: string, index: number, outcome: 'succeeds' | 'exhausted') => `${state} Retry[${index}] ${outcome}`;
export const loopItem = (choice: string, times: 'zero' | 'one or more') => `${choice} loops back ${times} times`;

function successors(state: AslState): string[] {
  return [state.Next, state.Default, ...rulesOf(state).map((rule) => rule.Next), ...(state.Catch ?? []).map((catcher) => catcher.Next)].filter(
    (next): next is string => typeof next === 'string',
  );
}

function reaches(definition: AslDefinition, from: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (name === target) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...successors(definition.States[name] as AslState));
  }
  return false;
}

/** Choice rules whose Next leads back to the Choice: the polling loops. */
export function loopRules(definition: AslDefinition): Array<{ choice: string; index: number }> {
  return Object.entries(definition.States).flatMap(([name, state]) =>
    rulesOf(state).flatMap((rule, index) => (rule.Next && reaches(definition, rule.Next, name) ? [{ choice: name, index }] : [])),
  );
}

/** Every item a set of runs must cover for the definition to count as driven on every path. */
export function coverageItems(definition: AslDefinition): Set<string> {
  const items = new Set<string>();
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Next) items.add(transition(name, state.Next, 'Next'));
    for (const [index, rule] of rulesOf(state).entries()) items.add(transition(name, rule.Next as string, `rule ${index + 1}`));
    if (state.Default) items.add(transition(name, state.Default, 'Default'));
    for (const [index, catcher] of (state.Catch ?? []).entries()) items.add(transition(name, catcher.Next, `Catch ${index + 1}`));
    for (const index of retriersOf(state).keys()) {
      items.add(retryItem(name, index, 'succeeds'));
      items.add(retryItem(name, index, 'exhausted'));
    }
    if (state.Type === 'Succeed' || state.Type === 'Fail') items.add(`ends in ${name}`);
  }
  for (const { choice } of loopRules(definition)) {
    items.add(loopItem(choice, 'zero'));
    items.add(loopItem(choice, 'one or more'));
  }
  return items;
}

const MISSING = Symbol('missing');

/** A JSONPath reference of the simple `$.a.b` kind the definition uses. */
export function readPath(value: unknown, path: string, context: unknown = {}): unknown {
  if (path === '$') return value;
  // `$$.` reads the context object (the execution input is at $$.Execution.Input), `$.` the state's input.
  let current: unknown = path.startsWith('$$.') ? context : value;
  for (const key of path.replace(/^\$\$?\./, '').split('.')) {
    if (current === null || typeof current !== 'object' || !(key in current)) return MISSING;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Evaluates one Choice rule as AWS documents it; an operator this does not know is an error, not a guess. */
export function ruleHolds(rule: Rule, input: unknown, context: unknown = {}): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Rule[]).every((inner) => ruleHolds(inner, input, context));
  if (Array.isArray(rule.Or)) return (rule.Or as Rule[]).some((inner) => ruleHolds(inner, input, context));
  if (rule.Not) return !ruleHolds(rule.Not as Rule, input, context);
  const value = readPath(input, rule.Variable as string, context);
  if ('IsPresent' in rule) return (value !== MISSING) === rule.IsPresent;
  if (value === MISSING) throw new UnsupportedChoiceRule(`${String(rule.Variable)} is missing: a runtime error on AWS`);
  if ('BooleanEquals' in rule) return value === rule.BooleanEquals;
  if ('StringEquals' in rule) return value === rule.StringEquals;
  if ('NumericLessThanPath' in rule) return typeof value === 'number' && value < (readPath(input, rule.NumericLessThanPath as string, context) as number);
  throw new UnsupportedChoiceRule(`no evaluator for ${JSON.stringify(rule)}`);
}

export interface Step {
  readonly state: string;
  /** The state's input, as the interpreter entered it. */
  readonly input: unknown;
  /** For a Task: the error names of its failed attempts, in order, and whether the last attempt succeeded. */
  readonly errors?: readonly string[];
  readonly succeeded?: boolean;
}

/** The items one run covers, from the states it entered (with their inputs), each Task's attempts and the execution input. */
export function coveredBy(definition: AslDefinition, steps: readonly Step[], executionInput: unknown = {}): Set<string> {
  const context = { Execution: { Input: executionInput } };
  const items = new Set<string>();
  const loops = loopRules(definition);
  steps.forEach((step, at) => {
    const state = definition.States[step.state] as AslState;
    const next = steps[at + 1]?.state;
    if (state.Type === 'Succeed' || state.Type === 'Fail') items.add(`ends in ${step.state}`);
    if (state.Type === 'Choice') {
      const rules = rulesOf(state);
      const index = rules.findIndex((rule) => ruleHolds(rule, step.input, context));
      const target = index >= 0 ? rules[index]?.Next : state.Default;
      if (target !== next) throw new Error(`${step.state} should have gone to ${target}, the run went to ${next}`);
      items.add(index >= 0 ? transition(step.state, target as string, `rule ${index + 1}`) : transition(step.state, target as string, 'Default'));
      return;
    }
    const errors = step.errors ?? [];
    const retriers = retriersOf(state);
    if (step.succeeded) {
      for (const error of errors) if (handlerIndex(retriers, error) >= 0) items.add(retryItem(step.state, handlerIndex(retriers, error), 'succeeds'));
    }
    const last = errors.at(-1);
    if (!step.succeeded && last !== undefined) {
      // Exhausted: the first failure and then MaxAttempts retries, all matching the same retrier.
      const index = handlerIndex(retriers, last);
      const matching = errors.filter((error) => handlerIndex(retriers, error) === index).length;
      if (index >= 0 && matching > (retriers[index]?.MaxAttempts ?? 3)) items.add(retryItem(step.state, index, 'exhausted'));
      const caught = handlerIndex(state.Catch ?? [], last);
      if (caught >= 0 && next) items.add(transition(step.state, next, `Catch ${caught + 1}`));
      return;
    }
    if (state.Next && next) items.add(transition(step.state, next, 'Next'));
  });
  for (const { choice, index } of loops) {
    const taken = [...items].some((item) => item.startsWith(`${choice} -> `) && item.endsWith(`(rule ${index + 1})`));
    if (steps.some((step) => step.state === choice)) items.add(loopItem(choice, taken ? 'one or more' : 'zero'));
  }
  return items;
}
