/**
 * The Route 53 operations certstep calls, as pure functions from a parsed request to an
 * answer. Routing follows the REST paths of API version 2013-04-01.
 */
import { compareTuples, displayName, normalizeName, reversedKey } from './names.js';
import { type ErrorAnswer, changeInfoXml, getHostedZoneXml, hostedZonesXml, invalidChangeBatch, invalidInput, recordSetXml } from './responses.js';
import { type RequestedChange, applyChangeBatch } from './rules.js';
import type { Route53Store, ZoneState } from './store.js';
import { type XmlElement, XmlParseError, child, childText, children, document, element, leaf, parseXml } from './xml.js';

export type Answer = { status: number; xml: string } | ErrorAnswer;

export interface Route {
  action: string;
  zoneId?: string;
  changeId?: string;
}

export function route(method: string, pathname: string): Route | undefined {
  const path = pathname.replace(/^\/2013-04-01\//, '').replace(/\/$/, '');
  const get = method === 'GET';
  if (get && path === 'hostedzone') return { action: 'ListHostedZones' };
  if (get && path === 'hostedzonesbyname') return { action: 'ListHostedZonesByName' };
  const zone = /^hostedzone\/([^/]+)(\/rrset)?$/.exec(path);
  if (zone?.[1]) {
    const zoneId = decodeURIComponent(zone[1]);
    if (get && !zone[2]) return { action: 'GetHostedZone', zoneId };
    if (get && zone[2]) return { action: 'ListResourceRecordSets', zoneId };
    if (method === 'POST' && zone[2]) return { action: 'ChangeResourceRecordSets', zoneId };
  }
  const change = /^change\/([^/]+)$/.exec(path);
  if (get && change?.[1]) return { action: 'GetChange', changeId: decodeURIComponent(change[1]) };
  return undefined;
}

export function noSuchHostedZone(zoneId: string): ErrorAnswer {
  return { status: 404, code: 'NoSuchHostedZone', message: `No hosted zone found with ID: ${zoneId}` };
}

function maxItems(query: URLSearchParams, fallback: number): number | ErrorAnswer {
  const raw = query.get('maxitems');
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) return invalidInput(`1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint`);
  // Route 53 quietly caps page sizes rather than rejecting large ones.
  return Math.min(value, fallback);
}

function page<T>(items: T[], start: number, max: number): { items: T[]; next: T | undefined } {
  return { items: items.slice(start, start + max), next: items[start + max] };
}

