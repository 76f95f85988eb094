/**
 * A local stand-in for Route 53: its REST/XML API (2013-04-01) over HTTP for the real
 * @aws-sdk/client-route-53, plus an authoritative name server for the zones so an ACME CA
 * (Pebble) can validate the DNS-01 records written through the API. Only the calls certstep
 * makes are implemented, but those enforce Route 53's change-batch rules.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Answer,
  type Route,
  changeResourceRecordSets,
  getChange,
  getHostedZone,
  listHostedZones,
  listHostedZonesByName,
  listResourceRecordSets,
  noSuchHostedZone,
  parseChangeBatch,
  route,
} from './api.js';
import { type RunningDns, startDnsServer } from './dns.js';
import { type ErrorAnswer, errorXml } from './responses.js';
import type { RequestedChange } from './rules.js';
import { Route53Store, type TestRecordSet, type TestZone } from './store.js';

export type { TestRecordSet, TestZone } from './store.js';

export type Route53Fault = 'Throttling' | 'PriorRequestNotComplete' | 'AccessDenied' | 'InternalFailure' | 'InvalidChangeBatch';

export interface RecordedChange {
  action: string;
  /** As the client sent it (case and trailing dot untouched), to check what callers send. */
  name: string;
  type: string;
  values: string[];
  ttl: number;
  setIdentifier?: string;
}

export interface RecordedCall {
  action: string;
  zoneId?: string;
  changes?: RecordedChange[];
  status: number;
}

export interface Route53TestServer {
  /** 'http://127.0.0.1:<port>', for the Route53Client's `endpoint`. */
  readonly endpoint: string;
  /** Authoritative DNS for all public zones (UDP, and TCP on the same port). */
  readonly dns: { host: string; port: number };
  /**
   * nameServers default to [`ns1.${id}.route53.test`, `ns2.${id}.route53.test`]. `delegated: false`
   * keeps the zone out of `dns` (its parent never delegated to it; see zoneServer).
   */
  addZone(name: string, options?: { private?: boolean; id?: string; nameServers?: string[]; delegated?: boolean }): TestZone;
  /**
   * A name server for this zone alone, as the zone's own Route 53 name servers answer for it
   * even when nobody delegated to it (a duplicate or undelegated zone); stopped with the server.
   */
  zoneServer(zoneId: string): Promise<{ host: string; port: number }>;
  /** The API view, in ListResourceRecordSets order. */
  recordSets(zoneId: string): TestRecordSet[];
  /** Puts (or replaces) a set without any checks, published in DNS at once. */
  seed(zoneId: string, recordSet: TestRecordSet): void;
  /** The next calls of `action` (the SDK command name without 'Command') fail with these faults, one per call, in order. */
  injectFaults(action: string, faults: Route53Fault[]): void;
  /** GetChange answers PENDING this many times for each change submitted afterwards; DNS shows a change once INSYNC. */
  setPendingPolls(count: number): void;
  /** Every request received, in order. */
  readonly calls: ReadonlyArray<RecordedCall>;
  stop(): Promise<void>;
}

const ACTIONS = ['ListHostedZones', 'ListHostedZonesByName', 'GetHostedZone', 'ListResourceRecordSets', 'ChangeResourceRecordSets', 'GetChange'];

function faultAnswer(fault: Route53Fault, target: Route): ErrorAnswer {
  switch (fault) {
    case 'Throttling':
      return { status: 400, code: 'Throttling', message: 'Rate exceeded' };
    case 'PriorRequestNotComplete':
      return { status: 400, code: 'PriorRequestNotComplete', message: 'The request was rejected because Route 53 was still processing a prior request.' };
    case 'AccessDenied': {
      const resource = target.zoneId ? `hostedzone/${target.zoneId}` : target.changeId ? `change/${target.changeId}` : '*';
      const message = `User: arn:aws:sts::123456789012:assumed-role/test is not authorized to perform: route53:${target.action} on resource: arn:aws:route53:::${resource}`;
      return { status: 403, code: 'AccessDenied', message };
    }
    case 'InternalFailure':
      return { status: 500, code: 'InternalFailure', message: 'An internal error occurred. Try again.' };
    case 'InvalidChangeBatch':
      return { status: 400, code: 'InvalidChangeBatch', message: 'injected' };
  }
}

