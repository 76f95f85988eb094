/**
 * TXT values as Route 53 takes them: one or more `"quoted"` character-strings separated by
 * spaces, each at most 255 bytes, with `\"`, `\\` and `\ddd` (octal) escapes inside. The API
 * stores the quoted text verbatim; DNS serves the unquoted bytes, one RR per value.
 */

export type TxtParse = { strings: Buffer[] } | { problem: string };

const MAX_CHARACTER_STRING = 255;
const UNQUOTED = 'InvalidCharacterString (Value should be enclosed in quotation marks)';
const TOO_LONG = 'CharacterStringTooLong (Value is too long)';

export function parseTxtValue(value: string): TxtParse {
  const strings: Buffer[] = [];
  let index = 0;
  const skipSpaces = () => {
    while (index < value.length && /\s/.test(value[index] ?? '')) index++;
  };

  skipSpaces();
  if (index >= value.length) return { problem: UNQUOTED };
  while (index < value.length) {
    if (value[index] !== '"') return { problem: UNQUOTED };
    index++;
    const bytes: number[] = [];
    let closed = false;
    while (index < value.length) {
      const character = value[index] ?? '';
      if (character === '"') {
        closed = true;
        index++;
        break;
      }
      if (character === '\\') {
        const octal = /^[0-7]{3}/.exec(value.slice(index + 1, index + 4));
        if (octal) {
          bytes.push(Number.parseInt(octal[0], 8) & 0xff);
          index += 4;
          continue;
        }
        index++;
        if (index >= value.length) break;
      }
      const codePoint = value.codePointAt(index) ?? 0;
      const encoded = Buffer.from(String.fromCodePoint(codePoint), 'utf8');
      bytes.push(...encoded);
      index += codePoint > 0xffff ? 2 : 1;
    }
    if (!closed) return { problem: UNQUOTED };
    if (bytes.length > MAX_CHARACTER_STRING) return { problem: TOO_LONG };
    strings.push(Buffer.from(bytes));
    const before = index;
    skipSpaces();
    if (index < value.length && index === before) return { problem: UNQUOTED };
  }
  return { strings };
}
