import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { InputError, yamlInputError } from '../core/errors.js';
import { resourceId, type Manifest } from '../core/manifest.js';
import {
  CACHE_DIR,
  openProject,
  requireEnvironment,
  VALIDATION_CONFIG_FILE,
  type Project,
} from '../generator/project.js';
import { clusterOf } from '../core/cluster.js';
import { GLOBAL_KEY, loadValues, type LoadedValues } from '../generator/values/load.js';
import { findOrigin } from '../generator/values/origins.js';
import { FieldLocator } from './locate.js';
import { readManifests } from './read.js';
import {
  listKubernetesVersions,
  NEWEST_KUBERNETES_VERSION,
  supportedKubernetesVersion,
} from './schema/kubernetes-version.js';
import { RULES } from './rules/index.js';
import { runValidation, selectRules, type ValidationInput } from './run.js';
import { findingsCacheFile } from './findings-cache.js';
import { ValidationModel } from './model/index.js';
import { findSecretValueLeaks } from './rules/secret-leak.js';
import type { ClusterDeclaration, ContextInput, Finding, Rule } from './types.js';

export interface ValidateOptions {
  root: string;
  env?: string;
  paths?: string[];
  only?: string[];
  skip?: string[];
  strict?: boolean;
  allowUnknownKinds?: string[];
  /** `--kubernetes-version`: the minor to check for (wins over the cluster declaration's). */
  kubernetesVersion?: string;
  stdin?: () => string;
  /**
   * Objects the given files are added to (e.g. the environment's plan under a preview): rules see
   * them, so references into them resolve, but only findings about the given files are reported.
   */
  baseManifests?: Manifest[];
  /** Environment variables (secret values for the leak check); the CLI passes its own. */
  environ: Readonly<Record<string, string | undefined>>;
  /**
   * Use the findings cache of object-local rules under .manifests-cache/ (only for release/<env>/,
   * not for files given as paths).
   */
  cache?: boolean;
}

/** One resource that was validated, as reports list it (JUnit has a test case per resource). */
export interface CheckedResource {
  /** `Kind/namespace/name`, as findings name it */
  resource: string;
  apiVersion: string;
  kind: string;
  file: string;
  line: number;
}

export interface ValidateResult {
  findings: Finding[];
  rules: Rule[];
  resources: number;
  /** Rules that validation.yaml skips (reports list them). */
  skipped: string[];
  /** Paths that were not read because they are not regular files. */
  unread?: string[];
  /** every validated resource, in file order */
  checked: CheckedResource[];
  /** the Kubernetes minor objects were checked for */
  kubernetesVersion: string;
}

/** A `planIgnore` entry of validation.yaml: a field `manifests plan` leaves out of the diff. */
export interface PlanIgnoreEntry {
  kind?: string;
  path: string;
  /** Line of the entry in validation.yaml. */
  line?: number;
}

/** Project settings for validation: `validation.yaml` at the project root (optional). */
export interface ValidationConfig {
  allowUnknownKinds: string[];
  skip: string[];
  /** Fields `manifests plan` ignores (checksum annotations and other noise). */
  planIgnore: PlanIgnoreEntry[];
  /** Risk codes that make `manifests plan` exit 1. */
  planFailOn: string[];
  /** Line of each `planFailOn` item, for errors. */
  planFailOnLines?: number[];
}

const CONFIG_KEYS = ['allowUnknownKinds', 'skip', 'planIgnore', 'planFailOn'];

