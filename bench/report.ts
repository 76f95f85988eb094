/**
 * Turns the measurements into docs/BENCHMARKS.md and its SVG charts, one section per file in
 * bench/report/. Pure but for two facts of the rendering run (section 2 dates its prices today,
 * section 3 names the Node.js version that renders): the same results file gives the same document
 * on the same day (BENCH_FROM_RESULTS re-renders without measuring). Prices and modelling
 * assumptions are in report/prices.ts.
 */
import { renderCli } from './report/cli.js';
import { renderColdStart } from './report/coldstart.js';
import { renderColdStartBefore, renderColdStartPaired } from './report/coldstart-before.js';
import { renderCost } from './report/cost.js';
import { renderFindings } from './report/findings.js';
import { commandOf, renderHeader } from './report/header.js';
import { lambdaCosts } from './report/renewal-figures.js';
import { renderScale } from './report/scale.js';
import { renderSimulation } from './report/simulation.js';
import { renderTemplate } from './report/template.js';
import { type Target, renderTargets } from './report/targets.js';
import { renderThroughput } from './report/throughput.js';
import type { BenchResults } from './results.js';

export function renderReport(results: BenchResults): { markdown: string; charts: Record<string, string> } {
  const charts: Record<string, string> = {};
  const targets: Target[] = [];
  const sections: string[] = [];
  // Every section names the command that produced it, so all of them take it.
  const command = commandOf(results.settings);

  if (results.throughput) {
    const throughput = renderThroughput(results.throughput, targets, command);
    sections.push(throughput.markdown);
    charts['throughput.svg'] = throughput.chart;
  } else {
    sections.push('## 1. Issuance throughput\n\nNot measured in this run (BENCH_SECTIONS).\n');
  }
  const lambda = results.cost ? lambdaCosts(results.cost, results.coldStart) : undefined;
  if (results.cost && lambda) {
    const cost = renderCost(results.cost, lambda, targets, command, results.before?.cost);
    sections.push(cost.markdown);
    charts['cost.svg'] = cost.chart;
  } else {
    sections.push('## 2. Cost per renewal on AWS\n\nNot measured in this run (BENCH_SECTIONS).\n');
  }
  if (results.coldStart) {
    const cold = renderColdStart(results.coldStart, targets, command);
    const before = renderColdStartBefore(results.coldStartBefore, results.coldStart, results.machine.loadAverageBefore[0]);
    const paired = renderColdStartPaired(results.coldStart);
    sections.push(cold.markdown, ...[before, paired].filter((lines) => lines.length > 0).map((lines) => lines.join('\n')));
    charts['coldstart.svg'] = cold.chart;
  } else {
    sections.push('## 3. Cold start\n\nNot measured in this run (BENCH_SECTIONS).\n');
  }
  sections.push([renderScale(results.cost, lambda), ...renderTemplate(results.template, command)].join('\n'));
  sections.push(renderSimulation(results.simulation));
  sections.push(renderCli(results.cli, targets));

  const header = renderHeader(results.machine, command, results.measuredAt);
  const summary = renderTargets(targets);
  const findings = renderFindings(results, lambda);
  return { markdown: [...header, ...summary, ...sections, findings].join('\n'), charts };
}
