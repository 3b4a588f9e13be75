/**
 * A YAML emitter for the release's one style: block collections, two-space indent, sequences
 * indented under their key, strings plain when that is safe and double-quoted (JSON escapes)
 * otherwise, multi-line strings as literal blocks. It handles only what parsed manifests hold
 * (maps, lists, strings, numbers, booleans, null) and is several times faster than a general
 * dumper; `serializeDocument` checks its output parses back to the same value in tests.
 *
 * Plain strings are chosen conservatively: anything a YAML 1.1 parser (as in older Kubernetes
 * tooling) or a YAML 1.2 parser could read as another type (yes/no/on/off, numbers, dates,
 * sexagesimals, octals, null) is quoted.
 */

import { boundedMemo } from './memo.js';

const PLAIN_FIRST = /^[A-Za-z0-9_/$]/;
const PLAIN_CHARS = /^[A-Za-z0-9_./:@%+=,~$()' -]*$/;
const NUMBERISH = /^[-+.]?[0-9][0-9a-fA-FxXoObBtTzZ._:+ -]*$/;
const KEYWORDS = new Set([
  'y',
  'yes',
  'n',
  'no',
  'true',
  'false',
  'on',
  'off',
  'null',
  '~',
  '.inf',
  '-.inf',
  '+.inf',
  '.nan',
]);

function isPlainSafe(s: string): boolean {
  if (s.length === 0 || s.length > 1024) return false;
  if (!PLAIN_FIRST.test(s) || !PLAIN_CHARS.test(s)) return false;
  if (s.endsWith(' ') || s.endsWith(':') || s.includes(': ') || s.includes(' #')) return false;
  // the keywords are at most five characters long: longer strings need no lower-case copy
  if (s.length <= 5 && KEYWORDS.has(s.toLowerCase())) return false;
  if (NUMBERISH.test(s)) return false;
  return true;
}

function quote(s: string): string {
  return isPlainSafe(s) ? s : JSON.stringify(s);
}

/** Written keys: a plan's documents repeat a few hundred field names thousands of times. */
const quoteKey = boundedMemo(quote, 20_000);

/** A literal block (`|`, `|-`) when the text allows one, else undefined. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || s.length > 1_000_000) return undefined;
  // Control characters (tab aside), carriage returns and a leading space or blank first line need
  // the quoted form; so do trailing blank lines (they would need keep-chomping).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(s)) return undefined;
  if (s.startsWith(' ') || s.startsWith('\n') || s.endsWith('\n\n')) return undefined;
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = (chomp ? s : s.slice(0, -1)).split('\n');
  if (body.some((line) => /[ \t]$/.test(line))) return undefined;
  return `|${chomp}\n` + body.map((line) => (line.length ? indent + line : '')).join('\n');
}

function scalar(v: unknown, indent: string): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return literalBlock(v, indent) ?? quote(v);
    case 'number':
      if (Number.isNaN(v)) return '.nan';
      if (v === Infinity) return '.inf';
      if (v === -Infinity) return '-.inf';
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    default:
      throw new TypeError(`cannot write a ${typeof v} as YAML`);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEmptyCollection(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (!isMap(v)) return false;
  for (const key in v) if (Object.hasOwn(v, key)) return false;
  return true;
}

/** Appends `key: value` entries of a map; the first entry's indentation is the caller's. */
function writeMap(out: string[], obj: Record<string, unknown>, pad: string, first: boolean): void {
  let firstEntry = first;
  const keys = Object.keys(obj);
  if (order) keys.sort(order);
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined) continue;
    out.push(firstEntry ? '' : pad, quoteKey(key), ':');
    firstEntry = false;
    writeValue(out, v, pad);
  }
}

/** Appends the value of a map entry (after `key:`), ending the line(s). */
function writeValue(out: string[], v: unknown, pad: string): void {
  if (isEmptyCollection(v)) {
    out.push(Array.isArray(v) ? ' []\n' : ' {}\n');
  } else if (Array.isArray(v)) {
    out.push('\n');
    writeSeq(out, v, pad + '  ');
  } else if (isMap(v)) {
    out.push('\n');
    writeMap(out, v, pad + '  ', false);
  } else {
    out.push(' ', scalar(v, pad + '  '), '\n');
  }
}

function writeSeq(out: string[], list: unknown[], pad: string): void {
  for (const item of list) {
    out.push(pad, '-');
    if (isEmptyCollection(item)) out.push(Array.isArray(item) ? ' []\n' : ' {}\n');
    else if (isMap(item)) {
      out.push(' ');
      writeMap(out, item, pad + '  ', true);
    } else if (Array.isArray(item)) {
      out.push('\n');
      writeSeq(out, item, pad + '  ');
    } else out.push(' ', scalar(item, pad + '  '), '\n');
  }
}

/** Key order of the document being written (set for the duration of one `emitYaml` call). */
let order: ((a: string, b: string) => number) | undefined;

/** One document in the release style, ending with a newline; keys sorted by `keyOrder` if given. */
export function emitYaml(doc: unknown, keyOrder?: (a: string, b: string) => number): string {
  order = keyOrder;
  const out: string[] = [];
  if (isMap(doc) && !isEmptyCollection(doc)) writeMap(out, doc, '', false);
  else if (Array.isArray(doc) && doc.length > 0) writeSeq(out, doc, '');
  else
    out.push(
      isEmptyCollection(doc) ? (Array.isArray(doc) ? '[]\n' : '{}\n') : scalar(doc, '  ') + '\n',
    );
  return out.join('');
}
