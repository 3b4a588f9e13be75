import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { InputError } from '../../core/errors.js';
import { layerFiles, rel, requireEnvironment, type Project } from '../project.js';
import { isPlainMap, mergeValueLayers, type ValueLayer } from './merge.js';
import { findOrigin, formatValuePath, type OriginNode } from './origins.js';
import { readValuesFile } from './read-yaml.js';
import {
  readSecretDeclarations,
  resolveSecretValues,
  secretsFor,
  type SecretDeclaration,
  type SecretMode,
} from './secrets.js';

/** The key under which the shared cluster declaration and other cross-chart values live. */
export const GLOBAL_KEY = 'global';

export interface LoadedValues {
  env: string;
  /** Merged values of every chart by chart name, plus `global`. */
  values: Record<string, unknown>;
  origins: OriginNode;
  secrets: SecretDeclaration[];
  /** Real secret values found in the environment (for leak checks); never printed. */
  secretValues: string[];
  /** Values files read, lowest priority first (project-relative). */
  filesRead: string[];
}

export interface LoadOptions {
  secretMode?: SecretMode;
  environ?: NodeJS.ProcessEnv;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajvInstance: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function ajv(): Ajv {
  if (!ajvInstance) {
    // $data: a schema may compare two values (`"maximum": {"$data": "1/maxReplicas"}`).
    ajvInstance = new Ajv({
      allErrors: true,
      strict: true,
      allowUnionTypes: true,
      $data: true,
    });
    addFormats(ajvInstance);
    ajvInstance.addKeyword({ keyword: 'x-merge-key', schemaType: 'string' });
    // The string form of ajv-errors' keyword: the message for every error inside this schema.
    ajvInstance.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  }
  return ajvInstance;
}

function compileSchema(schema: Record<string, unknown>, file: string): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    try {
      fn = ajv().compile(schema);
    } catch (err) {
      throw new InputError(`invalid JSON Schema: ${(err as Error).message}`, { file });
    }
    compiled.set(schema, fn);
  }
  return fn;
}

