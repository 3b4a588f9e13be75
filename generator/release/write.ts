import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../../core/errors.js';

/** Resolves `relPath` under `dir`, refusing anything that would land outside it. */
export function safeJoin(dir: string, relPath: string): string {
  const base = resolve(dir);
  const full = resolve(base, relPath);
  if (full !== base && !full.startsWith(base + sep)) {
    throw new InputError(`refusing to write outside ${base}: ${relPath}`);
  }
  return full;
}

/** How many file writes are in flight at once (hides the latency of creating files). */
const WRITE_CONCURRENCY = 16;

/**
 * Writes the release folder atomically: everything goes into a temporary folder beside the target,
 * which replaces the target only when complete. Files of vanished resources disappear with the old
 * folder. On failure the previous folder is left exactly as it was.
 *
 * Files whose text is unchanged from `previous` (the target's current content) are hard-linked from
 * the target instead of written again: creating a file costs far more than linking one.
 */
export async function writeReleaseAtomically(
  targetDir: string,
  files: Map<string, string>,
  previous?: Map<string, string>,
): Promise<void> {
  const target = resolve(targetDir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const name = target.slice(parent.length + 1);
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = join(parent, `.${name}.tmp-${stamp}`);
  const old = join(parent, `.${name}.old-${stamp}`);
  try {
    mkdirSync(tmp);
    const made = new Set<string>();
    const toWrite: [string, string][] = [];
    for (const [path, text] of files) {
      const full = safeJoin(tmp, path);
      const d = dirname(full);
      if (!made.has(d)) {
        mkdirSync(d, { recursive: true });
        made.add(d);
      }
      if (previous?.get(path) === text && tryLink(safeJoin(target, path), full)) continue;
      toWrite.push([full, text]);
    }
    let next = 0;
    const worker = async () => {
      while (next < toWrite.length) {
        const [full, text] = toWrite[next++];
        await writeFile(full, text);
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, toWrite.length) }, worker));
    if (existsSync(target)) renameSync(target, old);
    try {
      renameSync(tmp, target);
    } catch (err) {
      if (existsSync(old)) renameSync(old, target);
      throw err;
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch {
    return false;
  }
}

/** Every file under `dir` (release-relative, '/'-separated) with its text. */
export function readReleaseFolder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile())
        out.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

export interface ReleaseDrift {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Compares the release on disk with what a fresh render produces. */
export function compareRelease(
  onDisk: Map<string, string>,
  fresh: Map<string, string>,
): ReleaseDrift {
  const drift: ReleaseDrift = { added: [], removed: [], changed: [] };
  for (const [path, text] of fresh) {
    const disk = onDisk.get(path);
    if (disk === undefined) drift.added.push(path);
    else if (disk !== text) drift.changed.push(path);
  }
  for (const path of onDisk.keys()) if (!fresh.has(path)) drift.removed.push(path);
  return drift;
}
