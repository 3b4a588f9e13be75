/** Field-path helpers shared by the strict walker and the ajv error conversion. */

export type { FieldPath } from '../../core/paths.js';
import type { FieldPath } from '../../core/paths.js';

export { formatFieldPath as formatPath } from '../../core/paths.js';
import { formatFieldPath as formatPath } from '../../core/paths.js';

/** ' at spec.replicas', or '' for the object root. */
export function atPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? ' at the top level' : ` at ${formatPath(path)}`;
}

/**
 * Resolves an ajv `instancePath` (JSON pointer) against the validated data: array indices
 * become numbers, and the value found there is returned for messages.
 */
export function resolvePointer(
  root: unknown,
  pointer: string,
): { path: FieldPath; value: unknown; found: boolean } {
  const path: FieldPath = [];
  if (pointer === '') return { path, value: root, found: true };
  let cur: unknown = root;
  let found = true;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      const i = Number(seg);
      path.push(i);
      cur = cur[i];
    } else {
      path.push(seg);
      if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg)) {
        cur = (cur as Record<string, unknown>)[seg];
      } else {
        cur = undefined;
        found = false;
      }
    }
  }
  return { path, value: cur, found };
}

/** 'string "abc"', 'integer 3', 'boolean true', 'null', 'an array', 'an object'. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
    case 'number':
      return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
    case 'boolean':
      return `boolean ${v}`;
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return typeof v;
  }
}
