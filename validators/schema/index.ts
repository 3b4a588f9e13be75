/**
 * Offline, pinned, strict schema validation of Kubernetes (and adjacent) objects.
 *
 * Two passes per object:
 *  1. types / required / enums / formats: the ajv validators shipped with the pinned model
 *     packages (kubernetes-models: compiled per kind; Istio: the package's JSON schema; Argo CD:
 *     compiled), or our own ajv schemas for IstioOperator and eksctl ClusterConfig
 *     (custom-schemas.ts). Those validators accept unknown fields.
 *  2. strict (default): unknown fields, using the field map generated from the packages' type
 *     declarations (generate-field-map.ts -> generated/field-map.json), with did-you-mean hints.
 *
 * Coverage: every kind in kubernetes-models 4.5.1 whose group/version is still served by
 * Kubernetes 1.33; Istio (networking.istio.io v1alpha3/v1beta1, security.istio.io v1beta1/v1,
 * telemetry, extensions) from @kubernetes-models/istio 2.3.0 plus IstioOperator
 * (install.istio.io/v1alpha1); Argo CD Application/AppProject/ApplicationSet (argoproj.io/v1alpha1)
 * from @kubernetes-models/argo-cd 2.7.2; eksctl ClusterConfig (eksctl.io/v1alpha5).
 *
 * Nothing heavy happens at import time: the field map, each kind's validator module and ajv are
 * loaded on first use of the kind, so importing this module costs only a few node built-ins.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { ajvErrorsToIssues } from './ajv-issues.js';
import { loadFieldMap, type ShapeNode } from './field-map.js';
import { findUnknownFields } from './strict.js';
import {
  compileCustomSchema,
  eksctlClusterConfigSchema,
  istioOperatorSchema,
  shapeFromSchema,
  type JsonSchema,
  type K8sValidate,
} from './custom-schemas.js';
import {
  PINNED_KUBERNETES_VERSION,
  REMOVED_API_VERSIONS,
  parseKubernetesVersion,
} from './kubernetes-version.js';
import { formatPath } from './paths.js';

/** field path inside the object, e.g. ['spec','template','spec','containers',0,'image'] */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

export interface SchemaOptions {
  /** default true: unknown fields are errors */
  strict?: boolean;
  /** entries like "Kind" or "group/version/Kind" ("v1/Kind" for the core group) */
  allowUnknownKinds?: string[];
  /**
   * Target cluster version, e.g. "1.33" (also "v1.33", "1.33.2"). The pinned schemas describe
   * exactly Kubernetes 1.33 (see supportedKubernetesVersions()); objects for any other
   * (newer or older) version are still validated against those 1.33 schemas, so fields added
   * after 1.33 are reported as unknown and fields added before it are not checked against the
   * older release. An unparseable value yields a single issue with path [].
   */
  kubernetesVersion?: string;
}

export type SchemaResult =
  | { kind: 'ok' }
  | { kind: 'issues'; issues: SchemaIssue[] }
  | { kind: 'no-schema'; message: string }
  | { kind: 'skipped-unknown-kind' };

/**
 * The Kubernetes versions the pinned schemas cover: exactly 1.33 (kubernetes-models 4.5.1 is
 * generated from the 1.33 OpenAPI document; evidence in kubernetes-version.ts).
 */
export function supportedKubernetesVersions(): { min: string; max: string } {
  return { min: PINNED_KUBERNETES_VERSION, max: PINNED_KUBERNETES_VERSION };
}

interface KindRuntime {
  validate: (obj: Record<string, unknown>) => SchemaIssue[];
  shape: ShapeNode;
}

const CUSTOM_KINDS: Record<string, JsonSchema> = {
  'install.istio.io/v1alpha1|IstioOperator': istioOperatorSchema,
  'eksctl.io/v1alpha5|ClusterConfig': eksctlClusterConfigSchema,
};

const runtimes = new Map<string, KindRuntime>();
const requireHere = createRequire(import.meta.url);
const packageDirs = new Map<string, string>();

function packageDir(pkg: string): string {
  let dir = packageDirs.get(pkg);
  if (dir === undefined) {
    // the model packages do not export their `_schemas/*` validators: resolve the package root
    // and require the CommonJS file by absolute path.
    dir = path.dirname(requireHere.resolve(`${pkg}/package.json`));
    packageDirs.set(pkg, dir);
  }
  return dir;
}

function requireFrom(pkg: string, file: string): unknown {
  return requireHere(path.join(packageDir(pkg), file));
}

/** Compiled kubernetes-models / apimachinery validator for a canonical definition name. */
function loadK8sDefinitionValidator(name: string): K8sValidate {
  const pkg = name.startsWith('IoK8sApimachinery')
    ? '@kubernetes-models/apimachinery'
    : 'kubernetes-models';
  const mod = requireFrom(pkg, `_schemas/${name}.js`) as { validate?: K8sValidate };
  if (typeof mod.validate !== 'function') throw new Error(`no validator for ${name}`);
  return mod.validate;
}

function isServed(key: string): boolean {
  return !REMOVED_API_VERSIONS.has(key.slice(0, key.indexOf('|')));
}

