/**
 * The command line as commander reads it for certstep: help for every command, suggestions for
 * typos, and commander's own errors reworded into certstep's one-line UsageErrors.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/arguments.js';
import { parseCommandLine } from '../../cli/program.js';

function helpOf(argv: string[]): { code: number; text: string } {
  let text = '';
  const invocation = parseCommandLine([...argv, '--help'], { out: (chunk) => (text += chunk), err: (chunk) => (text += chunk) });
  if (invocation.kind !== 'exit') throw new Error(`expected help, got ${invocation.kind}`);
  return { code: invocation.code, text };
}

function usageErrorOf(argv: string[]): UsageError {
  try {
    parseCommandLine(argv, { env: {}, out: () => undefined, err: () => undefined });
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

const AWS = ['--aws', '--state-machine-arn', '--ledger-table', '--secret-prefix', '--schedule-group'];
const LOCAL_CA = ['--acme-directory', '--acme-ca', '--challtestsrv'];

describe('certstep <command> --help', () => {
  it.each<{ command: string[]; options: string[]; argument?: string }>([
    { command: ['local', 'run'], options: ['--store', '--now', '--history', ...LOCAL_CA, '--dns-server'], argument: 'input' },
    { command: ['local', 'demo'], options: ['--store', '--now', ...LOCAL_CA, '--dns-server'] },
    { command: ['status'], options: ['--store', '--json', ...AWS] },
    { command: ['describe'], options: ['--store', '--dns-server', '--json', ...AWS], argument: 'name' },
    { command: ['renew'], options: ['--store', ...LOCAL_CA, ...AWS], argument: 'name' },
    { command: ['export'], options: ['--out', '--deploy-hook', '--store', ...AWS], argument: 'name' },
    { command: ['remove'], options: ['--yes', '--store', '--include-acm', '--recovery-window-days', ...AWS], argument: 'name' },
    { command: ['diagram'], options: ['--update'] },
  ])('$command exits 0 and describes every option and the exit codes', ({ command, options, argument }) => {
    // Act
    const { code, text } = helpOf(command);

    // Assess
    expect(code).toBe(0);
    expect(text).toContain(`Usage: certstep ${command.join(' ')} [options]`);
    for (const option of options) expect(text).toMatch(new RegExp(`^\\s+${option}\\b[^\\n]*\\s\\s+\\w`, 'm'));
    if (argument) expect(text).toMatch(new RegExp(`^\\s+${argument}\\s\\s+\\w`, 'm'));
    expect(text).toMatch(/^ {2}3 {2}held back after failures/m);
    expect(text).toMatch(/^ {2}2 {2}invalid input or usage/m);
  });

  it('lists every command in the top-level help', () => {
    const { code, text } = helpOf([]);
    expect(code).toBe(0);
    for (const command of ['local', 'status', 'describe', 'renew', 'export', 'remove', 'diagram']) expect(text).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });
});

describe('certstep usage errors', () => {
  it.each<{ case: string; argv: string[]; message: string; command: string }>([
    { case: 'a misspelt command', argv: ['stauts'], message: 'unknown command stauts; did you mean status?', command: '' },
    { case: 'a misspelt subcommand', argv: ['local', 'rnu', 'x.json'], message: 'unknown command local rnu; did you mean run?', command: 'local' },
    { case: 'a misspelt option', argv: ['status', '--jsno'], message: 'unknown option --jsno for status; did you mean --json?', command: 'status' },
    {
      case: 'a misspelt option in = form',
      argv: ['local', 'run', 'x.json', '--stroe=d'],
      message: 'unknown option --stroe for local run; did you mean --store?',
      command: 'local run',
    },
    { case: 'an option of another command', argv: ['renew', 'web', '--json'], message: 'unknown option --json for renew', command: 'renew' },
    { case: 'a value check', argv: ['local', 'run', 'x.json', '--now', 'soon'], message: '--now must be an ISO 8601 time', command: 'local run' },
    { case: 'a missing name', argv: ['describe'], message: 'describe needs exactly one certificate name', command: 'describe' },
    { case: 'an extra word', argv: ['status', 'web'], message: 'unexpected argument web', command: 'status' },
  ])('$case', ({ argv, message, command }) => {
    // Act
    const error = usageErrorOf(argv);

    // Assess
    expect(error.name).toBe('UsageError');
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toMatch(/^error:/);
    expect(error.command).toBe(command);
  });

  it('reads AWS names from the environment when their flags are absent', () => {
    const invocation = parseCommandLine(['status', '--aws'], { env: { CERTSTEP_LEDGER_TABLE: 'ledger', CERTSTEP_SCHEDULE_GROUP: 'group' } });
    expect(invocation).toMatchObject({ kind: 'ops', args: { aws: { ledgerTable: 'ledger', scheduleGroup: 'group', secretPrefix: 'certstep/certificates/' } } });
  });
});
