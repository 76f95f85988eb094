/**
 * The configuration file: what it accepts, the defaults it fills in, and that every mistake
 * fails synth with the path of the field at fault. No bundling here: validation runs first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { type CertstepConfigInput, loadConfig, validateConfig } from '../../cdk/config.js';
import { PROJECT_ROOT, assertSubstitutionsSupplied, kebabCase, readStateMachineDefinition } from '../../cdk/definition.js';
import { challengeTargets, planDns } from '../../cdk/dns-plan.js';
import { CertstepStack } from '../../cdk/stack.js';
import { configErrorOf as errorOf, testConfig } from './support.js';

/** testConfig() with one certificate replaced or changed. */
function withCertificate(index: number, change: Record<string, unknown>): CertstepConfigInput {
  const config = testConfig();
  const certificates = config.certificates.map((certificate, at) => (at === index ? { ...certificate, ...change } : certificate));
  return { ...config, certificates } as CertstepConfigInput;
}

describe('validateConfig', () => {
  it('fills in the defaults and normalises certificates as the state machine would', () => {
    // Prepare
    const input = withCertificate(0, { dnsNames: ['Example.COM.', '*.example.com'] });

    // Act
    const config = validateConfig(input);

    // Assess
    expect(config).toMatchObject({
      stackName: 'Certstep',
      resourcePrefix: 'certstep',
      alarmDaysBeforeExpiry: 14,
      logRetentionDays: 90,
      dailyCheckSchedule: 'cron(0 4 * * ? *)',
      traceAwsCalls: false,
    });
    expect(config.issuers[0]).toEqual({ name: 'letsencrypt', directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', email: 'hostmaster@example.com' });
    expect(config.certificates[0]).toMatchObject({ dnsNames: ['example.com', '*.example.com'], keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' });
  });

  it('lets a short-lived certificate have its own expiry alarm threshold', () => {
    const config = validateConfig({ ...withCertificate(0, { renewBefore: 'P2D', profile: 'shortlived' }), expiryAlarmDays: { web: 1.5 } });
    expect(Object.fromEntries(config.expiryAlarmDays)).toEqual({ web: 1.5, api: 14 });
    expect(config.certificates[0]?.profile).toBe('shortlived');
  });

  it('gives a certificate named like an Object method the default alarm threshold', () => {
    const config = validateConfig(withCertificate(0, { name: 'constructor' }));
    expect(Object.fromEntries(config.expiryAlarmDays)).toEqual({ constructor: 14, api: 14 });
  });

  it('accepts the example certstep.config.json at the repository root', () => {
    const config = loadConfig(join(PROJECT_ROOT, 'certstep.config.json'));
    expect(config.certificates.length).toBeGreaterThan(0);
  });

  it('turns an issuer with EAB into the CERTSTEP_ISSUERS form', () => {
    const config = validateConfig({
      ...testConfig(),
      issuers: [
        ...testConfig().issuers,
        {
          name: 'zerossl',
          directoryUrl: 'https://acme.zerossl.com/v2/DV90',
          email: 'pki@example.com',
          eab: { keyId: 'kid', hmacKeySecretName: 'certstep/eab/zerossl' },
        },
      ],
    });
    expect(config.issuers[2]).toEqual({
      name: 'zerossl',
      directoryUrl: 'https://acme.zerossl.com/v2/DV90',
      email: 'pki@example.com',
      eabKeyId: 'kid',
      eabHmacSecretId: 'certstep/eab/zerossl',
    });
  });

  it.each([
    [
      'a wildcard that is not the whole leftmost label',
      withCertificate(1, { dnsNames: ['*.*.x.com'] }),
      'certificates[1].dnsNames[0] "*.*.x.com": a wildcard must be the whole leftmost label',
    ],
    ['a certificate name used twice', withCertificate(1, { name: 'web' }), 'certificates[1].name: "web" is already the name of certificates[0]'],
    [
      'an unknown issuer',
      withCertificate(0, { issuer: 'letsencrypt-prod' }),
      'certificates[0].issuer: unknown issuer "letsencrypt-prod"; known issuers: letsencrypt, letsencrypt-staging',
    ],
    ['an unknown certificate field', withCertificate(0, { renewbefore: 'P30D' }), 'certificates[0].renewbefore: unknown field'],
    ['a bad key algorithm', withCertificate(0, { keyAlgorithm: 'rsa-1024' }), 'certificates[0].keyAlgorithm: must be one of'],
    [
      'a name without a hosted zone id',
      withCertificate(1, { dnsNames: ['api.example.net', 'www.other.org'] }),
      'certificates[1].dnsNames[1] "www.other.org": no hosted zone id',
    ],
    [
      'CNAME following without the CNAME targets',
      withCertificate(0, { dns01: { cnameStrategy: 'Follow', route53: { hostedZoneId: 'Z1' } } }),
      'certificates[0].dnsNames[0] "example.com": cnameStrategy "Follow" needs the name that _acme-challenge.example.com is a CNAME to',
    ],
    [
      'a malformed zone id',
      withCertificate(0, { dns01: { route53: { hostedZoneId: 'z-1' } } }),
      'certificates[0].dns01.route53.hostedZoneId: must be a Route 53 hosted zone id',
    ],
    [
      'CloudFront without us-east-1',
      withCertificate(1, { acm: { regions: ['eu-west-1'], cloudFront: true } }),
      'certificates[1].acm.regions: must include us-east-1',
    ],
    ['certificates that are not a list', { ...testConfig(), certificates: { web: {} } }, 'certificates: must be an array (it may be empty)'],
    ['a typo at the top level', { ...testConfig(), notificationEmails: 'x@example.com' }, 'notificationEmails: unknown field'],
    ['no notification address', { ...testConfig(), notificationEmail: undefined }, 'notificationEmail: required'],
    ['an unknown preset', { ...testConfig(), issuers: [{ preset: 'letsencrypt-test' }] }, 'issuers[0].preset: must be one of letsencrypt, letsencrypt-staging'],
    [
      'a preset and a directory URL',
      { ...testConfig(), issuers: [{ preset: 'letsencrypt', directoryUrl: 'https://x.example/dir' }] },
      'issuers[0]: give either preset or directoryUrl, not both',
    ],
    [
      'an http directory URL',
      { ...testConfig(), issuers: [{ name: 'ca', directoryUrl: 'http://ca.example/dir' }] },
      'issuers[0].directoryUrl: must be an https:// ACME directory URL',
    ],
    [
      'an issuer name used twice',
      { ...testConfig(), issuers: [{ preset: 'letsencrypt' }, { name: 'letsencrypt', directoryUrl: 'https://x.example/dir' }] },
      'issuers[1].name: "letsencrypt" is already the name of issuers[0]',
    ],
    ['EAB without its secret', { ...testConfig(), issuers: [{ preset: 'letsencrypt', eab: { keyId: 'kid' } }] }, 'issuers[0].eab.hmacKeySecretName: required'],
    [
      'a bad issuer-level zone id',
      { ...testConfig(), issuers: [{ preset: 'letsencrypt', dns01: { route53: { hostedZoneId: 'nope' } } }, { preset: 'letsencrypt-staging' }] },
      'issuers[0].dns01.route53.hostedZoneId: must be a Route 53 hosted zone id',
    ],
    ['a KMS alias instead of a key ARN', { ...testConfig(), kmsKeyArn: 'alias/certstep' }, 'kmsKeyArn: must be a KMS key ARN'],
    ['a retention CloudWatch does not offer', { ...testConfig(), logRetentionDays: 100 }, 'logRetentionDays: CloudWatch Logs accepts only'],
    ['tracing asked for as a string', { ...testConfig(), traceAwsCalls: 'yes' }, 'traceAwsCalls: must be true or false (got "yes")'],
    [
      'an expiry alarm that would fire before renewal',
      { ...testConfig(), alarmDaysBeforeExpiry: 30 },
      'alarmDaysBeforeExpiry: 30 days is not below certificates[0].renewBefore P30D',
    ],
    ['an alarm override for no certificate', { ...testConfig(), expiryAlarmDays: { www: 2 } }, 'expiryAlarmDays["www"]: names no certificate'],
    [
      'an alarm override above renewBefore',
      { ...withCertificate(0, { renewBefore: 'P3D' }), expiryAlarmDays: { web: 5 } },
      'expiryAlarmDays["web"]: 5 days is not below certificates[0].renewBefore P3D',
    ],
  ])('refuses %s, naming the field', (_case, input, message) => {
    // Act
    const error = errorOf(() => validateConfig(input, 'certstep.config.json'));

    // Assess
    expect(error).toContain(`certstep.config.json: ${message}`);
  });

  it.each([
    ['empty', []],
    ['absent', undefined],
    // The old limit was 100; the template no longer grows with certificates (test/cdk/scale.test.ts).
    [
      'far over the old limit of 100',
      Array.from({ length: 150 }, (_, i) => ({
        name: `c${i}`,
        dnsNames: [`c${i}.example.com`],
        issuer: 'letsencrypt',
        dns01: { route53: { hostedZoneId: 'Z1' } },
      })),
    ],
  ])('accepts a certificates list that is %s', (_case, certificates) => {
    // Prepare
    const { certificates: _, ...rest } = testConfig();

    // Act
    const config = validateConfig({ ...rest, ...(certificates && { certificates }) });

    // Assess
    expect(config.certificates).toHaveLength(certificates?.length ?? 0);
    expect(config.expiryAlarmDays.size).toBe(certificates?.length ?? 0);
  });

  it('says why a hosted zone id is needed at synth time', () => {
    const error = errorOf(() => validateConfig(withCertificate(0, { dns01: undefined })));
    expect(error).toContain('set certificates[0].dns01.route53.hostedZoneId or certificates[0].dns01.route53.zones["example.com"].hostedZoneId');
    expect(error).toContain('Least-privilege IAM');
    expect(error).toContain('at synth time');
  });

  it('takes a zone id from the issuer when the certificate gives none', () => {
    const input = {
      ...withCertificate(0, { dns01: undefined }),
      issuers: [{ preset: 'letsencrypt' as const, dns01: { route53: { hostedZoneId: 'Z9' } } }, { preset: 'letsencrypt-staging' as const }],
    };
    const config = validateConfig(input);
    expect([...planDns(config.issuers, config.certificates).directZones.keys()]).toEqual(['Z2', 'Z9']);
  });
});

const ROLE = 'arn:aws:iam::123456789012:role/web-task';
const OPS = 'arn:aws:iam::123456789012:role/platform/ops';

describe('readers and the secrets key', () => {
  it('gives each certificate the stack-wide readers, then its own, each once', () => {
    // Act
    const config = validateConfig({
      ...testConfig(),
      readers: [OPS],
      certificateReaders: { web: [ROLE, OPS, 'arn:aws:iam::210987654321:root'] },
    });

    // Assess
    expect(Object.fromEntries(config.readers)).toEqual({ web: [OPS, ROLE, 'arn:aws:iam::210987654321:root'], api: [OPS] });
    expect(config.secretsKey).toBeUndefined();
  });

  it('has no readers and the AWS managed key by default', () => {
    const config = validateConfig(testConfig());
    expect(Object.fromEntries(config.readers)).toEqual({ web: [], api: [] });
    expect(config.secretsKey).toBeUndefined();
    expect(validateConfig({ ...testConfig(), secretsKey: 'aws-managed' }).secretsKey).toBeUndefined();
    expect(validateConfig({ ...testConfig(), secretsKey: 'stack' }).secretsKey).toBe('stack');
  });

  it('has no account admins by default, and each one once', () => {
    expect(validateConfig(testConfig()).accountAdmins).toEqual([]);
    expect(validateConfig({ ...testConfig(), accountAdmins: [OPS, OPS, ROLE] }).accountAdmins).toEqual([OPS, ROLE]);
  });

  it('accepts users, roles with a path and account roots in any partition', () => {
    const readers = ['arn:aws:iam::123456789012:user/alice', 'arn:aws-us-gov:iam::123456789012:role/a/b/c', 'arn:aws:iam::123456789012:root'];
    expect(Object.fromEntries(validateConfig({ ...testConfig(), readers }).readers).web).toEqual(readers);
  });

  it.each([
    [
      'a session instead of its role',
      { readers: ['arn:aws:sts::123456789012:assumed-role/web-task/i-0abc'] },
      'readers[0]: must be the ARN of the IAM role, not of one of its sessions (got "arn:aws:sts::123456789012:assumed-role/web-task/i-0abc")',
    ],
    [
      'a wildcard',
      { certificateReaders: { web: ['arn:aws:iam::123456789012:role/web-*'] } },
      "certificateReaders.web[0]: must name one principal: a resource policy's Principal takes no wildcards",
    ],
    ['a role name without an ARN', { readers: ['web-task'] }, 'readers[0]: must be an IAM principal ARN: a role (arn:aws:iam::123456789012:role/web-task)'],
    ['a group, which no policy can name', { readers: ['arn:aws:iam::123456789012:group/ops'] }, 'readers[0]: must be an IAM principal ARN'],
    ['a string instead of a list', { readers: ROLE }, 'readers: must be an array of IAM principal ARNs'],
    ['readers for no certificate', { certificateReaders: { www: [ROLE] } }, 'certificateReaders.www: names no certificate'],
    [
      'more readers than the policies can name',
      { readers: Array.from({ length: 101 }, (_, index) => `arn:aws:iam::123456789012:role/r${index}`) },
      'readers: with certificateReaders, 101 distinct principals, over 100',
    ],
    [
      'both a key ARN and a stack key',
      { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', secretsKey: 'stack' },
      'secretsKey: kmsKeyArn already names the secrets\' key: drop secretsKey to use your key, or drop kmsKeyArn to use secretsKey "stack"',
    ],
    [
      'a key ARN with the AWS managed key',
      { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', secretsKey: 'aws-managed' },
      "secretsKey: kmsKeyArn already names the secrets' key",
    ],
    ['an unknown key choice', { secretsKey: 'customer' }, 'secretsKey: must be "stack" (a key the stack creates) or "aws-managed"'],
    [
      'an account admin given as a session',
      { accountAdmins: ['arn:aws:sts::123456789012:assumed-role/admin/alice'] },
      'accountAdmins[0]: must be the ARN of the IAM role, not of one of its sessions',
    ],
  ])('refuses %s, naming the field', (_case, fields, message) => {
    const error = errorOf(() => validateConfig({ ...testConfig(), ...fields } as CertstepConfigInput, 'certstep.config.json'));
    expect(error).toContain(`certstep.config.json: ${message}`);
  });
});

describe('synth with a bad configuration', () => {
  it('fails while constructing the stack, before anything is bundled', () => {
    const error = errorOf(
      () => new CertstepStack(new App(), 'Bad', { config: withCertificate(1, { dnsNames: ['*.*.x.com'] }), configSource: 'certstep.config.json' }),
    );
    expect(error).toBe('certstep.config.json: certificates[1].dnsNames[0] "*.*.x.com": a wildcard must be the whole leftmost label');
  });

  it('makes the CDK app exit 1 with the message and no stack trace', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'certstep-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(withCertificate(0, { name: 'Web' })));

    // Act
    const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['cdk/app.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ 'certstep:config': file }), CDK_OUTDIR: dir },
      encoding: 'utf8',
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('certificates[0].name: must be 1-63 lowercase letters');
    expect(run.stderr).not.toContain('    at ');
  });
});

describe('state machine functions', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL substitution placeholder, written literally on purpose
  it('maps ${XFunctionArn} to functions/handlers/<kebab-case>.ts', () => {
    expect(kebabCase('ImportToAcm')).toBe('import-to-acm');
    expect(kebabCase('CheckRenewal')).toBe('check-renewal');
    const entries = readStateMachineDefinition().functions.map((fn) => fn.entry.slice(PROJECT_ROOT.length));
    expect(entries).toContain('functions/handlers/import-to-acm.ts');
  });

  it('fails synth with a clear message when a handler file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certstep-asl-'));
    const path = join(dir, 'renewal.asl.json');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL substitution placeholder, written literally on purpose
    writeFileSync(path, JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: '${RotateKeysFunctionArn}', End: true } } }));
    expect(() => readStateMachineDefinition(path)).toThrow(/functions\/handlers\/rotate-keys\.ts does not exist/);
  });

  it('refuses substitutions that are not Lambda ARNs, and checks every one is supplied', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certstep-asl-'));
    const path = join(dir, 'renewal.asl.json');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL substitution placeholder, written literally on purpose
    writeFileSync(path, JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: '${QueueUrl}', End: true } } }));
    expect(() => readStateMachineDefinition(path)).toThrow(/\$\{QueueUrl\} is not of the form/);
    const definition = readStateMachineDefinition();
    expect(() => assertSubstitutionsSupplied(definition, {})).toThrow(/needs substitutions nobody supplies: \$\{AcceptChallengesFunctionArn\}/);
  });
});

describe('challenge targets', () => {
  it('strips the wildcard, lowercases, and lets the longest per-domain zone win', () => {
    const targets = challengeTargets(
      {
        route53: {
          hostedZoneId: 'ZAPEX',
          zones: { 'example.com': { hostedZoneId: 'ZCOM' }, 'dev.example.com': { hostedZoneId: 'ZDEV', role: 'arn:aws:iam::111111111111:role/dns' } },
        },
      },
      ['example.com', '*.example.com', 'a.dev.example.com', 'example.org'],
    );
    expect(targets).toEqual([
      { dnsName: 'example.com', recordName: '_acme-challenge.example.com', zone: { hostedZoneId: 'ZCOM' } },
      {
        dnsName: 'a.dev.example.com',
        recordName: '_acme-challenge.a.dev.example.com',
        zone: { hostedZoneId: 'ZDEV', role: 'arn:aws:iam::111111111111:role/dns' },
      },
      { dnsName: 'example.org', recordName: '_acme-challenge.example.org', zone: { hostedZoneId: 'ZAPEX' } },
    ]);
  });
});
