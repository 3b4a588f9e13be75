import { indexByKeys, listKeyRule } from './lists.js';
import type { Path } from './paths.js';

/** A difference found by `compareValues`; `old`/`new` are undefined when absent on that side. */
export interface RawChange {
  path: Path;
  old: unknown;
  new: unknown;
}

/** Object context for list semantics. */
export interface CompareContext {
  group: string;
  kind: string;
}

type Obj = Record<string, unknown>;

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/** Structural equality; map key order never matters, list order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as Obj);
  const kb = Object.keys(b as Obj);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Obj)[k], (b as Obj)[k])) return false;
  }
  return true;
}

/**
 * Appends the differences between `a` and `b` (found at `path`) to `out`: maps key by key, keyed
 * lists item by item (matched by keys), other lists of maps of equal length item by item, and
 * everything else as one change. A field present on one side only is one change holding the whole
 * value. Changes come in key order.
 */
export function compareValues(
  a: unknown,
  b: unknown,
  path: Path,
  ctx: CompareContext,
  out: RawChange[],
): void {
  walk(a, b, [...path], ctx, out);
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** `path` is one stack, pushed and popped on the way down; a change takes a copy. */
function walk(a: unknown, b: unknown, path: Path, ctx: CompareContext, out: RawChange[]): void {
  if (a === b) return;
  if (a === undefined || b === undefined) {
    out.push({ path: path.slice(), old: a, new: b });
    return;
  }
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    for (const k of Object.keys(b)) if (!hasOwn(a, k)) keys.push(k);
    keys.sort();
    for (const k of keys) {
      const av = hasOwn(a, k) ? a[k] : undefined;
      const bv = hasOwn(b, k) ? b[k] : undefined;
      if (av === bv) continue;
      if (Array.isArray(av) && Array.isArray(bv)) compareLists(av, bv, path, k, ctx, out);
      else {
        path.push(k);
        walk(av, bv, path, ctx, out);
        path.pop();
      }
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    comparePositional(a, b, path, ctx, out);
    return;
  }
  if (!deepEqual(a, b)) out.push({ path: path.slice(), old: a, new: b });
}

function compareLists(
  a: unknown[],
  b: unknown[],
  parent: Path,
  field: string,
  ctx: CompareContext,
  out: RawChange[],
): void {
  const rule = listKeyRule(ctx.group, ctx.kind, parent, field);
  parent.push(field);
  if (rule) {
    const ia = indexByKeys(a, rule);
    const ib = indexByKeys(b, rule);
    if (ia && ib) {
      const ids = [...ia.keys()];
      for (const id of ib.keys()) if (!ia.has(id)) ids.push(id);
      ids.sort();
      for (const id of ids) {
        const x = ia.get(id);
        const y = ib.get(id);
        parent.push((x ?? y)!.seg);
        walk(x?.item, y?.item, parent, ctx, out);
        parent.pop();
      }
      parent.pop();
      return;
    }
  }
  comparePositional(a, b, parent, ctx, out);
  parent.pop();
}

/** Atomic lists: scalars as one change, maps item by item when the lengths agree. */
function comparePositional(
  a: unknown[],
  b: unknown[],
  path: Path,
  ctx: CompareContext,
  out: RawChange[],
): void {
  if (deepEqual(a, b)) return;
  if (a.length === b.length && !a.every(isScalar) && !b.every(isScalar)) {
    for (let i = 0; i < a.length; i++) {
      path.push(i);
      walk(a[i], b[i], path, ctx, out);
      path.pop();
    }
    return;
  }
  out.push({ path: path.slice(), old: a, new: b });
}
