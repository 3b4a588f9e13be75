/**
 * A fast reader for the YAML that templates render, which is a small part of YAML: block mappings
 * and sequences, plain, single- and double-quoted scalars on one line, one-line flow sequences of
 * scalars, empty flow collections, literal block scalars (`|`, `|-`, `|+`), comments and `---`.
 *
 * It gives exactly what js-yaml's `loadAll` with the core schema gives for such text (the documents
 * that are not empty, in order), or `undefined` for anything else: other syntax (anchors, tags,
 * multi-line plain or quoted scalars, flow mappings, folded scalars, directives), duplicate keys,
 * keys that are not strings, and scalars whose type resolution is not a plain decimal integer, null,
 * boolean or string. The caller then parses with js-yaml, which also gives the error messages.
 */

/** What js-yaml refuses to read (its non-printable characters, lone surrogates). */
const NON_PRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** Thrown inside the reader: the text is outside the subset. */
const UNSUPPORTED = Symbol('unsupported');

interface Line {
  indent: number;
  /** the line without its indentation and trailing spaces */
  text: string;
  /** the line without its indentation (trailing spaces are content in a block scalar) */
  raw: string;
}

/** Decimal integers that parseInt reads exactly. */
const DECIMAL = /^(?:0|-?[1-9][0-9]{0,14})$/;
/** js-yaml core schema int and float patterns: anything else starting like a number is a string. */
const CORE_INT = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+)$/;
const CORE_FLOAT =
  /^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
/** First characters that start something other than a plain scalar (or need care). */
const INDICATOR = new Set(['&', '*', '!', '%', '@', '`', '?', ',', ']', '}', '#', ':', '|', '>']);

function unsupported(): never {
  throw UNSUPPORTED;
}

/** Resolves a plain scalar as the core schema does, or gives up. */
function plainScalar(s: string): unknown {
  const c = s.charCodeAt(0);
  // digits, '-', '+', '.'
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (DECIMAL.test(s)) return parseInt(s, 10);
    if (CORE_INT.test(s) || CORE_FLOAT.test(s)) unsupported();
    if (c === 45 && (s.length === 1 || s[1] === ' ')) unsupported();
    return s;
  }
  switch (s) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  return s;
}

/** A plain scalar's text: up to a comment, trimmed; gives up on what would not be one scalar. */
function plainText(s: string): string {
  let end = s.length;
  const hash = s.indexOf(' #');
  if (hash >= 0) end = hash;
  const text = s.slice(0, end).trimEnd();
  if (text.includes(': ') || text.endsWith(':') || text.includes('\t')) unsupported();
  return text;
}

