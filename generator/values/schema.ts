import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../../core/errors.js';
import { packageVersion, pruneFolder, writeFileAtomically } from '../../core/cache-files.js';
import { compileCommonJs, type CompiledCommonJs } from '../../core/commonjs.js';
import { readCodeCacheFile, writeCodeCacheFile } from '../../core/code-cache-file.js';
import { CACHE_DIR, type Project } from '../project.js';
import { findOrigin, formatValuePath, type OriginNode } from './origins.js';

const requireHere = createRequire(import.meta.url);

/** Bumped when the options below or the stored form change. */
const CODE_FORMAT = 1;

/**
 * ajv, ajv-formats and ajv's standalone writer, loaded on first compile: a run whose schemas all
 * come from the stored code never loads them.
 */
function ajvLibrary(): {
  Ajv: new (options: Record<string, unknown>) => Ajv;
  addFormats: (ajv: Ajv) => Ajv;
  standaloneCode: (ajv: Ajv, fn: ValidateFunction) => string;
} {
  const lib = requireHere('ajv') as { Ajv: new (options: Record<string, unknown>) => Ajv };
  const formats = requireHere('ajv-formats') as { default: (ajv: Ajv) => Ajv };
  const standalone = requireHere('ajv/dist/standalone') as {
    default: (ajv: Ajv, fn: ValidateFunction) => string;
  };
  return { Ajv: lib.Ajv, addFormats: formats.default, standaloneCode: standalone.default };
}

function newAjv(source = false): Ajv {
  const { Ajv, addFormats } = ajvLibrary();
  // $data: a schema may compare two values (`"maximum": {"$data": "1/maxReplicas"}`).
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    $data: true,
    // compiled once per run for one validation each: the optimisation pass costs more than it saves
    code: { optimize: false, source },
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-merge-key', schemaType: 'string' });
  // A message for a value that fails this schema node, said instead of ajv's generic one.
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  // The string form of ajv-errors' keyword: the message for every error inside this schema.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}

let codeKeyPrefix: string | undefined;

/** What a schema's compiled code depends on besides the schema: ajv, ajv-formats, our options. */
function codeKeyOf(schema: Record<string, unknown>): string {
  if (codeKeyPrefix === undefined) {
    codeKeyPrefix = `format ${CODE_FORMAT}\0ajv ${packageVersion('ajv')}\0ajv-formats ${packageVersion('ajv-formats')}\0${newAjv.toString()}\0`;
  }
  return createHash('sha256').update(codeKeyPrefix).update(JSON.stringify(schema)).digest('hex');
}

/**
 * The validator from ajv's standalone code stored for this schema under
 * .manifests-cache/schemas/, or undefined (compiling a large values schema costs more than a
 * hundred milliseconds, loading its code a few). The code is what ajv generated for exactly this
 * schema, ajv version and options; it runs with this module's `require` (ajv's runtime helpers
 * and formats).
 */
function loadStoredValidator(
  project: Project,
  key: string,
  schema: Record<string, unknown>,
): ValidateFunction | undefined {
  let code: string;
  const file = join(project.root, CACHE_DIR, 'schemas', `${key}.cjs`);
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!code.startsWith(`// ${key}\n`)) return undefined;
  try {
    const dataFile = join(project.root, CACHE_DIR, 'schemas', `${key}.v8`);
    const module = compileCommonJs(code, file, readCodeCacheFile(dataFile, code));
    const exports = module.run(requireHere) as { default?: unknown };
    const fn = (exports.default ?? exports) as ValidateFunction;
    if (typeof fn !== 'function') return undefined;
    if (!module.cached || module.rejected) unsavedCode.push({ file: dataFile, code, module });
    // checkAgainstSchema reads the schema for custom messages, as ajv.compile would attach it
    Object.defineProperty(fn, 'schema', { value: schema, configurable: true, writable: true });
    return fn;
  } catch {
    return undefined;
  }
}

/** Stored validators loaded without usable code cache data: their data is written after use. */
const unsavedCode: { file: string; code: string; module: CompiledCommonJs }[] = [];

/**
 * Writes V8's code cache (core/code-cache-file.ts) of the stored validators this run loaded
 * without one, next to their code as `<hash>.v8`: called after the values were checked, so that
 * the functions the check ran are in it. Loading a stored validator and running it the first
 * time then skips V8's parse and compile: about 30 ms of each render of this repository.
 */
export function storeSchemaCodeCaches(): void {
  for (const { file, code, module } of unsavedCode.splice(0)) {
    writeCodeCacheFile(file, code, module.script);
  }
}

/** Compiled schemas kept in .manifests-cache/schemas/ (the newest; one is added per edit). */
const MAX_STORED_SCHEMAS = 200;

function storeValidator(project: Project, key: string, code: string): void {
  const dir = join(project.root, CACHE_DIR, 'schemas');
  if (writeFileAtomically(join(dir, `${key}.cjs`), `// ${key}\n${code}`))
    pruneFolder(dir, MAX_STORED_SCHEMAS);
}

/**
 * Compiles a values schema once per project (the cache lives in the project object). With
 * `diskCache`, ajv's standalone code for the schema is kept under .manifests-cache/schemas/ and
 * loaded instead of compiling again.
 */
export function compileSchema(
  project: Project,
  schema: Record<string, unknown>,
  file: string,
  diskCache = false,
): ValidateFunction {
  const key = `compiled:${file}`;
  let fn = project.cache.schemas.get(key) as ValidateFunction | undefined;
  if (!fn) {
    const codeKey = diskCache ? codeKeyOf(schema) : undefined;
    fn = codeKey ? loadStoredValidator(project, codeKey, schema) : undefined;
    if (!fn) {
      const cacheKey = codeKey ? 'ajv:source' : 'ajv';
      let ajv = project.cache.schemas.get(cacheKey) as Ajv | undefined;
      if (!ajv) project.cache.schemas.set(cacheKey, (ajv = newAjv(codeKey !== undefined)));
      try {
        fn = ajv.compile(schema);
      } catch (err) {
        throw new InputError(`invalid JSON Schema: ${(err as Error).message}`, { file });
      }
      if (codeKey) {
        try {
          storeValidator(project, codeKey, ajvLibrary().standaloneCode(ajv, fn));
        } catch {
          // a schema ajv cannot write out is compiled each run
        }
      }
    }
    project.cache.schemas.set(key, fn);
  }
  return fn;
}

/**
 * Checks a value against its schema; the first (deepest) error becomes an InputError at the values
 * file and line that set the value, or naming the missing key and the files read.
 */
export function checkAgainstSchema(
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
 * The custom message for an error: the `x-message` of the schema node holding the failing keyword
 * (for a value of the wrong type or form; missing and unknown keys keep their own), else the
 * `errorMessage` of the innermost schema on the keyword's schema path (for example the schema
 * holding an `if`/`then` whose `then` failed). `${0/name}` in an `errorMessage` is replaced by that
 * field of the value the schema applies to (ajv-errors' syntax for a relative JSON pointer).
 */
function customMessage(err: ErrorObject, schema: unknown, root: unknown): string | undefined {
  const xMessage = (err.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  if (
    typeof xMessage === 'string' &&
    err.keyword !== 'additionalProperties' &&
    err.keyword !== 'required'
  )
    return xMessage;
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
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, s)) return undefined;
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
    if (e === err || SUMMARY.has(e.keyword)) continue;
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
