/**
 * ChangeResourceRecordSets validation, following Route 53's documented behaviour: a batch is
 * all or nothing, changes apply in order (so DELETE then CREATE of one set replaces it), and
 * the wording of the messages copies what Route 53 answers so callers can be tested against
 * the real thing's text.
 */
import { isIP } from 'node:net';
import { displayName, isWithin, normalizeName } from './names.js';
import { type RecordOp, type TestRecordSet, type TestZone, cloneRecordSet, recordKey } from './store.js';
import { parseTxtValue } from './txt.js';

export interface RequestedChange {
  action: string;
  /** As sent: any case, trailing dot optional, may contain \ddd escapes. */
  name: string;
  type: string;
  ttl?: number;
  values: string[];
  setIdentifier?: string;
  hasAliasTarget: boolean;
}

export type BatchResult =
  | { ok: true; records: TestRecordSet[]; ops: RecordOp[] }
  | { ok: false; code: 'InvalidInput' | 'InvalidChangeBatch'; messages: string[] };

const ACTIONS = new Set(['CREATE', 'DELETE', 'UPSERT']);
const TYPES = new Set(['SOA', 'A', 'TXT', 'NS', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SRV', 'SPF', 'AAAA', 'CAA', 'DS', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS']);

export function applyChangeBatch(zone: TestZone, current: TestRecordSet[], changes: RequestedChange[]): BatchResult {
  // Route 53 rejects structurally bad requests before looking at the zone's contents.
  const inputProblem = findInputProblem(changes);
  if (inputProblem) return { ok: false, code: 'InvalidInput', messages: [inputProblem] };

  const working = new Map(current.map((set) => [recordKey(set), cloneRecordSet(set)]));
  const ops: RecordOp[] = [];
  const messages: string[] = [];
  for (const change of changes) {
    const set: TestRecordSet = { name: normalizeName(change.name), type: change.type, ttl: change.ttl ?? 0, values: [...change.values] };
    if (change.setIdentifier !== undefined) set.setIdentifier = change.setIdentifier;
    // Every problem of a change is reported, but a change with any problem is not applied,
    // so later changes are judged against the state the batch would have produced.
    const problems = [...setProblems(zone, set), ...actionProblems(zone, working, change.action, set)];
    messages.push(...problems);
    if (problems.length > 0) continue;
    if (change.action === 'DELETE') {
      working.delete(recordKey(set));
      ops.push({ remove: recordKey(set) });
    } else {
      working.set(recordKey(set), set);
      ops.push({ put: cloneRecordSet(set) });
    }
  }
  messages.push(...apexProblems(zone, working));
  if (messages.length > 0) return { ok: false, code: 'InvalidChangeBatch', messages };
  return { ok: true, records: [...working.values()], ops };
}

function findInputProblem(changes: RequestedChange[]): string | undefined {
  if (changes.length === 0) return 'Invalid request: the change batch must contain at least one Change';
  for (const change of changes) {
    if (!ACTIONS.has(change.action)) return `Invalid request: Action '${change.action}' is not one of [CREATE, DELETE, UPSERT]`;
    if (!TYPES.has(change.type)) return `Invalid request: Type '${change.type}' is not a supported record type`;
    if (change.hasAliasTarget) return 'Invalid request: alias record sets are not supported by the certstep Route 53 test server';
    if (change.ttl === undefined || change.values.length === 0) {
      const described = `[Action=${change.action}, Name=${change.name}, Type=${change.type}, SetIdentifier=${change.setIdentifier ?? 'null'}]`;
      return `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with ${described}`;
    }
    if (!Number.isInteger(change.ttl) || change.ttl < 0 || change.ttl > 2147483647) return `Invalid request: TTL ${change.ttl} is out of range`;
  }
  return undefined;
}

function describe(set: TestRecordSet): string {
  const identifier = set.setIdentifier === undefined ? '' : `, set-identifier='${set.setIdentifier}'`;
  return `[name='${displayName(set.name)}', type='${set.type}'${identifier}]`;
}

/** Checks that need only the set itself and the zone's name. */
function setProblems(zone: TestZone, set: TestRecordSet): string[] {
  const name = displayName(set.name);
  if (!isWithin(set.name, zone.name)) return [`RRSet with DNS name ${name} is not permitted in zone ${displayName(zone.name)}`];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const value of set.values) {
    if (seen.has(value)) problems.push(`Duplicate Resource Record: '${value}'`);
    seen.add(value);
    const problem = valueProblem(set.type, value);
    if (problem) problems.push(`Invalid Resource Record: 'FATAL problem: ${problem} encountered with '${value}''`);
  }
  if (set.type === 'CNAME') {
    if (set.name === zone.name) problems.push(`RRSet of type CNAME with DNS name ${name} is not permitted at apex in zone ${displayName(zone.name)}`);
    if (set.values.length > 1) problems.push(`RRSet of type CNAME with DNS name ${name} has more than one resource record`);
  }
  return problems;
}

function valueProblem(type: string, value: string): string | undefined {
  switch (type) {
    case 'TXT':
    case 'SPF': {
      const parsed = parseTxtValue(value);
      return 'problem' in parsed ? parsed.problem : undefined;
    }
    case 'A':
      return isIP(value) === 4 ? undefined : 'ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)';
    case 'AAAA':
      return isIP(value) === 6 ? undefined : 'AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)';
    case 'CNAME':
      return /^[^\s]+$/.test(value) ? undefined : 'DomainLabelEmpty (Domain label is empty)';
    default:
      return value.trim() === '' ? 'DomainLabelEmpty (Domain label is empty)' : undefined;
  }
}

/** Checks against the state the batch has built so far. */
function actionProblems(zone: TestZone, working: Map<string, TestRecordSet>, action: string, set: TestRecordSet): string[] {
  const existing = working.get(recordKey(set));
  if (action === 'CREATE' && existing) return [`Tried to create resource record set ${describe(set)} but it already exists`];
  if (action === 'DELETE') {
    if (!existing) return [`Tried to delete resource record set ${describe(set)} but it was not found`];
    const same = existing.ttl === set.ttl && [...existing.values].sort().join('\n') === [...set.values].sort().join('\n');
    return same ? [] : [`Tried to delete resource record set ${describe(set)} but the values provided do not match the current values`];
  }
  // A CNAME owns its name: no other type may sit beside it (RFC 1034 §3.6.2).
  const conflicting = [...working.values()].some(
    (other) => other.name === set.name && other.type !== set.type && (other.type === 'CNAME' || set.type === 'CNAME'),
  );
  if (conflicting) {
    return [
      `RRSet of type ${set.type} with DNS name ${displayName(set.name)} is not permitted as it conflicts with other records with the same DNS name in zone ${displayName(zone.name)}`,
    ];
  }
  return [];
}

function apexProblems(zone: TestZone, working: Map<string, TestRecordSet>): string[] {
  const apexTypes = [...working.values()].filter((set) => set.name === zone.name).map((set) => set.type);
  const problems: string[] = [];
  if (apexTypes.filter((type) => type === 'SOA').length !== 1) problems.push('A HostedZone must contain exactly one SOA record.');
  if (!apexTypes.includes('NS')) problems.push('A HostedZone must contain at least one NS record for the zone itself.');
  return problems;
}
