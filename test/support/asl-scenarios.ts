/**
 * Scripts of Task outcomes that drive renewal.asl.json down every path, found rather than
 * hand-written: a seeded random walk gives each Task a result built from the values the
 * definition's Choice rules compare (and the paths its states read), or an error that a
 * retrier retries once, retries until exhausted, or nobody retries, and each run starts from an
 * execution input with the values the rules compare through `$$.Execution.Input`; runs are kept while they
 * cover an item of asl-coverage.ts that no kept run covers yet. The walk runs in
 * aws-local-stepfunctions; the same scripts are then played to any interpreter.
 */
import type { AslDefinition, AslState } from '../../cli/local/definition.js';
import { PUT_EVENTS_RESOURCE } from '../../cli/local/events.js';
import { type Rule, coverageItems, coveredBy, handlerIndex, retriersOf, rulesOf } from './asl-coverage.js';
import { type Decide, runLocally } from './asl-local-run.js';
import type { TaskOutcome } from './task-endpoints.js';
import { seededRandom } from '../lifetime/sim-random.js';

const ABSENT = Symbol('absent');
type Candidate = unknown | typeof ABSENT;
/** A field of one Task's result (relative to its ResultPath) and the values worth trying there. */
type Field = { readonly path: readonly string[]; readonly candidates: readonly Candidate[] };

const REFERENCE = /(?<!\$)\$\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*/g;

const EXECUTION_INPUT = '$$.Execution.Input.';

/** The failed putEvents Task, as Step Functions names it when FailedEntryCount > 0. */
export const FAILED_ENTRY = 'EventBridge.FailedEntry';

function choiceCandidates(rules: readonly Rule[], into: Map<string, Set<Candidate>>): void {
  const add = (path: string, ...values: Candidate[]) => {
    const set = into.get(path) ?? new Set<Candidate>();
    for (const value of values) set.add(value);
    into.set(path, set);
  };
  for (const rule of rules) {
    for (const inner of [...((rule.And as Rule[]) ?? []), ...((rule.Or as Rule[]) ?? []), ...(rule.Not ? [rule.Not as Rule] : [])])
      choiceCandidates([inner], into);
    const variable = rule.Variable as string | undefined;
    if (!variable) continue;
    if ('BooleanEquals' in rule) add(variable, true, false);
    if ('StringEquals' in rule) add(variable, rule.StringEquals, 'something-else');
    if ('IsPresent' in rule) add(variable, ABSENT);
    if ('NumericLessThanPath' in rule) {
      add(variable, 1, 3);
      add(rule.NumericLessThanPath as string, 3);
    }
  }
}

/** Every `$.x.y` the definition reads, with the values its readers need: compared values, 0 seconds, an event detail, or text. */
function referencedValues(definition: AslDefinition): Map<string, Set<Candidate>> {
  const values = new Map<string, Set<Candidate>>();
  const add = (path: string, value: Candidate) => {
    const known = values.get(path) ?? new Set<Candidate>();
    if (![...known].some((candidate) => JSON.stringify(candidate) === JSON.stringify(value))) known.add(value);
    values.set(path, known);
  };
  const walk = (node: unknown, key = ''): void => {
    if (typeof node === 'string' && (key.endsWith('.$') || key.endsWith('Path')) && key !== 'ResultPath') {
      for (const [path] of node.matchAll(REFERENCE)) add(path, key === 'Detail.$' ? { from: path } : key === 'SecondsPath' ? 0 : path.slice(2));
    } else if (node && typeof node === 'object') for (const [inner, value] of Object.entries(node)) walk(value, inner);
  };
  for (const state of Object.values(definition.States)) {
    const { Choices: _choices, ...rest } = state;
    walk(rest);
  }
  const compared = new Map<string, Set<Candidate>>();
  for (const state of Object.values(definition.States)) choiceCandidates(rulesOf(state), compared);
  // `$$.Execution.Input` is no Task's result: the execution input varies it (executionInputs).
  for (const path of [...compared.keys()]) if (path.startsWith(EXECUTION_INPUT)) compared.delete(path);
  // A compared value replaces the filler text, but a path only tested for presence still needs one.
  for (const [path, candidates] of compared) {
    const present = [...candidates].some((candidate) => candidate !== ABSENT);
    values.set(path, new Set([...candidates, ...(present ? [] : [...(values.get(path) ?? [path.slice(2)])])]));
  }
  return values;
}

