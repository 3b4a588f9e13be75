import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { InputError, yamlInputError } from '../core/errors.js';

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
  /**
   * Every input file, read up front: all regular files under charts/ and values/, and
   * validation.yaml, by project-relative path (`/` separators). Loading, rendering and validation
   * read only this, so a project can come from the disk or from a git tree.
   */
  files: ReadonlyMap<string, string>;
  /** Compiled templates and schemas of this project; they live as long as the project object. */
  cache: ProjectCache;
}

/** Compiled artefacts, owned by the project object (no module-level state). */
export interface ProjectCache {
  templates: Map<string, unknown>;
  schemas: Map<string, unknown>;
}

/** Names that live in values/ but are not environments. */
const NON_ENV_LAYERS = new Set(['shared', 'secrets', 'global.schema']);

/** The input file of the project root read besides charts/ and values/. */
export const VALIDATION_CONFIG_FILE = 'validation.yaml';

/** The caches' folder under the project root (gitignored; see the README's render cache). */
export const CACHE_DIR = '.manifests-cache';

export function rel(project: { root: string }, path: string): string {
  const r = relative(project.root, path);
  return r.startsWith('..') ? path : r.split(sep).join('/');
}

/** Reads every input file of the project at `root` (regular files only; links are not followed). */
export function readProjectFiles(root: string): Map<string, string> {
  const abs = resolve(root);
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set(rel({ root: abs }, full), readFileSync(full, 'utf8'));
    }
  };
  for (const top of ['charts', 'values']) {
    const dir = join(abs, top);
    if (existsSync(dir) && lstatSync(dir).isDirectory()) walk(dir);
  }
  const config = join(abs, VALIDATION_CONFIG_FILE);
  if (existsSync(config) && lstatSync(config).isFile())
    files.set(VALIDATION_CONFIG_FILE, readFileSync(config, 'utf8'));
  return files;
}

/** Opens the project at `root`, reading its input files from disk. */
export function openProject(root: string): Project {
  const abs = resolve(root);
  if (!existsSync(join(abs, 'charts')) || !existsSync(join(abs, 'values'))) {
    throw new InputError(
      `not a manifests project: ${abs} needs charts/ and values/ (use --root to point at one)`,
    );
  }
  return openProjectFromFiles(abs, readProjectFiles(abs));
}

/**
 * A project from its input files held in memory (read from disk or from a git tree). `root` is where
 * its release/ folder is (and what error messages are relative to).
 */
export function openProjectFromFiles(root: string, files: ReadonlyMap<string, string>): Project {
  const abs = resolve(root);
  const project: Project = {
    root: abs,
    chartsDir: join(abs, 'charts'),
    valuesDir: join(abs, 'values'),
    releaseDir: join(abs, 'release'),
    charts: [],
    files,
    cache: { templates: new Map(), schemas: new Map() },
  };
  const chartNames = new Set<string>();
  for (const path of files.keys()) {
    const m = /^charts\/([^/]+)\//.exec(path);
    // charts/_partials/ (and any other `_` folder) holds shared partials, not a chart.
    if (m && !m[1].startsWith('_')) chartNames.add(m[1]);
  }
  for (const name of [...chartNames].sort()) project.charts.push(readChart(project, name));
  return project;
}

const CHART_NAME = /^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

function readChart(project: Project, name: string): ChartInfo {
  const dir = join(project.chartsDir, name);
  const metaFile = `charts/${name}/chart.yaml`;
  const metaText = project.files.get(metaFile);
  if (metaText === undefined)
    throw new InputError('chart has no chart.yaml', { file: `charts/${name}` });
  let meta: unknown;
  try {
    meta = loadYaml(metaText);
  } catch (err) {
    throw yamlInputError(err, metaFile);
  }
  const m = (meta ?? {}) as Record<string, unknown>;
  if (m.name !== name || !CHART_NAME.test(name)) {
    throw new InputError(
      `chart name "${String(m.name)}" must equal its folder name "${name}" (lowercase letters, digits, dashes)`,
      { file: metaFile },
    );
  }
  if (typeof m.version !== 'string' || !SEMVER.test(m.version)) {
    throw new InputError(`chart version must be a semantic version string such as "1.2.3"`, {
      file: metaFile,
    });
  }
  const schemaFile = `charts/${name}/values.schema.json`;
  let schema: Record<string, unknown>;
  try {
    const text = project.files.get(schemaFile);
    if (text === undefined) throw new Error('no such file');
    schema = JSON.parse(text);
  } catch (err) {
    throw new InputError(`cannot read the chart's values schema: ${(err as Error).message}`, {
      file: schemaFile,
    });
  }
  return {
    name,
    version: m.version,
    description: typeof m.description === 'string' ? m.description : '',
    dir,
    schema,
    schemaFile,
  };
}

/**
 * Files of a layer, project-relative: values/<name>.yaml, values/<name>.yml, then
 * values/<name>/*.yaml and *.yml (not below), in name order.
 */
export function layerFiles(project: Project, layer: string): string[] {
  const files: string[] = [];
  for (const ext of ['.yaml', '.yml']) {
    const f = `values/${layer}${ext}`;
    if (project.files.has(f)) files.push(f);
  }
  const prefix = `values/${layer}/`;
  const inDir = [...project.files.keys()].filter(
    (f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/') && /\.ya?ml$/.test(f),
  );
  return [...files, ...inDir.sort()];
}

/** Environments: each values/<env>.yaml (or .yml) and values/<env>/ folder, less the shared layers. */
export function listEnvironments(project: Project): string[] {
  const envs = new Set<string>();
  for (const path of project.files.keys()) {
    const m = /^values\/([^/]+)(\/)?/.exec(path);
    if (!m) continue;
    const name = m[2] ? m[1] : m[1].replace(/\.ya?ml$/, '');
    if (!m[2] && name === m[1]) continue;
    if (NON_ENV_LAYERS.has(name) || name.startsWith('.')) continue;
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
