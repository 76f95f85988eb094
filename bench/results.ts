/**
 * The shape of a bench run's raw results (bench/results/*.json): main.ts measures and writes them,
 * report.ts renders them. A module of their own, so that neither of the two imports the other.
 */
import type { CliResult } from './cli.js';
import type { ColdStartResult } from './coldstart.js';
import type { CostResult } from './cost.js';
import type { TemplateSize } from './template-size.js';
import type { ThroughputResult } from './throughput.js';
import type { SimulationReport } from '../test/lifetime/simulator.js';

export interface MachineFacts {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly pebble: string;
  readonly commit: string;
  readonly dirtyTree: boolean;
  readonly loadAverageBefore: number[];
  readonly loadAverageAfter: number[];
  readonly benchSeconds: number;
}

/** Where and when one section was measured, when BENCH_MERGE kept it from an earlier run. */
export interface SectionProvenance {
  readonly commit: string;
  readonly date: string;
}

/** The sections a results file can hold, by their key. */
export const SECTION_KEYS = ['throughput', 'cost', 'coldStart', 'cli', 'simulation', 'template'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];

/** The cold-start section of a run at another commit (BENCH_COLDSTART_BEFORE). */
export interface ColdStartBefore {
  readonly commit: string;
  readonly date: string;
  /** The 1-minute load average when that run started. */
  readonly loadAverage?: number;
  readonly coldStart: ColdStartResult;
}

export interface BenchResults {
  readonly machine: MachineFacts;
  /**
   * The commit and date each section was measured at. A section measured in the run of
   * `machine` may be missing here; BENCH_MERGE fills in the rest, so that a file re-measured one
   * section at a time never passes a section off as measured at the last commit.
   */
  readonly measuredAt?: Partial<Record<SectionKey, SectionProvenance>>;
  /** The BENCH_* variables this run was given, so the document can name its exact command. */
  readonly settings: Record<string, string>;
  readonly throughput?: ThroughputResult;
  readonly cost?: CostResult;
  readonly coldStart?: ColdStartResult;
  /** The CLI as a whole process next to a bare acme-client script (BENCH_SECTIONS cli). */
  readonly cli?: CliResult;
  /** The lifetime simulator's default run (BENCH_SECTIONS simulate). */
  readonly simulation?: SimulationReport;
  /** The cold-start section measured at an earlier commit (BENCH_COLDSTART_BEFORE), shown beside this run's. */
  readonly coldStartBefore?: ColdStartBefore;
  /** The CloudFormation template at N certificates (BENCH_SECTIONS template). */
  readonly template?: TemplateSize[];
  /** An earlier run to compare with (BENCH_BASELINE), rendered as "before and after". */
  readonly baseline?: BenchResults;
  /** The run before step 16's changes (BENCH_BEFORE), rendered as its before and after. */
  readonly before?: BenchResults;
}

/**
 * A saved results file with the sections of a newer run in place of its own (BENCH_MERGE): the
 * saved machine facts stay, and each section keeps the commit and date it was measured at.
 */
export function mergeResults(saved: BenchResults, measured: BenchResults): BenchResults {
  const { machine, settings: _settings, measuredAt: _measuredAt, ...sections } = measured;
  const measuredAt = provenanceOf(saved);
  for (const key of SECTION_KEYS) if (measured[key] !== undefined) measuredAt[key] = { commit: machine.commit, date: machine.date };
  return { ...saved, ...sections, measuredAt };
}

/** Each section's commit and date: recorded, or else those of the run the file's machine facts describe. */
function provenanceOf(results: BenchResults): Partial<Record<SectionKey, SectionProvenance>> {
  const fallback = { commit: results.machine.commit, date: results.machine.date };
  return Object.fromEntries(SECTION_KEYS.filter((key) => results[key] !== undefined).map((key) => [key, results.measuredAt?.[key] ?? fallback]));
}