export function readValidationConfig(project: Project): ValidationConfig {
  const config: ValidationConfig = {
    allowUnknownKinds: [],
    skip: [],
    planIgnore: [],
    planFailOn: [],
  };
  const text = project.files.get(VALIDATION_CONFIG_FILE);
  if (text === undefined) return config;
  let raw: unknown;
  try {
    raw = loadYaml(text);
  } catch (err) {
    throw yamlInputError(err, 'validation.yaml');
  }
  const locator = new FieldLocator(new Map([['validation.yaml', text]]));
  const at = (path: (string | number)[]) => ({
    file: 'validation.yaml',
    line: locator.lineOf('validation.yaml', 1, path),
  });
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new InputError('validation.yaml must be a map', { file: 'validation.yaml' });
  }
  const r = (raw ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!CONFIG_KEYS.includes(key)) {
      throw new InputError(`unknown key "${key}" (keys: ${CONFIG_KEYS.join(', ')})`, at([key]));
    }
  }
  for (const key of ['allowUnknownKinds', 'skip', 'planFailOn'] as const) {
    const v = r[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw new InputError(`"${key}" must be a list of strings`, at([key]));
    }
    config[key] = v as string[];
  }
  config.planFailOnLines = config.planFailOn.map((_, i) => at(['planFailOn', i]).line);
  const ignore = r.planIgnore;
  if (ignore !== undefined && ignore !== null) {
    if (!Array.isArray(ignore)) {
      throw new InputError('"planIgnore" must be a list of { kind?, path }', at(['planIgnore']));
    }
    ignore.forEach((item, i) => {
      const where = at(['planIgnore', i]);
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        throw new InputError('a planIgnore entry must be a map { kind?, path }', where);
      }
      const e = item as Record<string, unknown>;
      for (const k of Object.keys(e)) {
        if (k !== 'kind' && k !== 'path') {
          throw new InputError(
            `unknown key "${k}" in planIgnore (keys: kind, path)`,
            at(['planIgnore', i, k]),
          );
        }
      }
      if (typeof e.path !== 'string' || e.path.trim() === '') {
        throw new InputError(
          'a planIgnore entry needs a path (a field path, e.g. metadata.annotations["checksum/config"])',
          where,
        );
      }
      if (e.kind !== undefined && (typeof e.kind !== 'string' || e.kind === '')) {
        throw new InputError(
          'planIgnore kind must be a kind name, e.g. Deployment',
          at(['planIgnore', i, 'kind']),
        );
      }
      config.planIgnore.push({
        kind: e.kind as string | undefined,
        path: e.path,
        line: where.line,
      });
    });
  }
  return config;
}

/**
 * The Kubernetes minor to check for: the `--kubernetes-version` flag, else the cluster
 * declaration's `kubernetesVersion`, else the newest supported one. An unsupported version is bad
 * input (exit 2), named with where it comes from and the supported versions.
 */
export function resolveKubernetesVersion(
  flag: string | undefined,
  loaded: LoadedValues | undefined,
): string {
  const supported = `supported versions: ${listKubernetesVersions()}`;
  if (flag !== undefined) {
    const minor = supportedKubernetesVersion(flag);
    if (!minor) throw new InputError(`unsupported --kubernetes-version "${flag}"; ${supported}`);
    return minor;
  }
  const declared = loaded ? clusterOf(loaded.values, loaded.env).kubernetesVersion : undefined;
  if (declared === undefined || declared === null) return NEWEST_KUBERNETES_VERSION;
  const minor = typeof declared === 'string' ? supportedKubernetesVersion(declared) : undefined;
  if (!minor) {
    const path = [GLOBAL_KEY, 'clusters', loaded!.env, 'kubernetesVersion'];
    const origin = findOrigin(loaded!.origins, path)?.node.origin;
    throw new InputError(
      `${path.join('.')} is ${JSON.stringify(declared)}, a Kubernetes version with no schemas here; ${supported}`,
      origin?.kind === 'file' ? { file: origin.file, line: origin.line } : undefined,
    );
  }
  return minor;
}

/** The rule context of an environment (cluster, values, charts), or a bare one for loose files. */
export function buildContext(
  project: Project | undefined,
  loaded: LoadedValues | undefined,
  fileTexts: Map<string, string>,
  options: {
    strict: boolean;
    allowUnknownKinds: string[];
    kubernetesVersion?: string;
    /** the manifests are a whole plan (default: when an environment's values are known) */
    complete?: boolean;
  },
): ContextInput {
  const global = (loaded?.values[GLOBAL_KEY] ?? {}) as Record<string, unknown>;
  const cluster = loaded
    ? (clusterOf(loaded.values, loaded.env) as unknown as ClusterDeclaration)
    : undefined;
  return {
    env: loaded?.env,
    cluster: cluster && Array.isArray(cluster.nodeGroups) ? cluster : undefined,
    clusterPath: [GLOBAL_KEY, 'clusters', loaded?.env ?? ''],
    values: loaded?.values,
    charts: project?.charts.map((c) => ({ name: c.name, version: c.version })),
    secrets: loaded?.secretVariables ?? [],
    fileTexts,
    strict: options.strict,
    allowUnknownKinds: options.allowUnknownKinds,
    allowedRegistries: Array.isArray(global.allowedRegistries)
      ? (global.allowedRegistries as string[])
      : undefined,
    kubernetesVersion: resolveKubernetesVersion(options.kubernetesVersion, loaded),
    complete: options.complete ?? loaded !== undefined,
  };
}