export function readGlobalSchema(
  project: Project,
): { schema: Record<string, unknown>; file: string } | undefined {
  const file = join(project.valuesDir, 'global.schema.json');
  if (!existsSync(file)) return undefined;
  try {
    return { schema: JSON.parse(readFileSync(file, 'utf8')), file: rel(project, file) };
  } catch (err) {
    throw new InputError(`cannot read schema: ${(err as Error).message}`, {
      file: rel(project, file),
    });
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
export function loadValues(project: Project, env: string, options: LoadOptions = {}): LoadedValues {
  requireEnvironment(project, env);
  const environ = options.environ ?? process.env;
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
    const file = join(chart.dir, 'values.yaml');
    if (!existsSync(file)) continue;
    const loaded = readValuesFile(file, rel(project, file));
    filesRead.push(loaded.file);
    defaults.value[chart.name] = loaded.value;
    defaults.origins.children!.set(chart.name, loaded.origins);
  }
  layers.push(defaults);

  for (const layer of ['shared', env]) {
    for (const path of layerFiles(project, layer)) {
      const loaded = readValuesFile(path, rel(project, path));
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

  const declarations = secretsFor(readSecretDeclarations(project), env);
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
      compileSchema(chart.schema, chart.schemaFile),
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
      compileSchema(globalSchema.schema, globalSchema.file),
      [GLOBAL_KEY],
      merged.origins,
      globalSchema.file,
      filesRead,
    );
  }

  const secretValues = [
    ...new Set(declarations.map((d) => environ[d.variable]).filter((v): v is string => !!v)),
  ];
  return {
    env,
    values: merged.value,
    origins: merged.origins,
    secrets: declarations,
    secretValues,
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

function checkAgainstSchema(
  value: unknown,
  validate: ValidateFunction,
  prefix: string[],
  origins: OriginNode,
  schemaFile: string,
  filesRead: string[],
): void {
  if (validate(value)) return;
  const all = validate.errors ?? [];
  const errors = all.slice().sort(errorOrder);
  const err = errors[0];
  const segs = pointerSegments(err.instancePath);
  const full = [...prefix, ...segs];
  if (err.keyword === 'additionalProperties') {
    full.push((err.params as { additionalProperty: string }).additionalProperty);
  }
  const found = findOrigin(origins, full);
  const loc = found?.node.origin;
  const where = formatValuePath(full);
  const custom = customMessage(err, validate.schema, value);
  const reason = custom ?? describeError(err);
  // Errors explained by one custom message count once.
  const others =
    custom === undefined
      ? errors.length - 1
      : countOtherProblems(err, all, custom, validate.schema, value);
  const more = others > 0 ? ` (and ${others} more)` : '';
  if (
    err.keyword === 'required' ||
    !loc ||
    loc.kind !== 'file' ||
    (found && found.depth < full.length)
  ) {
    const missing =
      err.keyword === 'required'
        ? `.${(err.params as { missingProperty: string }).missingProperty}`
        : '';
    const at =
      loc && loc.kind === 'file' ? { file: loc.file, line: loc.line } : { file: schemaFile };
    throw new InputError(
      `${err.keyword === 'required' ? 'missing required value' : 'invalid value'} ${where}${missing}: ${reason}${more}`,
      at,
      [`schema: ${schemaFile}; values files read: ${filesRead.join(', ')}`],
    );
  }
  throw new InputError(`invalid value ${where}: ${reason}${more}`, {
    file: loc.file,
    line: loc.line,
  });
}

function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Schema keywords whose next path segment names a subschema of a child value. */
const CHILD_KEYWORDS = new Set(['properties', 'patternProperties']);
/** Schema keywords that are a subschema of a child value themselves. */
const CHILD_SCHEMAS = new Set(['items', 'additionalProperties']);

/**
 * The `errorMessage` of the innermost schema on the failing keyword's schema path (for example the
 * schema holding an `if`/`then` whose `then` failed). `${0/name}` in the message is replaced by that
 * field of the value the schema applies to (ajv-errors' syntax for a relative JSON pointer).
 */
function customMessage(err: ErrorObject, schema: unknown, root: unknown): string | undefined {
  const path = pointerSegments(err.schemaPath.replace(/^#/, ''));
  let node = schema;
  let found: { message: string; at: number } | undefined;
  for (let i = 0; i <= path.length; i++) {
    if (node && typeof node === 'object') {
      const message = (node as { errorMessage?: unknown }).errorMessage;
      if (typeof message === 'string' && i < path.length) found = { message, at: i };
    }
    if (i === path.length || node === null || typeof node !== 'object') break;
    node = (node as Record<string, unknown>)[path[i]];
  }
  if (!found) return undefined;
  // The value the schema applies to: drop one instance segment per child step after it.
  let childSteps = 0;
  for (let i = found.at; i < path.length; i++) {
    if (CHILD_KEYWORDS.has(path[i])) {
      childSteps++;
      i++;
    } else if (CHILD_SCHEMAS.has(path[i])) childSteps++;
  }
  const instance = pointerSegments(err.instancePath);
  const data = valueAt(root, instance.slice(0, Math.max(0, instance.length - childSteps)));
  return found.message.replace(/\$\{0\/([^}]+)\}/g, (_, key: string) => {
    const v = valueAt(data, key.split('/'));
    return v === undefined || v === null || typeof v === 'object' ? '?' : String(v);
  });
}

function valueAt(value: unknown, segs: string[]): unknown {
  let v = value;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

/** How many distinct problems besides `err`'s: errors under another message or none. */
function countOtherProblems(
  err: ErrorObject,
  all: ErrorObject[],
  message: string,
  schema: unknown,
  root: unknown,
): number {
  const seen = new Set<string>([`${err.instancePath}\u0000${message}`]);
  let n = 0;
  for (const e of all) {
    if (e === err || e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    const key = `${e.instancePath}\u0000${customMessage(e, schema, root) ?? e.schemaPath}`;
    if (seen.has(key)) continue;
    seen.add(key);
    n++;
  }
  return n;
}

/** Summaries of other errors (`if`, `anyOf`, `oneOf`) come after the errors they summarize. */
const SUMMARY = new Set(['if', 'anyOf', 'oneOf']);

function errorOrder(a: ErrorObject, b: ErrorObject): number {
  // Prefer the deepest, most specific error.
  return (
    b.instancePath.length - a.instancePath.length ||
    Number(SUMMARY.has(a.keyword)) - Number(SUMMARY.has(b.keyword)) ||
    a.keyword.localeCompare(b.keyword)
  );
}

function describeError(err: ErrorObject): string {
  switch (err.keyword) {
    case 'type':
      return `must be ${(err.params as { type: string }).type}`;
    case 'enum':
      return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties':
      return `unknown key "${(err.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `is required`;
    default:
      return err.message ?? err.keyword;
  }
}
