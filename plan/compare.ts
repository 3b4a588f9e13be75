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
 * value.
 */
export function compareValues(
  a: unknown,
  b: unknown,
  path: Path,
  ctx: CompareContext,
  out: RawChange[],
): void {
  if (a === b) return;
  if (a === undefined || b === undefined) {
    out.push({ path, old: a, new: b });
    return;
  }
  if (isMap(a) && isMap(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      const av = Object.prototype.hasOwnProperty.call(a, k) ? a[k] : undefined;
      const bv = Object.prototype.hasOwnProperty.call(b, k) ? b[k] : undefined;
      if (Array.isArray(av) && Array.isArray(bv)) compareLists(av, bv, path, k, ctx, out);
      else compareValues(av, bv, [...path, k], ctx, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    comparePositional(a, b, path, ctx, out);
    return;
  }
  if (!deepEqual(a, b)) out.push({ path, old: a, new: b });
}

function compareLists(
  a: unknown[],
  b: unknown[],
  parent: Path,
  field: string,
  ctx: CompareContext,
  out: RawChange[],
): void {
  const path = [...parent, field];
  const rule = listKeyRule(ctx.group, ctx.kind, parent, field);
  if (rule) {
    const ia = indexByKeys(a, rule);
    const ib = indexByKeys(b, rule);
    if (ia && ib) {
      const ids = [...new Set([...ia.keys(), ...ib.keys()])].sort();
      for (const id of ids) {
        const x = ia.get(id);
        const y = ib.get(id);
        compareValues(x?.item, y?.item, [...path, (x ?? y)!.seg], ctx, out);
      }
      return;
    }
  }
  comparePositional(a, b, path, ctx, out);
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
    for (let i = 0; i < a.length; i++) compareValues(a[i], b[i], [...path, i], ctx, out);
    return;
  }
  out.push({ path, old: a, new: b });
}
