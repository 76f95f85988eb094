import { describe, it, expect } from 'vitest';
import { UsageError, type RunArguments } from '../../cli/arguments.js';
import { parseRunArguments } from '../../cli/program.js';

function errorFrom(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

const PEBBLE = 'https://localhost:14000/dir';
const CHALLTESTSRV = 'http://localhost:8055';

describe('parseRunArguments accepts', () => {
  it.each<{ case: string; argv: string[]; expected: RunArguments }>([
    {
      case: 'an input file alone, with the default store',
      argv: ['input.json'],
      expected: { inputFile: 'input.json', storeDir: '.certstep' },
    },
    {
      case: 'every local flag as separate words',
      argv: ['input.json', '--store', 'd', '--now', '2030-01-01T00:00:00Z', '--history', 'h.json'],
      expected: { inputFile: 'input.json', storeDir: 'd', now: new Date('2030-01-01T00:00:00Z'), historyFile: 'h.json' },
    },
    {
      case: 'flags before the input file',
      argv: ['--store', 'd', 'input.json'],
      expected: { inputFile: 'input.json', storeDir: 'd' },
    },
    {
      case: 'the --flag=value form',
      argv: ['input.json', '--store=d', '--now=2030-01-01T00:00:00Z', '--history=h.json'],
      expected: { inputFile: 'input.json', storeDir: 'd', now: new Date('2030-01-01T00:00:00Z'), historyFile: 'h.json' },
    },
    {
      case: 'an = inside the value is kept',
      argv: ['input.json', '--store=a=b'],
      expected: { inputFile: 'input.json', storeDir: 'a=b' },
    },
    {
      case: '--now as a plain date',
      argv: ['input.json', '--now', '2030-01-31'],
      expected: { inputFile: 'input.json', storeDir: '.certstep', now: new Date('2030-01-31') },
    },
    {
      case: '--now with a numeric offset and milliseconds',
      argv: ['input.json', '--now', '2030-01-01T02:00:00.250+02:00'],
      expected: { inputFile: 'input.json', storeDir: '.certstep', now: new Date('2030-01-01T00:00:00.250Z') },
    },
    {
      case: 'the external trio',
      argv: ['input.json', '--acme-directory', PEBBLE, '--acme-ca', 'pebble.minica.pem', '--challtestsrv', CHALLTESTSRV],
      expected: {
        inputFile: 'input.json',
        storeDir: '.certstep',
        acmeDirectory: PEBBLE,
        acmeCaFile: 'pebble.minica.pem',
        challtestsrvUrl: CHALLTESTSRV,
      },
    },
    {
      case: 'an external CA without --acme-ca (publicly trusted)',
      argv: ['input.json', `--acme-directory=${PEBBLE}`, `--challtestsrv=${CHALLTESTSRV}`],
      expected: { inputFile: 'input.json', storeDir: '.certstep', acmeDirectory: PEBBLE, challtestsrvUrl: CHALLTESTSRV },
    },
    {
      case: '--demo with no input file',
      argv: ['--demo'],
      expected: { storeDir: '.certstep' },
    },
    {
      case: '--demo with flags',
      argv: ['--demo', '--store', 'demo-store', '--now', '2030-06-01T00:00:00Z'],
      expected: { storeDir: 'demo-store', now: new Date('2030-06-01T00:00:00Z') },
    },
  ])('$case', ({ argv, expected }) => {
    // Prepare: the argv row.

    // Act
    const parsed = parseRunArguments(argv);

    // Assess
    expect(parsed).toEqual(expected);
  });

  it('leaves out what was not given rather than setting it to undefined', () => {
    // Prepare
    const argv = ['input.json'];

    // Act
    const parsed = parseRunArguments(argv);

    // Assess
    expect(Object.keys(parsed).sort()).toEqual(['inputFile', 'storeDir']);
  });
});

describe('parseRunArguments rejects', () => {
  it.each<{ case: string; argv: string[]; phrase: string }>([
    { case: 'an unknown flag', argv: ['input.json', '--verbose'], phrase: 'unknown option --verbose' },
    { case: 'an unknown flag in = form', argv: ['input.json', '--colour=never'], phrase: 'unknown option --colour' },
    { case: 'a flag missing its value at the end', argv: ['input.json', '--store'], phrase: '--store needs a value' },
    { case: 'an empty = value', argv: ['input.json', '--history='], phrase: '--history needs a value' },
    { case: 'an empty separate value', argv: ['input.json', '--store', ''], phrase: '--store needs a value' },
    { case: 'two input files', argv: ['a.json', 'b.json'], phrase: 'exactly one input file' },
    { case: 'no input file', argv: [], phrase: 'exactly one input file' },
    { case: 'only flags, no input file', argv: ['--store', 'd'], phrase: 'exactly one input file' },
    { case: '--demo with an input file', argv: ['--demo', 'input.json'], phrase: 'unexpected argument input.json' },
    { case: '--now as a word', argv: ['input.json', '--now', 'yesterday'], phrase: '--now must be an ISO 8601 time' },
    { case: '--now with month 13 and day 45', argv: ['input.json', '--now', '2030-13-45'], phrase: '"2030-13-45"' },
    { case: '--now as epoch milliseconds', argv: ['input.json', '--now', '1893456000000'], phrase: '--now must be an ISO 8601 time' },
    { case: '--now with a space instead of T', argv: ['input.json', '--now', '2030-01-01 00:00:00Z'], phrase: '--now must be an ISO 8601 time' },
    { case: '--now with hour 25', argv: ['input.json', '--now', '2030-01-01T25:00:00Z'], phrase: '--now must be an ISO 8601 time' },
    // February has no 30th: the date must be refused, not rolled over to 2 March.
    { case: '--now on 30 February', argv: ['input.json', '--now', '2030-02-30T00:00:00Z'], phrase: '--now must be an ISO 8601 time' },
    { case: '--acme-directory without --challtestsrv', argv: ['input.json', '--acme-directory', PEBBLE], phrase: 'go together' },
    { case: '--challtestsrv without --acme-directory', argv: ['input.json', '--challtestsrv', CHALLTESTSRV], phrase: 'go together' },
    { case: '--acme-ca alone', argv: ['input.json', '--acme-ca', 'ca.pem'], phrase: 'go together' },
    {
      case: '--acme-ca with only --acme-directory',
      argv: ['input.json', '--acme-ca', 'ca.pem', '--acme-directory', PEBBLE],
      phrase: 'go together',
    },
    {
      case: 'a --challtestsrv that is not a URL',
      argv: ['input.json', '--acme-directory', PEBBLE, '--challtestsrv', 'challtestsrv'],
      phrase: '--challtestsrv must be an http(s) URL (got "challtestsrv")',
    },
    {
      case: 'a scheme-less --challtestsrv (URL would read "localhost:" as the scheme)',
      argv: ['input.json', '--acme-directory', PEBBLE, '--challtestsrv', 'localhost:8055'],
      phrase: '--challtestsrv must be an http(s) URL',
    },
    {
      case: 'a flag that would swallow the next flag as its value',
      argv: ['input.json', '--store', '--now', '2030-01-01T00:00:00Z'],
      phrase: '--store needs a value',
    },
    {
      case: 'an --acme-directory that is not a URL',
      argv: ['input.json', '--acme-directory', 'not a url', '--challtestsrv', CHALLTESTSRV],
      phrase: '--acme-directory must be an http(s) URL',
    },
  ])('$case', ({ argv, phrase }) => {
    // Prepare
    const parse = () => parseRunArguments(argv);

    // Act
    const error = errorFrom(parse);

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect(error.name).toBe('UsageError');
    expect(error.message).toContain(phrase);
  });
});
