import { describe, it, expect } from 'vitest';
import {
  KEY_ALGORITHMS,
  MAX_RAW_DNS_NAMES,
  durationToMilliseconds,
  normalizeDnsName,
  parseExecutionInput,
  type ExecutionInput,
} from '../../functions/core/certificate-spec.js';
import { InvalidInput } from '../../functions/core/errors.js';

const ISSUERS: ReadonlySet<string> = new Set(['letsencrypt-staging', 'letsencrypt-prod']);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const VALID_CERTIFICATE = {
  name: 'web',
  dnsNames: ['example.com'],
  issuer: 'letsencrypt-prod',
};

/** Builds an execution input the way Step Functions delivers it: parsed JSON, so `undefined` drops a key. */
function executionInput(certificate: Record<string, unknown> = {}, top: Record<string, unknown> = {}): unknown {
  return JSON.parse(JSON.stringify({ certificate: { ...VALID_CERTIFICATE, ...certificate }, ...top }));
}

function errorFrom(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

// Names at the length limits: four labels, 3 dots.
const NAME_253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
const NAME_254 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;
const NAME_251 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}`;
const NAME_252 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}`;
const distinctNames = (count: number): string[] => Array.from({ length: count }, (_, i) => `host${i}.example.com`);

interface RejectionRow {
  case: string;
  raw: unknown;
  path: string;
  phrase: string;
}

const dnsNames = (...names: unknown[]): unknown => executionInput({ dnsNames: names });

