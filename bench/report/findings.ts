/** "What limits the numbers": what the bench found, with the figures of this run. */
import type { ColdStartResult } from '../coldstart.js';
import { max, median, megabytes, min, ratio, seconds, usd } from '../lib/stats.js';
import type { BenchResults } from '../results.js';
import type { ConfigurationResult, Measurement, ThroughputResult } from '../throughput.js';
import { renderBaseline } from './baseline.js';
import { renderStep16 } from './step16.js';
import { lazyBytes } from './coldstart.js';
import { find, wall } from './contenders.js';
import { PRICES } from './prices.js';
import { type LambdaCosts, acmeBy, callsBy, renewalRun, serviceTotal } from './renewal-figures.js';

/** What the bundles weigh against issue 18's 400 KiB, and the packages that make up the largest. */
function bundleNote(cold: ColdStartResult | undefined): string {
  const ok = cold?.bundles.filter((bundle) => !bundle.error) ?? [];
  if (ok.length === 0) return 'not measured in this run.';
  const over = ok.filter((bundle) => bundle.bytes >= 400 * 1024);
  const largest = ok.reduce((best, bundle) => (bundle.bytes > best.bytes ? bundle : best));
  const acme = ok.find((bundle) => bundle.functionName === 'CreateOrder');
  const kib = (name: string) => ((acme?.topPackages.find((entry) => entry.name === name)?.bytes ?? 0) / 1024).toFixed(0);
  const lazy = acme?.lazyChunks && lazyBytes(acme.lazyChunks);
  return (
    `${ok.length - over.length} of ${ok.length} bundles are under 400 KiB minified (what a cold start reads); the largest, ${largest.functionName} at ${(largest.bytes / 1024).toFixed(0)} KiB, is ` +
    `${largest.topPackages.map((entry) => `${entry.name} ${(entry.bytes / 1024).toFixed(0)}K`).join(', ')}.` +
    (acme
      ? ` An ACME function (CreateOrder, ${(acme.bytes / 1024).toFixed(0)} KiB) reads @smithy/core ${kib('@smithy/core')}K, with two SDK clients and acme-client on top` +
        (lazy !== undefined
          ? `; ${(lazy / 1024).toFixed(0)} KiB more sit beside it in chunks only a dynamic import reads (the Tracer with the X-Ray SDK, unless \`traceAwsCalls\`; the SDK's event-stream serde). `
          : '. ') +
        'axios is no longer in it: acme-client keeps its axios instance through a ~150-line stand-in (functions/runtime/stubs/axios-core.cjs) ' +
        'and certstep sends the requests itself. ' +
        (over.length > 0
          ? `${over.map((bundle) => bundle.functionName).join(', ')} ${over.length === 1 ? 'is' : 'are'} over by the SDK clients called on every run (section 3 lists them). `
          : '') +
        "Each SDK client carries the schemas of the operations the function sends, not of all its operations: the bundle writes the SDK's computed schema keys as literals, so esbuild can drop the others (aws/aws-sdk-js-v3#7607). " +
        'STS and ACM, needed only by cross-account zones and ACM copies, are chunks of their own. No X.509 library is left in any bundle.'
      : '')
  );
}

/** What `traceAwsCalls` adds to each import: the "import, traced" column against the default one. */
function tracingNote(cold: ColdStartResult | undefined): string {
  const pairs = (cold?.bundles ?? []).filter((bundle) => !bundle.error && (bundle.importMsTraced?.length ?? 0) > 0);
  if (pairs.length === 0) return 'Section 3 did not measure the traced import in this run.';
  const added = pairs.map((bundle) => median(bundle.importMsTraced ?? []) - median(bundle.importMs));
  const share = pairs.map((bundle) => (median(bundle.importMsTraced ?? []) / median(bundle.importMs) - 1) * 100);
  return (
    `With \`traceAwsCalls\` on it loads at init: section 3's "import, traced" column adds a median of ${median(added).toFixed(0)} ms per import ` +
    `(${min(added).toFixed(0)} to ${max(added).toFixed(0)} ms, ${median(share).toFixed(0)} % of the default import) in this run.`
  );
}

