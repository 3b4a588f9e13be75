import { emitYaml } from '../../core/emit.js';

/** Keys written first, in this order; all others follow in code-point order. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'namespace'];
const LEADING_RANK = new Map(LEADING_KEYS.map((k, i) => [k, i]));

export function compareKeys(a: string, b: string): number {
  const ra = LEADING_RANK.get(a);
  const rb = LEADING_RANK.get(b);
  if (ra !== undefined || rb !== undefined) return (ra ?? 99) - (rb ?? 99);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The one YAML style of the release: block style, 2-space indent, no line folding, trailing newline. */
export function serializeDocument(obj: unknown): string {
  return emitYaml(obj, compareKeys);
}
