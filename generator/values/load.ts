import { InputError } from '../../core/errors.js';
import { join } from 'node:path';
import { CACHE_DIR, layerFiles, requireEnvironment, type Project } from '../project.js';
import { isPlainMap, mergeValueLayers, type ValueLayer } from './merge.js';
import type { OriginNode } from './origins.js';
import { checkAgainstSchema, compileSchema, storeSchemaCodeCaches } from './schema.js';
import { readValuesFile } from './read-yaml.js';
import {
  readSecretDeclarations,
  resolveSecretValues,
  secretsFor,
  type SecretDeclaration,
  type SecretMode,
} from './secrets.js';

/** The key under which the shared cluster declaration and other cross-chart values live. */
export { GLOBAL_KEY } from '../../core/cluster.js';
import { GLOBAL_KEY } from '../../core/cluster.js';

/** A declared secret variable that is set: its value is for leak checks only, never printed. */
export interface SetSecret {
  variable: string;
  value: string;
  /** Value paths it supplies. */
  paths: string[];
}

export interface LoadedValues {
  env: string;
  /** Merged values of every chart by chart name, plus `global`. */
  values: Record<string, unknown>;
  origins: OriginNode;
  secrets: SecretDeclaration[];
  /** Secret variables that are set in the environment, with their values (for leak checks); never printed. */
  secretVariables: SetSecret[];
  /** Values files read, lowest priority first (project-relative). */
  filesRead: string[];
}

export interface LoadOptions {
  secretMode?: SecretMode;
  /** The environment variables secrets come from (the CLI passes its process environment). */
  environ: Readonly<Record<string, string | undefined>>;
  /**
   * Use the caches under .manifests-cache/ (here: the values schemas' compiled code; the render
   * uses it for charts and documents).
   */
  cache?: boolean;
}

export function readGlobalSchema(
  project: Project,
): { schema: Record<string, unknown>; file: string } | undefined {
  const file = 'values/global.schema.json';
  const text = project.files.get(file);
  if (text === undefined) return undefined;
  const cached = project.cache.schemas.get(file) as Record<string, unknown> | undefined;
  if (cached) return { schema: cached, file };
  try {
    const schema = JSON.parse(text) as Record<string, unknown>;
    project.cache.schemas.set(file, schema);
    return { schema, file };
  } catch (err) {
    throw new InputError(`cannot read schema: ${(err as Error).message}`, { file });
  }
}

/** Finds the `x-merge-key` annotation of the list at `path` in a JSON Schema, if any. */
export function mergeKeyInSchema(schema: unknown, path: readonly string[]): string | undefined {
  let node = schema as Record<string, unknown> | undefined;
  for (const seg of path) {
    if (!node) return undefined;
    const props = node.properties as Record<string, unknown> | undefined;
    if (props && seg in props) node = props[seg] as Record<string, unknown>;
    else if (/^\d+$/.test(seg) && node.items && typeof node.items === 'object')
      node = node.items as Record<string, unknown>;
    else if (node.additionalProperties && typeof node.additionalProperties === 'object')
      node = node.additionalProperties as Record<string, unknown>;
    else return undefined;
  }
  const key = node?.['x-merge-key'];
  return typeof key === 'string' ? key : undefined;
}

/** Loads, merges and checks the values of every chart for one environment. */
/**
 * The cache folder for parsed values files, or undefined (no caching) when a declared secret
 * variable is set: a values file could then hold its value, which no cache may keep. The
 * declarations are read here only to decide; their errors are reported where they always are.
 */
function valuesCacheDir(
  project: Project,
  environ: Readonly<Record<string, string | undefined>>,
): string | undefined {
  try {
    const set = readSecretDeclarations(project, true).some(
      (d) => (environ[d.variable] ?? '') !== '',
    );
    return set ? undefined : join(project.root, CACHE_DIR);
  } catch {
    return undefined;
  }
}

