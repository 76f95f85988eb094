/** Flag parsing for `certstep local`, strict: an unknown or incomplete flag is a usage error (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
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
}

const VALUE_FLAGS = ['--store', '--now', '--history', '--acme-directory', '--acme-ca', '--challtestsrv', '--dns-server'] as const;

export function parseRunArguments(argv: readonly string[]): RunArguments {
  const values = new Map<string, string>();
  const positional: string[] = [];
  let demo = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--demo') {
      demo = true;
      continue;
    }
    const [flag, inline] = argument.startsWith('--') ? splitFlag(argument) : [undefined, undefined];
    if (flag === undefined) {
      positional.push(argument);
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) throw new UsageError(`unknown option ${flag}`);
    const value = inline ?? argv[++index];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`${flag} needs a value`);
    }
    values.set(flag, value);
  }
  if (demo ? positional.length > 0 : positional.length !== 1) {
    throw new UsageError(demo ? `unexpected argument ${positional[0]}` : 'expected exactly one input file');
  }
  const now = values.get('--now');
  let parsedNow: Date | undefined;
  if (now !== undefined) {
    parsedNow = new Date(now);
    if (!isRealIsoTime(now) || Number.isNaN(parsedNow.getTime())) {
      throw new UsageError(`--now must be an ISO 8601 time such as 2030-01-31T12:00:00Z (got "${now}")`);
    }
  }
  const external = ['--acme-directory', '--challtestsrv'].filter((flag) => values.has(flag));
  if (external.length === 1 || (values.has('--acme-ca') && external.length === 0)) {
    throw new UsageError('--acme-directory and --challtestsrv go together (with --acme-ca when the CA is not publicly trusted)');
  }
  if (values.has('--dns-server') && !values.has('--challtestsrv'))
    throw new UsageError('--dns-server is the DNS address of the challtestsrv given with --challtestsrv');
  const dnsServer = values.get('--dns-server');
  if (dnsServer !== undefined && !isHostPort(dnsServer)) throw new UsageError(`--dns-server must be HOST:PORT, such as 127.0.0.1:8053 (got "${dnsServer}")`);
  for (const flag of ['--acme-directory', '--challtestsrv']) {
    const url = values.get(flag);
    if (url !== undefined && !isHttpUrl(url)) throw new UsageError(`${flag} must be an http(s) URL (got "${url}")`);
  }
  const pick = (flag: string) => values.get(flag);
  return {
    ...(positional[0] !== undefined && { inputFile: positional[0] }),
    storeDir: pick('--store') ?? '.certstep',
    ...(parsedNow && { now: parsedNow }),
    ...(pick('--history') && { historyFile: pick('--history') }),
    ...(pick('--acme-directory') && { acmeDirectory: pick('--acme-directory') }),
    ...(pick('--acme-ca') && { acmeCaFile: pick('--acme-ca') }),
    ...(pick('--challtestsrv') && { challtestsrvUrl: pick('--challtestsrv') }),
    ...(dnsServer && { dnsServer }),
  };
}

function splitFlag(argument: string): [string, string | undefined] {
  const equals = argument.indexOf('=');
  return equals === -1 ? [argument, undefined] : [argument.slice(0, equals), argument.slice(equals + 1)];
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

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
