import type { KubeObject } from '../core/manifest.js';
import { SECRET_PLACEHOLDER_PATTERN } from '../generator/values/secrets.js';
import { formatPath } from './paths.js';
import type { FieldChange } from './types.js';

/**
 * A Secret's values never reach the plan output. The committed plan holds only placeholders
 * (`<<secret:VAR>>`) where secrets go, but a Secret may also carry literal values (and `data` is
 * base64): for both, only the key and the variable names are shown.
 */
export const SECRET_VALUE_FIELDS = ['data', 'stringData'] as const;

const WHOLE_PLACEHOLDER = /^<<secret:([A-Z_][A-Z0-9_]*)>>$/;

export function isSecret(obj: { apiVersion?: unknown; kind?: unknown }): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

interface SecretValue {
  /** The placeholder when the whole value is one placeholder. */
  placeholder?: string;
  /** Variables named anywhere in the value. */
  variables: string[];
}

function readValue(field: 'data' | 'stringData', raw: unknown): SecretValue {
  let text = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
  if (field === 'data') {
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    // Only a value that decodes to placeholders is read; anything else stays opaque.
    text = decoded.includes('<<secret:') ? decoded : '';
  }
  const whole = WHOLE_PLACEHOLDER.exec(text);
  const variables = [...text.matchAll(SECRET_PLACEHOLDER_PATTERN)].map((m) => m[1]);
  return { placeholder: whole ? whole[0] : undefined, variables: [...new Set(variables)].sort() };
}

function describe(v: SecretValue): string {
  if (v.placeholder) return `from ${v.variables[0]}`;
  if (v.variables.length > 0) return `literal text with ${v.variables.join(', ')}`;
  return 'literal value';
}

/** Field changes of a Secret's `data` and `stringData`, without values. */
export function compareSecretValues(oldObj: KubeObject, newObj: KubeObject): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of SECRET_VALUE_FIELDS) {
    const a = (oldObj[field] ?? {}) as Record<string, unknown>;
    const b = (newObj[field] ?? {}) as Record<string, unknown>;
    if (typeof a !== 'object' || typeof b !== 'object') continue;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const has = (m: Record<string, unknown>) => Object.prototype.hasOwnProperty.call(m, key);
      const path = formatPath([field, key]);
      if (!has(a)) {
        const v = readValue(field, b[key]);
        out.push({ path, new: v.placeholder, note: `key added (${describe(v)})` });
      } else if (!has(b)) {
        out.push({ path, old: readValue(field, a[key]).placeholder, note: 'key removed' });
      } else if (a[key] !== b[key]) {
        const x = readValue(field, a[key]);
        const y = readValue(field, b[key]);
        if (x.placeholder && y.placeholder) {
          out.push({ path, old: x.placeholder, new: y.placeholder, note: 'variable changed' });
        } else out.push({ path, note: `value changed (${describe(x)} -> ${describe(y)})` });
      }
    }
  }
  return out;
}

/** A copy of a Secret for display: each value replaced by its placeholder or `(hidden)`. */
export function redactSecret(obj: KubeObject): KubeObject {
  const copy: KubeObject = { ...obj };
  for (const field of SECRET_VALUE_FIELDS) {
    const m = obj[field];
    if (!m || typeof m !== 'object') continue;
    const shown: Record<string, string> = {};
    for (const [k, raw] of Object.entries(m as Record<string, unknown>)) {
      const v = readValue(field, raw);
      shown[k] =
        v.placeholder ??
        (v.variables.length ? `(hidden; uses ${v.variables.join(', ')})` : '(hidden)');
    }
    copy[field] = shown;
  }
  return copy;
}

/** The object without its Secret values, for the generic comparison. */
export function withoutSecretValues(obj: KubeObject): KubeObject {
  const copy: KubeObject = { ...obj };
  for (const field of SECRET_VALUE_FIELDS) delete copy[field];
  return copy;
}