export function loadValues(project: Project, env: string, options: LoadOptions): LoadedValues {
  requireEnvironment(project, env);
  const environ = options.environ;
  const cacheDir = options.cache === true ? valuesCacheDir(project, environ) : undefined;
  const chartNames = new Set(project.charts.map((c) => c.name));
  const globalSchema = readGlobalSchema(project);
  const layers: ValueLayer[] = [];
  const filesRead: string[] = [];

  // Layer 0: chart defaults, each placed under its chart's key.
  const defaults: ValueLayer = {
    value: {},
    origins: { origin: { kind: 'file', file: 'charts/', line: 1 }, children: new Map() },
  };
  for (const chart of project.charts) {
    const file = `charts/${chart.name}/values.yaml`;
    if (!project.files.has(file)) continue;
    const loaded = readValuesFile(project.files, file, cacheDir);
    filesRead.push(loaded.file);
    defaults.value[chart.name] = loaded.value;
    defaults.origins.children!.set(chart.name, loaded.origins);
  }
  layers.push(defaults);

  for (const layer of ['shared', env]) {
    for (const path of layerFiles(project, layer)) {
      const loaded = readValuesFile(project.files, path, cacheDir);
      filesRead.push(loaded.file);
      for (const key of Object.keys(loaded.value)) {
        if (key !== GLOBAL_KEY && !chartNames.has(key)) {
          const line = loaded.origins.children?.get(key)?.origin;
          throw new InputError(
            `unknown chart "${key}" (top-level keys are "${GLOBAL_KEY}" or a chart: ${[...chartNames].join(', ')})`,
            { file: loaded.file, line: line?.kind === 'file' ? line.line : undefined },
          );
        }
      }
      layers.push({ value: loaded.value, origins: loaded.origins });
    }
  }

  const declarations = secretsFor(readSecretDeclarations(project, options.cache === true), env);
  const secretLayer = buildSecretLayer(
    declarations,
    options.secretMode ?? 'placeholder',
    environ,
    chartNames,
  );
  layers.push(secretLayer);

  const schemaOf = (top: string) =>
    top === GLOBAL_KEY ? globalSchema?.schema : project.charts.find((c) => c.name === top)?.schema;
  const merged = mergeValueLayers(layers, (path) =>
    path.length > 1 ? mergeKeyInSchema(schemaOf(path[0]), path.slice(1)) : undefined,
  );

  for (const chart of project.charts) {
    if (!isPlainMap(merged.value[chart.name])) merged.value[chart.name] = {};
    checkAgainstSchema(
      merged.value[chart.name],
      compileSchema(project, chart.schema, chart.schemaFile, options.cache === true),
      [chart.name],
      merged.origins,
      chart.schemaFile,
      filesRead,
    );
  }
  if (!isPlainMap(merged.value[GLOBAL_KEY])) merged.value[GLOBAL_KEY] = {};
  if (globalSchema) {
    checkAgainstSchema(
      merged.value[GLOBAL_KEY],
      compileSchema(project, globalSchema.schema, globalSchema.file, options.cache === true),
      [GLOBAL_KEY],
      merged.origins,
      globalSchema.file,
      filesRead,
    );
  }

  if (options.cache === true) storeSchemaCodeCaches();

  const secretVariables: SetSecret[] = [];
  for (const d of declarations) {
    const value = environ[d.variable];
    if (!value) continue;
    const known = secretVariables.find((s) => s.variable === d.variable);
    if (known) known.paths.push(d.path.join('.'));
    else secretVariables.push({ variable: d.variable, value, paths: [d.path.join('.')] });
  }
  return {
    env,
    values: merged.value,
    origins: merged.origins,
    secrets: declarations,
    secretVariables,
    filesRead,
  };
}

function buildSecretLayer(
  declarations: SecretDeclaration[],
  mode: SecretMode,
  environ: NodeJS.ProcessEnv,
  chartNames: Set<string>,
): ValueLayer {
  const resolved = resolveSecretValues(declarations, mode, environ);
  const layer: ValueLayer = {
    value: {},
    origins: {
      origin: { kind: 'file', file: 'values/secrets.yaml', line: 1 },
      children: new Map(),
    },
  };
  for (const decl of declarations) {
    if (decl.path[0] !== GLOBAL_KEY && !chartNames.has(decl.path[0])) {
      throw new InputError(
        `secret path ${decl.path.join('.')} does not start with a chart name or "${GLOBAL_KEY}"`,
        {
          file: decl.file,
          line: decl.line,
        },
      );
    }
    let v = layer.value;
    let o = layer.origins;
    decl.path.forEach((seg, i) => {
      const last = i === decl.path.length - 1;
      if (!o.children) o.children = new Map();
      if (last) {
        v[seg] = resolved.get(decl);
        o.children.set(seg, { origin: { kind: 'env', variable: decl.variable, secret: true } });
      } else {
        if (!isPlainMap(v[seg])) v[seg] = {};
        v = v[seg] as Record<string, unknown>;
        let child = o.children.get(seg);
        if (!child) {
          child = {
            origin: { kind: 'file', file: decl.file, line: decl.line },
            children: new Map(),
          };
          o.children.set(seg, child);
        }
        o = child;
      }
    });
  }
  return layer;
}