const rejections: RejectionRow[] = [
  // Top level
  { case: 'null input', raw: null, path: 'execution input:', phrase: 'must be a JSON object' },
  { case: 'array input', raw: [], path: 'execution input:', phrase: 'must be a JSON object' },
  { case: 'string input', raw: '{"certificate":{}}', path: 'execution input:', phrase: 'must be a JSON object' },
  { case: 'unknown top-level key', raw: executionInput({}, { extra: 1 }), path: 'extra:', phrase: 'unknown field' },
  { case: 'missing certificate', raw: {}, path: 'certificate:', phrase: 'required' },
  { case: 'certificate is an array', raw: { certificate: [] }, path: 'certificate:', phrase: 'must be a JSON object' },
  { case: 'certificate is null', raw: { certificate: null }, path: 'certificate:', phrase: 'must be a JSON object' },
  { case: 'force as a string', raw: executionInput({}, { force: 'true' }), path: 'force:', phrase: 'must be a boolean (got "true")' },
  { case: 'force as a number', raw: executionInput({}, { force: 1 }), path: 'force:', phrase: 'must be a boolean' },
  // Unknown certificate fields
  { case: 'unknown certificate field', raw: executionInput({ foo: 'x' }), path: 'certificate.foo:', phrase: 'unknown field' },
  { case: 'misspelt field', raw: executionInput({ dnsName: ['a.example'] }), path: 'certificate.dnsName:', phrase: 'unknown field' },
  { case: 'odd field name', raw: executionInput({ 'dns names': [] }), path: 'certificate["dns names"]:', phrase: 'unknown field' },
  // certificate.name
  { case: 'name missing', raw: executionInput({ name: undefined }), path: 'certificate.name:', phrase: 'required' },
  { case: 'name not a string', raw: executionInput({ name: 42 }), path: 'certificate.name:', phrase: 'must be a string (got number 42)' },
  { case: 'name empty', raw: executionInput({ name: '' }), path: 'certificate.name:', phrase: 'must be 1-63 lowercase letters' },
  { case: 'name uppercase', raw: executionInput({ name: 'Web' }), path: 'certificate.name:', phrase: 'lowercase letters, digits or "-"' },
  { case: 'name leading hyphen', raw: executionInput({ name: '-web' }), path: 'certificate.name:', phrase: 'starting and ending with a letter or digit' },
  { case: 'name trailing hyphen', raw: executionInput({ name: 'web-' }), path: 'certificate.name:', phrase: 'starting and ending with a letter or digit' },
  { case: 'name with a dot', raw: executionInput({ name: 'web.example' }), path: 'certificate.name:', phrase: 'names files and AWS secrets' },
  { case: 'name with an underscore', raw: executionInput({ name: 'web_1' }), path: 'certificate.name:', phrase: '(got "web_1")' },
  { case: 'name with a slash', raw: executionInput({ name: '../web' }), path: 'certificate.name:', phrase: 'must be 1-63' },
  { case: 'name of 64 characters', raw: executionInput({ name: 'a'.repeat(64) }), path: 'certificate.name:', phrase: 'must be 1-63' },
  // certificate.issuer
  { case: 'issuer missing', raw: executionInput({ issuer: undefined }), path: 'certificate.issuer:', phrase: 'required' },
  {
    case: 'issuer not a string',
    raw: executionInput({ issuer: ['letsencrypt-prod'] }),
    path: 'certificate.issuer:',
    phrase: 'must be a string (got an array)',
  },
  {
    case: 'issuer unknown',
    raw: executionInput({ issuer: 'zerossl' }),
    path: 'certificate.issuer:',
    phrase: 'unknown issuer "zerossl"; known issuers: letsencrypt-prod, letsencrypt-staging',
  },
  { case: 'issuer differs in case', raw: executionInput({ issuer: 'LetsEncrypt-Prod' }), path: 'certificate.issuer:', phrase: 'unknown issuer' },
  // certificate.keyAlgorithm
  {
    case: 'keyAlgorithm unknown',
    raw: executionInput({ keyAlgorithm: 'dsa' }),
    path: 'certificate.keyAlgorithm:',
    phrase: 'must be one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096 (got "dsa")',
  },
  { case: 'keyAlgorithm uppercase', raw: executionInput({ keyAlgorithm: 'ECDSA-P256' }), path: 'certificate.keyAlgorithm:', phrase: 'must be one of' },
  { case: 'keyAlgorithm a number', raw: executionInput({ keyAlgorithm: 2048 }), path: 'certificate.keyAlgorithm:', phrase: '(got number 2048)' },
  { case: 'keyAlgorithm null', raw: executionInput({ keyAlgorithm: null }), path: 'certificate.keyAlgorithm:', phrase: '(got null)' },
  // certificate.renewBefore
  {
    case: 'renewBefore in years',
    raw: executionInput({ renewBefore: 'P1Y' }),
    path: 'certificate.renewBefore:',
    phrase: 'years (Y) and months (M) are not accepted because their length varies',
  },
  { case: 'renewBefore in months', raw: executionInput({ renewBefore: 'P2M' }), path: 'certificate.renewBefore:', phrase: 'their length varies' },
  { case: 'renewBefore mixing months and days', raw: executionInput({ renewBefore: 'P1M2D' }), path: 'certificate.renewBefore:', phrase: 'months (M)' },
  { case: 'renewBefore not ISO 8601', raw: executionInput({ renewBefore: '720h' }), path: 'certificate.renewBefore:', phrase: 'must be an ISO 8601 duration' },
  { case: 'renewBefore lowercase', raw: executionInput({ renewBefore: 'p30d' }), path: 'certificate.renewBefore:', phrase: 'ISO 8601 duration' },
  { case: 'renewBefore bare P', raw: executionInput({ renewBefore: 'P' }), path: 'certificate.renewBefore:', phrase: 'ISO 8601 duration' },
  { case: 'renewBefore dangling T', raw: executionInput({ renewBefore: 'P1DT' }), path: 'certificate.renewBefore:', phrase: 'ISO 8601 duration' },
  { case: 'renewBefore negative', raw: executionInput({ renewBefore: '-P1D' }), path: 'certificate.renewBefore:', phrase: 'ISO 8601 duration' },
  { case: 'renewBefore fractional', raw: executionInput({ renewBefore: 'PT1.5H' }), path: 'certificate.renewBefore:', phrase: 'whole weeks, days' },
  { case: 'renewBefore zero days', raw: executionInput({ renewBefore: 'P0D' }), path: 'certificate.renewBefore:', phrase: 'must be longer than zero' },
  { case: 'renewBefore zero seconds', raw: executionInput({ renewBefore: 'PT0S' }), path: 'certificate.renewBefore:', phrase: 'longer than zero' },
  {
    case: 'renewBefore over a year',
    raw: executionInput({ renewBefore: 'P366D' }),
    path: 'certificate.renewBefore:',
    phrase: 'longer than any certificate lifetime',
  },
  { case: 'renewBefore of 53 weeks', raw: executionInput({ renewBefore: 'P53W' }), path: 'certificate.renewBefore:', phrase: 'must be at most P365D' },
  { case: 'renewBefore a number', raw: executionInput({ renewBefore: 30 }), path: 'certificate.renewBefore:', phrase: 'must be a string' },
  // certificate.dnsNames as a whole
  { case: 'dnsNames missing', raw: executionInput({ dnsNames: undefined }), path: 'certificate.dnsNames:', phrase: 'required' },
  {
    case: 'dnsNames a string',
    raw: executionInput({ dnsNames: 'example.com' }),
    path: 'certificate.dnsNames:',
    phrase: 'must be an array of DNS names (got "example.com")',
  },
  { case: 'dnsNames empty', raw: dnsNames(), path: 'certificate.dnsNames:', phrase: 'at least one DNS name' },
  {
    case: 'dnsNames over 1000 raw entries',
    raw: executionInput({ dnsNames: Array.from({ length: 1001 }, () => 'example.com') }),
    path: 'certificate.dnsNames:',
    phrase: 'at most 1000 entries (got 1001)',
  },
  {
    case: 'dnsNames with 101 distinct names',
    raw: executionInput({ dnsNames: distinctNames(101) }),
    path: 'certificate.dnsNames:',
    phrase: 'at most 100 distinct names after normalisation (got 101)',
  },
  // certificate.dnsNames elements
  { case: 'element not a string', raw: dnsNames(42), path: 'certificate.dnsNames[0]:', phrase: 'must be a string (got number 42)' },
  { case: 'second element null', raw: dnsNames('example.com', null), path: 'certificate.dnsNames[1]:', phrase: 'must be a string (got null)' },
  { case: 'element over 1000 characters', raw: dnsNames('a'.repeat(1001)), path: 'certificate.dnsNames[0] "aaaa', phrase: 'too long' },
  { case: 'element empty', raw: dnsNames(''), path: 'certificate.dnsNames[0] "":', phrase: 'must not be empty' },
  { case: 'leading space', raw: dnsNames(' example.com'), path: 'certificate.dnsNames[0] " example.com":', phrase: 'must not contain whitespace' },
  { case: 'trailing space', raw: dnsNames('example.com '), path: 'certificate.dnsNames[0]', phrase: 'whitespace' },
  { case: 'inner space', raw: dnsNames('exa mple.com'), path: 'certificate.dnsNames[0]', phrase: 'whitespace' },
  { case: 'trailing newline', raw: dnsNames('example.com\n'), path: 'certificate.dnsNames[0]', phrase: 'whitespace' },
  { case: 'no-break space', raw: dnsNames('example\u00a0.com'), path: 'certificate.dnsNames[0]', phrase: 'whitespace' },
  { case: 'two trailing dots', raw: dnsNames('example.com..'), path: 'certificate.dnsNames[0] "example.com..":', phrase: 'empty label' },
  { case: 'two dots in a row', raw: dnsNames('a..b.com'), path: 'certificate.dnsNames[0]', phrase: 'empty label' },
  { case: 'leading dot', raw: dnsNames('.example.com'), path: 'certificate.dnsNames[0]', phrase: 'empty label' },
  { case: 'IDNA dots in a row', raw: dnsNames('a\u3002\u3002example.com'), path: 'certificate.dnsNames[0]', phrase: 'empty label' },
  {
    case: 'IPv4 address',
    raw: dnsNames('192.0.2.1'),
    path: 'certificate.dnsNames[0] "192.0.2.1":',
    phrase: 'IP addresses are not supported (DNS-01 validates names only)',
  },
  { case: 'IPv4 with trailing dot', raw: dnsNames('192.0.2.1.'), path: 'certificate.dnsNames[0]', phrase: 'IP addresses are not supported' },
  { case: 'IPv6 address', raw: dnsNames('2001:db8::1'), path: 'certificate.dnsNames[0]', phrase: 'IP addresses are not supported' },
  { case: 'bracketed IPv6 address', raw: dnsNames('[2001:db8::1]'), path: 'certificate.dnsNames[0]', phrase: 'IP addresses are not supported' },
  { case: 'hexadecimal IPv4 host', raw: dnsNames('0x7f.1'), path: 'certificate.dnsNames[0]', phrase: 'IP addresses are not supported' },
  { case: 'fullwidth-digit IPv4', raw: dnsNames('\uff11.\uff12.\uff13.\uff14'), path: 'certificate.dnsNames[0]', phrase: 'IP addresses are not supported' },
  { case: 'wildcard over an IP', raw: dnsNames('*.192.0.2.1'), path: 'certificate.dnsNames[0]', phrase: 'IP addresses are not supported' },
  { case: 'bare wildcard', raw: dnsNames('*'), path: 'certificate.dnsNames[0] "*":', phrase: 'a bare "*" is not a name' },
  {
    case: 'wildcard over one label',
    raw: dnsNames('*.com'),
    path: 'certificate.dnsNames[0] "*.com":',
    phrase: 'at least two labels (*.example.com, not *.com)',
  },
  { case: 'partial-label wildcard', raw: dnsNames('foo*.example.com'), path: 'certificate.dnsNames[0]', phrase: 'a wildcard must be the whole leftmost label' },
  {
    case: 'double wildcard',
    raw: dnsNames('example.com', '*.*.example.com'),
    path: 'certificate.dnsNames[1] "*.*.example.com":',
    phrase: 'a wildcard must be the whole leftmost label',
  },
  { case: 'inner wildcard', raw: dnsNames('a.*.example.com'), path: 'certificate.dnsNames[0]', phrase: 'whole leftmost label' },
  { case: 'two-star label', raw: dnsNames('**.example.com'), path: 'certificate.dnsNames[0]', phrase: 'whole leftmost label' },
  { case: 'single label', raw: dnsNames('localhost'), path: 'certificate.dnsNames[0] "localhost":', phrase: 'must have at least two labels' },
  { case: 'single label with dot', raw: dnsNames('localhost.'), path: 'certificate.dnsNames[0]', phrase: 'single-label name' },
  { case: 'underscore', raw: dnsNames('a_b.example.com'), path: 'certificate.dnsNames[0]', phrase: 'underscores are not allowed' },
  { case: 'ACME challenge name', raw: dnsNames('_acme-challenge.example.com'), path: 'certificate.dnsNames[0]', phrase: 'underscores are not allowed' },
  {
    case: 'fullwidth underscore',
    raw: dnsNames('a\uff3fb.example.com'),
    path: 'certificate.dnsNames[0]',
    phrase: 'label "a_b" must be letters, digits and "-"',
  },
  { case: 'label starting with hyphen', raw: dnsNames('-a.example.com'), path: 'certificate.dnsNames[0]', phrase: 'must not start or end with "-"' },
  { case: 'label ending with hyphen', raw: dnsNames('a-.example.com'), path: 'certificate.dnsNames[0]', phrase: 'must not start or end with "-"' },
  {
    case: 'label of 64 characters',
    raw: dnsNames(`${'a'.repeat(64)}.example.com`),
    path: 'certificate.dnsNames[0]',
    phrase: 'is 64 characters long (at most 63)',
  },
  {
    case: 'name of 254 characters',
    raw: dnsNames(NAME_254),
    path: 'certificate.dnsNames[0]',
    phrase: 'is 254 characters long after normalisation (at most 253)',
  },
  { case: 'wildcard pushing past 253', raw: dnsNames(`*.${NAME_252}`), path: 'certificate.dnsNames[0]', phrase: 'at most 253' },
  { case: 'URL path smuggled in', raw: dnsNames('evil.com/x.example.com'), path: 'certificate.dnsNames[0]', phrase: 'character "/" is not allowed' },
  { case: 'percent-encoding', raw: dnsNames('%41.example.com'), path: 'certificate.dnsNames[0]', phrase: 'character "%" is not allowed' },
  { case: 'port number', raw: dnsNames('example.com:443'), path: 'certificate.dnsNames[0]', phrase: 'character ":" is not allowed' },
  { case: 'invalid punycode', raw: dnsNames('xn--a.example.com'), path: 'certificate.dnsNames[0]', phrase: 'IDNA conversion failed' },
  { case: 'zero-width joiner', raw: dnsNames('a\u200db.example.com'), path: 'certificate.dnsNames[0]', phrase: 'IDNA conversion failed' },
  { case: 'fullwidth solidus', raw: dnsNames('evil\uff0fexample.com'), path: 'certificate.dnsNames[0]', phrase: 'IDNA conversion failed' },
];

