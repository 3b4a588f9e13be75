import { InputError } from './errors.js';

/**
 * Why a parsed document is not a Kubernetes-shaped object (undefined when it is). The API server
 * accepts `metadata.generateName` instead of a name (it picks the name; ValidateObjectMeta in
 * k8s.io/apimachinery requires one of the two), so `validate` passes `{ generateName: true }`; a
 * rendered plan still needs names, because each resource's release path is made from its name.
 */
export function kubeShapeProblem(
  doc: unknown,
  options: { generateName?: boolean } = {},
): string | undefined {
  if (typeof doc !== 'object' || Array.isArray(doc) || doc === null) return 'is not a map';
  const d = doc as Record<string, unknown>;
  if (typeof d.apiVersion !== 'string' || d.apiVersion === '') return 'has no apiVersion';
  if (typeof d.kind !== 'string' || d.kind === '') return 'has no kind';
  const meta = d.metadata as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta))
    return `(${d.kind}) has no metadata`;
  const generated = typeof meta.generateName === 'string' && meta.generateName !== '';
  if (typeof meta.name !== 'string' || meta.name === '') {
    if (meta.name !== undefined && meta.name !== null && meta.name !== '')
      return `(${d.kind}) has a metadata.name that is not a string`;
    if (!generated) return `(${d.kind}) has no metadata.name (nor metadata.generateName)`;
    if (!options.generateName)
      return `(${d.kind}, generateName ${JSON.stringify(meta.generateName)}) has no metadata.name: a rendered resource needs a name, because its release file is named after it (generateName is for objects created outside the plan)`;
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || meta.namespace === ''))
    return `(${d.kind}/${String(meta.name ?? `${String(meta.generateName)}*`)}) has a metadata.namespace that is not a string`;
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

/**
 * The API server's size limits: a ConfigMap's or Secret's data may hold at most 1 MiB
 * (`MaxSecretSize = 1 * 1024 * 1024` in kubernetes pkg/apis/core/types.go, enforced by
 * ValidateConfigMap and ValidateSecret over data + binaryData, and data + stringData), and etcd
 * refuses a request over 1.5 MiB (its default `--max-request-bytes`), which bounds every object.
 */
export const MAX_CONFIG_DATA_BYTES = 1024 * 1024;
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

function byteLength(v: unknown, base64: boolean): number {
  if (typeof v !== 'string') return 0;
  return base64 ? Buffer.from(v, 'base64').length : Buffer.byteLength(v, 'utf8');
}

/** Why the API server would refuse this object for its size (undefined when it fits). */
export function apiServerSizeProblem(
  obj: { apiVersion?: unknown; kind?: unknown; [k: string]: unknown },
  serializedBytes: number,
): string | undefined {
  const core = obj.apiVersion === 'v1';
  const sum = (field: string, base64: boolean) => {
    const m = obj[field];
    if (!m || typeof m !== 'object') return 0;
    return Object.values(m as Record<string, unknown>).reduce<number>(
      (n, v) => n + byteLength(v, base64),
      0,
    );
  };
  if (core && (obj.kind === 'ConfigMap' || obj.kind === 'Secret')) {
    const total =
      obj.kind === 'ConfigMap'
        ? sum('data', false) + sum('binaryData', true)
        : sum('data', true) + sum('stringData', false);
    if (total > MAX_CONFIG_DATA_BYTES)
      return `${obj.kind} data holds ${total} bytes; the API server accepts at most ${MAX_CONFIG_DATA_BYTES} (1 MiB): split it or mount the content another way`;
  }
  if (serializedBytes > MAX_OBJECT_BYTES)
    return `the object is ${serializedBytes} bytes; etcd refuses requests over ${MAX_OBJECT_BYTES} bytes (1.5 MiB): make it smaller`;
  return undefined;
}
