import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { InputError } from '../core/errors.js';
import type { Manifest } from '../core/manifest.js';
import { openProject, requireEnvironment, type Project } from '../generator/project.js';
import { clusterOf } from '../generator/render/render.js';
import { GLOBAL_KEY, loadValues, type LoadedValues } from '../generator/values/load.js';
import { FieldLocator } from './locate.js';
import { readManifests } from './read.js';
import { RULES } from './rules/index.js';
import { runValidation, selectRules } from './run.js';
import type { ClusterDeclaration, Finding, Rule, RuleContext } from './types.js';

export interface ValidateOptions {
  root: string;
  env?: string;
  paths?: string[];
  only?: string[];
  skip?: string[];
  strict?: boolean;
  allowUnknownKinds?: string[];
  stdin?: () => string;
  environ?: NodeJS.ProcessEnv;
}

export interface ValidateResult {
  findings: Finding[];
  rules: Rule[];
  resources: number;
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

export function readValidationConfig(root: string): ValidationConfig {
  const file = join(root, 'validation.yaml');
  const config: ValidationConfig = {
    allowUnknownKinds: [],
    skip: [],
    planIgnore: [],
    planFailOn: [],
  };
  if (!existsSync(file)) return config;
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = loadYaml(text);
  } catch (err) {
    const mark = (err as { mark?: { line: number } }).mark;
    throw new InputError(`YAML error: ${(err as { reason?: string }).reason}`, {
      file: 'validation.yaml',
      line: mark ? mark.line + 1 : undefined,
    });
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

/** The rule context of an environment (cluster, values, charts), or a bare one for loose files. */
export function buildContext(
  project: Project | undefined,
  loaded: LoadedValues | undefined,
  fileTexts: Map<string, string>,
  options: { strict: boolean; allowUnknownKinds: string[] },
): RuleContext {
  const global = (loaded?.values[GLOBAL_KEY] ?? {}) as Record<string, unknown>;
  const cluster = loaded ? (clusterOf(loaded) as unknown as ClusterDeclaration) : undefined;
  return {
    env: loaded?.env,
    cluster: cluster && Array.isArray(cluster.nodeGroups) ? cluster : undefined,
    clusterPath: [GLOBAL_KEY, 'clusters', loaded?.env ?? ''],
    values: loaded?.values,
    charts: project?.charts.map((c) => ({ name: c.name, version: c.version })),
    secretValues: loaded?.secretValues ?? [],
    fileTexts,
    strict: options.strict,
    allowUnknownKinds: options.allowUnknownKinds,
    allowedRegistries: Array.isArray(global.allowedRegistries)
      ? (global.allowedRegistries as string[])
      : undefined,
  };
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
    loaded = loadValues(project, options.env, { environ: options.environ ?? process.env });
    config = readValidationConfig(project.root);
  }
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
  const ctx = buildContext(project, loaded, read.fileTexts, { strict, allowUnknownKinds });
  const rules = selectRules(RULES, options.only, [...config.skip, ...(options.skip ?? [])]);
  const findings = runValidation({
    manifests: read.manifests,
    ctx,
    rules,
    valueOrigins: loaded?.origins,
    readFindings: read.findings,
  });
  return { findings, rules, resources: read.manifests.length };
}

/** Validation of a render held in memory (used by `render` after writing). */
export function validateRendered(
  project: Project,
  loaded: LoadedValues,
  manifests: Manifest[],
  files: Map<string, string>,
  env: string,
): ValidateResult {
  const prefix = `release/${env}/`;
  const texts = new Map<string, string>();
  for (const [p, t] of files) texts.set(prefix + p, t);
  const placed = manifests.map((m) => ({ ...m, file: prefix + m.file }));
  const config = readValidationConfig(project.root);
  const ctx = buildContext(project, loaded, texts, {
    strict: true,
    allowUnknownKinds: config.allowUnknownKinds,
  });
  const rules = selectRules(RULES, undefined, config.skip);
  const findings = runValidation({ manifests: placed, ctx, rules, valueOrigins: loaded.origins });
  return { findings, rules, resources: manifests.length };
}