function getRuntime(key: string): KindRuntime | undefined {
  const cached = runtimes.get(key);
  if (cached) return cached;
  const map = loadFieldMap();
  let runtime: KindRuntime | undefined;
  const custom = CUSTOM_KINDS[key];
  if (custom) {
    const validate = compileCustomSchema(custom, loadK8sDefinitionValidator);
    const shape = shapeFromSchema(custom, map.named);
    if (!shape) throw new Error(`custom schema ${key} has no fields`);
    runtime = {
      shape,
      validate: (obj) => {
        const r = validate(obj);
        return r.ok ? [] : ajvErrorsToIssues(r.errors, obj);
      },
    };
  } else {
    const entry = map.kinds.get(key);
    if (!entry || !isServed(key)) return undefined;
    if (entry.mode === 'compiled') {
      const fn = (requireFrom(entry.pkg, entry.file) as { validate: K8sValidate }).validate;
      runtime = {
        shape: entry.shape,
        validate: (obj) =>
          fn(obj, { instancePath: '', rootData: obj })
            ? []
            : ajvErrorsToIssues(fn.errors ?? [], obj),
      };
    } else {
      type ModelCtor = new (data: unknown) => { validate(): void };
      const Model = (requireFrom(entry.pkg, entry.file) as Record<string, ModelCtor>)[
        entry.exportName ?? ''
      ];
      if (typeof Model !== 'function') throw new Error(`no model class for ${key}`);
      runtime = {
        shape: entry.shape,
        validate: (obj) => {
          try {
            new Model(obj).validate();
            return [];
          } catch (e) {
            const errors = (e as { errors?: ErrorObject[] }).errors;
            if (!Array.isArray(errors)) throw e;
            return ajvErrorsToIssues(errors, obj);
          }
        },
      };
    }
  }
  runtimes.set(key, runtime);
  return runtime;
}

/** True when `apiVersion`/`kind` is validated (and not merely skippable). */
export function hasSchema(apiVersion: string, kind: string): boolean {
  const key = `${apiVersion}|${kind}`;
  if (CUSTOM_KINDS[key]) return true;
  return isServed(key) && loadFieldMap().kinds.has(key);
}

function knownApiVersionsOf(kind: string): string[] {
  const out = new Set<string>();
  for (const key of Object.keys(CUSTOM_KINDS)) {
    const [apiVersion, k] = key.split('|');
    if (k === kind) out.add(apiVersion);
  }
  for (const key of loadFieldMap().kinds.keys()) {
    const i = key.indexOf('|');
    if (key.slice(i + 1) === kind && isServed(key)) out.add(key.slice(0, i));
  }
  return [...out].sort();
}

/**
 * Validates one object (a parsed manifest document) against the pinned schemas.
 *
 * - `ok`: no issue. `issues`: type/required/enum problems and, unless `strict: false`, unknown
 *   fields (each with its path inside the object and a one-line fix).
 * - `no-schema`: no schema for this apiVersion/kind (message names it and any apiVersions that
 *   do have a schema for the kind); `skipped-unknown-kind` when listed in `allowUnknownKinds`.
 *
 * Kubernetes semantics: int-or-string fields accept both forms, quantities accept numbers and
 * strings such as "100m"/"1Gi", and a field set to `null` is treated as absent.
 */
export function validateObjectSchema(
  obj: Record<string, unknown>,
  opts: SchemaOptions = {},
): SchemaResult {
  if (opts.kubernetesVersion !== undefined) {
    const v = opts.kubernetesVersion;
    if (typeof v !== 'string' || parseKubernetesVersion(v) === undefined) {
      return {
        kind: 'issues',
        issues: [
          {
            path: [],
            message: `invalid kubernetesVersion ${JSON.stringify(v)}: expected "<major>.<minor>" such as "${PINNED_KUBERNETES_VERSION}"`,
          },
        ],
      };
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return { kind: 'issues', issues: [{ path: [], message: 'expected an object (a mapping)' }] };
  }
  const { apiVersion, kind } = obj;
  const headerIssues: SchemaIssue[] = [];
  for (const [field, value] of [
    ['apiVersion', apiVersion],
    ['kind', kind],
  ] as const) {
    if (value === undefined || value === null || value === '') {
      headerIssues.push({ path: [field], message: `missing required field "${field}"` });
    } else if (typeof value !== 'string') {
      headerIssues.push({
        path: [field],
        message: `expected string at ${field}, got ${JSON.stringify(value)}`,
      });
    }
  }
  if (headerIssues.length > 0) return { kind: 'issues', issues: headerIssues };

  const key = `${apiVersion as string}|${kind as string}`;
  const runtime = getRuntime(key);
  if (!runtime) {
    const allow = opts.allowUnknownKinds ?? [];
    if (
      allow.includes(kind as string) ||
      allow.includes(`${apiVersion as string}/${kind as string}`)
    ) {
      return { kind: 'skipped-unknown-kind' };
    }
    return { kind: 'no-schema', message: noSchemaMessage(apiVersion as string, kind as string) };
  }

  const issues = runtime.validate(obj);
  findUnknownFields(obj, runtime.shape, issues, opts.strict !== false);
  if (issues.length === 0) return { kind: 'ok' };
  return { kind: 'issues', issues: sortIssues(issues) };
}

function noSchemaMessage(apiVersion: string, kind: string): string {
  const known = knownApiVersionsOf(kind);
  let detail = '';
  if (known.length > 0) {
    const removed = REMOVED_API_VERSIONS.has(apiVersion)
      ? `${apiVersion} is not served by Kubernetes ${PINNED_KUBERNETES_VERSION}; `
      : '';
    detail = ` (${removed}known apiVersions for ${kind}: ${known.join(', ')})`;
  }
  return `no schema for ${apiVersion} ${kind}${detail}; add it to allowUnknownKinds to skip`;
}

function sortIssues(issues: SchemaIssue[]): SchemaIssue[] {
  const keyed = issues.map((issue, i) => ({ issue, i, p: formatPath(issue.path) }));
  keyed.sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : a.i - b.i));
  return keyed.map((k) => k.issue);
}
