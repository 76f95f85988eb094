/**
 * The state machine file is the source of truth for which Lambdas exist: every
 * `${XFunctionArn}` substitution in it is one function, built from functions/handlers/<x>.ts.
 * A function added to the ASL is therefore deployed without touching the stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFINITION_PATH = join(PROJECT_ROOT, 'statemachine', 'renewal.asl.json');
export const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');
/** Where `npm run build` puts each handler, bundled: what an installed package has instead of the sources. */
export const PREBUILT_LAMBDA_DIR = join(PROJECT_ROOT, 'dist', 'lambda');

/** The prebuilt bundle's folder for a function, e.g. `dist/lambda/check-renewal`. */
export function prebuiltLambdaDir(name: string, root: string = PREBUILT_LAMBDA_DIR): string {
  return join(root, kebabCase(name));
}

const SUBSTITUTION = /\$\{([A-Za-z0-9_]+)\}/g;
const FUNCTION_ARN = /^([A-Z][A-Za-z0-9]*)FunctionArn$/;

export interface StateMachineFunction {
  /** `CheckRenewal`, as in `${CheckRenewalFunctionArn}`. */
  readonly name: string;
  readonly substitution: string;
  /** Absolute path of the Lambda entry. */
  readonly entry: string;
}

export interface StateMachineDefinition {
  readonly text: string;
  readonly substitutions: readonly string[];
  readonly functions: readonly StateMachineFunction[];
}

/** `CheckRenewal` → `check-renewal`, `ImportToAcm` → `import-to-acm`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function substitutionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(SUBSTITUTION)].map((match) => match[1] as string))].sort();
}

export function readStateMachineDefinition(path: string = DEFINITION_PATH, handlersDir: string = HANDLERS_DIR): StateMachineDefinition {
  const text = readFileSync(path, 'utf8');
  const substitutions = substitutionsIn(text);
  const functions = substitutions.map((substitution) => {
    const match = FUNCTION_ARN.exec(substitution);
    if (!match) {
      throw new Error(`${path}: substitution \${${substitution}} is not of the form \${<Name>FunctionArn}; the stack only knows how to supply Lambda ARNs`);
    }
    const name = match[1] as string;
    const entry = join(handlersDir, `${kebabCase(name)}.ts`);
    if (!existsSync(entry) && !existsSync(join(prebuiltLambdaDir(name), 'index.mjs'))) {
      throw new Error(
        `${path} uses \${${substitution}}, but its Lambda entry ${entry} does not exist: add functions/handlers/${kebabCase(name)}.ts exporting "handler"`,
      );
    }
    return { name, substitution, entry };
  });
  return { text, substitutions, functions };
}

/** Fails synth when the file asks for a substitution nobody supplies (CloudFormation would only fail at deploy). */
export function assertSubstitutionsSupplied(definition: StateMachineDefinition, supplied: Readonly<Record<string, string>>): void {
  const missing = definition.substitutions.filter((name) => supplied[name] === undefined);
  if (missing.length > 0) {
    throw new Error(`statemachine/renewal.asl.json needs substitutions nobody supplies: ${missing.map((name) => `\${${name}}`).join(', ')}`);
  }
}
