// What the bundled CLI gets for `asl-validator`. aws-local-stepfunctions validates the state
// machine at every `certstep local run`, and asl-validator's Ajv compiles its JSON schemas to do
// so: about a third of a local run's CPU. scripts/build.mjs validates the very definition the
// local runner builds, with the very options, using the asl-validator aws-local-stepfunctions
// uses, and fails the build when it is invalid. That definition is then answered from the
// build's verdict, and given the defaults the validator writes into it (QueryLanguage), so the
// runner executes the same object as before. Anything else is validated as before.
import { createHash } from 'node:crypto';

/** What identifies one validation: the definition and the options, as the validator gets them. */
export function validationKey(definition, options) {
  return createHash('sha256')
    .update(JSON.stringify([definition, options]))
    .digest('hex');
}

/** Makes `target` deep-equal to `source` in place: the validator changes the caller's object. */
function becomeEqual(target, source) {
  for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    const bothObjects = value !== null && typeof value === 'object' && current !== null && typeof current === 'object';
    if (bothObjects && Array.isArray(value) === Array.isArray(current)) {
      becomeEqual(current, value);
      if (Array.isArray(value)) current.length = value.length;
    } else {
      target[key] = structuredClone(value);
    }
  }
}

/**
 * asl-validator's signature. `validate` is the real one; `verdicts` maps the key of each
 * definition the build validated to that definition as the validator left it.
 */
export function prevalidated(validate, verdicts) {
  return function aslValidator(definition, options) {
    const validated = verdicts[validationKey(definition, options)];
    if (validated === undefined) return validate(definition, options);
    becomeEqual(definition, validated);
    return { isValid: true, errors: [], errorsText: () => '' };
  };
}
