import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { InputError } from '../core/errors.js';

/** A chart found under charts/<name>/. */
export interface ChartInfo {
  name: string;
  version: string;
  description: string;
  dir: string;
  /** JSON Schema for the chart's values. */
  schema: Record<string, unknown>;
  schemaFile: string;
}

export interface Project {
  root: string;
  chartsDir: string;
  valuesDir: string;
  releaseDir: string;
  charts: ChartInfo[];
}

/** Names that live in values/ but are not environments. */
const NON_ENV_LAYERS = new Set(['shared', 'secrets', 'global.schema']);

export function rel(project: { root: string }, path: string): string {
  const r = relative(project.root, path);
  return r.startsWith('..') ? path : r.split(sep).join('/');
}

export function openProject(root: string): Project {
  const abs = resolve(root);
  const chartsDir = join(abs, 'charts');
  const valuesDir = join(abs, 'values');
  if (!existsSync(chartsDir) || !existsSync(valuesDir)) {
    throw new InputError(
      `not a manifests project: ${abs} needs charts/ and values/ (use --root to point at one)`,
    );
  }
  const project: Project = {
    root: abs,
    chartsDir,
    valuesDir,
    releaseDir: join(abs, 'release'),
    charts: [],
  };
  for (const name of readdirSync(chartsDir).sort()) {
    const dir = join(chartsDir, name);
    // charts/_partials/ (and any other `_` folder) holds shared partials, not a chart.
    if (!statSync(dir).isDirectory() || name.startsWith('.') || name.startsWith('_')) continue;
    project.charts.push(readChart(project, name, dir));
  }
  return project;
}

const CHART_NAME = /^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

function readChart(project: Project, name: string, dir: string): ChartInfo {
  const metaFile = join(dir, 'chart.yaml');
  if (!existsSync(metaFile))
    throw new InputError('chart has no chart.yaml', { file: rel(project, dir) });
  let meta: unknown;
  try {
    meta = loadYaml(readFileSync(metaFile, 'utf8'));
  } catch (err) {
    const mark = (err as { mark?: { line: number } }).mark;
    throw new InputError(`YAML error: ${(err as { reason?: string }).reason ?? err}`, {
      file: rel(project, metaFile),
      line: mark ? mark.line + 1 : undefined,
    });
  }
  const m = (meta ?? {}) as Record<string, unknown>;
  if (m.name !== name || !CHART_NAME.test(name)) {
    throw new InputError(
      `chart name "${String(m.name)}" must equal its folder name "${name}" (lowercase letters, digits, dashes)`,
      { file: rel(project, metaFile) },
    );
  }
  if (typeof m.version !== 'string' || !SEMVER.test(m.version)) {
    throw new InputError(`chart version must be a semantic version string such as "1.2.3"`, {
      file: rel(project, metaFile),
    });
  }
  const schemaFile = join(dir, 'values.schema.json');
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read the chart's values schema: ${(err as Error).message}`, {
      file: rel(project, schemaFile),
    });
  }
  return {
    name,
    version: m.version,
    description: typeof m.description === 'string' ? m.description : '',
    dir,
    schema,
    schemaFile: rel(project, schemaFile),
  };
}

/** Files of a layer: values/<name>.yaml and values/<name>/*.yaml, in name order. */
export function layerFiles(project: Project, layer: string): string[] {
  const files: string[] = [];
  for (const ext of ['.yaml', '.yml']) {
    const f = join(project.valuesDir, layer + ext);
    if (existsSync(f)) files.push(f);
  }
  const dir = join(project.valuesDir, layer);
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    for (const f of readdirSync(dir).sort()) {
      if (/\.ya?ml$/.test(f)) files.push(join(dir, f));
    }
  }
  return files;
}

export function listEnvironments(project: Project): string[] {
  const envs = new Set<string>();
  for (const entry of readdirSync(project.valuesDir)) {
    const name = entry.replace(/\.ya?ml$/, '');
    if (NON_ENV_LAYERS.has(name) || entry.startsWith('.') || entry.endsWith('.json')) continue;
    envs.add(name);
  }
  return [...envs].sort();
}

export function requireEnvironment(project: Project, env: string): void {
  const envs = listEnvironments(project);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env) || !envs.includes(env)) {
    throw new InputError(`unknown environment "${env}" (known: ${envs.join(', ') || 'none'})`, {
      file: 'values/',
    });
  }
}
