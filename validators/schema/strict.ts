/**
 * Strict pass: reports every field that the schema does not declare, with a did-you-mean
 * suggestion (edit distance) or, failing that, the place in the object where the field is valid.
 * Free-form maps (labels, annotations, data, nodeSelector, Helm values, ...) are represented as
 * `values` in the shape graph and accept any key.
 */
import type { ShapeNode, ShapeRef } from './field-map.js';
import { closestName } from '../../core/suggest.js';
import { formatPath, atPath, type FieldPath } from './paths.js';

export interface UnknownField {
  path: FieldPath;
  message: string;
}

interface Found {
  path: FieldPath;
  key: string;
  node: ShapeNode;
  /** 'null': a required field set to null; 'unknown': an undeclared field; 'version': a field
   * the target Kubernetes version does not have */
  reason: 'null' | 'unknown' | 'version';
}

/** The Kubernetes version objects are checked for: its bit in the field map's version masks. */
export interface TargetVersion {
  /** supported minors, oldest first (the field map's `versions`) */
  versions: readonly string[];
  /** index of the target in `versions` */
  index: number;
}

/**
 * Walks `value` against `shape` and appends to `out`: undeclared fields (when `unknownFields` is
 * true, the strict mode), required fields explicitly set to `null` (always: `null` means absent,
 * and the compiled validators accept `null` everywhere) and, with a target version, fields that
 * version does not have (always: the API server of that version does not know them, whatever
 * `strict` says). The path stack is mutated in place and only copied when something is reported
 * (this is the hot loop of validation).
 */
export function findUnknownFields(
  value: unknown,
  root: ShapeNode,
  out: UnknownField[],
  unknownFields = true,
  target?: TargetVersion,
): void {
  const found: Found[] = [];
  walk(value, root, [], found, unknownFields, target ? 1 << target.index : 0);
  for (const f of found) {
    let message: string;
    if (f.reason === 'null') {
      message = `missing required field "${f.key}"${atPath(f.path.slice(0, -1))} (it is null)`;
    } else if (f.reason === 'version') {
      message = versionMessage(f.path, f.node.versions?.get(f.key) ?? 0, target!);
    } else {
      message = unknownFieldMessage(f.key, f.path, f.node, root);
    }
    out.push({ path: f.path, message });
  }
}

function walk(
  value: unknown,
  node: ShapeNode,
  stack: (string | number)[],
  found: Found[],
  unknownFields: boolean,
  bit: number,
): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items) return; // not an array here (ajv reports the type), or unchecked items
    for (let i = 0; i < value.length; i++) {
      stack.push(i);
      walk(value[i], items, stack, found, unknownFields, bit);
      stack.pop();
    }
    return;
  }
  const fields = node.fields;
  const values = node.values;
  if (fields === undefined) {
    if (!values) return;
    for (const key in value) {
      stack.push(key);
      walk((value as Record<string, unknown>)[key], values, stack, found, unknownFields, bit);
      stack.pop();
    }
    return;
  }
  const versions = bit === 0 ? undefined : node.versions;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null || v === undefined) {
      if (v === null && node.required?.has(key)) {
        found.push({ path: [...stack, key], key, node, reason: 'null' });
      }
      continue;
    }
    const child: ShapeRef | undefined = fields.get(key);
    if (child !== undefined) {
      if (versions !== undefined) {
        const mask = versions.get(key);
        if (mask !== undefined && (mask & bit) === 0) {
          found.push({ path: [...stack, key], key, node, reason: 'version' });
          continue;
        }
      }
      if (child !== null && typeof v === 'object') {
        stack.push(key);
        walk(v, child, stack, found, unknownFields, bit);
        stack.pop();
      }
    } else if (values !== undefined) {
      if (values !== null && typeof v === 'object') {
        stack.push(key);
        walk(v, values, stack, found, unknownFields, bit);
        stack.pop();
      }
    } else if (unknownFields) {
      found.push({ path: [...stack, key], key, node, reason: 'unknown' });
    }
  }
}

/** "spec.template.spec.resources is not in Kubernetes 1.31; it was added in 1.32 (...)" */
export function versionMessage(path: FieldPath, mask: number, target: TargetVersion): string {
  const { versions, index } = target;
  const has = (i: number) => (mask & (1 << i)) !== 0;
  const where = `${formatPath(path)} is not in Kubernetes ${versions[index]}`;
  for (let i = index + 1; i < versions.length; i++) {
    if (has(i)) {
      return `${where}; it was added in ${versions[i]} (remove it, or upgrade the cluster to ${versions[i]} or later first)`;
    }
  }
  for (let i = index - 1; i >= 0; i--) {
    if (has(i)) {
      return `${where}; it was removed in ${versions[i + 1]} (the last version with it is ${versions[i]}); remove it`;
    }
  }
  return `${where}; remove it`;
}

function unknownFieldMessage(key: string, path: FieldPath, node: ShapeNode, root: ShapeNode) {
  const where = atPath(path.slice(0, -1));
  const candidates = node.fields ? [...node.fields.keys()] : [];
  const suggestion = closestName(key, candidates);
  if (suggestion !== undefined) {
    return `unknown field "${key}"${where} (did you mean "${suggestion}"?)`;
  }
  const elsewhere = findFieldElsewhere(key, root);
  if (elsewhere !== undefined) {
    return `unknown field "${key}"${where} (it is valid at ${elsewhere}; move it there)`;
  }
  return `unknown field "${key}"${where}; remove it or check the spelling`;
}

/**
 * Breadth-first search (shortest path first) for a place under the object root where `key` is a
 * declared field; used to explain fields written at the wrong level.
 */
export function findFieldElsewhere(key: string, root: ShapeNode, maxDepth = 6): string | undefined {
  const seen = new Set<ShapeNode>([root]);
  let frontier: { node: ShapeNode; path: (string | number)[] }[] = [{ node: root, path: [] }];
  for (let depth = 0; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const { node, path } of frontier) {
      if (node.fields?.has(key)) return formatPath([...path, key]);
      const children: [string | number, ShapeRef | undefined][] = [];
      if (node.fields) for (const [k, v] of node.fields) children.push([k, v]);
      if (node.items) children.push(['*', node.items]);
      for (const [seg, child] of children) {
        if (!child || seen.has(child)) continue;
        seen.add(child);
        next.push({ node: child, path: [...path, seg] });
      }
    }
    frontier = next;
  }
  return undefined;
}