function checkedResources(manifests: Manifest[]): CheckedResource[] {
  return manifests.map((m) => ({
    resource: resourceId(m.object),
    apiVersion: String(m.object.apiVersion),
    kind: String(m.object.kind),
    file: m.file,
    line: m.line,
  }));
}

/** `manifests validate`: schema and policy checks of release/<env>/ (or of given files). */
export function validateCommand(options: ValidateOptions): ValidateResult {
  const strict = options.strict ?? true;
  const paths = options.paths ?? [];
  if (!options.env && paths.length === 0) {
    throw new InputError(
      'give --env <env> (validates release/<env>/) or files and folders to validate',
    );
  }
  // Bad rule ids are bad usage before any input is read.
  selectRules(RULES, options.only, options.skip);
  let project: Project | undefined;
  let loaded: LoadedValues | undefined;
  let config: ValidationConfig = {
    allowUnknownKinds: [],
    skip: [],
    planIgnore: [],
    planFailOn: [],
  };
  if (options.env) {
    project = openProject(options.root);
    requireEnvironment(project, options.env);
    loaded = loadValues(project, options.env, { environ: options.environ, cache: options.cache });
    config = readValidationConfig(project);
  }
  // before reading any file: a bad version is reported first, whatever the files hold
  const kubernetesVersion = resolveKubernetesVersion(options.kubernetesVersion, loaded);
  const releaseDir = project && options.env ? join(project.releaseDir, options.env) : undefined;
  const read =
    paths.length > 0
      ? readManifests(paths, { strict, stdin: options.stdin })
      : readManifests([releaseDir!], {
          strict,
          base: project!.root,
          chartOf: (file) => file.split('/')[2] ?? '',
        });
  if (
    paths.length === 0 &&
    read.manifests.length === 0 &&
    read.findings.length === 0 &&
    !existsSync(releaseDir!)
  ) {
    throw new InputError(
      `release/${options.env}/ does not exist; run: manifests render --env ${options.env}`,
    );
  }
  const allowUnknownKinds = [...config.allowUnknownKinds, ...(options.allowUnknownKinds ?? [])];
  const ctx = buildContext(project, loaded, read.fileTexts, {
    strict,
    allowUnknownKinds,
    kubernetesVersion,
    // release/<env>/ is the whole plan; files given on the command line may be part of one
    // (unless they come with the plan they are added to)
    complete: paths.length === 0 || (options.baseManifests ?? []).length > 0,
  });
  const rules = selectRules(RULES, options.only, [...config.skip, ...(options.skip ?? [])]);
  const base = options.baseManifests ?? [];
  const cacheable =
    options.cache === true &&
    project !== undefined &&
    options.env !== undefined &&
    paths.length === 0 &&
    // no cache keeps anything of files that hold a set secret's value
    (ctx.secrets.length === 0 ||
      findSecretValueLeaks(read.manifests, {
        ...ctx,
        model: new ValidationModel(read.manifests),
      }).length === 0);
  const findings = runValidation({
    manifests: base.length > 0 ? [...read.manifests, ...base] : read.manifests,
    ctx,
    rules,
    valueOrigins: loaded?.origins,
    valueSources: loaded && project ? valueSourcesOf(project, loaded) : undefined,
    readFindings: read.findings,
    cacheFile: cacheable
      ? findingsCacheFile(join(project!.root, CACHE_DIR), options.env!)
      : undefined,
  });
  const own = (f: Finding) => f.location !== undefined && read.fileTexts.has(f.location.file);
  return {
    findings: base.length > 0 ? findings.filter(own) : findings,
    rules,
    resources: read.manifests.length,
    skipped: config.skip,
    unread: read.skipped,
    checked: checkedResources(read.manifests),
    kubernetesVersion,
  };
}

