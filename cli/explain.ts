import { dump } from 'js-yaml';
import { InputError } from '../core/errors.js';
import { openProject } from '../generator/project.js';
import { loadValues } from '../generator/values/load.js';
import { describeOrigin, findOrigin, parseValuePath } from '../generator/values/origins.js';

/**
 * Text explaining where a merged value came from: the layer that set it first, then every layer it
 * overrode, most recent first.
 */
export function explainValue(
  root: string,
  env: string,
  pathText: string,
  environ: Readonly<Record<string, string | undefined>>,
): string {
  const project = openProject(root);
  const loaded = loadValues(project, env, { environ });
  const path = parseValuePath(pathText);
  if (path.length === 0) throw new InputError(`empty value path "${pathText}"`);
  let value: unknown = loaded.values;
  for (const seg of path) {
    // Only own keys and list indexes are value paths (not `constructor` or `length`).
    const own = Array.isArray(value)
      ? /^\d+$/.test(seg) && Number(seg) < value.length
      : value !== null && typeof value === 'object' && Object.hasOwn(value, seg);
    if (!own) {
      const found = findOrigin(loaded.origins, path);
      const deleted =
        found?.node.deleted && found.depth === path.length
          ? ` (deleted by null at ${describeOrigin(found.node.origin)})`
          : '';
      throw new InputError(
        `value ${path.join('.')} is not set for environment ${env}${deleted} (files read: ${loaded.filesRead.join(', ')})`,
      );
    }
    value = (value as Record<string, unknown>)[seg];
  }
  const found = findOrigin(loaded.origins, path);
  const winner = found && found.depth === path.length ? found.node.origin : undefined;
  const secret = loaded.secrets.find((s) => s.path.join('.') === path.join('.'));
  const coversSecret = loaded.secrets.some((s) =>
    s.path.join('.').startsWith(path.join('.') + '.'),
  );
  const lines: string[] = [`${path.join('.')} (env ${env})`];
  if (secret) {
    lines.push(`  value: secret, supplied by environment variable ${secret.variable} (not shown)`);
  } else if (coversSecret) {
    lines.push('  value: a map that holds secrets (not shown); explain a leaf path instead');
  } else {
    const text = dump(value, { lineWidth: -1 }).trimEnd();
    lines.push(
      text.includes('\n') ? `  value:\n${text.replace(/^/gm, '    ')}` : `  value: ${text}`,
    );
  }
  if (winner) lines.push(`  set by: ${describeOrigin(winner)}`);
  const overridden = found && found.depth === path.length ? (found.node.overrode ?? []) : [];
  for (const o of [...overridden].reverse()) lines.push(`  overrides: ${describeOrigin(o)}`);
  return lines.join('\n') + '\n';
}