describe('parseExecutionInput rejections', () => {
  it.each(rejections)('$case', ({ raw, path, phrase }) => {
    // Prepare: the row's raw input.

    // Act
    const error = errorFrom(() => parseExecutionInput(raw, ISSUERS));

    // Assess
    expect(error.name).toBe('InvalidInput');
    expect(error).toBeInstanceOf(InvalidInput);
    expect(error.message.startsWith(path)).toBe(true);
    expect(error.message).toContain(phrase);
  });

  it('has at least 40 rows', () => {
    expect(rejections.length).toBeGreaterThanOrEqual(40);
  });

  it('says when no issuers are configured', () => {
    // Prepare
    const raw = executionInput();

    // Act
    const error = errorFrom(() => parseExecutionInput(raw, new Set()));

    // Assess
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toBe('certificate.issuer: unknown issuer "letsencrypt-prod": no issuers are configured');
  });

  it('keeps the message short when echoing a huge value', () => {
    // Prepare
    const raw = dnsNames('a'.repeat(1001));

    // Act
    const error = errorFrom(() => parseExecutionInput(raw, ISSUERS));

    // Assess
    expect(error.message.length).toBeLessThan(250);
    expect(error.message).toContain('(1001 characters)');
  });
});

interface NormalisationRow {
  case: string;
  given: string[];
  expected: string[];
}

