import { indexByKeys, listKeyRule } from './lists.js';
import { ANY, isKeyed, segmentAccepts, type Path, type PatternSegment } from './paths.js';
import type { CompareContext } from './compare.js';

/** A `planIgnore` rule with its path parsed. */
export interface CompiledIgnore {
  kind?: string;
  pattern: PatternSegment[];
}

type Obj = Record<string, unknown>;

/**
 * A copy of `obj` without the fields the rules name (copied only along the removed paths; the
 * input is never changed). Ignored fields are gone before the comparison, so they are never shown,
 * never make a resource changed and never raise a risk.
 */
export function stripIgnored<T>(
  obj: T,
  kind: string,
  ctx: CompareContext,
  rules: CompiledIgnore[],
): T {
  let out: unknown = obj;
  for (const r of rules) {
    if (r.kind !== undefined && r.kind !== kind) continue;
    out = removeAt(out, r.pattern, 0, [], ctx);
  }
  return out as T;
}

function removeAt(
  node: unknown,
  pattern: PatternSegment[],
  i: number,
  path: Path,
  ctx: CompareContext,
): unknown {
  if (node === null || typeof node !== 'object') return node;
  const p = pattern[i];
  const last = i === pattern.length - 1;
  if (Array.isArray(node)) {
    const field = path[path.length - 1];
    const parent = path.slice(0, -1);
    const rule =
      typeof field === 'string' ? listKeyRule(ctx.group, ctx.kind, parent, field) : undefined;
    const index = rule ? indexByKeys(node, rule) : undefined;
    const segs = index ? [...index.values()].map((v) => v.seg) : node.map((_, j) => j);
    let copy: unknown[] | undefined;
    const drop = new Set<number>();
    node.forEach((item, j) => {
      const seg = segs[j];
      const accepted =
        p === ANY || segmentAccepts(p, seg) || (typeof p === 'number' && p === j && !isKeyed(seg));
      if (!accepted) return;
      if (last) {
        drop.add(j);
        return;
      }
      const next = removeAt(item, pattern, i + 1, [...path, seg], ctx);
      if (next !== item) {
        copy ??= [...node];
        copy[j] = next;
      }
    });
    if (drop.size > 0) return (copy ?? node).filter((_, j) => !drop.has(j));
    return copy ?? node;
  }
  const map = node as Obj;
  const keys = p === ANY ? Object.keys(map) : typeof p === 'string' ? [p] : [];
  let copy: Obj | undefined;
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(map, k)) continue;
    if (last) {
      copy ??= { ...map };
      delete copy[k];
      continue;
    }
    const next = removeAt(map[k], pattern, i + 1, [...path, k], ctx);
    if (next !== map[k]) {
      copy ??= { ...map };
      copy[k] = next;
    }
  }
  return copy ?? node;
}
