/**
 * Signed calls to the services the project has no SDK client for (IAM, SQS, EventBridge): moto
 * checks every call against the caller's IAM policy, so each one must carry a real SigV4
 * signature of the caller's credentials, as the SDK would sign it.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The Checksum SignatureV4 wants, over node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

interface Target {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: Credentials;
}

async function send(target: Target, service: string, headers: Record<string, string>, body: string): Promise<string> {
  const url = new URL(target.endpoint);
  const signer = new SignatureV4({ service, region: target.region, credentials: target.credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, ...headers },
    body,
  });
  const response = await fetch(target.endpoint, { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  if (!response.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? (JSON.parse(text || '{}') as { __type?: string }).__type ?? `HTTP${response.status}`;
    throw new AwsCallError(`${service} ${headers['x-amz-target'] ?? body.slice(0, 60)}: ${text.slice(0, 400)}`, code.split('#').at(-1) as string);
  }
  return text;
}

/** An AWS query-protocol action (IAM); answers the response XML. */
export function queryCall(target: Target, service: string, version: string, action: string, parameters: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ Action: action, Version: version, ...parameters }).toString();
  return send(target, service, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body);
}

/** An AWS JSON-protocol action, e.g. ('events', 'AWSEvents.PutEvents', '1.1'). */
export async function jsonCall<T = Record<string, unknown>>(
  target: Target,
  service: string,
  operation: string,
  jsonVersion: string,
  input: unknown,
): Promise<T> {
  const text = await send(target, service, { 'content-type': `application/x-amz-json-${jsonVersion}`, 'x-amz-target': operation }, JSON.stringify(input));
  return JSON.parse(text || '{}') as T;
}

/** The text of the first `<name>` element of a query-protocol answer. */
export function xmlField(xml: string, name: string): string {
  const value = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no <${name}> in ${xml.slice(0, 300)}`);
  return value;
}
