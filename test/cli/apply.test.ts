/**
 * `certstep apply`: the words (parse), the validation that must say what a deploy says, and what
 * it writes and prints, against DynamoDB and Step Functions stand-ins that record every call.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../cdk/config.js';
import { UsageError } from '../../cli/arguments.js';
import { runApply } from '../../cli/ops/apply.js';
import { parseCommandLine } from '../../cli/program.js';
import { statefulDynamo } from '../support/aws-fakes.js';

const STACK = {
  notificationEmail: 'ops@example.com',
  issuers: [{ preset: 'letsencrypt', dns01: { route53: { hostedZoneId: 'Z0ISSUER' } } }],
  certificates: [
    { name: 'web', dnsNames: ['web.example.com'], issuer: 'letsencrypt' },
    { name: 'shop', dnsNames: ['shop.example.org'], issuer: 'letsencrypt', dns01: { route53: { hostedZoneId: 'Z0SHOP' } } },
  ],
  expiryAlarmDays: { web: 7 },
};
const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:certstep-renewal';

const dynamo = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
let dir: string;
let table: ReturnType<typeof statefulDynamo>;

beforeEach(async () => {
  dynamo.reset();
  sfn.reset();
  table = statefulDynamo(dynamo, 'name');
  let executions = 0;
  sfn.on(StartExecutionCommand).callsFake(async () => ({ executionArn: `${STATE_MACHINE.replace('stateMachine', 'execution')}:run-${++executions}` }));
  dir = await mkdtemp(path.join(tmpdir(), 'certstep-apply-'));
  await writeFile(path.join(dir, 'certstep.config.json'), JSON.stringify(STACK));
});

async function apply(content: unknown, ...flags: string[]) {
  const file = path.join(dir, 'apply.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  const invocation = parseCommandLine(['apply', file, '--aws', '--config', path.join(dir, 'certstep.config.json'), '--catalog-table', 'catalog', ...flags], {
    env: { CERTSTEP_STATE_MACHINE_ARN: STATE_MACHINE },
  });
  if (invocation.kind !== 'apply') throw new Error(`parsed as ${invocation.kind}`);
  let out = '';
  let err = '';
  const code = await runApply(invocation.args, {
    io: { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) },
    env: {},
    clients: { dynamodb: new DynamoDBClient({ region: 'eu-west-1' }), sfn: new SFNClient({ region: 'eu-west-1' }) },
  });
  return { code, out, err, file };
}

const api = { name: 'api', dnsNames: ['api.example.com'], issuer: 'letsencrypt' };
const writes = () => dynamo.commandCalls(PutItemCommand).length + sfn.commandCalls(StartExecutionCommand).length;

describe('certstep apply (parse)', () => {
  it('takes the file, the config and the deployment names from flags or the environment', () => {
    const invocation = parseCommandLine(['apply', 'more.json', '--aws', '--json'], {
      env: { CERTSTEP_CATALOG_TABLE: 'certstep-catalog', CERTSTEP_STATE_MACHINE_ARN: STATE_MACHINE },
    });
    expect(invocation).toEqual({
      kind: 'apply',
      args: { file: 'more.json', configFile: 'certstep.config.json', catalogTable: 'certstep-catalog', stateMachineArn: STATE_MACHINE, json: true },
    });
  });

  it('without --aws is a usage error pointing at local run', () => {
    expect(() => parseCommandLine(['apply', 'more.json'], { env: {} })).toThrow(UsageError);
    expect(() => parseCommandLine(['apply', 'more.json'], { env: {} })).toThrow(
      /needs --aws; locally, run one certificate with `certstep local run <input.json>`/,
    );
  });

  it('with --aws and no table is a usage error naming the flags and the stack output', () => {
    expect(() => parseCommandLine(['apply', 'more.json', '--aws'], { env: {} })).toThrow(/--catalog-table and --state-machine-arn .*CatalogTableName/);
  });

  it('needs exactly one file', () => {
    expect(() => parseCommandLine(['apply', '--aws'], { env: {} })).toThrow('apply needs exactly one file');
  });
});

describe('certstep apply (validation)', () => {
  it('says what a deploy says about a bad DNS name, with the path of the certificate in the file, and writes nothing', async () => {
    // Prepare: the same certificate at the same index in the configuration, as synth would see it.
    const bad = { name: 'api', dnsNames: ['api..example.com'], issuer: 'letsencrypt' };
    const synth = (() => {
      try {
        validateConfig({ ...STACK, certificates: [bad], expiryAlarmDays: {} }, 'SOURCE');
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(synth).toMatch(/^SOURCE: certificates\[0\]\.dnsNames\[0\]/);

    // Act
    const { code, err, file } = await apply({ certificates: [bad] });

    // Assess
    expect(code).toBe(2);
    expect(err).toBe(`certstep: ${synth?.replace('SOURCE', file)}\n`);
    expect(writes()).toBe(0);
  });

  it('writes nothing when one of three certificates is invalid', async () => {
    const { code, err } = await apply([
      api,
      { name: 'blog', dnsNames: ['blog.example.com'], issuer: 'zerossl' },
      { name: 'docs', dnsNames: ['docs.example.com'], issuer: 'letsencrypt' },
    ]);

    expect(code).toBe(2);
    expect(err).toMatch(/apply\.json: certificates\[1\]\.issuer: unknown issuer "zerossl"/);
    expect(writes()).toBe(0);
    expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('refuses a hosted zone the stack does not name, saying to add it to certstep.config.json and deploy', async () => {
    const elsewhere = { name: 'blog', dnsNames: ['blog.example.net'], issuer: 'letsencrypt', dns01: { route53: { hostedZoneId: 'Z0OTHER' } } };

    const { code, err } = await apply([api, elsewhere]);

    expect(code).toBe(2);
    expect(err).toMatch(/certificates\[1\]\.dnsNames\[0\] "blog\.example\.net": its challenge record goes to hosted zone Z0OTHER/);
    expect(err).toMatch(/it names Z0ISSUER, Z0SHOP\): add the zone to certstep\.config\.json and deploy/);
    expect(writes()).toBe(0);
  });

  it('refuses a CNAME target the stack does not name in a zone it does, since IAM would refuse the change', async () => {
    const follow = (target: string) => ({
      name: 'docs',
      dnsNames: ['docs.example.org'],
      issuer: 'letsencrypt',
      dns01: { cnameStrategy: 'Follow', route53: { cnameTargets: { 'docs.example.org': target }, zones: { 'example.org': { hostedZoneId: 'Z0SHOP' } } } },
    });

    const refused = await apply(follow('docs-validation.example.org'));
    const accepted = await apply(follow('_acme-challenge.docs-elsewhere.example.org'));

    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(
      /certificates\[0\]\.dnsNames\[0\] "docs\.example\.org": its challenge record docs-validation\.example\.org is a CNAME target the stack's IAM does not let certstep change in zone Z0SHOP/,
    );
    expect(accepted.code, accepted.err).toBe(0);
  });

  it('accepts a zone only a certificate of the stack names', async () => {
    const { code } = await apply({ name: 'store', dnsNames: ['store.example.org'], issuer: 'letsencrypt', dns01: { route53: { hostedZoneId: 'Z0SHOP' } } });
    expect(code).toBe(0);
  });

  it('refuses a certificate certstep.config.json names, and one whose catalog item the configuration owns', async () => {
    const named = await apply([api, { name: 'web', dnsNames: ['web.example.com', 'www.example.com'], issuer: 'letsencrypt' }]);
    expect(named.code).toBe(2);
    expect(named.err).toContain('certificates[1].name "web": managed by certstep.config.json: edit it there and deploy');

    // An item the last deploy wrote, for a certificate this copy of the configuration no longer has.
    table.items.set('old', { name: { S: 'old' }, input: { S: '{}' }, source: { S: 'config' } });
    const owned = await apply([api, { name: 'old', dnsNames: ['old.example.com'], issuer: 'letsencrypt' }]);
    expect(owned.code).toBe(2);
    expect(owned.err).toContain('certificates[1].name "old": managed by certstep.config.json');
    expect(writes()).toBe(0);
  });

  describe('a reader in another account, which must be able to decrypt', () => {
    const PARTNER_ROLE = 'arn:aws:iam::210987654321:role/partner-task';
    const withReader = (reader: string) => ({ name: 'blog', dnsNames: ['blog.example.com'], issuer: 'letsencrypt', readers: [reader] });
    const stackWith = (fields: Record<string, unknown>) => writeFile(path.join(dir, 'certstep.config.json'), JSON.stringify({ ...STACK, ...fields }));

    it('is refused with the AWS managed key, as synth refuses it in certstep.config.json; one of the stack’s account is not', async () => {
      const refused = await apply(withReader(PARTNER_ROLE));
      const local = await apply(withReader('arn:aws:iam::123456789012:role/blog-task'));

      expect(refused.code).toBe(2);
      expect(refused.err).toBe(
        `certstep: ${refused.file}: certificates[0].readers[0] "${PARTNER_ROLE}" is in account 210987654321, not the stack's (123456789012): the AWS managed key aws/secretsmanager cannot be used from another account. Set "secretsKey": "stack" in certstep.config.json (or kmsKeyArn to a key whose policy lets that account decrypt) and deploy, then apply\n`,
      );
      expect(local.code, local.err).toBe(0);
    });

    it('is refused with the stack’s key unless certstep.config.json names it or its account, which puts it in the key policy', async () => {
      await stackWith({ secretsKey: 'stack' });
      const refused = await apply(withReader(PARTNER_ROLE));
      await stackWith({ secretsKey: 'stack', certificateReaders: { web: ['arn:aws:iam::210987654321:root'] } });
      const named = await apply(withReader(PARTNER_ROLE));

      expect(refused.code).toBe(2);
      expect(refused.err).toContain(
        "the stack's key names in its policy only the readers of certstep.config.json: add it to readers or certificateReaders there and deploy, then apply",
      );
      expect(named.code, named.err).toBe(0);
    });

    it('is left to the key policy of a configured kmsKeyArn', async () => {
      await stackWith({ kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
      const { code, err } = await apply(withReader(PARTNER_ROLE));
      expect(code, err).toBe(0);
    });
  });

  it('names the file when it is not JSON', async () => {
    const { code, err, file } = await apply('{"certificates": [');
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^certstep: ${file}: not valid JSON`));
  });
});

describe('certstep apply (writes)', () => {
  it('creates, then reports unchanged, then changed, starting a run for each new or changed certificate', async () => {
    const first = await apply({ certificates: [api] });
    expect(first.code).toBe(0);
    expect(first.out).toBe(`api: created, execution ${STATE_MACHINE.replace('stateMachine', 'execution')}:run-1\n`);
    const item = table.items.get('api');
    expect(item?.source?.S).toBe('apply');
    expect(JSON.parse(item?.input?.S ?? '')).toEqual({
      certificate: { name: 'api', dnsNames: ['api.example.com'], issuer: 'letsencrypt', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' },
      force: false,
    });

    const again = await apply({ certificates: [api] }, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual({ certificates: [{ name: 'api', outcome: 'unchanged' }] });

    const wider = await apply({ ...api, dnsNames: ['api.example.com', 'api2.example.com'] });
    expect(wider.out).toMatch(/^api: changed, execution .*:run-2\n$/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[1]?.args[0].input.input ?? '').certificate.dnsNames).toEqual([
      'api.example.com',
      'api2.example.com',
    ]);
  });

  it('defers starts past CERTSTEP_MAX_STARTS, putting every item all the same', async () => {
    const file = path.join(dir, 'three.json');
    await writeFile(file, JSON.stringify(['a', 'b', 'c'].map((name) => ({ name, dnsNames: [`${name}.example.com`], issuer: 'letsencrypt' }))));
    let out = '';
    const code = await runApply(
      { file, configFile: path.join(dir, 'certstep.config.json'), catalogTable: 'catalog', stateMachineArn: STATE_MACHINE, json: true },
      {
        io: { out: (text) => (out += text), err: () => undefined },
        env: { CERTSTEP_MAX_STARTS: '1' },
        clients: { dynamodb: new DynamoDBClient({ region: 'eu-west-1' }), sfn: new SFNClient({ region: 'eu-west-1' }) },
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out).certificates.map((one: { deferred?: boolean }) => one.deferred === true)).toEqual([false, true, true]);
    expect((dynamo.commandCalls(PutItemCommand) as { args: [{ input: PutItemCommandInput }] }[]).map((call) => call.args[0].input.Item?.name?.S)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('exits 1 naming what was already applied when AWS fails halfway', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const { code, err } = await apply([api]);
    expect(code).toBe(1);
    expect(err).toMatch(/^certstep: ScheduleRejected: StartExecution for api was refused: User is not authorized.*run apply again once that is fixed\n$/);
  });
});
