import { InputError } from '../../core/errors.js';
import { emitYaml } from './emit.js';

/** Caps one document's node count and depth (rendered output and files read for validation). */
export const MAX_DOC_NODES = 200_000;
const MAX_DEPTH = 100;

/** Keys written first, in this order; all others follow in code-point order. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'namespace'];
const LEADING_RANK = new Map(LEADING_KEYS.map((k, i) => [k, i]));

export function compareKeys(a: string, b: string): number {
  const ra = LEADING_RANK.get(a);
  const rb = LEADING_RANK.get(b);
  if (ra !== undefined || rb !== undefined) return (ra ?? 99) - (rb ?? 99);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checks a parsed document's size and depth (shared references from aliases count every time they
 * are reached) and returns it unchanged; keys are put in the stable order when the document is
 * written, not here, so no copy is made.
 */
export function checkDocumentSize(doc: unknown, source: string): unknown {
  let count = 0;
  const walk = (v: unknown, depth: number): void => {
    if (++count > MAX_DOC_NODES || depth > MAX_DEPTH) {
      throw new InputError(
        `document is too large or too deep (over ${MAX_DOC_NODES} nodes or ${MAX_DEPTH} levels)`,
        { file: source },
      );
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
    } else {
      for (const k in v) walk((v as Record<string, unknown>)[k], depth + 1);
    }
  };
  walk(doc, 0);
  return doc;
}

/** The one YAML style of the release: block style, 2-space indent, no line folding, trailing newline. */
export function serializeDocument(obj: unknown): string {
  return emitYaml(obj, compareKeys);
}
