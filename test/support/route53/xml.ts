/**
 * Just enough XML for Route 53's REST/XML API: a tolerant reader for request bodies (the
 * SDK's serializer output, or anything hand-written that is well formed) and a tiny writer
 * for responses. No dependency, because the project must not grow one for a test double.
 */

export const ROUTE53_NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

export interface XmlElement {
  /** Local name; namespace prefixes are dropped because Route 53 only has the one namespace. */
  name: string;
  children: XmlElement[];
  text: string;
}

export class XmlParseError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    const named = ENTITIES[entity];
    if (named === undefined) throw new XmlParseError(`unknown entity ${whole}`);
    return named;
  });
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/** Parses a document and returns its root element; throws XmlParseError on malformed input. */
export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let index = 0;
  const appendText = (text: string) => {
    const open = stack[stack.length - 1];
    if (open) open.text += text;
    else if (text.trim() !== '') throw new XmlParseError('text outside the root element');
  };

  while (index < source.length) {
    const lt = source.indexOf('<', index);
    if (lt === -1) {
      appendText(decodeEntities(source.slice(index)));
      break;
    }
    if (lt > index) appendText(decodeEntities(source.slice(index, lt)));

    if (source.startsWith('<?', lt)) {
      index = skipPast(source, lt, '?>');
    } else if (source.startsWith('<!--', lt)) {
      index = skipPast(source, lt, '-->');
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = skipPast(source, lt, ']]>');
      appendText(source.slice(lt + 9, end - 3));
      index = end;
    } else if (source.startsWith('<!', lt)) {
      index = skipPast(source, lt, '>');
    } else if (source.startsWith('</', lt)) {
      const end = skipPast(source, lt, '>');
      const name = localName(source.slice(lt + 2, end - 1).trim());
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlParseError(`unexpected </${name}>`);
      index = end;
    } else {
      const end = skipPast(source, lt, '>');
      const body = source.slice(lt + 1, end - 1);
      const selfClosing = body.endsWith('/');
      const tagName = (selfClosing ? body.slice(0, -1) : body).trim().split(/\s+/, 1)[0] ?? '';
      if (!/^[A-Za-z_][\w.:-]*$/.test(tagName)) throw new XmlParseError(`bad tag <${body}>`);
      const element: XmlElement = { name: localName(tagName), children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new XmlParseError('more than one root element');
      else root = element;
      if (!selfClosing) stack.push(element);
      index = end;
    }
  }
  if (!root || stack.length > 0) throw new XmlParseError('document is incomplete');
  return root;
}

function skipPast(source: string, from: number, terminator: string): number {
  const at = source.indexOf(terminator, from);
  if (at === -1) throw new XmlParseError(`unterminated markup at ${from}`);
  return at + terminator.length;
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((candidate) => candidate.name === name);
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((candidate) => candidate.name === name) ?? [];
}

/** Text of a direct child, or undefined when the child is absent. */
export function childText(element: XmlElement | undefined, name: string): string | undefined {
  return child(element, name)?.text;
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (character) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[character]};`);
}

/** `<name>…</name>` around already-rendered children; undefined children are skipped. */
export function element(name: string, ...content: (string | undefined)[]): string {
  return `<${name}>${content.filter((part) => part !== undefined).join('')}</${name}>`;
}

/** A leaf element with escaped text, or nothing when the value is undefined. */
export function leaf(name: string, value: string | number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function document(rootName: string, ...content: (string | undefined)[]): string {
  const inner = content.filter((part) => part !== undefined).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${rootName} xmlns="${ROUTE53_NAMESPACE}">${inner}</${rootName}>`;
}
