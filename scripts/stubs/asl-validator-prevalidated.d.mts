export interface AslVerdict {
  isValid: boolean;
  errors: unknown[];
  errorsText(separator?: string): string;
}
export type AslValidator = (definition: unknown, options?: Record<string, unknown>) => AslVerdict;
export function validationKey(definition: unknown, options: unknown): string;
export function prevalidated(validate: AslValidator, verdicts: Readonly<Record<string, unknown>>): AslValidator;
