import { blobId, readBasePlan } from './base.js';
import { parsePlanFile } from './parse.js';
import type { PlanObject } from './types.js';

/** The committed plan at a ref, as objects, minus the files whose bytes the new plan repeats. */
export interface BaseObjects {
  ref: string;
  commit: string;
  /** Project-relative files identical on both sides (not read, not parsed). */
  sameFiles: string[];
  objects: PlanObject[];
}

/** Git object ids (SHA-1) of the new plan's files, by release-relative path. */
export function blobIdsOf(files: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of files) out.set(path, blobId(text));
  return out;
}

/**
 * Reads and parses the committed `release/<env>/` at `ref`, skipping files whose blob id equals the
 * new plan's (`newBlobs`, SHA-1; in a SHA-256 repository every file is read).
 */
export async function loadBaseObjects(
  root: string,
  env: string,
  ref: string,
  newBlobs: Map<string, string>,
): Promise<BaseObjects> {
  const prefix = `release/${env}/`;
  const sameFiles: string[] = [];
  const base = await readBasePlan(root, env, ref, (path, blob) => {
    if (newBlobs.get(path) === blob) {
      sameFiles.push(prefix + path);
      return false;
    }
    return true;
  });
  const objects: PlanObject[] = [];
  for (const f of base.files.values()) {
    if (f.text === undefined) continue;
    const file = prefix + f.path;
    for (const object of parsePlanFile(f.text, `${ref}:${file}`)) {
      objects.push({ object, chart: f.path.split('/')[0], file });
    }
  }
  return { ref, commit: base.commit, sameFiles, objects };
}
