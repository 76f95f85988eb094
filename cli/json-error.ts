/**
 * Where a JSON text first goes wrong, as `file:line:column: what`. JSON.parse on Node 20 and 22
 * gives a position for some errors and none for others ("Unexpected token '}', ... is not valid
 * JSON"), so a small scanner finds the spot itself; it only runs once JSON.parse has refused.
 */
export interface JsonSyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** Undefined when the text is valid JSON. Line and column count from 1, columns in characters. */
export function locateJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (stop) {
    if (!(stop instanceof Stop)) throw stop;
    const before = text.slice(0, stop.offset);
    const line = before.split('\n').length;
    return { line, column: stop.offset - (before.lastIndexOf('\n') + 1) + 1, message: stop.message };
  }
}

/** The one line a user gets for a file that is not JSON: `input.json:3:15: Expected ',' or '}' ... (not valid JSON)`. */
export function describeJsonSyntaxError(file: string, text: string, parseError: Error): string {
  const problem = locateJsonSyntaxError(text);
  // The scanner and JSON.parse disagreeing would be a scanner bug: JSON.parse's word stands.
  if (!problem) return `${file} is not valid JSON: ${parseError.message}`;
  return `${file}:${problem.line}:${problem.column}: ${problem.message} (not valid JSON)`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Scanner {
  private at = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.skip();
    if (this.at < this.text.length) throw new Stop(this.at, 'Unexpected non-whitespace character after the JSON value');
  }

  private value(): void {
    this.skip();
    const char = this.text[this.at];
    if (char === '{' || char === '[' || char === '"') {
      if (char === '{') this.object();
      else if (char === '[') this.array();
      else this.string();
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.at)) {
        this.at += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text);
    if (number) {
      this.at += number[0].length;
      return;
    }
    throw this.unexpected('a value');
  }

  private object(): void {
    this.at++;
    this.skip();
    if (this.text[this.at] === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.skip();
      if (this.text[this.at] !== '"') throw this.unexpected('a property name in double quotes');
      this.string();
      this.skip();
      if (this.text[this.at] !== ':') throw this.unexpected("':' after the property name");
      this.at++;
      this.value();
      this.skip();
      const next = this.text[this.at];
      if (next === '}') {
        this.at++;
        return;
      }
      if (next !== ',') throw this.unexpected("',' or '}' after the property value");
      this.at++;
    }
  }

  private array(): void {
    this.at++;
    this.skip();
    if (this.text[this.at] === ']') {
      this.at++;
      return;
    }
    for (;;) {
      this.value();
      this.skip();
      const next = this.text[this.at];
      if (next === ']') {
        this.at++;
        return;
      }
      if (next !== ',') throw this.unexpected("',' or ']' after the array element");
      this.at++;
    }
  }

  private string(): void {
    this.at++;
    while (this.at < this.text.length) {
      const char = this.text[this.at] as string;
      if (char === '"') {
        this.at++;
        return;
      }
      if (char < ' ') throw new Stop(this.at, 'Unescaped control character in a string');
      if (char === '\\') {
        const escaped = this.text[this.at + 1];
        if (escaped === 'u' ? !/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6)) : !'"\\/bfnrt'.includes(escaped ?? 'x')) {
          throw new Stop(this.at, 'Bad escape in a string');
        }
        this.at += escaped === 'u' ? 6 : 2;
        continue;
      }
      this.at++;
    }
    throw new Stop(this.at, 'Unterminated string');
  }

  private skip(): void {
    while (WHITESPACE.has(this.text[this.at] as string)) this.at++;
  }

  private unexpected(expected: string): Stop {
    if (this.at >= this.text.length) return new Stop(this.at, `Unexpected end of input; expected ${expected}`);
    return new Stop(this.at, `Expected ${expected}, found ${JSON.stringify(this.text[this.at])}`);
  }
}
