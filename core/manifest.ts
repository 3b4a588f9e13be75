/**
 * A Kubernetes-shaped object: apiVersion, kind and metadata.name at least. Documents read by
 * `validate` may instead set only `metadata.generateName` (the API server then picks the name):
 * there `name` is absent, and `objectName` gives the prefix with `*` for reports.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; generateName?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A rendered (or read) resource and where it lives. */
export interface Manifest {
  /** Chart that rendered it ('' for files given on the command line). */
  chart: string;
  /**
   * Template that rendered it (project-relative), if rendered. Rules do not read it: `validate`
   * reads plan files and does not know it, and must find what `render` finds about the same plan
   * (the run memo, validators/run-memo.ts, serves one to the other).
   */
  template?: string;
  object: KubeObject;
  /** File holding it: release-relative path when rendered, otherwise as given. */
  file: string;
  /** 1-based line where the document starts in `file`. */
  line: number;
  /** Field path of the object inside its document (e.g. ['items', 2] inside a `kind: List`). */
  basePath?: (string | number)[];
}

/** Documents that are not Kubernetes API objects but config files of other tools (eksctl). */
export function isEksctlDocument(obj: { apiVersion?: unknown }): boolean {
  return typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('eksctl.io/');
}

export function apiGroup(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The object's name, or `<generateName>*` for an object whose name the API server generates. */
export function objectName(obj: KubeObject): string {
  const { name, generateName } = obj.metadata;
  if (typeof name === 'string' && name !== '') return name;
  return typeof generateName === 'string' && generateName !== '' ? `${generateName}*` : '';
}

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped), as findings show it. */
export function resourceId(obj: KubeObject): string {
  const name = objectName(obj);
  return obj.metadata.namespace
    ? `${obj.kind}/${obj.metadata.namespace}/${name}`
    : `${obj.kind}/${name}`;
}

/** Identity for duplicate detection: API group, kind, namespace, name. */
export function resourceKey(obj: KubeObject): string {
  return [apiGroup(obj.apiVersion), obj.kind, obj.metadata.namespace ?? '', objectName(obj)].join(
    '|',
  );
}

/** One document produced by a template, before it is placed in the release. */
export interface RenderedDocument {
  chart: string;
  template: string;
  object: KubeObject;
  /** Its release file's text, once known (set by the release builder; kept by the render cache). */
  text?: string;
  /**
   * A hash of the template output it was read from (its lines between `---` separators), when the
   * fast reader read it: the render cache reuses the document for the same output.
   */
  source?: string;
  /** Its release file's path (set by the release builder). */
  file?: string;
  /** The git blob id of `text`, when the render cache kept it with the text. */
  blobId?: string;
}