const normalisations: NormalisationRow[] = [
  { case: 'uppercase to lowercase', given: ['EXAMPLE.COM'], expected: ['example.com'] },
  { case: 'Unicode to punycode', given: ['bücher.example'], expected: ['xn--bcher-kva.example'] },
  { case: 'uppercase Unicode to punycode', given: ['BÜCHER.example'], expected: ['xn--bcher-kva.example'] },
  { case: 'decomposed Unicode to the same punycode', given: ['bu\u0308cher.example'], expected: ['xn--bcher-kva.example'] },
  { case: 'punycode kept', given: ['xn--bcher-kva.example'], expected: ['xn--bcher-kva.example'] },
  { case: 'trailing dot removed', given: ['example.com.'], expected: ['example.com'] },
  { case: 'case and trailing dot deduplicated', given: ['Example.com', 'example.com.'], expected: ['example.com'] },
  { case: 'Unicode and punycode deduplicated', given: ['xn--bcher-kva.example', 'bücher.example'], expected: ['xn--bcher-kva.example'] },
  { case: 'apex and wildcard both kept', given: ['example.com', '*.example.com'], expected: ['example.com', '*.example.com'] },
  { case: 'wildcard normalised', given: ['*.Example.COM.'], expected: ['*.example.com'] },
  { case: 'wildcard over Unicode', given: ['*.bücher.example'], expected: ['*.xn--bcher-kva.example'] },
  { case: 'input order kept, first occurrence wins', given: ['b.example', 'a.example', 'B.example.'], expected: ['b.example', 'a.example'] },
  { case: 'fullwidth letters mapped', given: ['\uff41\uff42\uff43.example'], expected: ['abc.example'] },
  { case: 'ideographic full stop is a dot', given: ['example\u3002com'], expected: ['example.com'] },
  { case: 'digits and inner hyphens', given: ['a-1.2b.example'], expected: ['a-1.2b.example'] },
  { case: 'label of 63 characters', given: [`${'a'.repeat(63)}.example`], expected: [`${'a'.repeat(63)}.example`] },
  { case: 'name of 253 characters', given: [NAME_253], expected: [NAME_253] },
  { case: 'name of 253 characters with its trailing dot', given: [`${NAME_253}.`], expected: [NAME_253] },
  { case: 'wildcard reaching exactly 253', given: [`*.${NAME_251}`], expected: [`*.${NAME_251}`] },
];

