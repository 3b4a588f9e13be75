import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { InputError } from '../../core/errors.js';
import type { Project } from '../project.js';
import { findOrigin, formatValuePath, type OriginNode } from './origins.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function newAjv(): Ajv {
  // $data: a schema may compare two values (`"maximum": {"$data": "1/maxReplicas"}`).
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    $data: true,
    // compiled once per run for one validation each: the optimisation pass costs more than it saves
    code: { optimize: false },
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-merge-key', schemaType: 'string' });
  // A message for a value that fails this schema node, said instead of ajv's generic one.
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  // The string form of ajv-errors' keyword: the message for every error inside this schema.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}

/** Compiles a values schema once per project (the cache lives in the project object). */
export function compileSchema(
  project: Project,
  schema: Record<string, unknown>,
  file: string,
): ValidateFunction {
  const key = `compiled:${file}`;
  let fn = project.cache.schemas.get(key) as ValidateFunction | undefined;
  if (!fn) {
    let ajv = project.cache.schemas.get('ajv') as Ajv | undefined;
    if (!ajv) project.cache.schemas.set('ajv', (ajv = newAjv()));
    try {
      fn = ajv.compile(schema);
    } catch (err) {
      throw new InputError(`invalid JSON Schema: ${(err as Error).message}`, { file });
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
