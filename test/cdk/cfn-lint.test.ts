/**
 * cfn-lint (AWS's own CloudFormation linter, with the resource specifications of every region)
 * on the stack synthesised for the example configuration and with each feature switched on:
 * zero findings. What the stack knowingly leaves (W3005) is ignored in .cfnlintrc.yaml, which
 * says why. cfn-lint is an image tool: missing, the test fails naming it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { type CertstepConfigInput, readConfigFile } from '../../cdk/config.js';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { requireImageTool } from '../support/image-tools.js';
import { synthesise, testConfig } from './support.js';

const ENV: Environment = { account: '123456789012', region: 'eu-west-1' };
const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const base = testConfig();
const [web, api] = base.certificates;
const only = (certificate: NonNullable<typeof web>, overrides: Partial<CertstepConfigInput> = {}): CertstepConfigInput => ({
  ...base,
  certificates: [certificate],
  ...overrides,
});

const acmeDns = {
  name: 'delegated',
  dnsNames: ['shop.example.org', '*.shop.example.org'],
  issuer: 'letsencrypt',
  dns01: { acmeDNS: { host: 'https://auth.example.org' } },
};
const follow = {
  name: 'shop',
  dnsNames: ['www.example.org', 'example.org', '*.example.org'],
  issuer: 'letsencrypt',
  dns01: {
    cnameStrategy: 'Follow',
    route53: {
      cnameTargets: { 'www.example.org': 'www-example-org.acme.example.net', 'example.org': 'example-org.acme.example.net' },
      zones: { 'acme.example.net': { hostedZoneId: 'Z7' } },
    },
  },
};
const crossAccount = {
  name: 'partner',
  dnsNames: ['shop.partner.example'],
  issuer: 'letsencrypt',
  dns01: { route53: { hostedZoneId: 'Z3', role: 'arn:aws:iam::210987654321:role/dns' } },
};
const zerossl = { name: 'zerossl', directoryUrl: 'https://acme.zerossl.com/v2/DV90', eab: { keyId: 'kid', hmacKeySecretName: 'certstep/eab/zerossl' } };
const notifications = {
  snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:certstep-events',
  deployHookFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reload-nginx',
  certificates: { web: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:web-team' } },
};

/** Each feature alone on one certificate, then all of them in one stack. */
const CONFIGURATIONS: ReadonlyArray<readonly [string, CertstepConfigInput, Environment?]> = [
  ['the example certstep.config.json', readConfigFile(join(PROJECT_ROOT, 'certstep.config.json')) as CertstepConfigInput],
  ['one certificate, nothing else', only(web as NonNullable<typeof web>)],
  ['ACM import to several regions', only(api as NonNullable<typeof api>)],
  ['notifications to SNS and a deploy hook Lambda', only(web as NonNullable<typeof web>, { notifications }), ENV],
  ['acme-dns', only(acmeDns as never)],
  ['CNAME Follow with cnameTargets', only(follow as never)],
  ['a cross-account DNS role', only(crossAccount as never)],
  [
    'an EAB issuer',
    only({ ...crossAccount, name: 'eab', issuer: 'zerossl', dns01: { route53: { hostedZoneId: 'Z3' } } } as never, { issuers: [...base.issuers, zerossl] }),
  ],
  [
    'readers (one in another account) and the stack-owned key',
    {
      ...base,
      secretsKey: 'stack',
      readers: ['arn:aws:iam::123456789012:role/platform/ops'],
      certificateReaders: { web: ['arn:aws:iam::210987654321:root', 'arn:aws:iam::123456789012:user/alice'] },
      certificates: [...base.certificates, acmeDns],
    } as never,
    ENV,
  ],
  [
    'several certificates with every feature and a KMS key',
    {
      ...base,
      kmsKeyArn: KMS_KEY,
      notifications,
      issuers: [...base.issuers, zerossl],
      certificates: [...base.certificates, acmeDns, follow, { ...crossAccount, issuer: 'zerossl' }],
    } as never,
    ENV,
  ],
];

interface Finding {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path?: readonly (string | number)[] };
}

/** One cfn-lint process for every template: it starts slowly (it loads every region's spec). */
function cfnLint(files: readonly string[]): Finding[] {
  const result = spawnSync(requireImageTool('cfn-lint'), ['--format', 'json', '--', ...files], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  // Exit status is a bit mask of the levels found; the JSON on stdout says what they were.
  if (result.error || !result.stdout.trim().startsWith('[')) throw new Error(`cfn-lint did not report: ${result.error?.message ?? ''}\n${result.stderr}`);
  return JSON.parse(result.stdout) as Finding[];
}

describe('cfn-lint on the synthesised stack', () => {
  it('finds nothing in any configuration, and reports a template with an invalid property', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'certstep-cfn-lint-'));
    const files = CONFIGURATIONS.map(([label, config, env], index) => {
      const { template } = synthesise(config, { bundle: false, ...(env && { env }) });
      const file = join(dir, `${index}-${label.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(template.toJSON(), null, 1));
      return file;
    });
    // A control: the same lint run must flag a property CloudFormation does not have.
    const broken = JSON.parse(readFileSync(files[0] as string, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const [queueId, queue] = Object.entries(broken.Resources).find(([, resource]) => resource.Type === 'AWS::SQS::Queue') ?? [];
    (queue as { Properties: Record<string, unknown> }).Properties.RetentionDays = 4;
    const control = join(dir, 'control-invalid-property.json');
    writeFileSync(control, JSON.stringify(broken, null, 1));

    // Act
    const findings = cfnLint([...files, control]);
    rmSync(dir, { recursive: true, force: true });

    // Assess
    const describe = (finding: Finding) => `${finding.Level} ${finding.Rule.Id} in ${finding.Filename}: ${finding.Message.slice(0, 200)}`;
    expect(findings.filter((finding) => finding.Filename !== control).map(describe)).toEqual([]);
    expect(findings.map((finding) => [finding.Rule.Id, finding.Location.Path?.slice(0, 2)])).toEqual([['E3002', ['Resources', queueId]]]);
    // Ten syntheses and one cfn-lint (~20 s to load its specs): 50 s alone, 150 s in the full suite.
  }, 420_000);

  it('ignores only checks that .cfnlintrc.yaml explains', () => {
    // Prepare
    const lines = readFileSync(join(PROJECT_ROOT, '.cfnlintrc.yaml'), 'utf8').split('\n');

    // Assess: every ignored check sits under a comment of its own that says why.
    const ignored = lines.flatMap((line, index) => (/^\s+-\s+[EWI]\d{4}\b/.test(line) ? [index] : []));
    expect(ignored.length).toBeGreaterThan(0);
    for (const index of ignored) expect(lines[index - 1], lines[index]).toMatch(/^\s*#.{40,}/);
  });
});
