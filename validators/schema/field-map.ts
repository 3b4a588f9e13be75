/**
 * Runtime side of the generated field map (generate-field-map.ts produces it; regenerate with
 * `npm run generate:field-map`). The JSON is read lazily on first use (never at import time),
 * then turned into linked `ShapeNode` objects so the strict walker does only Map lookups.
 *
 * The map is merged over the supported Kubernetes minors: its shapes are those of the newest one,
 * and a field (or kind) that not every supported minor has carries the list of minors that have
 * it, so one walk answers "is this field in Kubernetes 1.31?" and "which minor added it?".
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One node of the serialized graph (see generate-field-map.ts for the encoding). */
export interface SerializedNode {
  f?: Record<string, number>;
  /** required (non-optional) fields, sorted */
  r?: string[];
  m?: number;
  a?: number;
  /** field -> the supported Kubernetes minors that have it (only fields that some minor lacks) */
  v?: Record<string, string[]>;
}

export interface KindEntry {
  /** npm package holding the validator */
  pkg: string;
  /** 'compiled': `file` exports an ajv standalone `validate`; 'model': `file` exports a Model class */
  mode: 'compiled' | 'model';
  /** path of the validator module inside `pkg` */
  file: string;
  /** for mode 'model': the exported class name */
  exportName?: string;
  /** root node index of the kind in `nodes` */
  root: number;
  /** the supported Kubernetes minors that serve this kind (absent: every one; empty: none) */
  versions?: string[];
}

export interface FieldMapFile {
  format: 2;
  /** package name (or "Kubernetes <minor>") -> version the map was generated from */
  sources: Record<string, string>;
  /** the supported Kubernetes minors, oldest first; the shapes are those of the last one */
  kubernetesVersions: string[];
  nodes: SerializedNode[];
  /** canonical Kubernetes definition name (e.g. IoK8sApiCoreV1Affinity) -> node index */
  named: Record<string, number>;
  /** `${apiVersion}|${kind}` -> kind entry */
  kinds: Record<string, KindEntry>;
}

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
  /**
   * Fields that only some supported Kubernetes minors have: field -> bit mask over
   * `LoadedFieldMap.versions` (bit i set: versions[i] has the field).
   */
  versions?: Map<string, number>;
}
export type ShapeRef = ShapeNode | null;

export interface LoadedFieldMap {
  sources: Record<string, string>;
  /** supported Kubernetes minors, oldest first (bit i of a mask is versions[i]) */
  versions: readonly string[];
  kinds: Map<string, Omit<KindEntry, 'versions'> & { shape: ShapeNode; versions: number }>;
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
      'validators/schema/generated/field-map.json not found; regenerate it with "npm run generate:field-map"',
    );
  }
  loaded = materialize(JSON.parse(text) as FieldMapFile);
  return loaded;
}

/** Bit mask of `list` over `versions`. */
export function versionMask(versions: readonly string[], list: readonly string[]): number {
  let mask = 0;
  for (const v of list) {
    const i = versions.indexOf(v);
    if (i < 0) throw new Error(`field map names unknown Kubernetes version ${v}`);
    mask |= 1 << i;
  }
  return mask;
}

export function materialize(file: FieldMapFile): LoadedFieldMap {
  if (file.format !== 2) throw new Error(`unsupported field map format ${String(file.format)}`);
  const versions = file.kubernetesVersions;
  if (versions.length > 30) throw new Error('too many Kubernetes versions for a bit mask');
  const all = (1 << versions.length) - 1;
  // every node gets the same properties in the same order, so the walker's property reads stay
  // monomorphic (absent and undefined mean the same everywhere)
  const nodes: ShapeNode[] = file.nodes.map(() => ({
    fields: undefined,
    required: undefined,
    values: undefined,
    items: undefined,
    versions: undefined,
  }));
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
    if (n.v) {
      out.versions = new Map();
      for (const [k, list] of Object.entries(n.v)) out.versions.set(k, versionMask(versions, list));
    }
  });
  const kinds: LoadedFieldMap['kinds'] = new Map();
  for (const [key, entry] of Object.entries(file.kinds)) {
    const mask = entry.versions === undefined ? all : versionMask(versions, entry.versions);
    kinds.set(key, { ...entry, shape: nodes[entry.root], versions: mask });
  }
  const named = new Map<string, ShapeNode>();
  for (const [key, idx] of Object.entries(file.named)) named.set(key, nodes[idx]);
  return { sources: file.sources, versions, kinds, named };
}