interface Writer {
  readonly path: string;
  readonly task?: string;
}

/** The fields each Task's result must hold: the references whose deepest writer is that Task. */
export function resultFields(definition: AslDefinition): Map<string, Field[]> {
  const writers: Writer[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task' && state.ResultPath !== null) writers.push({ path: (state.ResultPath as string | undefined) ?? '$', task: name });
    if (state.Type === 'Pass') writers.push({ path: (state.ResultPath as string | undefined) ?? '$' });
    for (const catcher of state.Catch ?? []) for (const field of ['Error', 'Cause']) writers.push({ path: `${catcher.ResultPath ?? '$'}.${field}` });
  }
  const under = (path: string, writer: string) => writer === '$' || path === writer || path.startsWith(`${writer}.`);
  const fields = new Map<string, Field[]>();
  for (const [path, candidates] of referencedValues(definition)) {
    const deepest = Math.max(...writers.filter((writer) => under(path, writer.path)).map((writer) => writer.path.length));
    for (const writer of writers.filter((candidate) => candidate.path.length === deepest && under(path, candidate.path) && candidate.task)) {
      const relative = writer.path === '$' ? path.slice(2) : path.slice(writer.path.length + 1);
      if (!relative) continue;
      fields.set(writer.task as string, [...(fields.get(writer.task as string) ?? []), { path: relative.split('.'), candidates: [...candidates] }]);
    }
  }
  return fields;
}

/** The object that holds the last key of `path`, made on the way where missing. */
function parentOf(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  return node;
}

function buildResult(fields: readonly Field[], random: () => number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const chosen = fields.map((field) => ({ path: field.path, value: field.candidates[Math.floor(random() * field.candidates.length)] }));
  const absent = chosen.filter((field) => field.value === ABSENT).map((field) => field.path.join('.'));
  // Deepest last, so a container gets its children; nothing under an absent field is written.
  for (const { path, value } of chosen.sort((a, b) => a.path.length - b.path.length)) {
    if (value === ABSENT || absent.some((gone) => path.join('.').startsWith(`${gone}.`))) continue;
    const node = parentOf(result, path);
    const last = path.at(-1) as string;
    if (!(typeof node[last] === 'object' && node[last] !== null)) node[last] = value;
  }
  return result;
}

/** The attempts one entry into a Task makes: a result, or errors that a retrier, a catcher or nobody handles. */
function plan(name: string, state: AslState, fields: readonly Field[], random: () => number): TaskOutcome[] {
  const retriers = retriersOf(state);
  const ok: TaskOutcome = { result: buildResult(fields, random) };
  const failing = (error: string): TaskOutcome => ({ error: { name: error, message: `${name} failed with ${error}` } });
  const putEvents = state.Resource === PUT_EVENTS_RESOURCE;
  const nameFor = (retrier: number) =>
    putEvents
      ? FAILED_ENTRY
      : // A function cannot throw a States.* name: a wildcard retrier gets a name of our own.
        ([...(retriers[retrier]?.ErrorEquals ?? []), 'UnexpectedError'].find(
          (error) => !error.startsWith('States.') && handlerIndex(retriers, error) === retrier,
        ) as string);
  const unretried = putEvents
    ? []
    : [...(state.Catch ?? []).flatMap((catcher) => catcher.ErrorEquals), 'InvalidInput', 'UnexpectedError'].filter(
        (error) => !error.startsWith('States.') && handlerIndex(retriers, error) < 0,
      );
  const roll = random();
  const retrier = Math.floor(random() * retriers.length);
  if (roll < 0.12 && retriers.length > 0) return [failing(nameFor(retrier)), ok];
  if (roll < 0.24 && retriers.length > 0) return Array.from({ length: (retriers[retrier]?.MaxAttempts ?? 3) + 1 }, () => failing(nameFor(retrier)));
  if (roll < 0.32 && unretried.length > 0) return [failing(unretried[Math.floor(random() * unretried.length)] as string)];
  return [ok];
}

/**
 * The execution inputs worth trying: `base` with each field a Choice rule reads through
 * `$$.Execution.Input` set to the values the rule compares (all combinations; none: `base` alone).
 */
