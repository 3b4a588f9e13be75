import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { InputError } from '../../core/errors.js';
import type { Project } from '../project.js';
import { findOrigin, formatValuePath, type OriginNode } from './origins.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-merge-key', schemaType: 'string' });
  // A message for a value that fails this schema node, said instead of ajv's generic one.
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
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
  const errors = (validate.errors ?? []).slice().sort(errorOrder);
  const err = errors[0];
  const segs = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const full = [...prefix, ...segs];
  if (err.keyword === 'additionalProperties') {
    full.push((err.params as { additionalProperty: string }).additionalProperty);
  }
  const found = findOrigin(origins, full);
  const loc = found?.node.origin;
  const where = formatValuePath(full);
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
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
      `${err.keyword === 'required' ? 'missing required value' : 'invalid value'} ${where}${missing}: ${describeError(err)}${more}`,
      at,
      [`schema: ${schemaFile}; values files read: ${filesRead.join(', ')}`],
    );
  }
  throw new InputError(`invalid value ${where}: ${describeError(err)}${more}`, {
    file: loc.file,
    line: loc.line,
  });
}

function errorOrder(a: ErrorObject, b: ErrorObject): number {
  // Prefer the deepest, most specific error.
  return b.instancePath.length - a.instancePath.length || a.keyword.localeCompare(b.keyword);
}

function describeError(err: ErrorObject): string {
  // `x-message` explains a value of the wrong type or form; missing and unknown keys keep their own.
  const custom = (err.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  if (
    typeof custom === 'string' &&
    err.keyword !== 'additionalProperties' &&
    err.keyword !== 'required'
  )
    return custom;
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
