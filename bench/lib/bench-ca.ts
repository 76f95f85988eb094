/**
 * One Pebble + pebble-challtestsrv for a whole benchmark run, shared by certstep, the
 * acme-client floor and the peer clients, so every contender talks to the same CA.
 *
 * Pebble settings, and why:
 * - PEBBLE_VA_NOSLEEP=1: no random 0-15 s validation delay (the brief's setting).
 * - PEBBLE_AUTHZREUSE=0: every order needs fresh DNS-01 validations. With the default (50 %)
 *   a client could be lucky and skip work, which would only add noise.
 * - PEBBLE_WFE_NONCEREJECT=0: Pebble rejects 5 % of nonces by default to test clients; the
 *   retries are noise here (and not every peer retries them), so they are switched off.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';

export const BENCH_PEBBLE_ENV = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0', PEBBLE_WFE_NONCEREJECT: '0' } as const;

/** What a worker process needs to reach the CA; plain data so it can travel as JSON. */
export interface CaEndpoint {
  readonly directoryUrl: string;
  readonly caCertPem: string;
  readonly caCertFile: string;
  readonly challtestsrvUrl: string;
  readonly dnsServer: string;
}

export interface BenchCa extends CaEndpoint {
  readonly acme: LocalAcme;
  /** CPU seconds (user + system) Pebble and challtestsrv have used so far. */
  serverCpuSeconds(): number;
  /** Pebble only, same ports and CA; it forgets every account and order. */
  restartPebble(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchCa(options: { pebbleDnsServer?: string } = {}): Promise<BenchCa> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'certstep-bench-pebble-'));
  const acme = await startLocalAcme({
    pebbleEnv: { ...BENCH_PEBBLE_ENV },
    workDir,
    ...(options.pebbleDnsServer && { pebbleDnsServer: options.pebbleDnsServer }),
  });
  // startLocalAcme does not hand out its children's pids; they are found by the config file
  // (Pebble) and the management address (challtestsrv) on their command lines.
  const managementPort = new URL(acme.challtestsrvUrl).port;
  // Looked up at every call: a restarted Pebble has a new pid (and a fresh CPU count).
  const pids = () =>
    findPids(
      (cmdline) =>
        cmdline.includes(path.join(workDir, 'pebble-config.json')) ||
        (cmdline.includes('pebble-challtestsrv') && cmdline.includes(`127.0.0.1:${managementPort}`)),
    );
  return {
    acme,
    directoryUrl: acme.directoryUrl,
    caCertPem: acme.caCertPem,
    caCertFile: acme.caCertFile,
    challtestsrvUrl: acme.challtestsrvUrl,
    dnsServer: acme.dnsServer,
    serverCpuSeconds: () => sum(pids().map(cpuSecondsOf)),
    restartPebble: () => acme.restartPebble(),
    stop: () => acme.stop(),
  };
}

export function endpointOf(ca: BenchCa): CaEndpoint {
  const { directoryUrl, caCertPem, caCertFile, challtestsrvUrl, dnsServer } = ca;
  return { directoryUrl, caCertPem, caCertFile, challtestsrvUrl, dnsServer };
}

function findPids(matches: (cmdline: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (matches(cmdline)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** utime + stime from /proc/<pid>/stat, in seconds (USER_HZ is 100 on Linux). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