/** A quoted scalar at the start of `s`; returns the value and the rest of the line. */
function quoted(s: string): { value: string; rest: string } {
  if (s[0] === '"') {
    let i = 1;
    for (; i < s.length; i++) {
      const ch = s[i];
      if (ch === '\\') i++;
      else if (ch === '"') break;
    }
    if (i >= s.length) unsupported();
    const body = s.slice(0, i + 1);
    // JSON's escapes are a subset of YAML's and mean the same; others (\x, \e, \N...) are not read here.
    if (/\\[^"\\/bfnrtu]/.test(body)) unsupported();
    let value: string;
    try {
      value = JSON.parse(body) as string;
    } catch {
      unsupported();
    }
    return { value, rest: s.slice(i + 1) };
  }
  // single-quoted: '' is a quote
  let i = 1;
  let value = '';
  for (;;) {
    const j = s.indexOf("'", i);
    if (j < 0) unsupported();
    value += s.slice(i, j);
    if (s[j + 1] === "'") {
      value += "'";
      i = j + 2;
      continue;
    }
    return { value, rest: s.slice(j + 1) };
  }
}

/** Only spaces or a comment may follow a scalar. */
function checkTail(rest: string): void {
  if (rest.length === 0) return;
  if (rest[0] !== ' ') unsupported();
  const t = rest.trimStart();
  if (t.length > 0 && t[0] !== '#') unsupported();
}

/** A one-line scalar or flow collection (the value after `key: ` or `- `). */
function inlineValue(s: string): unknown {
  const c = s[0];
  if (c === '"' || c === "'") {
    const q = quoted(s);
    checkTail(q.rest);
    return q.value;
  }
  if (c === '[') return flowSequence(s);
  if (c === '{') {
    const close = s.indexOf('}');
    if (close < 0 || s.slice(1, close).trim() !== '') unsupported();
    checkTail(s.slice(close + 1));
    return {};
  }
  if (INDICATOR.has(c)) unsupported();
  if (c === '-' && s[1] === ' ') unsupported();
  return plainScalar(plainText(s));
}

/** `[a, "b", 'c']` on one line, scalars only. */
function flowSequence(s: string): unknown[] {
  const out: unknown[] = [];
  let i = 1;
  const skip = () => {
    while (s[i] === ' ') i++;
  };
  skip();
  if (s[i] === ']') {
    checkTail(s.slice(i + 1));
    return out;
  }
  for (;;) {
    skip();
    const c = s[i];
    if (c === undefined) unsupported();
    if (c === '"' || c === "'") {
      const q = quoted(s.slice(i));
      out.push(q.value);
      i = s.length - q.rest.length;
    } else {
      if (INDICATOR.has(c) || c === '[' || c === '{' || c === '-') {
        // '-' is fine at the start of a plain scalar only when a non-space follows; keep it simple
        if (!(c === '-' && s[i + 1] !== ' ' && s[i + 1] !== ',' && s[i + 1] !== ']')) unsupported();
      }
      let j = i;
      while (j < s.length && s[j] !== ',' && s[j] !== ']') j++;
      if (j >= s.length) unsupported();
      const text = s.slice(i, j).trimEnd();
      if (text === '' || /[:#{}[\]\t]/.test(text)) unsupported();
      out.push(plainScalar(text));
      i = j;
    }
    skip();
    if (s[i] === ',') {
      i++;
      skip();
      if (s[i] === ']') unsupported(); // a trailing comma: let js-yaml decide
      continue;
    }
    if (s[i] === ']') {
      checkTail(s.slice(i + 1));
      return out;
    }
    unsupported();
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly lines: Line[]) {}

  /** The next line that is not blank or a comment (structure only; not inside block scalars). */
  private peek(): Line | undefined {
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.text === '' || l.text[0] === '#') this.pos++;
      else return l;
    }
    return undefined;
  }

  document(): unknown {
    const first = this.peek();
    if (!first) return null;
    const value = this.node(first.indent, false);
    if (this.peek()) unsupported();
    return value;
  }

  /** The block node whose first line is the next line, at `indent`. */
  private node(indent: number, inSequenceItem: boolean): unknown {
    const l = this.peek()!;
    if (l.indent !== indent) unsupported();
    if (l.text[0] === '-' && (l.text.length === 1 || l.text[1] === ' '))
      return this.sequence(indent);
    if (this.isMappingLine(l.text)) return this.mapping(indent);
    // a lone scalar node (a document or sequence item that is a scalar on its own line)
    if (!inSequenceItem && indent !== 0) unsupported();
    this.pos++;
    const value = inlineValue(l.text);
    const next = this.peek();
    if (next && next.indent > indent) unsupported();
    return value;
  }

  private isMappingLine(text: string): boolean {
    const c = text[0];
    if (c === '"' || c === "'") {
      const q = quoted(text);
      return q.rest[0] === ':' && (q.rest.length === 1 || q.rest[1] === ' ');
    }
    const i = text.indexOf(':');
    if (i < 0) return false;
    return text.indexOf(': ') >= 0 || text.endsWith(':');
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const l = this.peek();
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) unsupported();
      if (!(l.text[0] === '-' && (l.text.length === 1 || l.text[1] === ' '))) return out;
      const rest = l.text.slice(1);
      const content = rest.trimStart();
      if (content === '' || content[0] === '#') {
        this.pos++;
        const next = this.peek();
        if (next && next.indent > indent) out.push(this.node(next.indent, true));
        else out.push(null);
        continue;
      }
      // "- x": the item's content starts at its own column; read it as a line of its own
      const column = indent + 1 + (rest.length - content.length);
      this.lines[this.pos] = { indent: column, text: content, raw: content };
      out.push(this.itemNode(column, indent));
    }
  }

  /** A sequence item's node whose first line was rewritten to start at `column`. */
  private itemNode(column: number, seqIndent: number): unknown {
    const l = this.peek()!;
    if (l.text[0] === '-' && (l.text.length === 1 || l.text[1] === ' '))
      return this.sequence(column);
    if (this.isMappingLine(l.text)) return this.mapping(column);
    if (l.text[0] === '|' || l.text[0] === '>') unsupported();
    this.pos++;
    const value = inlineValue(l.text);
    // more indented lines would continue a multi-line scalar (or be an error)
    const next = this.peek();
    if (next && next.indent > seqIndent) unsupported();
    return value;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      const l = this.peek();
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) unsupported();
      const text = l.text;
      if (text[0] === '-' && (text.length === 1 || text[1] === ' ')) return out;
      let key: string;
      let rest: string;
      if (text[0] === '"' || text[0] === "'") {
        const q = quoted(text);
        key = q.value;
        rest = q.rest;
        if (rest[0] !== ':') unsupported();
        rest = rest.slice(1);
      } else {
        const i = text.indexOf(': ');
        const colon = i >= 0 ? i : text.endsWith(':') ? text.length - 1 : -1;
        if (colon <= 0) unsupported();
        const raw = text.slice(0, colon);
        if (INDICATOR.has(raw[0]) || raw[0] === '[' || raw[0] === '{' || raw.includes(' #'))
          unsupported();
        if (raw[0] === '-' && (raw.length === 1 || raw[1] === ' ')) unsupported();
        key = raw.trimEnd();
        if (typeof plainScalar(key) !== 'string' || key === '<<') unsupported();
        rest = text.slice(colon + 1);
      }
      if (rest.length > 0 && rest[0] !== ' ') unsupported();
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) unsupported();
      const value = rest.trimStart();
      this.pos++;
      if (value === '' || value[0] === '#') {
        const next = this.peek();
        if (next && next.indent > indent) out[key] = this.node(next.indent, false);
        else if (
          next &&
          next.indent === indent &&
          next.text[0] === '-' &&
          (next.text.length === 1 || next.text[1] === ' ')
        )
          out[key] = this.sequence(indent);
        else out[key] = null;
        continue;
      }
      if (value[0] === '|') {
        out[key] = this.literal(value, indent);
        continue;
      }
      out[key] = inlineValue(value);
      const next = this.peek();
      if (next && next.indent > indent) unsupported();
    }
  }

  /** A literal block scalar after `key: |`, `|-` or `|+`, its lines more indented than `parent`. */
  private literal(header: string, parent: number): string {
    const m = /^\|(-?)( +#.*)?$/.exec(header);
    if (!m) unsupported();
    const chomp = m[1];
    const body: string[] = [];
    let contentIndent = -1;
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.text === '') {
        // spaces beyond the content's indentation would be content
        if (contentIndent >= 0 && l.indent > contentIndent) unsupported();
        body.push('');
        this.pos++;
        continue;
      }
      if (l.indent <= parent) break;
      if (contentIndent < 0) {
        // leading blank lines longer than the content's indentation are an error in YAML
        contentIndent = l.indent;
        if (body.length > 0) unsupported();
      }
      if (l.indent < contentIndent) unsupported();
      body.push(' '.repeat(l.indent - contentIndent) + l.raw);
      this.pos++;
    }
    if (contentIndent < 0) unsupported();
    // blank lines that were part of the structure after the scalar belong to its trailing newlines
    let end = body.length;
    while (end > 0 && body[end - 1] === '') end--;
    const content = body.slice(0, end).join('\n');
    // blank lines read past the scalar are structure again
    this.pos -= body.length - end;
    return chomp === '-' ? content : content + '\n';
  }
}

