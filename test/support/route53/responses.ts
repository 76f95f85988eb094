/**
 * Response bodies in the shapes the SDK's restXml deserializer reads (HostedZone,
 * ResourceRecordSet, ChangeInfo and the ErrorResponse envelope Route 53 uses for every
 * error, InvalidChangeBatch included).
 */
import { displayName } from './names.js';
import type { ChangeState, TestRecordSet, ZoneState } from './store.js';
import { document, element, leaf } from './xml.js';

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

export function hostedZoneXml(state: ZoneState): string {
  return element(
    'HostedZone',
    leaf('Id', `/hostedzone/${state.zone.id}`),
    leaf('Name', displayName(state.zone.name)),
    leaf('CallerReference', state.callerReference),
    element('Config', leaf('PrivateZone', state.zone.private)),
    leaf('ResourceRecordSetCount', state.records.size),
  );
}

export function hostedZonesXml(states: ZoneState[]): string {
  return element('HostedZones', ...states.map(hostedZoneXml));
}

/** Public zones carry their delegation set; private ones list their VPC instead, as in AWS. */
export function getHostedZoneXml(state: ZoneState): string {
  const location = state.zone.private
    ? element('VPCs', element('VPC', leaf('VPCRegion', 'us-east-1'), leaf('VPCId', `vpc-${state.zone.id.toLowerCase()}`)))
    : element('DelegationSet', element('NameServers', ...state.zone.nameServers.map((server) => leaf('NameServer', server))));
  return document('GetHostedZoneResponse', hostedZoneXml(state), location);
}

export function recordSetXml(set: TestRecordSet): string {
  return element(
    'ResourceRecordSet',
    leaf('Name', displayName(set.name)),
    leaf('Type', set.type),
    leaf('SetIdentifier', set.setIdentifier),
    leaf('TTL', set.ttl),
    element('ResourceRecords', ...set.values.map((value) => element('ResourceRecord', leaf('Value', value)))),
  );
}

export function changeInfoXml(rootName: string, change: ChangeState): string {
  return document(
    rootName,
    element(
      'ChangeInfo',
      leaf('Id', `/change/${change.id}`),
      leaf('Status', change.insync ? 'INSYNC' : 'PENDING'),
      leaf('SubmittedAt', change.submittedAt.toISOString()),
    ),
  );
}

/**
 * Route 53 sends InvalidChangeBatch in the standard envelope with every message joined into
 * one bracketed Message ("[first, second]"); the old <InvalidChangeBatch><Messages> body is
 * gone, so the SDK's `messages` member stays empty against the real service too.
 */
export function errorXml(answer: ErrorAnswer, requestId: string): string {
  return document(
    'ErrorResponse',
    element('Error', leaf('Type', answer.status >= 500 ? 'Receiver' : 'Sender'), leaf('Code', answer.code), leaf('Message', answer.message)),
    leaf('RequestId', requestId),
  );
}

export function invalidChangeBatch(messages: string[]): ErrorAnswer {
  return { status: 400, code: 'InvalidChangeBatch', message: `[${messages.join(', ')}]` };
}

export function invalidInput(message: string): ErrorAnswer {
  return { status: 400, code: 'InvalidInput', message };
}
