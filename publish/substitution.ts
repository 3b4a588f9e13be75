import type { Manifest } from '../core/manifest.js';
import { SECRET_PLACEHOLDER_PATTERN } from '../generator/values/secrets.js';
import { PublishError } from './errors.js';

/**
 * Checks that the render with real secrets is the reviewed render with each placeholder replaced by
 * its variable's value and nothing else: same files, same resources, same fields, and every string
 * equal, or equal once the placeholders in it (or in its base64 decoding, for Secret `data`) are
 * replaced. A template that branched on a secret's value, or changed anything else, is caught here.
 * Messages name the file and field, never a value.
 */
export function checkSecretSubstitution(
  reviewed: Manifest[],
  real: Manifest[],
  environ: NodeJS.ProcessEnv,
  env: string,
): void {
  const fail = (what: string) =>
    new PublishError(
      `the render with real secrets differs from the reviewed plan beyond the secret values: ${what}`,
      ['a template may not depend on the value of a secret; only its placeholder may be replaced'],
    );
  const realByFile = new Map(real.map((m) => [m.file, m]));
  if (real.length !== reviewed.length || reviewed.some((m) => !realByFile.has(m.file))) {
    const missing = reviewed.find((m) => !realByFile.has(m.file));
    throw fail(
      missing
        ? `release/${env}/${missing.file} is not rendered`
        : `${real.length} resources instead of ${reviewed.length}`,
    );
  }
  const substitute = (s: string) =>
    s.replace(SECRET_PLACEHOLDER_PATTERN, (ph, variable: string) => environ[variable] ?? ph);
  const sameString = (r: string, x: string): boolean => {
    if (r === x) return true;
    if (!r.includes('<<secret:') && !/^[A-Za-z0-9+/]+=*$/.test(r)) return false;
    if (substitute(r) === x) return true;
    // A placeholder inside base64 (a Secret's data), at the same position in the text.
    const decoded = Buffer.from(r, 'base64').toString('utf8');
    return (
      decoded.includes('<<secret:') &&
      Buffer.from(r, 'base64').toString('base64') === r &&
      Buffer.from(substitute(decoded), 'utf8').toString('base64') === x
    );
  };
  const walk = (a: unknown, b: unknown, path: string, file: string): void => {
    if (typeof a === 'string' && typeof b === 'string') {
      if (!sameString(a, b)) throw fail(`release/${env}/${file} field ${path || '(document)'}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) throw fail(`release/${env}/${file} field ${path} (list length)`);
      a.forEach((v, i) => walk(v, b[i], `${path}[${i}]`, file));
      return;
    }
    if (
      a &&
      b &&
      typeof a === 'object' &&
      typeof b === 'object' &&
      !Array.isArray(a) &&
      !Array.isArray(b)
    ) {
      const ka = Object.keys(a).sort();
      const kb = Object.keys(b).sort();
      if (ka.join('\0') !== kb.join('\0'))
        throw fail(`release/${env}/${file} field ${path || '(document)'} (keys)`);
      for (const k of ka)
        walk(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
          path ? `${path}.${k}` : k,
          file,
        );
      return;
    }
    if (a !== b) throw fail(`release/${env}/${file} field ${path || '(document)'}`);
  };
  for (const m of reviewed) walk(m.object, realByFile.get(m.file)!.object, '', m.file);
}