export function listHostedZones(store: Route53Store, query: URLSearchParams): Answer {
  const max = maxItems(query, 100);
  if (typeof max !== 'number') return max;
  const privateOnly = query.get('hostedzonetype') === 'PrivateHostedZone';
  const zones = store.allZones().filter((state) => !privateOnly || state.zone.private);
  const marker = query.get('marker') || undefined;
  const start = marker === undefined ? 0 : zones.findIndex((state) => state.zone.id === marker.replace(/^\/hostedzone\//, ''));
  if (start === -1) return invalidInput(`Invalid marker: ${marker}`);
  const { items, next } = page(zones, start, max);
  return {
    status: 200,
    xml: document(
      'ListHostedZonesResponse',
      hostedZonesXml(items),
      leaf('Marker', marker),
      leaf('IsTruncated', next !== undefined),
      leaf('NextMarker', next?.zone.id),
      leaf('MaxItems', max),
    ),
  };
}

/** Sorted by reversed-label name, then id: the documented order, with ASCII comparison. */
export function listHostedZonesByName(store: Route53Store, query: URLSearchParams): Answer {
  const max = maxItems(query, 100);
  if (typeof max !== 'number') return max;
  const dnsName = query.get('dnsname') || undefined;
  const zoneId = query.get('hostedzoneid')?.replace(/^\/hostedzone\//, '') || undefined;
  if (zoneId !== undefined && dnsName === undefined) return invalidInput('The input is not valid: HostedZoneId requires DNSName');
  const sortKey = (state: ZoneState) => [reversedKey(state.zone.name), state.zone.id];
  const zones = store.allZones().sort((left, right) => compareTuples(sortKey(left), sortKey(right)));
  const from = dnsName === undefined ? undefined : [reversedKey(normalizeName(dnsName)), zoneId ?? ''];
  const start = from === undefined ? 0 : zones.findIndex((state) => compareTuples(sortKey(state), from) >= 0);
  const { items, next } = page(zones, start === -1 ? zones.length : start, max);
  return {
    status: 200,
    xml: document(
      'ListHostedZonesByNameResponse',
      hostedZonesXml(items),
      leaf('DNSName', dnsName),
      leaf('HostedZoneId', zoneId),
      leaf('IsTruncated', next !== undefined),
      leaf('NextDNSName', next && displayName(next.zone.name)),
      leaf('NextHostedZoneId', next?.zone.id),
      leaf('MaxItems', max),
    ),
  };
}

export function getHostedZone(state: ZoneState): Answer {
  return { status: 200, xml: getHostedZoneXml(state) };
}

export function listResourceRecordSets(store: Route53Store, state: ZoneState, query: URLSearchParams): Answer {
  const max = maxItems(query, 300);
  if (typeof max !== 'number') return max;
  const name = query.get('name') || undefined;
  const type = query.get('type') || undefined;
  const identifier = query.get('identifier') || undefined;
  if (type !== undefined && name === undefined) return invalidInput('The input is not valid: StartRecordType requires StartRecordName');
  if (identifier !== undefined && type === undefined) return invalidInput('The input is not valid: StartRecordIdentifier requires StartRecordType');
  const sets = store.recordSets(state.zone.id);
  const from = name === undefined ? undefined : [reversedKey(normalizeName(name)), type ?? '', identifier ?? ''];
  const start = from === undefined ? 0 : sets.findIndex((set) => compareTuples([reversedKey(set.name), set.type, set.setIdentifier ?? ''], from) >= 0);
  const { items, next } = page(sets, start === -1 ? sets.length : start, max);
  return {
    status: 200,
    xml: document(
      'ListResourceRecordSetsResponse',
      element('ResourceRecordSets', ...items.map(recordSetXml)),
      leaf('IsTruncated', next !== undefined),
      leaf('NextRecordName', next && displayName(next.name)),
      leaf('NextRecordType', next?.type),
      leaf('NextRecordIdentifier', next?.setIdentifier),
      leaf('MaxItems', max),
    ),
  };
}

/** Reads the ChangeResourceRecordSetsRequest body; tolerant of whitespace, order and prefixes. */
export function parseChangeBatch(body: string): RequestedChange[] | ErrorAnswer {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (error) {
    if (error instanceof XmlParseError) return invalidInput(`Invalid XML ; ${error.message}`);
    throw error;
  }
  const batch = child(root, 'ChangeBatch');
  if (root.name !== 'ChangeResourceRecordSetsRequest' || !batch) return invalidInput('Invalid XML ; expected ChangeResourceRecordSetsRequest/ChangeBatch');
  return children(child(batch, 'Changes'), 'Change').map((change) => {
    const set = child(change, 'ResourceRecordSet');
    const ttl = childText(set, 'TTL');
    const requested: RequestedChange = {
      action: childText(change, 'Action')?.trim() ?? '',
      name: childText(set, 'Name')?.trim() ?? '',
      type: childText(set, 'Type')?.trim() ?? '',
      values: children(child(set, 'ResourceRecords'), 'ResourceRecord').map((record) => childText(record, 'Value') ?? ''),
      hasAliasTarget: child(set, 'AliasTarget') !== undefined,
    };
    if (ttl !== undefined) requested.ttl = Number(ttl.trim());
    const identifier = childText(set, 'SetIdentifier');
    if (identifier !== undefined) requested.setIdentifier = identifier;
    return requested;
  });
}

export function changeResourceRecordSets(store: Route53Store, state: ZoneState, changes: RequestedChange[]): Answer {
  const result = applyChangeBatch(state.zone, store.recordSets(state.zone.id), changes);
  if (!result.ok) return result.code === 'InvalidInput' ? invalidInput(result.messages.join(', ')) : invalidChangeBatch(result.messages);
  const change = store.commit(state.zone.id, result.records, result.ops);
  return { status: 200, xml: changeInfoXml('ChangeResourceRecordSetsResponse', change) };
}

export function getChange(store: Route53Store, changeId: string): Answer {
  const change = store.poll(changeId);
  if (!change) return { status: 404, code: 'NoSuchChange', message: `A change with the specified change ID does not exist: ${changeId}` };
  return { status: 200, xml: changeInfoXml('GetChangeResponse', change) };
}
