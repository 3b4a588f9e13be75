/**
 * Converts ajv errors (from the packages' compiled validators, Istio's runtime ajv, or our own
 * ajv instance) into one human line per problem, with the field path as an array.
 *
 * - Errors are grouped by instance path. When a `oneOf`/`anyOf` failed at a path, the branch
 *   errors at that same path (e.g. "must be string" + "must be integer" for int-or-string, or
 *   "must be number" + format "quantity" for quantities) collapse into one message; if errors
 *   exist below that path, they alone are reported (a branch matched and failed inside).
 * - A field whose value is `null` is treated as absent, so type errors on `null` are dropped.
 */
import type { ErrorObject } from 'ajv';
import { atPath, describeValue, formatPath, resolvePointer, type FieldPath } from './paths.js';

export interface Issue {
  path: FieldPath;
  message: string;
}

const FORMAT_HINTS: Record<string, string> = {
  int32: 'a 32-bit integer',
  int64: 'a 64-bit integer',
  double: 'a number',
  byte: 'base64-encoded data',
  'date-time': 'an RFC 3339 date-time such as "2024-01-02T15:04:05Z"',
  quantity: 'a Kubernetes quantity such as "100m", "1", "512Mi" or "1Gi"',
};

export function ajvErrorsToIssues(errors: readonly ErrorObject[], data: unknown): Issue[] {
  const groups = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const g = groups.get(e.instancePath);
    if (g) g.push(e);
    else groups.set(e.instancePath, [e]);
  }
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const push = (path: FieldPath, message: string): void => {
    const key = `${formatPath(path)}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ path, message });
  };
  const pointers = [...groups.keys()];
  for (const [pointer, errs] of groups) {
    const { path, value, found } = resolvePointer(data, pointer);
    const combinator = errs.find((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
    if (combinator) {
      // Errors further down mean one branch matched the value's shape and failed inside it:
      // those errors are the precise ones ("expected object, got an array" would mislead).
      const deeper = pointers.some((p) => p.startsWith(`${pointer}/`));
      if (value === null || deeper) continue;
      push(path, combinedMessage(path, value, errs, combinator));
      continue;
    }
    for (const e of errs) {
      if (e.keyword === 'required') {
        const field = String((e.params as { missingProperty?: string }).missingProperty);
        push([...path, field], `missing required field "${field}"${atPathOrEmpty(path)}`);
        continue;
      }
      if (value === null && found) continue; // null == absent
      push(path, singleMessage(path, value, e));
    }
  }
  return issues;
}

function atPathOrEmpty(path: FieldPath): string {
  return path.length === 0 ? '' : ` at ${formatPath(path)}`;
}

function singleMessage(path: FieldPath, value: unknown, e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const at = atPath(path);
  switch (e.keyword) {
    case 'type':
      return `expected ${String(p.type).replace(/,/g, ' or ')}${at}, got ${describeValue(value)}`;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [];
      return `invalid value ${JSON.stringify(value)}${at}: expected one of ${allowed
        .map((v) => JSON.stringify(v))
        .join(', ')}`;
    }
    case 'const':
      return `invalid value ${JSON.stringify(value)}${at}: expected ${JSON.stringify(p.allowedValue)}`;
    case 'format': {
      const fmt = String(p.format);
      return `expected ${FORMAT_HINTS[fmt] ?? `a valid ${fmt}`}${at}, got ${describeValue(value)}`;
    }
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      return `unknown field "${field}"${at}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `value ${JSON.stringify(value)}${at} must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'pattern':
      return `value ${describeValue(value)}${at} must match the pattern ${String(p.pattern)}`;
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
    case 'minProperties':
    case 'maxProperties': {
      const bound = e.keyword.startsWith('min') ? 'at least' : 'at most';
      const unit = e.keyword.endsWith('Items')
        ? 'item(s)'
        : e.keyword.endsWith('Length')
          ? 'character(s)'
          : 'field(s)';
      return `expected ${bound} ${String(p.limit)} ${unit}${at}, got ${describeValue(value)}`;
    }
    default:
      return `${e.message ?? `failed "${e.keyword}" check`}${at}`;
  }
}

/** One message for a failed oneOf/anyOf and the branch errors reported at the same path. */
function combinedMessage(
  path: FieldPath,
  value: unknown,
  errs: ErrorObject[],
  combinator: ErrorObject,
): string {
  const at = atPath(path);
  const formats = errs.filter((e) => e.keyword === 'format').map((e) => String(e.params.format));
  if (formats.includes('quantity')) {
    return `expected ${FORMAT_HINTS.quantity}${at}, got ${describeValue(value)}`;
  }
  const passing = (combinator.params as { passingSchemas?: number[] | null }).passingSchemas;
  const branchKeys = requiredKeysOfBranches(combinator);
  if (Array.isArray(passing) && passing.length > 1) {
    const present = presentKeys(value, branchKeys);
    return present.length > 1
      ? `conflicting fields${at}: set only one of ${present.map((k) => `"${k}"`).join(', ')}`
      : `value${at} matches more than one allowed form; set only one of the alternatives`;
  }
  const types = [
    ...new Set(
      errs
        .filter((e) => e.keyword === 'type')
        .flatMap((e) => String(e.params.type).split(','))
        .filter((t) => t !== 'null'),
    ),
  ];
  if (types.length > 0) {
    return `expected ${types.join(' or ')}${at}, got ${describeValue(value)}`;
  }
  if (branchKeys.length > 0) {
    return `value${at} must set exactly one of ${branchKeys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `value${at} does not match any allowed form, got ${describeValue(value)}`;
}

/** With ajv `verbose`, the oneOf error carries its branches: collect their `required` keys. */
function requiredKeysOfBranches(e: ErrorObject): string[] {
  const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
  const keys: string[] = [];
  for (const b of branches) {
    const req = (b as { required?: unknown } | null)?.required;
    if (Array.isArray(req)) for (const k of req) if (typeof k === 'string') keys.push(k);
  }
  return [...new Set(keys)];
}

function presentKeys(value: unknown, keys: string[]): string[] {
  if (value === null || typeof value !== 'object') return [];
  return keys.filter((k) => Object.hasOwn(value, k));
}