describe('parseExecutionInput normalisation of dnsNames', () => {
  it.each(normalisations)('$case', ({ given, expected }) => {
    // Prepare
    const raw = executionInput({ dnsNames: given });

    // Act
    const result = parseExecutionInput(raw, ISSUERS);

    // Assess
    expect(result.certificate.dnsNames).toEqual(expected);
  });

  it.each([
    { case: '100 distinct names plus duplicates', given: [...distinctNames(100), 'HOST0.example.com'], distinct: 100 },
    { case: '1000 raw entries of one name', given: Array.from({ length: 1000 }, () => 'example.com'), distinct: 1 },
  ])('accepts $case', ({ given, distinct }) => {
    // Prepare
    const raw = executionInput({ dnsNames: given });

    // Act
    const result = parseExecutionInput(raw, ISSUERS);

    // Assess
    expect(result.certificate.dnsNames).toHaveLength(distinct);
  });
});

describe('parseExecutionInput defaults and pass-through', () => {
  it('fills in the defaults', () => {
    // Prepare
    const raw = executionInput();

    // Act
    const result = parseExecutionInput(raw, ISSUERS);

    // Assess
    const expected: ExecutionInput = {
      certificate: {
        name: 'web',
        dnsNames: ['example.com'],
        issuer: 'letsencrypt-prod',
        keyAlgorithm: 'ecdsa-p256',
        renewBefore: 'P30D',
      },
      force: false,
    };
    expect(result).toEqual(expected);
  });

  it('keeps explicit values, renewBefore exactly as given', () => {
    // Prepare
    const raw = executionInput({ keyAlgorithm: 'rsa-3072', renewBefore: 'P2WT12H' }, { force: true });

    // Act
    const result = parseExecutionInput(raw, ISSUERS);

    // Assess
    expect(result.force).toBe(true);
    expect(result.certificate.keyAlgorithm).toBe('rsa-3072');
    expect(result.certificate.renewBefore).toBe('P2WT12H');
  });

  it.each(KEY_ALGORITHMS)('accepts keyAlgorithm %s', (keyAlgorithm) => {
    // Prepare
    const raw = executionInput({ keyAlgorithm });

    // Act
    const result = parseExecutionInput(raw, ISSUERS);

    // Assess
    expect(result.certificate.keyAlgorithm).toBe(keyAlgorithm);
  });

  it.each(['P365D', 'P52W', 'PT1S', 'P1DT2H3M4S'])('accepts renewBefore %s', (renewBefore) => {
    // Prepare
    const raw = executionInput({ renewBefore });

    // Act
    const result = parseExecutionInput(raw, ISSUERS);

    // Assess
    expect(result.certificate.renewBefore).toBe(renewBefore);
  });

  it('does not hand back the caller’s array', () => {
    // Prepare
    const given = ['example.com'];
    const raw = { certificate: { ...VALID_CERTIFICATE, dnsNames: given } };

    // Act
    const result = parseExecutionInput(raw, ISSUERS);

    // Assess
    expect(result.certificate.dnsNames).not.toBe(given);
  });
});

