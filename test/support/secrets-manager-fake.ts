/**
 * Secrets Manager's versioning rules, kept in memory behind aws-sdk-client-mock, so the real
 * store adapter runs against them: versions by ClientRequestToken (same token and value is
 * idempotent, same token with another value is refused), staging labels that move
 * (AWSCURRENT's old holder becomes AWSPREVIOUS), secrets the stack created with `{}`, and
 * secrets made at run time (CreateSecret, with tags and a KMS key, and their resource policy).
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  type Tag,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

interface Version {
  readonly value: string;
  readonly stages: Set<string>;
}

export interface SecretsManagerFake {
  readonly client: SecretsManagerClient;
  readonly mock: AwsClientStub<SecretsManagerClient>;
  /** Version id → staging labels, as DescribeSecret would show. */
  stages(secretId: string): Record<string, string[]>;
  valueAt(secretId: string, stage: string): string | undefined;
}

const notFound = (message: string) => new ResourceNotFoundException({ message, Message: message, $metadata: { httpStatusCode: 400 } });

interface About {
  tags?: Tag[];
  kmsKeyId?: string;
  policy?: string;
}

export function fakeSecretsManager(secretIds: readonly string[]): SecretsManagerFake {
  const secrets = new Map<string, Map<string, Version>>();
  const about = new Map<string, About>();
  for (const id of secretIds) {
    secrets.set(id, new Map([['placeholder-version', { value: '{}', stages: new Set(['AWSCURRENT']) }]]));
    about.set(id, {});
  }
  const secret = (id: string | undefined) => {
    const versions = secrets.get(id ?? '');
    if (!versions) throw notFound("Secrets Manager can't find the specified secret.");
    return versions;
  };
  const withStage = (versions: Map<string, Version>, stage: string) => [...versions].find(([, version]) => version.stages.has(stage));

  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  const mock = mockClient(client);
  mock.on(GetSecretValueCommand).callsFake((input: { SecretId?: string; VersionId?: string; VersionStage?: string }) => {
    const versions = secret(input.SecretId);
    const found = input.VersionId ? ([input.VersionId, versions.get(input.VersionId)] as const) : withStage(versions, input.VersionStage ?? 'AWSCURRENT');
    if (!found?.[1]) throw notFound("Secrets Manager can't find the specified secret value for the version or staging label.");
    return { Name: input.SecretId, VersionId: found[0], SecretString: found[1].value, VersionStages: [...found[1].stages] };
  });
  mock.on(DescribeSecretCommand).callsFake((input: { SecretId?: string }) => ({
    Name: input.SecretId,
    VersionIdsToStages: Object.fromEntries([...secret(input.SecretId)].map(([id, version]) => [id, [...version.stages]])),
    ...(about.get(input.SecretId ?? '')?.tags && { Tags: about.get(input.SecretId ?? '')?.tags }),
    ...(about.get(input.SecretId ?? '')?.kmsKeyId && { KmsKeyId: about.get(input.SecretId ?? '')?.kmsKeyId }),
  }));
  mock.on(CreateSecretCommand).callsFake((input: { Name?: string; SecretString?: string; Tags?: Tag[]; KmsKeyId?: string }) => {
    const id = input.Name ?? '';
    if (secrets.has(id)) {
      const message = `The operation failed because the secret ${id} already exists.`;
      throw new ResourceExistsException({ message, Message: message, $metadata: { httpStatusCode: 400 } });
    }
    const versions = new Map<string, Version>();
    if (input.SecretString !== undefined) versions.set('initial-version', { value: input.SecretString, stages: new Set(['AWSCURRENT']) });
    secrets.set(id, versions);
    about.set(id, { ...(input.Tags && { tags: input.Tags }), ...(input.KmsKeyId && { kmsKeyId: input.KmsKeyId }) });
    return { Name: id };
  });
  mock.on(PutResourcePolicyCommand).callsFake((input: { SecretId?: string; ResourcePolicy?: string }) => {
    secret(input.SecretId);
    const entry = about.get(input.SecretId ?? '') ?? {};
    entry.policy = input.ResourcePolicy;
    about.set(input.SecretId ?? '', entry);
    return { Name: input.SecretId };
  });
  mock.on(GetResourcePolicyCommand).callsFake((input: { SecretId?: string }) => {
    secret(input.SecretId);
    const policy = about.get(input.SecretId ?? '')?.policy;
    return { Name: input.SecretId, ...(policy && { ResourcePolicy: policy }) };
  });
  mock.on(PutSecretValueCommand).callsFake((input: { SecretId?: string; ClientRequestToken?: string; SecretString?: string; VersionStages?: string[] }) => {
    const versions = secret(input.SecretId);
    const token = input.ClientRequestToken ?? `v-${versions.size}`;
    const existing = versions.get(token);
    if (existing) {
      if (existing.value !== input.SecretString) {
        const message = "You can't modify an existing version, you can only create a new version.";
        throw new ResourceExistsException({ message, Message: message, $metadata: { httpStatusCode: 400 } });
      }
      return { VersionId: token, VersionStages: [...existing.stages] };
    }
    // As Secrets Manager does: a secret's first version is AWSCURRENT whatever it is put with.
    const asked = input.VersionStages ?? ['AWSCURRENT'];
    const stages = versions.size === 0 && !asked.includes('AWSCURRENT') ? [...asked, 'AWSCURRENT'] : asked;
    for (const stage of stages) {
      for (const [, version] of versions) {
        if (!version.stages.delete(stage) || stage !== 'AWSCURRENT') continue;
        for (const [, other] of versions) other.stages.delete('AWSPREVIOUS');
        version.stages.add('AWSPREVIOUS');
      }
    }
    versions.set(token, { value: input.SecretString ?? '', stages: new Set(stages) });
    return { VersionId: token, VersionStages: stages };
  });
  mock.on(UpdateSecretVersionStageCommand).callsFake((input: { SecretId?: string; VersionStage?: string; RemoveFromVersionId?: string }) => {
    const version = secret(input.SecretId).get(input.RemoveFromVersionId ?? '');
    if (!version?.stages.has(input.VersionStage ?? '')) {
      const message = `The staging label ${input.VersionStage} is not attached to version ${input.RemoveFromVersionId}.`;
      throw new InvalidParameterException({ message, Message: message, $metadata: { httpStatusCode: 400 } });
    }
    version.stages.delete(input.VersionStage ?? '');
    return {};
  });

  return {
    client,
    mock,
    stages: (id) => Object.fromEntries([...secret(id)].map(([versionId, version]) => [versionId, [...version.stages]])),
    valueAt: (id, stage) => withStage(secret(id), stage)?.[1].value,
  };
}
