/**
 * DNS names the way Route 53 treats them: case-insensitive, trailing dot optional on input,
 * `\ddd` octal escapes for anything outside a-z 0-9 - _ (so `*` comes back as `\052`), and
 * lists sorted by the name with its labels reversed.
 */

/** Canonical stored form: unescaped, lowercase, with the trailing dot. */
export function normalizeName(raw: string): string {
  const unescaped = raw.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
  const lower = unescaped.toLowerCase();
  if (lower === '' || lower === '.') return '.';
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** The form Route 53 puts on the wire and in its error messages. */
export function displayName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const character = String.fromCharCode(byte);
    out += /[a-z0-9\-_.]/.test(character) ? character : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/**
 * Sort key documented for ListResourceRecordSets and ListHostedZonesByName: the escaped name
 * with labels reversed and a trailing dot ("www.example.com." sorts as "com.example.www."),
 * compared as ASCII, so characters below "." (such as "-") order before the label separator.
 */
export function reversedKey(name: string): string {
  const labels = displayName(name)
    .split('.')
    .filter((label) => label !== '');
  return `${labels.reverse().join('.')}.`;
}

export function isWithin(name: string, zoneName: string): boolean {
  return zoneName === '.' || name === zoneName || name.endsWith(`.${zoneName}`);
}

/** Plain code-unit comparison, which is ASCII order for escaped names. */
export function compareAscii(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/** Lexicographic comparison of tuples of strings. */
export function compareTuples(left: string[], right: string[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const result = compareAscii(left[index] ?? '', right[index] ?? '');
    if (result !== 0) return result;
  }
  return 0;
}
