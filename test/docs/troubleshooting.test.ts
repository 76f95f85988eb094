/**
 * docs/troubleshooting.md is where an operator goes with an error name in hand, so its table
 * must have a row for every name a run can end with. The names are derived from the code, not
 * listed here: a new error class, a new Pass state error in the ASL or a new retried name
 * fails this test until the table has a row for it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/config-error.js';
import * as errors from '../../functions/core/errors.js';
import { SHARED_RETRIER } from '../../functions/core/retry-policy.js';

const DOC = new URL('../../docs/troubleshooting.md', import.meta.url);
const ASL = new URL('../../statemachine/renewal.asl.json', import.meta.url);
const ERRORS_SOURCE = new URL('../../functions/core/errors.ts', import.meta.url);

/** Every concrete error class errors.ts exports: abstract ones have no own `name` once built. */
function errorClassNames(): string[] {
  return (Object.values(errors) as unknown[])
    .filter((value): value is new (message: string) => Error => typeof value === 'function' && value.prototype instanceof Error)
    .map((ErrorClass) => new ErrorClass('probe'))
    .filter((error) => Object.hasOwn(error, 'name'))
    .map((error) => error.name);
}

interface AslState {
  readonly Type: string;
  readonly Error?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[] }[];
}

/**
 * The names the state machine itself can end a run with: a Fail state's literal Error, a Pass
 * state that writes an error name for the Fail state to report (`Error` or `error`), and every
 * name a Task retries, which ends the run once the retries are spent.
 */
function aslErrorNames(): string[] {
  const { States } = JSON.parse(readFileSync(ASL, 'utf8')) as { States: Record<string, AslState> };
  const names = new Set<string>();
  for (const state of Object.values(States)) {
    if (state.Type === 'Fail' && state.Error) names.add(state.Error);
    if (state.Type === 'Pass') {
      for (const [key, value] of Object.entries(state.Parameters ?? {})) if (/^error$/i.test(key) && typeof value === 'string') names.add(value);
    }
    for (const handler of [...(state.Retry ?? []), ...(state.Catch ?? [])]) for (const name of handler.ErrorEquals) names.add(name);
  }
  // A wildcard is what catches names, not one a run ends with.
  names.delete('States.ALL');
  return [...names];
}

/** The first cell of each row of the table under "## Error names", as the names it holds. */
function documentedNames(markdown: string): Map<string, string[]> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Error names'));
  if (!section) throw new Error('docs/troubleshooting.md has no "## Error names" section');
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    for (const [, name] of (cells[0] ?? '').matchAll(/`([^`]+)`/g)) rows.set(name as string, cells);
  }
  return rows;
}

const rows = documentedNames(readFileSync(DOC, 'utf8'));
const derived = [...new Set([...errorClassNames(), new ConfigError('probe').name, ...aslErrorNames()])].sort();

describe('docs/troubleshooting.md', () => {
  it('finds every error class errors.ts declares, so a class the walk missed cannot go unnoticed', () => {
    // Prepare: the classes as written in the source, independently of the import walk.
    const declared = [...readFileSync(ERRORS_SOURCE, 'utf8').matchAll(/override readonly name = '([A-Za-z.]+)'/g)].map((match) => match[1]);

    // Assess
    expect(declared.length).toBeGreaterThan(0);
    expect(errorClassNames().sort()).toEqual(declared.sort());
  });

  it('finds the error names the state machine writes itself', () => {
    expect(aslErrorNames()).toEqual(expect.arrayContaining(['PropagationTimeout', 'ValidationTimeout', 'IssuanceTimeout', 'CleanUpFailed', 'States.Timeout']));
  });

  it('has a row in the error table for every error name a run can end with', () => {
    // Act
    const missing = derived.filter((name) => !rows.has(name));

    // Assess
    expect(missing).toEqual([]);
  });

  it('says for every row what the likely causes are and what to do', () => {
    for (const name of derived) {
      const cells = rows.get(name) ?? [];
      expect(cells, name).toHaveLength(4);
      expect(
        cells.every((cell) => cell.length > 0),
        `${name}: ${cells.join(' | ')}`,
      ).toBe(true);
    }
  });

  it('says "retried in the run" exactly for the names the state machine retries', () => {
    // Prepare: what every Task retries (renewal-asl.test.ts holds the ASL to it).
    const retried = new Set(SHARED_RETRIER.ErrorEquals);

    // Assess
    for (const name of derived) expect(rows.get(name)?.[1], name).toBe(retried.has(name) ? 'yes' : 'no');
  });
});