describe('durationToMilliseconds', () => {
  it.each([
    { iso: 'P30D', expected: 30 * DAY },
    { iso: 'P1W', expected: 7 * DAY },
    { iso: 'P1W2D', expected: 9 * DAY },
    { iso: 'PT12H', expected: 12 * HOUR },
    { iso: 'PT90M', expected: 90 * MINUTE },
    { iso: 'PT1S', expected: SECOND },
    { iso: 'P1DT2H3M4S', expected: DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND },
    { iso: 'P0DT1S', expected: SECOND },
    { iso: 'P400D', expected: 400 * DAY },
  ])('$iso is $expected ms', ({ iso, expected }) => {
    // Act
    const result = durationToMilliseconds(iso);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    { case: 'years', iso: 'P1Y' },
    { case: 'months', iso: 'P1M' },
    { case: 'years, months and days', iso: 'P1Y2M3D' },
    { case: 'zero days', iso: 'P0D' },
    { case: 'zero seconds', iso: 'PT0S' },
    { case: 'empty', iso: '' },
    { case: 'bare P', iso: 'P' },
    { case: 'bare PT', iso: 'PT' },
    { case: 'dangling T', iso: 'P1DT' },
    { case: 'Go-style', iso: '720h' },
    { case: 'lowercase', iso: 'p30d' },
    { case: 'negative component', iso: 'P-1D' },
    { case: 'negative duration', iso: '-P1D' },
    { case: 'fraction', iso: 'PT1.5H' },
    { case: 'surrounding whitespace', iso: ' P1D ' },
    { case: 'hours without T', iso: 'P1H' },
    { case: 'days after T', iso: 'PT1D' },
    { case: 'units out of order', iso: 'P1D1W' },
    { case: 'beyond safe integers', iso: 'PT99999999999999999999S' },
  ])('rejects $case ($iso)', ({ iso }) => {
    // Act
    const result = durationToMilliseconds(iso);

    // Assess
    expect(result).toBeUndefined();
  });
});

