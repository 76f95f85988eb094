/**
 * Execution inputs nobody should be able to get a certificate with: wrong types, missing and
 * unknown fields, megabyte strings, bad wildcards, IP addresses, IDN edge cases, names too
 * long or too many, and names no hosted zone holds. Each row says which error must stop it
 * (before any order) and words its cause must contain, so the operator knows what to fix.
 */
export interface HostileCase {
  readonly label: string;
  readonly input: unknown;
  readonly error: 'InvalidInput' | 'ZoneNotFound';
  readonly cause: string;
}

const MB = 'x'.repeat(1024 * 1024);
const certificate = (fields: Record<string, unknown>) => ({ certificate: { name: 'hostile', issuer: 'local', dnsNames: ['www.example.test'], ...fields } });
const names = (...dnsNames: unknown[]) => certificate({ dnsNames });
const label63 = 'a'.repeat(63);

export const HOSTILE_CASES: readonly HostileCase[] = [
  // The shape of the input
  { label: 'null instead of an input object', input: null, error: 'InvalidInput', cause: 'execution input: must be a JSON object (got null)' },
  {
    label: 'an array instead of an input object',
    input: [certificate({})],
    error: 'InvalidInput',
    cause: 'execution input: must be a JSON object (got an array)',
  },
  { label: 'a string instead of an input object', input: 'www.example.test', error: 'InvalidInput', cause: 'execution input: must be a JSON object' },
  { label: 'no certificate', input: { force: true }, error: 'InvalidInput', cause: 'certificate: required' },
  { label: 'certificate null', input: { certificate: null }, error: 'InvalidInput', cause: 'certificate: must be a JSON object (got null)' },
  { label: 'certificate an array', input: { certificate: [] }, error: 'InvalidInput', cause: 'certificate: must be a JSON object (got an array)' },
  { label: 'an unknown top-level field', input: { ...certificate({}), staging: true }, error: 'InvalidInput', cause: 'staging: unknown field' },
  {
    label: 'an unknown certificate field holding 1 MB',
    input: certificate({ comment: MB }),
    error: 'InvalidInput',
    cause: 'certificate.comment: unknown field',
  },
  { label: 'an unknown field whose name is 1 MB long', input: certificate({ [MB]: 1 }), error: 'InvalidInput', cause: '(1048576 characters)' },
  { label: 'an unknown dns01 field whose name is 1 MB long', input: certificate({ dns01: { [MB]: true } }), error: 'InvalidInput', cause: 'certificate.dns01' },
  {
    label: 'an unknown acm field whose name is 1 MB long',
    input: certificate({ acm: { regions: ['us-east-1'], [MB]: true } }),
    error: 'InvalidInput',
    cause: 'certificate.acm',
  },
  {
    label: 'a __proto__ field',
    input: JSON.parse('{"certificate":{"name":"hostile","issuer":"local","dnsNames":["www.example.test"],"__proto__":{"admin":true}}}'),
    error: 'InvalidInput',
    cause: 'certificate.__proto__: unknown field',
  },
  // Wrong types and values
  { label: 'a numeric name', input: certificate({ name: 42 }), error: 'InvalidInput', cause: 'certificate.name: must be a string (got number 42)' },
  {
    label: 'a path as name',
    input: certificate({ name: '../../etc/passwd' }),
    error: 'InvalidInput',
    cause: 'certificate.name: must be 1-63 lowercase letters',
  },
  { label: 'a 1 MB name', input: certificate({ name: MB }), error: 'InvalidInput', cause: '(1048576 characters)' },
  {
    label: 'dnsNames a string',
    input: certificate({ dnsNames: 'www.example.test' }),
    error: 'InvalidInput',
    cause: 'certificate.dnsNames: must be an array of DNS names',
  },
  { label: 'dnsNames empty', input: names(), error: 'InvalidInput', cause: 'certificate.dnsNames: must contain at least one DNS name' },
  { label: 'dnsNames holding null', input: names(null), error: 'InvalidInput', cause: 'certificate.dnsNames[0]: must be a string (got null)' },
  {
    label: 'dnsNames holding an object',
    input: names('www.example.test', { name: 'x' }),
    error: 'InvalidInput',
    cause: 'certificate.dnsNames[1]: must be a string (got an object)',
  },
  { label: 'force as a string', input: { ...certificate({}), force: 'yes' }, error: 'InvalidInput', cause: 'force: must be a boolean' },
  {
    label: 'an unknown issuer',
    input: certificate({ issuer: 'letsencrypt-production' }),
    error: 'InvalidInput',
    cause: 'certificate.issuer: unknown issuer "letsencrypt-production"; known issuers: local',
  },
  { label: 'a weak key algorithm', input: certificate({ keyAlgorithm: 'rsa-1024' }), error: 'InvalidInput', cause: 'certificate.keyAlgorithm: must be one of' },
  {
    label: 'renewBefore in years',
    input: certificate({ renewBefore: 'P1Y' }),
    error: 'InvalidInput',
    cause: 'certificate.renewBefore: years (Y) and months (M) are not accepted',
  },
  {
    label: 'a rotation policy that does not exist',
    input: certificate({ rotationPolicy: 'Sometimes' }),
    error: 'InvalidInput',
    cause: 'certificate.rotationPolicy: must be "Always" or "Never"',
  },
  { label: 'dns01 as a string', input: certificate({ dns01: 'route53' }), error: 'InvalidInput', cause: 'certificate.dns01' },
  // Wildcards
  { label: 'a wildcard in the middle', input: names('www.*.example.test'), error: 'InvalidInput', cause: 'a wildcard must be the whole leftmost label' },
  { label: 'a double wildcard', input: names('*.*.example.test'), error: 'InvalidInput', cause: 'a wildcard must be the whole leftmost label' },
  { label: 'a partial-label wildcard', input: names('w*.example.test'), error: 'InvalidInput', cause: 'a wildcard must be the whole leftmost label' },
  { label: 'a wildcard over a TLD', input: names('*.test'), error: 'InvalidInput', cause: 'a wildcard must sit above at least two labels' },
  { label: 'a bare *', input: names('*'), error: 'InvalidInput', cause: 'a bare "*" is not a name' },
  // IP addresses, however spelt
  { label: 'an IPv4 address', input: names('192.0.2.1'), error: 'InvalidInput', cause: 'IP addresses are not supported' },
  { label: 'an IPv6 address', input: names('2001:db8::1'), error: 'InvalidInput', cause: 'IP addresses are not supported' },
  { label: 'a bracketed IPv6 address', input: names('[::1]'), error: 'InvalidInput', cause: 'IP addresses are not supported' },
  { label: 'a hex IPv4 shorthand', input: names('0x7f.1'), error: 'InvalidInput', cause: 'IP addresses are not supported' },
  { label: 'an IPv4 address in full-width digits', input: names('１９２.０.２.１'), error: 'InvalidInput', cause: 'IP addresses are not supported' },
  // IDN edge cases
  { label: 'invalid punycode xn--zz', input: names('xn--zz.example.test'), error: 'InvalidInput', cause: 'IDNA conversion failed' },
  { label: 'invalid punycode in capitals', input: names('XN--A.example.test'), error: 'InvalidInput', cause: 'IDNA conversion failed' },
  { label: 'a zero-width joiner', input: names('exa\u200Dmple.example.test'), error: 'InvalidInput', cause: 'IDNA conversion failed' },
  {
    label: "a reserved ??-- label that is not punycode (R-LDH, refused by Let's Encrypt)",
    input: names('bq--abwhky3f6fxq.example.test'),
    error: 'InvalidInput',
    cause: 'certificate.dnsNames[0]',
  },
  {
    label: 'a mixed-script (Cyrillic/Latin) name outside every zone',
    input: names('\u0440\u0430ypal.com'),
    error: 'ZoneNotFound',
    cause: '_acme-challenge.xn--ypal-43d9g.com',
  },
  { label: 'a Unicode name outside every zone', input: names('münchen.example.de'), error: 'ZoneNotFound', cause: '_acme-challenge.xn--mnchen-3ya.example.de' },
  // Lengths and counts
  { label: 'a 64-character label', input: names(`${'a'.repeat(64)}.example.test`), error: 'InvalidInput', cause: 'is 64 characters long (at most 63)' },
  {
    label: 'a 255-character name',
    input: names(`${label63}.${label63}.${label63}.${'a'.repeat(50)}.example.test`),
    error: 'InvalidInput',
    cause: 'characters long after normalisation (at most 253)',
  },
  { label: 'a 1 MB DNS name', input: names(MB), error: 'InvalidInput', cause: 'too long (1048576 characters' },
  {
    label: '101 distinct names',
    input: names(...Array.from({ length: 101 }, (_, i) => `n${i}.example.test`)),
    error: 'InvalidInput',
    cause: 'at most 100 distinct names after normalisation (got 101)',
  },
  {
    label: '1001 entries',
    input: names(...Array.from({ length: 1001 }, () => 'www.example.test')),
    error: 'InvalidInput',
    cause: 'must have at most 1000 entries (got 1001)',
  },
  // Characters and shapes DNS-01 cannot validate
  { label: 'a single-label name', input: names('localhost'), error: 'InvalidInput', cause: 'must have at least two labels' },
  { label: 'an underscore', input: names('_dmarc.example.test'), error: 'InvalidInput', cause: 'underscores are not allowed' },
  { label: 'a URL path smuggled into a name', input: names('evil.test/x.example.test'), error: 'InvalidInput', cause: 'character "/" is not allowed' },
  { label: 'whitespace', input: names(' www.example.test'), error: 'InvalidInput', cause: 'must not contain whitespace' },
  { label: 'an empty name', input: names(''), error: 'InvalidInput', cause: 'must not be empty' },
  { label: 'two dots in a row', input: names('www..example.test'), error: 'InvalidInput', cause: 'empty label' },
  // Well-formed, but no hosted zone can hold the record
  { label: 'a name outside every zone', input: names('www.nowhere.test'), error: 'ZoneNotFound', cause: '_acme-challenge.www.nowhere.test' },
  {
    label: 'one name of several outside every zone',
    input: names('www.example.test', 'api.elsewhere.test'),
    error: 'ZoneNotFound',
    cause: '_acme-challenge.api.elsewhere.test',
  },
  { label: 'a wildcard outside every zone', input: names('*.nowhere.test'), error: 'ZoneNotFound', cause: '_acme-challenge.nowhere.test' },
];
