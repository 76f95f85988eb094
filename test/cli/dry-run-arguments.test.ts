/** `--dry-run` on the command line: which commands take it, what it sets, and what --help says of it. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/arguments.js';
import { parseCommandLine } from '../../cli/program.js';

const quiet = { env: {}, out: () => undefined, err: () => undefined };

function helpOf(argv: string[]): string {
  let text = '';
  parseCommandLine([...argv, '--help'], { out: (chunk) => (text += chunk), err: (chunk) => (text += chunk) });
  // commander wraps help to the terminal's width: compare words, not lines.
  return text.replace(/\s+/g, ' ');
}

describe('--dry-run', () => {
  it('sets dryRun for renew (local and --aws) and for local run, and is absent otherwise', () => {
    // Act
    const renew = parseCommandLine(['renew', 'web', '--dry-run'], quiet);
    const renewAws = parseCommandLine(['renew', 'web', '--dry-run', '--aws', '--state-machine-arn', 'arn:aws:states:eu-west-1:1:stateMachine:x'], quiet);
    const plain = parseCommandLine(['renew', 'web'], quiet);
    const run = parseCommandLine(['local', 'run', 'input.json', '--dry-run'], quiet);

    // Assess
    expect(renew).toMatchObject({ kind: 'ops', command: 'renew', args: { dryRun: true } });
    expect(renewAws).toMatchObject({ kind: 'ops', args: { dryRun: true, aws: { stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:x' } } });
    expect(plain.kind === 'ops' && 'dryRun' in plain.args).toBe(false);
    expect(run).toMatchObject({ kind: 'local run', args: { inputFile: 'input.json', dryRun: true } });
  });

  it('is refused where it means nothing', () => {
    for (const argv of [
      ['status', '--dry-run'],
      ['local', 'demo', '--dry-run'],
      ['export', 'web', '--out', 'x', '--dry-run'],
    ]) {
      expect(() => parseCommandLine(argv, quiet), argv.join(' ')).toThrow(UsageError);
    }
  });

  it('is described in renew --help and local run --help, with the exit codes of a dry run', () => {
    // Act
    const renew = helpOf(['renew']);
    const run = helpOf(['local', 'run']);

    // Assess
    for (const text of [renew, run]) expect(text).toMatch(/--dry-run a dry run: order a test certificate from the issuer's staging directory/);
    expect(renew).toContain('exit 0 when the test certificate was issued and verified, 1 when the dry run failed or could not run');
    expect(renew).toContain('"dryRun": true');
  });
});
