import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import type { Manifest } from '../core/manifest.js';
import { renderEnvironment } from '../generator/pipeline.js';
import { parseEnvironments } from './environments.js';
import {
  ENVIRONMENTS_FILE,
  listPreviewFolders,
  previewRoot,
  readEnvironmentsText,
} from './store.js';

/** How `manifests validate` checks preview folders: in the context of the plan they clone. */
export interface PreviewValidationBase {
  /** The values environment the previews were cloned from. */
  env: string;
  /** The paths to read (release/preview itself expanded to its preview folders). */
  paths: string[];
  /** That environment's rendered plan: rules resolve the previews' references into it. */
  manifests: Manifest[];
}

/**
 * When every path is a preview (a folder or file under `release/preview/<name>/`, or
 * `release/preview/` itself), the environment the previews were cloned from (environments.json's
 * `env`, or `--env`) and its plan rendered in memory: a preview's VirtualService binds to the
 * istio chart's Gateway and its pods read the environment's Secrets, which live in the plan, not
 * in the preview. Returns undefined for any other paths (validated as they are).
 */
export function previewValidationBase(
  root: string,
  paths: string[],
  env: string | undefined,
  environ: Readonly<Record<string, string | undefined>>,
): PreviewValidationBase | undefined {
  if (paths.length === 0 || paths.includes('-')) return undefined;
  const abs = resolve(root);
  if (!existsSync(join(abs, 'charts')) || !existsSync(join(abs, 'values'))) return undefined;
  const store = previewRoot(join(abs, 'release'));
  const names = new Set<string>();
  const expanded: string[] = [];
  for (const p of paths) {
    const rel = relative(store, resolve(p));
    if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
    if (rel === '') {
      for (const name of listPreviewFolders(store)) {
        names.add(name);
        expanded.push(join(p, name));
      }
      continue;
    }
    const first = rel.split(sep)[0];
    if (first === ENVIRONMENTS_FILE || first.startsWith('.')) continue;
    names.add(first);
    expanded.push(p);
  }
  if (expanded.length === 0) {
    throw new InputError('no preview environments to validate', { file: 'release/preview/' });
  }
  let chosen = env;
  if (!chosen) {
    const file = parseEnvironments(
      readEnvironmentsText(store),
      `release/preview/${ENVIRONMENTS_FILE}`,
    );
    const envs = new Set<string>();
    for (const name of names) {
      const entry = file.environments.find((e) => e.name === name);
      if (!entry) {
        throw new InputError(
          `preview ${name} is not listed in release/preview/${ENVIRONMENTS_FILE}; give --env (the environment it was cloned from)`,
        );
      }
      envs.add(entry.env);
    }
    if (envs.size > 1) {
      throw new InputError(
        `the previews come from several environments (${[...envs].sort().join(', ')}); validate one environment's previews at a time or give --env`,
      );
    }
    chosen = [...envs][0];
  }
  const rendered = renderEnvironment(abs, chosen, { environ }).release.manifests;
  const manifests = rendered.map((m) => ({ ...m, file: `release/${chosen}/${m.file}` }));
  return { env: chosen, paths: expanded, manifests };
}
