import { readBasePlan, readBaseTexts, type BasePlan } from './base.js';
import { parsePlanFile } from './parse.js';
import type { KubeObject } from '../core/manifest.js';
import type { PlanObject } from './types.js';

/** The committed plan at a ref, as objects, minus the files whose bytes the new plan repeats. */
export interface BaseObjects {
  ref: string;
  commit: string;
  /** Project-relative files identical on both sides (not listed in `objects`). */
  sameFiles: string[];
  objects: PlanObject[];
}

type Parsed = { objects: KubeObject[] } | { error: unknown };

function parseFile(text: string, source: string): Parsed {
  try {
    return { objects: parsePlanFile(text, source) };
  } catch (error) {
    return { error };
  }
}

/**
 * The base objects of the files that differ from the new plan (`newBlobs`, SHA-1 ids; in a SHA-256
 * repository every file differs). A file that cannot be parsed is bad input only when it is needed.
 */
export function selectBaseObjects(
  base: BasePlan,
  env: string,
  newBlobs: Map<string, string>,
  parsed: (path: string, text: string) => Parsed,
): BaseObjects {
  const prefix = `release/${env}/`;
  const sameFiles: string[] = [];
  const objects: PlanObject[] = [];
  for (const f of base.files.values()) {
    const file = prefix + f.path;
    if (newBlobs.get(f.path) === f.blob) {
      sameFiles.push(file);
      continue;
    }
    if (f.text === undefined) throw new Error(`the base plan's ${file} was not read`);
    const p = parsed(f.path, f.text);
    if ('error' in p) throw p.error;
    for (const object of p.objects) objects.push({ object, chart: f.path.split('/')[0], file });
  }
  return { ref: base.ref, commit: base.commit, sameFiles, objects };
}

/**
 * Reads and parses the committed `release/<env>/` at `ref`, skipping the files whose blob id equals
 * the new plan's.
 */
export async function loadBaseObjects(
  root: string,
  env: string,
  ref: string,
  newBlobs: Map<string, string>,
): Promise<BaseObjects> {
  return loadBaseObjectsWhenKnown(root, env, ref, Promise.resolve(newBlobs));
}

/**
 * `loadBaseObjects` for a caller that learns the new plan's blob ids later: resolves the ref and
 * lists the committed plan at once (so a bad ref fails early), then reads and parses only the files
 * whose blob ids differ.
 */
export async function loadBaseObjectsWhenKnown(
  root: string,
  env: string,
  ref: string,
  newBlobs: Promise<Map<string, string>>,
): Promise<BaseObjects> {
  const listed = await readBasePlan(root, env, ref, () => false);
  const ids = await newBlobs;
  const differ = [...listed.files.values()].filter((f) => ids.get(f.path) !== f.blob);
  await readBaseTexts(root, differ);
  return selectBaseObjects(listed, env, ids, (path, text) =>
    parseFile(text, `${ref}:release/${env}/${path}`),
  );
}
