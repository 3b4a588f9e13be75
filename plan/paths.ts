/**
 * Field paths of the plan. A segment is a map key, a list index, or the keys of an item of a list
 * that Kubernetes merges by key (`containers[name=web]`, `ports[containerPort=8080,protocol=TCP]`),
 * so a path names the same field whatever the order of the list.
 */
export type KeyedItem = { keys: [string, string][] };
export type Segment = string | number | KeyedItem;
export type Path = Segment[];

/** `[*]` in an ignore rule: any key, index or keyed item. */
export const ANY = Symbol('any');
export type PatternSegment = Segment | typeof ANY;

const IDENT = /^[A-Za-z_$][\w$-]*$/;
const PLAIN_KEY_VALUE = /^[^\s\][,="]+$/;

function keyValue(v: string): string {
  return PLAIN_KEY_VALUE.test(v) ? v : JSON.stringify(v);
}

export function isKeyed(seg: Segment | typeof ANY): seg is KeyedItem {
  return typeof seg === 'object' && seg !== null;
}

/** `spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value`; odd keys are quoted. */
export function formatPath(path: readonly PatternSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (seg === ANY) out += '[*]';
    else if (typeof seg === 'number') out += `[${seg}]`;
    else if (isKeyed(seg)) out += `[${seg.keys.map(([k, v]) => `${k}=${keyValue(v)}`).join(',')}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Parses a path as `formatPath` writes it (plus `[*]`). Returns an error message for a malformed
 * path instead of throwing, so the caller can name the file and line.
 */
export function parsePattern(text: string): PatternSegment[] | string {
  const out: PatternSegment[] = [];
  let i = 0;
  const s = text.trim();
  if (s === '') return 'empty path';
  while (i < s.length) {
    if (s[i] === '.') {
      if (out.length === 0) return `unexpected "." at ${i + 1}`;
      i++;
    }
    if (s[i] === '[') {
      const close = findClose(s, i);
      if (close < 0) return `unclosed "[" at ${i + 1}`;
      const inner = s.slice(i + 1, close);
      i = close + 1;
      if (inner === '*') out.push(ANY);
      else if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (inner.startsWith('"')) {
        try {
          out.push(String(JSON.parse(inner)));
        } catch {
          return `bad quoted key ${inner}`;
        }
      } else {
        const keys = parseKeys(inner);
        if (typeof keys === 'string') return keys;
        out.push({ keys });
      }
      continue;
    }
    const m = /^[A-Za-z_$][\w$-]*/.exec(s.slice(i));
    if (!m) return `unexpected "${s[i]}" at ${i + 1}`;
    out.push(m[0]);
    i += m[0].length;
    if (i < s.length && s[i] !== '.' && s[i] !== '[') return `unexpected "${s[i]}" at ${i + 1}`;
  }
  return out;
}

function findClose(s: string, open: number): number {
  let quoted = false;
  for (let j = open + 1; j < s.length; j++) {
    if (s[j] === '"' && s[j - 1] !== '\\') quoted = !quoted;
    else if (s[j] === ']' && !quoted) return j;
  }
  return -1;
}

function parseKeys(inner: string): [string, string][] | string {
  const keys: [string, string][] = [];
  for (const part of splitTopLevel(inner)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `bad list item selector [${inner}] (write [key=value] or [*])`;
    const k = part.slice(0, eq).trim();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"')) {
      try {
        v = String(JSON.parse(v));
      } catch {
        return `bad quoted value ${v}`;
      }
    }
    keys.push([k, v]);
  }
  return keys;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    if (c === '"' && s[j - 1] !== '\\') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function segmentMatches(p: PatternSegment, seg: Segment): boolean {
  if (p === ANY) return true;
  if (isKeyed(p)) {
    if (!isKeyed(seg)) return false;
    return p.keys.every(([k, v]) => seg.keys.some(([k2, v2]) => k2 === k && v2 === v));
  }
  return p === seg;
}

/** Whether `pattern` names `path` or one of its ancestors. */
export function patternCovers(pattern: readonly PatternSegment[], path: Path): boolean {
  if (pattern.length > path.length) return false;
  for (let i = 0; i < pattern.length; i++) if (!segmentMatches(pattern[i], path[i])) return false;
  return true;
}

export function segmentAccepts(p: PatternSegment, seg: Segment): boolean {
  return segmentMatches(p, seg);
}
