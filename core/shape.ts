import { InputError } from './errors.js';

/** Why a parsed document is not a Kubernetes-shaped object (undefined when it is). */
export function kubeShapeProblem(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || Array.isArray(doc) || doc === null) return 'is not a map';
  const d = doc as Record<string, unknown>;
  if (typeof d.apiVersion !== 'string' || d.apiVersion === '') return 'has no apiVersion';
  if (typeof d.kind !== 'string' || d.kind === '') return 'has no kind';
  const meta = d.metadata as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta))
    return `(${d.kind}) has no metadata`;
  if (typeof meta.name !== 'string' || meta.name === '') return `(${d.kind}) has no metadata.name`;
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || meta.namespace === ''))
    return `(${d.kind}/${meta.name}) has a metadata.namespace that is not a string`;
  return undefined;
}

/** Caps one document's node count and depth (rendered output and files read for validation). */
export const MAX_DOC_NODES = 200_000;
const MAX_DEPTH = 100;

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
