/**
 * Reads a V8 CPU profile (node --cpu-prof) and splits the sampled time into a few categories,
 * by the innermost stack frames and the packages on the stack, so the report can say where
 * certstep's CPU goes instead of guessing.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** Categories, first match wins, tested against the sampled frame and its callers. */
const CATEGORIES: [string, (top: string, stack: string) => boolean][] = [
  ['TLS: secure contexts and handshakes', (top) => /node:internal\/tls\/secure-context|node:_tls_wrap|node:_tls_common|node:https/.test(top)],
  ['ASL validation (asl-validator, ajv) per StateMachine', (_top, stack) => /\/ajv\/|asl-validator/.test(stack)],
  ['JSONPath and state processing (aws-local-stepfunctions)', (_top, stack) => /jsonpath-plus|aws-local-stepfunctions/.test(stack)],
  ['crypto: signing, keys', (top) => /node:internal\/crypto/.test(top)],
  ['HTTP client (axios, undici)', (_top, stack) => /axios|undici|node:_http/.test(stack)],
  ['acme-client and X.509 libraries', (_top, stack) => /acme-client|asn1js|@peculiar|pkijs|node-forge/.test(stack)],
  ['certstep code', (_top, stack) => /\/functions\/|\/cli\//.test(stack)],
  ['module loading (tsx, ESM loader)', (_top, stack) => /tsx\/dist|modules\/esm|modules\/cjs|source_map/.test(stack)],
  ['garbage collection', (top) => top.includes('(garbage collector)')],
  ['idle', (top) => top.includes('(idle)') || top.includes('(program)')],
];

export interface ProfileBreakdown {
  readonly totalMs: number;
  readonly categories: { name: string; ms: number }[];
}

/** The largest profile in `dir` (the main thread's; tsx's loader thread writes a small one). */
export async function breakdownOf(dir: string): Promise<ProfileBreakdown> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile'));
  const sized = await Promise.all(files.map(async (file) => ({ file, size: (await stat(path.join(dir, file))).size })));
  const largest = sized.sort((a, b) => b.size - a.size)[0];
  if (!largest) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(await readFile(path.join(dir, largest.file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  for (const [index, id] of profile.samples.entries()) selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  const totals = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfTime) {
    const frames: string[] = [];
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const node = byId.get(current);
      if (node) frames.push(`${node.callFrame.url} ${node.callFrame.functionName}`);
    }
    const top = frames[0] ?? '';
    const stack = frames.join('\n');
    const name = CATEGORIES.find(([, matches]) => matches(top, stack))?.[0] ?? 'other';
    totals.set(name, (totals.get(name) ?? 0) + micros);
    total += micros;
  }
  return {
    totalMs: total / 1000,
    categories: [...totals].map(([name, micros]) => ({ name, ms: micros / 1000 })).sort((a, b) => b.ms - a.ms),
  };
}