function sourceMapNote(cold: ColdStartResult | undefined): string {
  if (!cold) return '';
  const differences = cold.bundles.filter((bundle) => !bundle.error).map((bundle) => median(bundle.importMs) - median(bundle.importMsNoSourceMaps));
  const typical = median(differences);
  return `\`NODE_OPTIONS=--enable-source-maps\`, which the stack sets, cost a median of ${typical.toFixed(0)} ms per import in this run (${min(differences).toFixed(0)} to ${max(differences).toFixed(0)} ms across functions).`;
}

export function renderFindings(results: BenchResults, lambda: LambdaCosts | undefined): string {
  const t = results.throughput;
  const c100 = t && find(t, 'certstep', 100);
  const x100 = t && find(t, 'certstep-extra-ca', 100);
  const f100 = t && find(t, 'floor-same', 100);
  const c1 = t && find(t, 'certstep', 1);
  const w1 = t && find(t, 'certstep-warm', 1);
  const fw1 = t && find(t, 'floor-warm', 1);
  const cpu = (row: ConfigurationResult | undefined) => (row ? median(row.runs.map((run: Measurement) => run.cpuMs)) : Number.NaN);
  const rss = (row: ConfigurationResult | undefined) => (row ? median(row.runs.map((run: Measurement) => run.maxRssKb)) : Number.NaN);
  const run = results.cost ? renewalRun(results.cost) : undefined;
  const directoryFetches = run ? (acmeBy(run)['GET directory'] ?? 0) : Number.NaN;
  const hostedZoneReads = run ? (callsBy(run)['Route 53:GetHostedZone'] ?? 0) : Number.NaN;
  const route53Calls = run ? serviceTotal(callsBy(run), 'Route 53') : Number.NaN;
  const profile = t?.profiles.find((candidate) => candidate.id === 'certstep');
  const topCategories = profile ? profile.breakdown.categories.filter((category) => !['idle', 'other'].includes(category.name)).slice(0, 4) : [];
  const baseline = results.baseline?.throughput;
  const before = (id: string, count: number) => (baseline ? find(baseline, id, count) : undefined);
  const b100 = before('certstep', 100);
  const lines = [
    '## What limits the numbers',
    '',
    'Found while benchmarking. The bench changes no code outside bench/; the first two were fixed by the maintainers while the',
    'benchmark was being written (commit 2e36623, "Build the TLS context for a CA bundle once, and the local state machine once per',
    `process"), and the tables above measure the fixed code${baseline ? `; [Before and after the fixes](#before-and-after-the-fixes) compares with a run of commit \`${results.baseline?.machine.commit.slice(0, 7)}\`` : ''}.`,
    '',
    '1. **Fixed: a custom CA bundle made every new TLS connection re-parse ~140 root certificates.** `trustCaBundle`',
    '   (functions/adapters/acme-http.ts) gave its https.Agent `ca: [...rootCertificates, caBundlePem]`; Node builds a new secure context',
    '   from that list for every connection, and `https.Agent.getName` concatenates it for every request. It now builds the secure',
    `   context once per CA.${b100 ? ` Before the fix, 100 certificates took ${seconds(wall(b100))} with ${megabytes(rss(b100))} peak RSS` : ''}${c100 ? `${b100 ? '; now' : ' Now'} ${seconds(wall(c100))} and ${megabytes(rss(c100))}.` : ''}`,
    `   ${baseline?.profiles.some((entry) => entry.id === 'certstep') ? `In the "before" CPU profile TLS was ${shareOf(baseline, 'certstep', 'TLS')} of all CPU; now ${t ? shareOf(t, 'certstep', 'TLS') : 'n/a'}.` : ''}`,
    '2. **Fixed: `runLocal` built and validated a new aws-local-stepfunctions StateMachine per execution** (asl-validator compiles an',
    '   ajv schema each time: ~100 ms of synchronous CPU per execution once warm, several hundred ms for the first), so 100 executions',
    `   queued ~10 s of validation. It is now built once per process.${baseline?.profiles.some((entry) => entry.id === 'certstep-extra-ca') ? ` Before the fix it took ${shareOf(baseline, 'certstep-extra-ca', 'ASL')} of the CPU (profile with NODE_EXTRA_CA_CERTS); now ${t ? shareOf(t, 'certstep-extra-ca', 'ASL') : 'n/a'}.` : ''}`,
    `3. **What is left of the gap to the floor** (${c100 && f100 ? `${ratio(wall(c100), wall(f100))} its wall time and ${ratio(cpu(c100), cpu(f100))} its CPU at 100 certificates` : 'see the tables'}${
      w1 && fw1 ? `; ${seconds(wall(w1))} against ${seconds(wall(fw1))} for one certificate in a warm process` : ''
    }) is per-phase overhead, the price of one Lambda per phase paid here on one shared CPU:`,
    `   the local runner passes every transition through aws-local-stepfunctions (JSONPath, event log) and writes each run's execution`,
    '   history; the file store writes and fsyncs; the certificate is verified before it is stored; and each phase is its own handler',
    `   invocation with its own clients.${topCategories.length > 0 ? ` Largest CPU categories in the profile of ${profile?.count} executions: ${topCategories.map((category) => `${category.name.startsWith('ASL validation') ? 'ASL validation (now once per process)' : category.name} ${((category.ms / (profile?.breakdown.totalMs ?? 1)) * 100).toFixed(0)} %`).join(', ')}.` : ''}`,
    `   ${x100 && c100 ? `The CA bundle no longer matters (NODE_EXTRA_CA_CERTS: ${seconds(wall(x100))} against ${seconds(wall(c100))} at 100).` : ''} On AWS each phase runs in its own Lambda, so none of this is on a renewal's critical path there.`,
    `4. **Bundles**: ${bundleNote(results.coldStart)}`,
    `   ${sourceMapNote(results.coldStart)}`,
    '5. **Fixed in step 16: caches that lived for one invocation.** The directory, the ACME account and the hosted zone are now kept in',
    '   module scope per container with stated expiries (directory 24 h, account and zone 1 h, each dropped on an answer that says it is',
    '   stale), and acme-client signs with the nonce of the previous answer instead of a HEAD before every request. In the measured renewal',
    `   (warm containers) that leaves ${Number.isFinite(directoryFetches) ? `${directoryFetches} directory GETs` : 'no directory GET'} and ${Number.isFinite(hostedZoneReads) ? `${hostedZoneReads} GetHostedZone of ${route53Calls} Route 53 calls` : 'no GetHostedZone'}; see "Requests per renewal" in section 2 for cold containers.`,
    '6. **The daily safety net** was one execution per certificate per day, which cost more than the renewals; since certstep 0.2 one',
    '   sweep a day reconciles every certificate and starts executions only where there is work (section 2).',
    '7. **Fixed in step 16: the X-Ray SDK slowed every promise of the process, tracing or not.** Powertools Tracer was imported',
    '   wherever an AWS client is built, and aws-xray-sdk-core creates its cls-hooked namespace at load, which turns on async hooks',
    '   for the whole process: 1e6 awaited promises took 71 ms bare and 1,325 ms with the Tracer loaded (Node 20 here). The Tracer',
    '   now loads only where Powertools would trace (on Lambda, functions/runtime/tracing.ts), so local runs, the CLI and the tests',
    '   no longer pay it (measured at the fix, commit 82316f0, against the run before it: 100 certificates 7.69 s -> 5.65 s wall,',
    '   9.68 s -> 6.93 s CPU). On Lambda it now loads only with `traceAwsCalls`, off by default (active tracing of the',
    `   state machine and the functions needs none of it). ${tracingNote(results.coldStart)}`,
    '',
    lambda
      ? `Lambda cost per renewal stays far below the target either way (${usd(lambda.gbSeconds.aws * PRICES.lambdaArmPerGbSecond, 7)} modelled); Step Functions transitions are most of the bill.`
      : '',
    c1
      ? `One execution on its own takes ${seconds(wall(c1))} in a fresh process here${w1 ? ` (${seconds(wall(w1))} in a warm one)` : ''}; the ACME round trips to Pebble are a few tens of milliseconds of that.`
      : '',
    '',
  ];
  return [...lines.filter((line, index, all) => !(line === '' && all[index - 1] === '')), renderStep16(results), renderBaseline(results)].join('\n');
}

function shareOf(throughput: ThroughputResult, id: string, prefix: string): string {
  const profile = throughput.profiles.find((candidate) => candidate.id === id);
  const ms = profile?.breakdown.categories.find((category) => category.name.startsWith(prefix))?.ms;
  return profile && ms !== undefined ? `${((ms / profile.breakdown.totalMs) * 100).toFixed(0)} %` : 'n/a';
}
