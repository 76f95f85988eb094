/**
 * Section 4, continued: the CloudFormation template at N certificates (step 15), measured by
 * this run (BENCH_SECTIONS template) beside the figures of the stack before step 15.
 */
import type { TemplateSize } from '../template-size.js';

/**
 * Measured with the same function (bench/template-size.ts) at commit 941258e, the last stack that
 * had resources per certificate; that tree cannot be synthesised by this one, so they are kept here.
 */
const BEFORE_STEP_15: Record<number, string> = {
  1: '116,320 bytes, 84 resources, largest policy 1,623',
  72: '1,995,814 bytes, 445 resources, largest policy 4,148',
  100: '3,234,562 bytes, 585 resources (CDK refuses: over 500), largest policy 5,212',
  1000: 'refused by the configuration (at most 100 certificates)',
  10000: 'refused by the configuration',
};

export function renderTemplate(sizes: readonly TemplateSize[] | undefined, command: string): string[] {
  const lines = ['### Certificates per stack: the template (step 15)', ''];
  if (!sizes || sizes.length === 0) return [...lines, 'Not measured in this run (BENCH_SECTIONS).', ''];
  const first = sizes[0];
  const same = sizes.every((size) => size.bytes === first?.bytes && size.resources === first.resources);
  lines.push(
    `Produced by \`${command}\` (\`BENCH_SECTIONS=template\` alone; \`npm run bench:template -- 1 10000\` prints the same figures): the stack`,
    'synthesised in-process for N certificates (apex + wildcard, one hosted zone), without bundling (bundling changes only asset hashes).',
    "Bytes of the minified template (CloudFormation's limit is 1 MB), resources (limit 500), the largest IAM policy document with",
    "references unresolved (IAM's inline limit is 10,240 characters), and the synth time (the first synth of a process includes loading the CDK).",
    '',
    '| N | template bytes | resources | largest IAM policy | synth | before step 15 |',
    '| ---: | ---: | ---: | ---: | ---: | --- |',
    ...sizes.map(
      (size) =>
        `| ${size.certificates.toLocaleString('en-US')} | ${size.bytes.toLocaleString('en-US')} | ${size.resources} | ` +
        `${size.largestPolicy.bytes.toLocaleString('en-US')} | ${(size.synthMilliseconds / 1000).toFixed(1)} s | ${BEFORE_STEP_15[size.certificates] ?? '–'} |`,
    ),
    '',
    same
      ? 'The template is the same size at every N: certificates go into one S3 asset (the certificates file), not into the template, and'
      : '**The template changes with N in this run**: certificates should go into one S3 asset (the certificates file), not into the template, and',
    'one custom resource (the catalog sync) hands it to the SyncCatalog Lambda. `test/cdk/scale.test.ts` holds it at N = 1,000.',
    '',
    'What limits N is no longer CloudFormation: the synth validates every certificate of certstep.config.json (the synth column);',
    'the daily sweep checks every certificate in one invocation (900 s timeout, 8 at a time, a few AWS reads each: not measured',
    'against AWS; its `Sweeps` metric and the `<prefix>-sweep-silent` alarm say when it stops completing); and the CA: a deploy, an',
    "apply or a sweep starts at most 300 executions (`CERTSTEP_MAX_STARTS`, Let's Encrypt's new orders per account per 3 hours), so a",
    "first deploy of 10,000 new certificates is issued over about 34 days, not in one burst that would burn the account's limit.",
    '',
  );
  return lines;
}
