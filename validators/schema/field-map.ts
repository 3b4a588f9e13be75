/**
 * Runtime side of the generated field map (see generate-field-map.ts for how it is produced).
 * The JSON is read lazily on first use (never at import time), then turned into linked
 * `ShapeNode` objects so the strict walker does only Map lookups.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FieldMapFile, KindEntry } from './generate-field-map.js';

/**
 * Allowed shape of one JSON value. A `null` reference means "not checked further" (scalars and
 * free-form objects). `fields === undefined` means the value is not a struct (a pure map and/or
 * array); `values === undefined` means no keys beyond `fields` are allowed.
 */
export interface ShapeNode {
  fields?: Map<string, ShapeRef>;
  /** fields that must not be absent or null */
  required?: ReadonlySet<string>;
  /** shape of the values of a free-key map (labels, data, nodeSelector, ...) */
  values?: ShapeRef;
  /** shape of array items */
  items?: ShapeRef;
}
export type ShapeRef = ShapeNode | null;

export interface LoadedFieldMap {
  sources: Record<string, string>;
  kinds: Map<string, KindEntry & { shape: ShapeNode }>;
  named: Map<string, ShapeNode>;
}

let loaded: LoadedFieldMap | undefined;

/** Candidate locations: next to the sources, or (from dist/validators/schema) the source tree. */
function fieldMapUrls(): URL[] {
  return [
    new URL('./generated/field-map.json', import.meta.url),
    new URL('../../../validators/schema/generated/field-map.json', import.meta.url),
  ];
}

export function loadFieldMap(): LoadedFieldMap {
  if (loaded) return loaded;
  let text: string | undefined;
  for (const url of fieldMapUrls()) {
    try {
      text = fs.readFileSync(fileURLToPath(url), 'utf8');
      break;
    } catch {
      // try the next candidate
    }
  }
  if (text === undefined) {
    throw new Error(
      'validators/schema/generated/field-map.json not found; regenerate it with ' +
        '"npm run build && node dist/validators/schema/generate-field-map.js"',
    );
  }
  loaded = materialize(JSON.parse(text) as FieldMapFile);
  return loaded;
}

export function materialize(file: FieldMapFile): LoadedFieldMap {
  if (file.format !== 1) throw new Error(`unsupported field map format ${String(file.format)}`);
  const nodes: ShapeNode[] = file.nodes.map(() => ({}));
  const ref = (i: number | undefined): ShapeRef | undefined =>
    i === undefined ? undefined : i < 0 ? null : nodes[i];
  file.nodes.forEach((n, i) => {
    const out = nodes[i];
    if (n.f) {
      out.fields = new Map();
      for (const k of Object.keys(n.f)) out.fields.set(k, ref(n.f[k]) as ShapeRef);
    }
    if (n.r) out.required = new Set(n.r);
    if (n.m !== undefined) out.values = ref(n.m);
    if (n.a !== undefined) out.items = ref(n.a);
  });
  const kinds = new Map<string, KindEntry & { shape: ShapeNode }>();
  for (const [key, entry] of Object.entries(file.kinds)) {
    kinds.set(key, { ...entry, shape: nodes[entry.root] });
  }
  const named = new Map<string, ShapeNode>();
  for (const [key, idx] of Object.entries(file.named)) named.set(key, nodes[idx]);
  return { sources: file.sources, kinds, named };
}
