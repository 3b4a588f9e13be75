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
  /** true: a required field set to null; false: an undeclared field */
  nullRequired: boolean;
}

/**
 * Walks `value` against `shape` and appends to `out`: undeclared fields (when `unknownFields` is
 * true, the strict mode) and required fields explicitly set to `null` (always: `null` means
 * absent, and the compiled validators accept `null` everywhere). The path stack is mutated in
 * place and only copied when something is reported (this is the hot loop of validation).
 */
export function findUnknownFields(
  value: unknown,
  root: ShapeNode,
  out: UnknownField[],
  unknownFields = true,
): void {
  const found: Found[] = [];
  walk(value, root, [], found, unknownFields);
  for (const f of found) {
    const message = f.nullRequired
      ? `missing required field "${f.key}"${atPath(f.path.slice(0, -1))} (it is null)`
      : unknownFieldMessage(f.key, f.path, f.node, root);
    out.push({ path: f.path, message });
  }
}

function walk(
  value: unknown,
  node: ShapeNode,
  stack: (string | number)[],
  found: Found[],
  unknownFields: boolean,
): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items) return; // not an array here (ajv reports the type), or unchecked items
    for (let i = 0; i < value.length; i++) {
      stack.push(i);
      walk(value[i], items, stack, found, unknownFields);
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
      walk((value as Record<string, unknown>)[key], values, stack, found, unknownFields);
      stack.pop();
    }
    return;
  }
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null || v === undefined) {
      if (v === null && node.required?.has(key)) {
        found.push({ path: [...stack, key], key, node, nullRequired: true });
      }
      continue;
    }
    const child: ShapeRef | undefined = fields.get(key);
    if (child !== undefined) {
      if (child !== null && typeof v === 'object') {
        stack.push(key);
        walk(v, child, stack, found, unknownFields);
        stack.pop();
      }
    } else if (values !== undefined) {
      if (values !== null && typeof v === 'object') {
        stack.push(key);
        walk(v, values, stack, found, unknownFields);
        stack.pop();
      }
    } else if (unknownFields) {
      found.push({ path: [...stack, key], key, node, nullRequired: false });
    }
  }
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
