/**
 * What the schemas of the execution input (certificate-spec.ts) and of certstep.config.json
 * (cdk/config.ts) share: how a value is echoed and how a zod issue becomes the one-line
 * `path: reason` message users already know. The reasons themselves are written next to each
 * field; zod's own wording never reaches a user.
 */
import * as z from 'zod/mini';

/** Echoes a value into a message without letting a huge or odd input flood the log. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= 80) return JSON.stringify(value);
    return `${JSON.stringify(`${value.slice(0, 80)}…`)} (${value.length} characters)`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'nothing';
  return `${typeof value} ${String(value)}`;
}

/** A field name as it may appear in a message: short, or quoted and cut. */
export function fieldName(key: string): string {
  return /^[A-Za-z_$][\w$]{0,63}$/.test(key) ? key : `[${show(key)}]`;
}

/** Maps whose keys are user data (domains, certificate names): a key is always quoted in full. */
const MAP_FIELDS = new Set(['zones', 'expiryAlarmDays', 'cnameTargets']);

/** `certificate.dnsNames[1]`, `issuers[0].dns01.route53.zones["example.com"]`. */
export function renderPath(path: readonly PropertyKey[]): string {
  let text = '';
  path.forEach((segment, index) => {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (MAP_FIELDS.has(String(path[index - 1]))) text += `[${JSON.stringify(String(segment))}]`;
    else {
      const name = fieldName(String(segment));
      text += name.startsWith('[') || text === '' ? name : `.${name}`;
    }
  });
  return text;
}

/**
 * Set on an issue whose path reads better with the offending value after it, as in
 * `certificate.dnsNames[1] "*.*.example.com": a wildcard must be ...`.
 */
export interface EchoParams {
  readonly echo: string;
}

/**
 * The one message for a failed parse: the first fault in reading order, an object's unknown
 * fields before anything inside it, as the hand-written checks reported them.
 */
export function firstIssueMessage(issues: readonly z.core.$ZodIssue[], rootLabel: string): string {
  let chosen = issues[0];
  if (!chosen) return `${rootLabel}: invalid`;
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys' || issue.path.length > chosen.path.length) continue;
    if (issue.path.every((segment, index) => segment === chosen?.path[index])) chosen = issue;
  }
  let path = chosen.path;
  if (chosen.code === 'unrecognized_keys') path = [...path, chosen.keys[0] as string];
  const echo = chosen.code === 'custom' ? (chosen.params as Partial<EchoParams> | undefined)?.echo : undefined;
  const rendered = path.length === 0 ? rootLabel : renderPath(path);
  // A map key that fails its own schema: the reason is that schema's, not the map's.
  const message = chosen.code === 'invalid_key' ? (chosen.issues[0]?.message ?? chosen.message) : chosen.message;
  return `${rendered}${echo === undefined ? '' : ` ${echo}`}: ${message}`;
}

/** The error option of a value that must be there and of one type: `required`, or what it must be. */
export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'required' : `must be ${what} (got ${show(issue.input)})`);
}

/** A strict object: a misspelt field is refused rather than silently ignored. */
export const section = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : 'must be a JSON object') });
