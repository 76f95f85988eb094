/**
 * The checked arguments of `certstep local run|demo`. Words become options in cli/program.ts
 * (commander); what is left here are the rules between values. Any breach is a UsageError (exit 2).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose `--help` the message points to, e.g. "local run"; set by the parser. */
  command?: string;
}

export interface RunArguments {
  readonly inputFile?: string;
  readonly storeDir: string;
  readonly now?: Date;
  readonly historyFile?: string;
  readonly acmeDirectory?: string;
  readonly acmeCaFile?: string;
  readonly challtestsrvUrl?: string;
  /** Where that challtestsrv answers DNS (`host:port`), for every lookup the run makes. */
  readonly dnsServer?: string;
  /** `local run --dry-run`: the input's dryRun flag, set from the command line. */
  readonly dryRun?: boolean;
}

/** The value options of `local run` and `local demo`, as commander hands them over. */
export interface RunOptions {
  readonly store?: string;
  readonly now?: string;
  readonly history?: string;
  readonly acmeDirectory?: string;
  readonly acmeCa?: string;
  readonly challtestsrv?: string;
  readonly dnsServer?: string;
  readonly dryRun?: boolean;
}

export const DEFAULT_STORE = '.certstep';

/** What commander cannot check: values that only make sense together, and their shapes. */
export function runArgumentsFrom(inputFile: string | undefined, options: RunOptions): RunArguments {
  const { now, acmeDirectory, acmeCa, challtestsrv, dnsServer } = options;
  let parsedNow: Date | undefined;
  if (now !== undefined) {
    parsedNow = new Date(now);
    if (!isRealIsoTime(now) || Number.isNaN(parsedNow.getTime())) {
      throw new UsageError(`--now must be an ISO 8601 time such as 2030-01-31T12:00:00Z (got "${now}")`);
    }
  }
  const external = [acmeDirectory, challtestsrv].filter((value) => value !== undefined);
  if (external.length === 1 || (acmeCa !== undefined && external.length === 0)) {
    throw new UsageError('--acme-directory and --challtestsrv go together (with --acme-ca when the CA is not publicly trusted)');
  }
  if (dnsServer !== undefined && challtestsrv === undefined)
    throw new UsageError('--dns-server is the DNS address of the challtestsrv given with --challtestsrv');
  if (dnsServer !== undefined && !isHostPort(dnsServer)) throw new UsageError(`--dns-server must be HOST:PORT, such as 127.0.0.1:8053 (got "${dnsServer}")`);
  for (const [flag, url] of [
    ['--acme-directory', acmeDirectory],
    ['--challtestsrv', challtestsrv],
  ] as const) {
    if (url !== undefined && !isHttpUrl(url)) throw new UsageError(`${flag} must be an http(s) URL (got "${url}")`);
  }
  return {
    ...(inputFile !== undefined && { inputFile }),
    storeDir: options.store ?? DEFAULT_STORE,
    ...(parsedNow && { now: parsedNow }),
    ...(options.history && { historyFile: options.history }),
    ...(acmeDirectory && { acmeDirectory }),
    ...(acmeCa && { acmeCaFile: acmeCa }),
    ...(challtestsrv && { challtestsrvUrl: challtestsrv }),
    ...(dnsServer && { dnsServer }),
    ...(options.dryRun === true && { dryRun: true }),
  };
}

/** Shape check plus a calendar check: Date rolls 2030-02-30 over to March instead of refusing it. */
function isRealIsoTime(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
}

/** An IPv4 address or a host name, then a port; [IPv6]:port too. */
function isHostPort(text: string): boolean {
  const match = /^(?:\[([0-9a-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/i.exec(text);
  return match !== null && Number(match[3]) > 0 && Number(match[3]) < 65536;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
