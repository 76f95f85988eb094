/**
 * The bundled CLI answers the state machine's validation from the build's verdict
 * (scripts/stubs/asl-validator-prevalidated.mjs). The runner must then execute the very object
 * it would have executed after the real validator ran, and anything else must still be
 * validated for real.
 */
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { localDefinition } from '../../cli/local/definition.js';
import { type AslValidator, prevalidated, validationKey } from '../../scripts/stubs/asl-validator-prevalidated.mjs';

// The asl-validator aws-local-stepfunctions itself imports, as scripts/build.mjs picks it.
const requireFromRoot = createRequire(import.meta.url);
const runnersValidator = createRequire(requireFromRoot.resolve('aws-local-stepfunctions'))('asl-validator') as AslValidator;
const OPTIONS = { checkArn: true, checkPaths: true };

/** What scripts/build.mjs records: the key of the definition as built, and the definition as the validator left it. */
function verdictsFor(definition: unknown): Record<string, unknown> {
  const key = validationKey(definition, OPTIONS);
  expect(runnersValidator(definition, OPTIONS).isValid).toBe(true);
  return { [key]: definition };
}

describe('the prevalidated asl-validator of the bundled CLI', () => {
  it('leaves the local definition exactly as the real validator leaves it, without running it', () => {
    const verdicts = verdictsFor(localDefinition());
    const real = vi.fn(runnersValidator);
    const validate = prevalidated(real, verdicts);

    const answered = localDefinition();
    expect(validate(answered, { ...OPTIONS }).isValid).toBe(true);
    expect(real).not.toHaveBeenCalled();

    const validatedForReal = localDefinition();
    runnersValidator(validatedForReal, { ...OPTIONS });
    // The validator writes defaults (QueryLanguage) into the definition: the answer does too.
    expect(JSON.stringify(validatedForReal)).not.toBe(JSON.stringify(localDefinition()));
    expect(answered).toEqual(validatedForReal);
  });

  it('validates for real any other definition, or the same one with other options', () => {
    const verdicts = verdictsFor(localDefinition());
    const real = vi.fn(runnersValidator);
    const validate = prevalidated(real, verdicts);

    const broken = localDefinition() as { States: Record<string, { Next?: string }> };
    const first = Object.values(broken.States).find((state) => state.Next);
    if (!first) throw new Error('the definition has no state with Next');
    first.Next = 'NoSuchState';
    const verdict = validate(broken, { ...OPTIONS });
    expect(verdict.isValid).toBe(false);
    expect(verdict.errorsText()).toMatch(/NoSuchState/);

    expect(validate(localDefinition(), { checkArn: false, checkPaths: true }).isValid).toBe(true);
    expect(real).toHaveBeenCalledTimes(2);
  });
});
