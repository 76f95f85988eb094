/** Readable CloudFormation names for certificates and issuers, which may contain "-". */
import { createHash } from 'node:crypto';

/** `web-api` → `WebApi`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** PascalCase names, with a short hash added only where two would collide (`a-1b` and `a1b`). */
export function logicalNames(names: readonly string[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(pascalCase(name), (counts.get(pascalCase(name)) ?? 0) + 1);
  return new Map(
    names.map((name) => {
      const pascal = pascalCase(name);
      return [name, (counts.get(pascal) ?? 0) > 1 ? `${pascal}${shortHash(name, 6)}` : pascal];
    }),
  );
}

export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
