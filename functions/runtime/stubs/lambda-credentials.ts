/**
 * The bundles alias @aws-sdk/credential-provider-node, the SDK's default credential chain, to
 * this module. In Lambda the runtime puts the role's credentials in the environment, so the
 * rest of the chain (profiles, SSO, web identity, container and instance metadata, login) is
 * never reached; it brought the STS, SSO, SSO-OIDC, sign-in and Cognito clients of
 * @aws-sdk/nested-clients and the credential-provider-* packages into every bundle. Outside a
 * bundle (tests, the CLI) the real chain stays.
 */

/** What the SDK's clients take from a credential provider. */
export interface EnvironmentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Lambda always sets these; a bundle run elsewhere without them should say so, not time out on instance metadata. */
export class LambdaCredentialsMissing extends Error {
  override readonly name = 'LambdaCredentialsMissing' as const;

  constructor(readonly missing: readonly string[]) {
    super(
      `certstep Lambdas take AWS credentials from the environment only, and ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set ` +
        '(the Lambda runtime sets them from the function role; the default credential chain is not bundled)',
    );
  }
}

/** Same name and shape as the SDK's: each client's runtimeConfig calls defaultProvider(init) for its credentials. */
export function defaultProvider(_init?: unknown): () => Promise<EnvironmentCredentials> {
  // Read per call, as the SDK's fromEnv does: the values are the environment's, never cached here.
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    if (!accessKeyId || !secretAccessKey) {
      throw new LambdaCredentialsMissing([...(accessKeyId ? [] : ['AWS_ACCESS_KEY_ID']), ...(secretAccessKey ? [] : ['AWS_SECRET_ACCESS_KEY'])]);
    }
    return { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) };
  };
}