describe('normalizeDnsName', () => {
  it('returns the normalised name', () => {
    // Act
    const result = normalizeDnsName('*.Bücher.Example.');

    // Assess
    expect(result).toEqual({ ok: true, name: '*.xn--bcher-kva.example' });
  });

  it('returns the reason instead of throwing', () => {
    // Act
    const result = normalizeDnsName('a..example');

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain('empty label');
  });
});

describe('parseExecutionInput reports the first fault as the hand-written checks did', () => {
  it('names an unknown field before a fault of a known one in the same object', () => {
    // Prepare
    const raw = executionInput({ name: 'Web', colour: 'blue' });

    // Act
    const error = errorFrom(() => parseExecutionInput(raw, ISSUERS));

    // Assess
    expect(error.message).toBe('certificate.colour: unknown field');
  });

  it('refuses too many dnsNames without reading a single entry', () => {
    // Prepare: every element read throws, so only the length may be looked at.
    const entries = new Proxy(
      Array.from({ length: MAX_RAW_DNS_NAMES + 1 }, () => 'example.com'),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error(`entry ${key} was read`);
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    const raw = { certificate: { ...VALID_CERTIFICATE, dnsNames: entries } };

    // Act
    const error = errorFrom(() => parseExecutionInput(raw, ISSUERS));

    // Assess
    expect(error.message).toBe(`certificate.dnsNames: must have at most ${MAX_RAW_DNS_NAMES} entries (got ${MAX_RAW_DNS_NAMES + 1})`);
  });
});
