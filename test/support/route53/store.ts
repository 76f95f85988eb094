/**
 * The hosted zones behind the fake API. Each zone keeps two views: `records`, what the API
 * returns at once after a change, and `published`, what the name servers answer, which only
 * catches up when the change goes INSYNC — the gap DNS-01 propagation checks exist for.
 */
import { randomInt } from 'node:crypto';
import { compareTuples, normalizeName, reversedKey } from './names.js';

export interface TestZone {
  /** Bare id such as 'Z0123ABC' (the API adds the '/hostedzone/' prefix). */
  id: string;
  /** Lowercase, with the trailing dot: 'example.test.' */
  name: string;
  private: boolean;
  nameServers: string[];
}

export interface TestRecordSet {
  /** Lowercase fqdn with the trailing dot. */
  name: string;
  type: string;
  ttl: number;
  /** Verbatim as Route 53 stores them: TXT values keep their quotes ('"abc"'). */
  values: string[];
  setIdentifier?: string;
}

export type RecordOp = { put: TestRecordSet } | { remove: string };

export interface ZoneState {
  zone: TestZone;
  /** False for a zone the parent never delegated to: only its own name servers answer for it. */
  delegated: boolean;
  callerReference: string;
  records: Map<string, TestRecordSet>;
  published: Map<string, TestRecordSet>;
}

export interface ChangeState {
  id: string;
  zoneId: string;
  submittedAt: Date;
  pollsLeft: number;
  ops: RecordOp[];
  insync: boolean;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomId(prefix: string, length: number): string {
  let id = prefix;
  while (id.length < length) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

export function recordKey(set: Pick<TestRecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  return `${set.name}|${set.type}|${set.setIdentifier ?? ''}`;
}

/** ListResourceRecordSets order: reversed-label name, then type, then set identifier. */
export function compareRecordSets(left: TestRecordSet, right: TestRecordSet): number {
  return compareTuples([reversedKey(left.name), left.type, left.setIdentifier ?? ''], [reversedKey(right.name), right.type, right.setIdentifier ?? '']);
}

export function cloneRecordSet(set: TestRecordSet): TestRecordSet {
  const copy: TestRecordSet = { name: set.name, type: set.type, ttl: set.ttl, values: [...set.values] };
  if (set.setIdentifier !== undefined) copy.setIdentifier = set.setIdentifier;
  return copy;
}

export class Route53Store {
  /** How many GetChange polls answer PENDING for changes submitted from now on. */
  pendingPolls = 0;
  private readonly zones = new Map<string, ZoneState>();
  private readonly changes = new Map<string, ChangeState>();
  private readonly changeLog: ChangeState[] = [];

  addZone(name: string, options: { private?: boolean; id?: string; nameServers?: string[]; delegated?: boolean } = {}): TestZone {
    const id = options.id?.replace(/^\/hostedzone\//, '') ?? randomId('Z0', 21);
    if (this.zones.has(id)) throw new Error(`a hosted zone with id ${id} already exists`);
    const zoneName = normalizeName(name);
    const nameServers = options.nameServers ?? [`ns1.${id}.route53.test`, `ns2.${id}.route53.test`];
    const zone: TestZone = { id, name: zoneName, private: options.private ?? false, nameServers: [...nameServers] };
    const primary = normalizeName(nameServers[0] ?? `ns1.${id}.route53.test`);
    const apex: TestRecordSet[] = [
      { name: zoneName, type: 'NS', ttl: 172800, values: nameServers.map((server) => normalizeName(server)) },
      { name: zoneName, type: 'SOA', ttl: 900, values: [`${primary} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] },
    ];
    const state: ZoneState = { zone, delegated: options.delegated ?? true, callerReference: `certstep-test-${id}`, records: new Map(), published: new Map() };
    for (const set of apex) {
      state.records.set(recordKey(set), set);
      state.published.set(recordKey(set), cloneRecordSet(set));
    }
    this.zones.set(id, state);
    return { ...zone, nameServers: [...zone.nameServers] };
  }

  zone(id: string): ZoneState | undefined {
    return this.zones.get(id.replace(/^\/hostedzone\//, ''));
  }

  /** Creation order, which is what ListHostedZones pages through. */
  allZones(): ZoneState[] {
    return [...this.zones.values()];
  }

  recordSets(zoneId: string): TestRecordSet[] {
    return [...this.requireZone(zoneId).records.values()].map(cloneRecordSet).sort(compareRecordSets);
  }

  seed(zoneId: string, recordSet: TestRecordSet): void {
    const state = this.requireZone(zoneId);
    const set = cloneRecordSet({ ...recordSet, name: normalizeName(recordSet.name), type: recordSet.type.toUpperCase() });
    state.records.set(recordKey(set), set);
    state.published.set(recordKey(set), cloneRecordSet(set));
  }

  /** Replaces the API view with an already validated result and queues its publication. */
  commit(zoneId: string, records: TestRecordSet[], ops: RecordOp[]): ChangeState {
    const state = this.requireZone(zoneId);
    state.records = new Map(records.map((set) => [recordKey(set), cloneRecordSet(set)]));
    const change: ChangeState = {
      id: randomId('C', 14),
      zoneId: state.zone.id,
      submittedAt: new Date(),
      pollsLeft: this.pendingPolls,
      ops,
      insync: false,
    };
    this.changes.set(change.id, change);
    this.changeLog.push(change);
    if (change.pollsLeft === 0) this.markInsync(change);
    return change;
  }

  /** One GetChange poll: spends a PENDING answer or, when none are left, goes INSYNC. */
  poll(changeId: string): ChangeState | undefined {
    const change = this.changes.get(changeId.replace(/^\/change\//, ''));
    if (!change || change.insync) return change;
    if (change.pollsLeft > 0) change.pollsLeft--;
    else this.markInsync(change);
    return change;
  }

  /** Delegated public zones with their published records, for the name server the world asks. */
  publicZones(): { zone: TestZone; records: TestRecordSet[] }[] {
    return this.allZones()
      .filter((state) => !state.zone.private && state.delegated)
      .map((state) => ({ zone: state.zone, records: [...state.published.values()] }));
  }

  /** One zone with its published records, as its own Route 53 name servers serve it, delegated or not. */
  ownZone(zoneId: string): { zone: TestZone; records: TestRecordSet[] }[] {
    const state = this.requireZone(zoneId);
    return [{ zone: state.zone, records: [...state.published.values()] }];
  }

  /** Route 53 propagates a zone's changes in order, so a change in sync implies its elders are. */
  private markInsync(change: ChangeState): void {
    for (const earlier of this.changeLog) {
      if (earlier.zoneId !== change.zoneId || earlier.insync) continue;
      const published = this.requireZone(earlier.zoneId).published;
      for (const op of earlier.ops) {
        if ('put' in op) published.set(recordKey(op.put), cloneRecordSet(op.put));
        else published.delete(op.remove);
      }
      earlier.insync = true;
      earlier.pollsLeft = 0;
      if (earlier === change) break;
    }
  }

  private requireZone(zoneId: string): ZoneState {
    const state = this.zone(zoneId);
    if (!state) throw new Error(`no hosted zone ${zoneId}`);
    return state;
  }
}