/**
 * What the origins of a load's values follow: the values files read (texts, in layer order), the
 * values schemas (their merge keys decide which layer set a list item) and the secret declarations.
 */
function valueSourcesOf(project: Project, loaded: LoadedValues): ValidationInput['valueSources'] {
  const files = [
    ...loaded.filesRead,
    ...project.charts.map((c) => c.schemaFile),
    'values/global.schema.json',
  ];
  return { files: files.map((f) => [f, project.files.get(f)]), secrets: loaded.secrets };
}

/** The manifests of a render placed under release/<env>/, and their rule context. */
export function contextOfRender(
  result: {
    project: Project;
    loaded: LoadedValues;
    release: { manifests: Manifest[]; files: Map<string, string> };
  },
  env: string,
): { manifests: Manifest[]; ctx: ContextInput; config: ValidationConfig } {
  // worked out once per render (the release guard asks, then validation, which lets it go): the
  // same manifests, files, values and project give the same context
  const known = contexts.get(result.release.manifests);
  if (
    known &&
    known.env === env &&
    known.files === result.release.files &&
    known.project === result.project &&
    known.loaded === result.loaded
  )
    return known.value;
  const value = placedContext(result, env);
  contexts.set(result.release.manifests, {
    env,
    files: result.release.files,
    project: result.project,
    loaded: result.loaded,
    value,
  });
  return value;
}

const contexts = new WeakMap<
  Manifest[],
  {
    env: string;
    files: Map<string, string>;
    project: Project;
    loaded: LoadedValues;
    value: { manifests: Manifest[]; ctx: ContextInput; config: ValidationConfig };
  }
>();

function placedContext(
  result: {
    project: Project;
    loaded: LoadedValues;
    release: { manifests: Manifest[]; files: Map<string, string> };
  },
  env: string,
): { manifests: Manifest[]; ctx: ContextInput; config: ValidationConfig } {
  const prefix = `release/${env}/`;
  const texts = new Map<string, string>();
  for (const [p, t] of result.release.files) texts.set(prefix + p, t);
  const manifests = result.release.manifests.map((m) => ({ ...m, file: prefix + m.file }));
  const config = readValidationConfig(result.project);
  const ctx = buildContext(result.project, result.loaded, texts, {
    strict: true,
    allowUnknownKinds: config.allowUnknownKinds,
    complete: true,
  });
  return { manifests, ctx, config };
}

/** Blob ids by project-relative path, from blob ids by release-relative path. */
function placedBlobIds(ids: ReadonlyMap<string, string>, env: string): Map<string, string> {
  const placed = new Map<string, string>();
  for (const [p, id] of ids) placed.set(`release/${env}/${p}`, id);
  return placed;
}

/** Validation of a render held in memory (the objects just rendered; nothing is read again). */
export function validateRendered(
  project: Project,
  loaded: LoadedValues,
  manifests: Manifest[],
  files: Map<string, string>,
  env: string,
  options: {
    /**
     * use the findings cache (callers pass it only for renders with placeholders that hold no set
     * secret's value)
     */
    cache?: boolean;
    /** git blob ids of `files` (release-relative), when the caller has them */
    blobIds?: ReadonlyMap<string, string>;
  } = {},
): ValidateResult {
  const {
    manifests: placed,
    ctx,
    config,
  } = contextOfRender({ project, loaded, release: { manifests, files } }, env);
  // the placed copies go with this run's validation (the release guard asked for them before)
  contexts.delete(manifests);
  const rules = selectRules(RULES, undefined, config.skip);
  const findings = runValidation({
    manifests: placed,
    ctx,
    rules,
    valueOrigins: loaded.origins,
    valueSources: valueSourcesOf(project, loaded),
    cacheFile: options.cache ? findingsCacheFile(join(project.root, CACHE_DIR), env) : undefined,
    blobIds: options.blobIds ? placedBlobIds(options.blobIds, env) : undefined,
  });
  return {
    findings,
    rules,
    resources: manifests.length,
    skipped: config.skip,
    checked: checkedResources(placed),
    kubernetesVersion: ctx.kubernetesVersion,
  };
}
