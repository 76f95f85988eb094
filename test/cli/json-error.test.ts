import { describe, expect, it } from 'vitest';
import { describeJsonSyntaxError, locateJsonSyntaxError } from '../../cli/json-error.js';

describe('locateJsonSyntaxError', () => {
  it.each<{ case: string; text: string; line: number; column: number; phrase: string }>([
    {
      case: 'a missing comma on line 3',
      text: '{\n  "a": 1,\n  "b": 2\n  "c": 3\n}',
      line: 4,
      column: 3,
      phrase: "Expected ',' or '}' after the property value",
    },
    { case: 'a truncated document', text: '{"certificate":', line: 1, column: 16, phrase: 'Unexpected end of input' },
    { case: 'an empty file', text: '', line: 1, column: 1, phrase: 'Unexpected end of input' },
    { case: 'a misspelt literal', text: '{\n"force": tru\n}', line: 2, column: 10, phrase: 'Expected a value, found "t"' },
    { case: 'a trailing comma in an array', text: '{"dnsNames": ["a",]}', line: 1, column: 19, phrase: 'Expected a value, found "]"' },
    { case: 'a trailing comma in an object', text: '{"a": 1,\n}', line: 2, column: 1, phrase: 'a property name in double quotes' },
    { case: 'a single-quoted name', text: "{'a': 1}", line: 1, column: 2, phrase: 'a property name in double quotes' },
    { case: 'a missing colon', text: '{"a" 1}', line: 1, column: 6, phrase: "Expected ':' after the property name" },
    { case: 'text after the value', text: '{"a": 1}\n}', line: 2, column: 1, phrase: 'after the JSON value' },
    { case: 'an unterminated string', text: '{"a": "b', line: 1, column: 9, phrase: 'Unterminated string' },
    { case: 'a raw newline inside a string', text: '{"a": "b\nc"}', line: 1, column: 9, phrase: 'Unescaped control character' },
    { case: 'a bad escape', text: '{"a": "\\x41"}', line: 1, column: 8, phrase: 'Bad escape' },
    { case: 'a number with a leading plus', text: '[+1]', line: 1, column: 2, phrase: 'Expected a value' },
  ])('$case: line $line, column $column', ({ text, line, column, phrase }) => {
    // Prepare: the text, which JSON.parse refuses too.
    expect(() => JSON.parse(text)).toThrow();

    // Act
    const problem = locateJsonSyntaxError(text);

    // Assess
    expect(problem).toMatchObject({ line, column });
    expect(problem?.message).toContain(phrase);
  });

  it.each([
    '{"certificate": {"name": "web", "dnsNames": ["a.test", "*.a.test"], "force": false, "n": -1.5e3, "z": null}}',
    ' [true, false, null, "\\u00e9\\n\\"", 0, {}] ',
    '"just a string"',
  ])('finds nothing wrong in valid JSON %#', (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(locateJsonSyntaxError(text)).toBeUndefined();
  });
});

describe('describeJsonSyntaxError', () => {
  it('gives file:line:column and the problem on one line', () => {
    // Prepare
    const text = '{\n  "certificate": {\n    "name": "web"\n    "issuer": "local"\n  }\n}';
    const parseError = (() => {
      try {
        JSON.parse(text);
      } catch (error) {
        return error as Error;
      }
      throw new Error('expected JSON.parse to refuse');
    })();

    // Act
    const message = describeJsonSyntaxError('input.json', text, parseError);

    // Assess
    expect(message).toBe(`input.json:4:5: Expected ',' or '}' after the property value, found "\\"" (not valid JSON)`);
    expect(message).not.toContain('\n');
  });
});
