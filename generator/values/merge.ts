import type { OriginNode } from './origins.js';

/** One source of values, lowest priority first when merged. */
export interface ValueLayer {
  value: Record<string, unknown>;
  origins: OriginNode;
}

/**
 * Tells the merge which lists merge item by item rather than replace: given the path of a list
 * (e.g. ['app', 'services', '0', 'env']), returns the key that identifies its items (e.g. 'name').
 */
export type MergeKeyLookup = (path: readonly string[]) => string | undefined;

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Merges value layers: maps merge deeply, later layers win, an explicit null deletes the key,
 * lists replace unless `mergeKeyOf` names a key to merge their items by.
 */
export function mergeValueLayers(layers: ValueLayer[], mergeKeyOf: MergeKeyLookup): ValueLayer {
  let acc: ValueLayer = {
    value: {},
    origins: layers[0]?.origins ?? { origin: { kind: 'file', file: '(none)', line: 1 } },
  };
  for (const layer of layers) {
    const [value, origins] = mergeNode(
      acc.value,
      acc.origins,
      layer.value,
      layer.origins,
      [],
      mergeKeyOf,
    );
    acc = { value: value as Record<string, unknown>, origins };
  }
  return acc;
}

function mergeNode(
  base: unknown,
  baseO: OriginNode | undefined,
  over: unknown,
  overO: OriginNode,
  path: string[],
  mergeKeyOf: MergeKeyLookup,
): [unknown, OriginNode] {
  if (isPlainMap(base) && isPlainMap(over)) {
    const out: Record<string, unknown> = { ...base };
    const children = new Map(baseO?.children ?? []);
    for (const [k, v] of Object.entries(over)) {
      const childO = overO.children?.get(k) ?? overO;
      if (v === null) {
        // Keep where the deletion happened, so errors about the missing value blame that layer.
        delete out[k];
        children.set(k, { origin: childO.origin, deleted: true });
        continue;
      }
      if (k in base) {
        const [mv, mo] = mergeNode(
          base[k],
          baseO?.children?.get(k),
          v,
          childO,
          [...path, k],
          mergeKeyOf,
        );
        out[k] = mv;
        children.set(k, mo);
      } else {
        out[k] = stripNulls(v);
        children.set(k, childO);
      }
    }
    return [out, { origin: baseO?.origin ?? overO.origin, children }];
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const key = mergeKeyOf(path);
    if (key) return mergeListByKey(base, baseO, over, overO, path, key, mergeKeyOf);
  }
  if (base === undefined || !baseO) return [stripNulls(over), overO];
  return [stripNulls(over), { ...overO, overrode: [...(baseO.overrode ?? []), baseO.origin] }];
}

function mergeListByKey(
  base: unknown[],
  baseO: OriginNode | undefined,
  over: unknown[],
  overO: OriginNode,
  path: string[],
  key: string,
  mergeKeyOf: MergeKeyLookup,
): [unknown, OriginNode] {
  const out = [...base];
  const outO: (OriginNode | undefined)[] = base.map((_, i) => baseO?.children?.get(String(i)));
  const indexOf = new Map<unknown, number>();
  base.forEach((item, i) => {
    if (isPlainMap(item) && item[key] !== undefined) indexOf.set(item[key], i);
  });
  over.forEach((item, j) => {
    const itemO = overO.children?.get(String(j)) ?? overO;
    const id = isPlainMap(item) ? item[key] : undefined;
    const at = id === undefined ? undefined : indexOf.get(id);
    if (at === undefined) {
      indexOf.set(id, out.length);
      out.push(stripNulls(item));
      outO.push(itemO);
    } else {
      const [mv, mo] = mergeNode(out[at], outO[at], item, itemO, [...path, String(at)], mergeKeyOf);
      out[at] = mv;
      outO[at] = mo;
    }
  });
  const children = new Map<string, OriginNode>();
  outO.forEach((o, i) => children.set(String(i), o ?? overO));
  return [out, { origin: overO.origin, children }];
}

/** A null inside a new subtree means "absent" as well. */
function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isPlainMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
    return out;
  }
  return v;
}