/** Splits `text` into lines, giving up on what the reader does not handle line by line. */
function toLines(text: string): Line[] {
  const raw = text.split('\n');
  const lines: Line[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    let n = 0;
    while (r.charCodeAt(n) === 32) n++;
    const t = n === 0 ? r : r.slice(n);
    lines[i] = { indent: n, text: t.trimEnd(), raw: t };
  }
  return lines;
}

/** Reuse of documents read before, by their exact source text (see `fastLoadAll`). */
export interface FastLoadOptions {
  /**
   * The document read before from exactly this source text (a document's lines, without the `---`
   * lines around it), or undefined; a document given here is not read again.
   */
  reuse?: (source: string) => unknown;
  /** Filled with the source text of each document returned, in order. */
  sources?: string[];
}

/**
 * The non-empty documents of a template's output, as js-yaml's `loadAll` (core schema) reads them,
 * or `undefined` when the text is outside the subset this reader handles.
 */
export function fastLoadAll(text: string, options: FastLoadOptions = {}): unknown[] | undefined {
  if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff) return undefined;
  if (NON_PRINTABLE.test(text)) return undefined;
  // line and paragraph separators and NEL: js-yaml's handling of them is its own
  if (/[\u2028\u2029\u0085]/.test(text)) return undefined;
  const { reuse, sources } = options;
  try {
    const docs: unknown[] = [];
    const found: string[] = [];
    // A document's source is its lines joined by newlines (the text between two `---` lines, less
    // the newline before the second), so its lines are exactly `toLines(source)`: what is read from
    // a source depends on nothing else.
    const read = (source: string, noLines: boolean) => {
      let doc = noLines ? undefined : reuse?.(source);
      if (doc === undefined) doc = new Reader(noLines ? [] : toLines(source)).document();
      if (doc !== null && doc !== undefined) {
        docs.push(doc);
        if (sources) found.push(source);
      }
    };
    let startAt = 0;
    let pos = 0;
    let endsOnSeparator = false;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      const lineEnd = nl < 0 ? text.length : nl;
      const c = text.charCodeAt(pos);
      // only lines starting in column 0 with "-", "." or "%" can be separators or directives
      if (c === 45 || c === 46 || c === 37) {
        const t = text.slice(pos, lineEnd).trimEnd();
        if (t.startsWith('---') || t.startsWith('...') || t[0] === '%') {
          if (t !== '---') return undefined;
          // no lines between two separators (or before the first, on the text's first line)
          read(pos === startAt ? '' : text.slice(startAt, pos - 1), pos === startAt);
          endsOnSeparator = nl < 0;
          startAt = nl < 0 ? text.length : nl + 1;
        }
      }
      if (nl < 0) break;
      pos = nl + 1;
    }
    read(text.slice(startAt), endsOnSeparator);
    sources?.push(...found);
    return docs;
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    throw err;
  }
}
