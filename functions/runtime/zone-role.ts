/**
 * Credentials of a zone account's role, for the Route 53 client of a cross-account zone.
 *
 * @aws-sdk/credential-providers' fromTemporaryCredentials did this before; it brings its own
 * STS client from @aws-sdk/nested-clients, with a second copy of @smithy/core, and the node
 * credential chain as a fallback: ~95 KiB minified in every Route 53 function. @aws-sdk/client-sts
 * shares the clients' @smithy/core, and only AssumeRole is used. Caching and refresh before
 * expiry stay with the SDK: a client memoizes a credentials function it is given and calls it
 * again when the expiration returned is near. The STS client is traced like every other client
 * (fromTemporaryCredentials' was not), so an AssumeRole shows as a subsegment.
 *
 * The STS client is imported at the first AssumeRole, not at init: a Lambda bundle keeps it in a
 * chunk of its own (scripts/lambda-bundle.mjs), so the cold starts of the many deployments
 * without a cross-account zone do not read it (~25 KiB with the query protocol it alone uses).
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { onFirstUse } from './on-first-use.js';
import { traced } from './tracing.js';

/** Same region as the STS client fromTemporaryCredentials built beside a us-east-1 Route 53 client. */
const STS_REGION = 'us-east-1';

export interface ZoneRoleOptions {
  readonly params: { readonly RoleArn: string; readonly RoleSessionName: string; readonly ExternalId?: string };
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** STS answered AssumeRole without credentials; the Route 53 call cannot be signed. */
export class ZoneRoleCredentialsMissing extends Error {
  override readonly name = 'ZoneRoleCredentialsMissing' as const;

  constructor(readonly roleArn: string) {
    super(`STS AssumeRole of ${roleArn} answered without credentials`);
  }
}

const containerSts = onFirstUse(() => import('@aws-sdk/client-sts').then(({ STSClient }) => traced(new STSClient({ region: STS_REGION }))));

/** The options' shape is fromTemporaryCredentials', so the call site and its tests read the same. */
export function fromZoneRole(options: ZoneRoleOptions, sts: () => STSClient | Promise<STSClient> = containerSts) {
  return async (): Promise<TemporaryCredentials> => {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const { Credentials: credentials } = await (await sts()).send(new AssumeRoleCommand({ ...options.params }));
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new ZoneRoleCredentialsMissing(options.params.RoleArn);
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken && { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration && { expiration: credentials.Expiration }),
    };
  };
}