export function executionInputs(definition: AslDefinition, base: Record<string, unknown>): Record<string, unknown>[] {
  const compared = new Map<string, Set<Candidate>>();
  for (const state of Object.values(definition.States)) choiceCandidates(rulesOf(state), compared);
  let inputs: Record<string, unknown>[] = [structuredClone(base)];
  for (const [path, candidates] of compared) {
    if (!path.startsWith(EXECUTION_INPUT)) continue;
    const keys = path.slice(EXECUTION_INPUT.length).split('.');
    inputs = inputs.flatMap((input) =>
      [...candidates].map((value) => {
        const next = structuredClone(input);
        const node = parentOf(next, keys);
        if (value === ABSENT) delete node[keys.at(-1) as string];
        else node[keys.at(-1) as string] = value;
        return next;
      }),
    );
  }
  return inputs;
}

export interface Scenario {
  readonly name: string;
  /** The execution input this path starts from. */
  readonly input: Record<string, unknown>;
  readonly outcomes: readonly TaskOutcome[];
  /** The attempts of each Task entry, in order: what a later walk may start from. */
  readonly plans: readonly (readonly TaskOutcome[])[];
  /** The coverage items this scenario was kept for. */
  readonly adds: readonly string[];
  /** Every coverage item its run covers. */
  readonly covers: readonly string[];
}

/** Drops, earliest first, each scenario whose items the others all cover too: fewer, longer paths. */
export function minimal(scenarios: readonly Scenario[]): Scenario[] {
  const kept = [...scenarios];
  for (const scenario of scenarios) {
    const others = new Set(kept.filter((other) => other !== scenario).flatMap((other) => other.covers));
    if (scenario.covers.every((item) => others.has(item))) kept.splice(kept.indexOf(scenario), 1);
  }
  return kept;
}

/**
 * Walks until every coverage item but the `unreachable` ones is covered, or `tries` runs are spent. Most walks replay the
 * first Task entries of a kept scenario and go on at random from there, so a deep branch is
 * reached by extending a run that already got close, as coverage-guided fuzzers do.
 */
export async function findScenarios(
  definition: AslDefinition,
  baseInput: Record<string, unknown>,
  { seed = 1, tries = 3000, executionArn = (name: string) => name, unreachable = new Set<string>() } = {},
): Promise<{ scenarios: Scenario[]; uncovered: string[]; tried: number }> {
  const fields = resultFields(definition);
  const random = seededRandom(seed).next;
  const wanted = coverageItems(definition);
  const inputs = executionInputs(definition, baseInput);
  const covered = new Set<string>();
  const scenarios: Scenario[] = [];
  let tried = 0;
  const done = () => [...wanted].every((item) => covered.has(item) || unreachable.has(item));
  for (; tried < tries && !done(); tried++) {
    const base = scenarios.length > 0 && random() < 0.85 ? scenarios[Math.floor(random() * scenarios.length)] : undefined;
    const replayed = base ? base.plans.slice(0, Math.floor(random() * base.plans.length)) : [];
    const input = base?.input ?? (inputs[Math.floor(random() * inputs.length)] as Record<string, unknown>);
    const plans: TaskOutcome[][] = [];
    const outcomes: TaskOutcome[] = [];
    const pending = new Map<string, TaskOutcome[]>();
    const decide: Decide = (state) => {
      if ((pending.get(state) ?? []).length === 0) {
        const next = replayed[plans.length] ?? plan(state, definition.States[state] as AslState, fields.get(state) ?? [], random);
        plans.push([...next]);
        pending.set(state, [...next]);
      }
      const outcome = pending.get(state)?.shift() as TaskOutcome;
      outcomes.push(outcome);
      return outcome;
    };
    const name = `path-${String(scenarios.length + 1).padStart(2, '0')}`;
    const run = await runLocally(definition, executionArn(name), input, decide);
    if (run.status === 'ABORTED') continue;
    const covers = [...coveredBy(definition, run.steps, input)];
    const adds = covers.filter((item) => !covered.has(item));
    if (adds.length === 0) continue;
    for (const item of adds) covered.add(item);
    scenarios.push({ name, input, outcomes, plans, adds, covers });
  }
  return { scenarios: minimal(scenarios), uncovered: [...wanted].filter((item) => !covered.has(item)).sort(), tried };
}
