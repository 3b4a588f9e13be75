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
 * Kubernetes versions: 1.29 to 1.33 (kubernetes-version.ts). Objects are checked for one of them
 * (default: the newest): a field that version does not have (e.g. pod-level `resources` in 1.31)
 * is reported with the version that added it, and a kind that version does not serve is
 * `no-schema`. Types and required fields are those of 1.33 for every version (the API keeps a
 * field's type across minors).
 *
 * Coverage: every kind in kubernetes-models 4.5.1 whose group/version a supported Kubernetes
 * version serves; Istio (networking.istio.io v1alpha3/v1beta1, security.istio.io v1beta1/v1,
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
import { findUnknownFields, type TargetVersion } from './strict.js';
import {
  compileCustomSchema,
  shapeFromSchema,
  type CompiledValidator,
  type K8sValidate,
} from './custom-schemas.js';
import {
  CUSTOM_SCHEMAS,
  loadPrecompiled,
  resetPrecompiled,
  schemaModuleHooks,
} from './precompiled.js';
import { definitionValidator, loadSchemaModule, modelPackageDir } from './module-loader.js';
import {
  KUBERNETES_VERSIONS,
  NEWEST_KUBERNETES_VERSION,
  listKubernetesVersions,
  supportedKubernetesVersion,
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
   * Target cluster version, e.g. "1.31" (also "v1.31", "1.31.2"); default: the newest supported
   * one. A version outside supportedKubernetesVersions() yields a single issue with path [].
   */
  kubernetesVersion?: string;
}

export type SchemaResult =
  | { kind: 'ok' }
  | { kind: 'issues'; issues: SchemaIssue[] }
  | { kind: 'no-schema'; message: string }
  | { kind: 'skipped-unknown-kind' };

/** The Kubernetes minors objects can be checked for, oldest first (see kubernetes-version.ts). */
export function supportedKubernetesVersions(): readonly string[] {
  return KUBERNETES_VERSIONS;
}

interface KindRuntime {
  validate: (obj: Record<string, unknown>) => SchemaIssue[];
  shape: ShapeNode;
  /** the supported minors serving the kind, as a bit mask over the field map's versions */
  served: number;
}

/** Kinds validated with our own schemas (custom-schemas.ts). */
const CUSTOM_KINDS = CUSTOM_SCHEMAS;

const runtimes = new Map<string, KindRuntime>();
const requireHere = createRequire(import.meta.url);

/** A kind's validator module of a model package (module-loader.ts: with the build's code cache). */
function schemaModule(pkg: string, file: string): unknown {
  return loadSchemaModule(path.join(modelPackageDir(pkg), file), schemaModuleHooks());
}

/** Compiled kubernetes-models / apimachinery validator for a canonical definition name. */
function loadK8sDefinitionValidator(name: string): K8sValidate {
  return definitionValidator(name, schemaModuleHooks());
}

/** The target as the strict walker sees it: its index in the field map's version list. */
const targets = new Map<string, TargetVersion>();
function targetOf(minor: string): TargetVersion {
  let target = targets.get(minor);
  if (target === undefined) {
    const { versions } = loadFieldMap();
    const index = versions.indexOf(minor);
    if (index < 0) throw new Error(`the field map does not cover Kubernetes ${minor}`);
    targets.set(minor, (target = { versions, index }));
  }
  return target;
}

/** The supported minor a requested version names (memoized: this runs once per object). */
const minors = new Map<string, string | undefined>();
function minorOf(requested: string): string | undefined {
  if (!minors.has(requested)) minors.set(requested, supportedKubernetesVersion(requested));
  return minors.get(requested);
}

/** True when Kubernetes `minor` serves the kind (custom kinds: always). */
function isServed(key: string, minor: string): boolean {
  if (CUSTOM_KINDS[key]) return true;
  const entry = loadFieldMap().kinds.get(key);
  return entry !== undefined && (entry.versions & (1 << targetOf(minor).index)) !== 0;
}

/** The schema issues of an ajv validator's errors. */
function issuesOf(validate: CompiledValidator): KindRuntime['validate'] {
  return (obj) => {
    const r = validate(obj);
    return r.ok ? [] : ajvErrorsToIssues(r.errors, obj);
  };
}

function getRuntime(key: string): KindRuntime | undefined {
  const cached = runtimes.get(key);
  if (cached) return cached;
  const map = loadFieldMap();
  let runtime: KindRuntime | undefined;
  let precompiled: CompiledValidator | undefined;
  const custom = CUSTOM_KINDS[key];
  if (custom) {
    const validate =
      loadPrecompiled(key, loadK8sDefinitionValidator) ??
      compileCustomSchema(custom, loadK8sDefinitionValidator);
    const shape = shapeFromSchema(custom, map.named);
    if (!shape) throw new Error(`custom schema ${key} has no fields`);
    runtime = { shape, served: -1, validate: issuesOf(validate) };
  } else {
    const entry = map.kinds.get(key);
    if (!entry) return undefined;
    if (entry.mode === 'compiled') {
      const fn = (schemaModule(entry.pkg, entry.file) as { validate: K8sValidate }).validate;
      runtime = {
        shape: entry.shape,
        served: entry.versions,
        validate: (obj) =>
          fn(obj, { instancePath: '', rootData: obj })
            ? []
            : ajvErrorsToIssues(fn.errors ?? [], obj),
      };
    } else if ((precompiled = loadPrecompiled(key, loadK8sDefinitionValidator))) {
      runtime = { shape: entry.shape, served: entry.versions, validate: issuesOf(precompiled) };
    } else {
      type ModelCtor = new (data: unknown) => { validate(): void };
      const Model = (
        requireHere(path.join(modelPackageDir(entry.pkg), entry.file)) as Record<string, ModelCtor>
      )[entry.exportName ?? ''];
      if (typeof Model !== 'function') throw new Error(`no model class for ${key}`);
      runtime = {
        shape: entry.shape,
        served: entry.versions,
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

/**
 * Tests: drop the validators made so far, and choose whether the precompiled ones (precompiled.ts)
 * are used or every schema is compiled at run time.
 */
export function resetSchemaValidators(precompiled = true): void {
  runtimes.clear();
  resetPrecompiled(precompiled);
}

/**
 * True when `apiVersion`/`kind` is validated (and not merely skippable) for Kubernetes
 * `kubernetesVersion` (default: the newest supported version).
 */
export function hasSchema(
  apiVersion: string,
  kind: string,
  kubernetesVersion: string = NEWEST_KUBERNETES_VERSION,
): boolean {
  const minor = supportedKubernetesVersion(kubernetesVersion);
  return minor !== undefined && isServed(`${apiVersion}|${kind}`, minor);
}

function knownApiVersionsOf(kind: string, minor: string): string[] {
  const out = new Set<string>();
  for (const key of Object.keys(CUSTOM_KINDS)) {
    const [apiVersion, k] = key.split('|');
    if (k === kind) out.add(apiVersion);
  }
  for (const key of loadFieldMap().kinds.keys()) {
    const i = key.indexOf('|');
    if (key.slice(i + 1) === kind && isServed(key, minor)) out.add(key.slice(0, i));
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
  const requested = opts.kubernetesVersion ?? NEWEST_KUBERNETES_VERSION;
  const minor = typeof requested === 'string' ? minorOf(requested) : undefined;
  if (minor === undefined) {
    return {
      kind: 'issues',
      issues: [
        {
          path: [],
          message: `unsupported Kubernetes version ${JSON.stringify(requested)}: supported versions are ${listKubernetesVersions()}`,
        },
      ],
    };
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
  const target = targetOf(minor);
  const found = getRuntime(key);
  const runtime = found && (found.served & (1 << target.index)) !== 0 ? found : undefined;
  if (!runtime) {
    const allow = opts.allowUnknownKinds ?? [];
    if (
      allow.includes(kind as string) ||
      allow.includes(`${apiVersion as string}/${kind as string}`)
    ) {
      return { kind: 'skipped-unknown-kind' };
    }
    return {
      kind: 'no-schema',
      message: noSchemaMessage(apiVersion as string, kind as string, minor),
    };
  }

  const issues = runtime.validate(obj);
  findUnknownFields(obj, runtime.shape, issues, opts.strict !== false, target);
  if (issues.length === 0) return { kind: 'ok' };
  return { kind: 'issues', issues: sortIssues(issues) };
}

function noSchemaMessage(apiVersion: string, kind: string, minor: string): string {
  const known = knownApiVersionsOf(kind, minor);
  const entry = loadFieldMap().kinds.get(`${apiVersion}|${kind}`);
  if (entry) {
    // a Kubernetes kind this version does not serve (removed, or added later)
    const { versions } = loadFieldMap();
    const serving = versions.filter((_, i) => (entry.versions & (1 << i)) !== 0);
    const when =
      serving.length > 0
        ? ` (Kubernetes ${serving.join(', ')} serve${serving.length === 1 ? 's' : ''} it)`
        : '';
    const use =
      known.length > 0 ? `; use ${known.length === 1 ? '' : 'one of '}${known.join(', ')}` : '';
    return `${apiVersion} ${kind} is not served by Kubernetes ${minor}${when}${use}`;
  }
  const detail = known.length > 0 ? ` (known apiVersions for ${kind}: ${known.join(', ')})` : '';
  return `no schema for ${apiVersion} ${kind}${detail}; add it to allowUnknownKinds to skip`;
}

function sortIssues(issues: SchemaIssue[]): SchemaIssue[] {
  const keyed = issues.map((issue, i) => ({ issue, i, p: formatPath(issue.path) }));
  keyed.sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : a.i - b.i));
  return keyed.map((k) => k.issue);
}
