/** The throughput contenders: their names and colours in tables and charts, and their medians. */
import { median } from '../lib/stats.js';
import type { ConfigurationResult, ThroughputResult } from '../throughput.js';

export const COLORS: Record<string, string> = {
  certstep: '#1f77b4',
  'certstep-extra-ca': '#6baed6',
  'floor-same': '#2ca02c',
  'floor-tight': '#98df8a',
  'certstep-warm': '#08519c',
  'floor-warm': '#006d2c',
  'whatif-no-wait': '#c5b0d5',
  'peer-certbot': '#d62728',
  'peer-lego': '#ff7f0e',
  'peer-dehydrated': '#8c564b',
  'peer-uacme': '#e377c2',
};

export const SHORT: Record<string, string> = {
  certstep: 'certstep (as shipped)',
  'certstep-extra-ca': 'certstep, CA via NODE_EXTRA_CA_CERTS',
  'floor-same': 'floor, same polling',
  'floor-tight': 'floor, tight polling',
  'certstep-warm': 'certstep, warm process',
  'floor-warm': 'floor, warm process',
  'whatif-no-wait': 'what-if: 0 s Wait states',
};

export const shortName = (configuration: ConfigurationResult) => SHORT[configuration.id] ?? configuration.id.replace(/^peer-/, '');

export function find(throughput: ThroughputResult, id: string, count: number): ConfigurationResult | undefined {
  return throughput.configurations.find((configuration) => configuration.id === id && configuration.count === count && configuration.runs.length > 0);
}

export const wall = (configuration: ConfigurationResult | undefined) => (configuration ? median(configuration.runs.map((run) => run.wallMs)) : Number.NaN);
export const processWall = (configuration: ConfigurationResult | undefined) =>
  configuration ? median(configuration.runs.map((run) => run.processWallMs)) : Number.NaN;