function recorded(changes: RequestedChange[]): RecordedChange[] {
  return changes.map((change) => {
    const entry: RecordedChange = { action: change.action, name: change.name, type: change.type, values: [...change.values], ttl: change.ttl ?? 0 };
    if (change.setIdentifier !== undefined) entry.setIdentifier = change.setIdentifier;
    return entry;
  });
}

export async function startRoute53TestServer(): Promise<Route53TestServer> {
  const store = new Route53Store();
  const faults = new Map<string, Route53Fault[]>();
  const calls: RecordedCall[] = [];

  const dispatch = (target: Route, query: URLSearchParams, changes: RequestedChange[] | undefined): Answer => {
    if (target.action === 'ListHostedZones') return listHostedZones(store, query);
    if (target.action === 'ListHostedZonesByName') return listHostedZonesByName(store, query);
    if (target.action === 'GetChange') return getChange(store, target.changeId ?? '');
    const zone = store.zone(target.zoneId ?? '');
    if (!zone) return noSuchHostedZone(target.zoneId ?? '');
    if (target.action === 'GetHostedZone') return getHostedZone(zone);
    if (target.action === 'ListResourceRecordSets') return listResourceRecordSets(store, zone, query);
    return changeResourceRecordSets(store, zone, changes ?? []);
  };

  const handle = (request: IncomingMessage, body: string, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://route53.test');
    const target = route(request.method ?? 'GET', url.pathname);
    const call: RecordedCall = { action: target?.action ?? `Unknown ${request.method} ${url.pathname}`, status: 0 };
    if (target?.zoneId !== undefined) call.zoneId = target.zoneId;

    let answer: Answer;
    if (!target) {
      answer = { status: 404, code: 'UnknownOperation', message: `The test server does not implement ${request.method} ${url.pathname}` };
    } else if (!request.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      // Signatures are not verified, but an unsigned request would fail against AWS too.
      answer = { status: 403, code: 'MissingAuthenticationToken', message: 'Missing Authentication Token' };
    } else {
      const parsed = target.action === 'ChangeResourceRecordSets' ? parseChangeBatch(body) : undefined;
      if (Array.isArray(parsed)) call.changes = recorded(parsed);
      const injected = faults.get(target.action)?.shift();
      if (injected) answer = faultAnswer(injected, target);
      else if (parsed && !Array.isArray(parsed)) answer = parsed;
      else answer = dispatch(target, url.searchParams, parsed);
    }
    call.status = answer.status;
    calls.push(call);
    const requestId = randomUUID();
    const xml = 'xml' in answer ? answer.xml : errorXml(answer, requestId);
    response.writeHead(answer.status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
    response.end(xml);
  };

  const http = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        handle(request, Buffer.concat(chunks).toString('utf8'), response);
      } catch (error) {
        response.writeHead(500, { 'Content-Type': 'text/xml' });
        response.end(errorXml({ status: 500, code: 'InternalFailure', message: String(error) }, randomUUID()));
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const dns = await startDnsServer(() => store.publicZones());
  const zoneServers: RunningDns[] = [];

  return {
    endpoint: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    dns: { host: dns.host, port: dns.port },
    addZone: (name, options) => store.addZone(name, options),
    zoneServer: async (zoneId) => {
      const running = await startDnsServer(() => store.ownZone(zoneId));
      zoneServers.push(running);
      return { host: running.host, port: running.port };
    },
    recordSets: (zoneId) => store.recordSets(zoneId),
    seed: (zoneId, recordSet) => store.seed(zoneId, recordSet),
    injectFaults: (action, list) => {
      // A misspelt action would otherwise never fire and the test would pass for the wrong reason.
      if (!ACTIONS.includes(action)) throw new Error(`unknown Route 53 action '${action}'; expected one of ${ACTIONS.join(', ')}`);
      faults.set(action, [...(faults.get(action) ?? []), ...list]);
    },
    setPendingPolls: (count) => {
      if (!Number.isInteger(count) || count < 0) throw new Error(`pending polls must be a non-negative integer, got ${count}`);
      store.pendingPolls = count;
    },
    calls,
    stop: async () => {
      http.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), dns.stop(), ...zoneServers.map((running) => running.stop())]);
    },
  };
}
