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
