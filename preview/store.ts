import { randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { withLock } from '../core/lock.js';
import { readReleaseFolder, safeJoin } from '../generator/release/write.js';

/** The file operations a commit uses; tests pass failing ones to prove a failure changes nothing. */
export interface PreviewIO {
  writeFile(path: string, text: string): void;
  rename(from: string, to: string): void;
}

export const fsIO: PreviewIO = {
  writeFile: (path, text) => writeFileSync(path, text),
  rename: (from, to) => renameSync(from, to),
};

export const ENVIRONMENTS_FILE = 'environments.json';
/**
 * The lock folder (core/lock.ts; its holder is written beside it as `.lock.owner`); hidden, so
 * `validate release/preview/...` never reads it.
 */
export const LOCK_NAME = '.lock';

/** `release/preview/` of a project. */
export function previewRoot(releaseDir: string): string {
  return join(releaseDir, 'preview');
}

/** Current text of environments.json, or undefined when there is none. */
export function readEnvironmentsText(root: string): string | undefined {
  const file = join(root, ENVIRONMENTS_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Files of one preview folder (folder-relative path -> text). */
export function readPreviewFolder(root: string, name: string): Map<string, string> {
  return readReleaseFolder(join(root, name));
}

/** Names of the preview folders under the root. */
export function listPreviewFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/**
 * Runs a read-modify-write of the preview store (environments.json and the preview folders) under
 * the store's lock, so concurrent commands (several CLI processes) never lose each other's
 * changes. The root folder is created if needed and removed again when the command leaves it empty
 * (a failed first create leaves no trace).
 */
export async function withPreviewLock<T>(root: string, fn: () => T | Promise<T>): Promise<T> {
  const existed = existsSync(root);
  try {
    return await withLock(join(root, LOCK_NAME), { what: 'release/preview/' }, fn);
  } finally {
    if (!existed) {
      try {
        rmdirSync(root); // only when empty
      } catch {
        /* it holds previews now */
      }
    }
  }
}

/** One change of a preview folder and of environments.json, applied all at once. */
export interface PreviewCommit {
  root: string;
  name: string;
  /** Folder-relative files to remove, in this order (a profile's objects, newest first). */
  remove: string[];
  /** Folder-relative files to write, in this order (creation order). */
  write: [string, string][];
  /** New text of environments.json. */
  environments: string;
}

function tempName(root: string, base: string, kind: string): string {
  return join(root, `.${base}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Applies a commit atomically: the new folder is built in a temporary folder beside it (unchanged
 * files hard-linked from the current one, removed files unlinked in the given order, new files
 * written in the given order), the new environments.json in a temporary file; then the folder is
 * swapped in and environments.json renamed over the old one. If anything fails, the temporary
 * files go and the folder and environments.json stay (or are put back) as they were. A folder left
 * with no files is removed.
 */
export function commitPreview(commit: PreviewCommit, io: PreviewIO = fsIO): void {
  const { root, name } = commit;
  const target = safeJoin(root, name);
  const envFile = join(root, ENVIRONMENTS_FILE);
  mkdirSync(root, { recursive: true });
  const current = readReleaseFolder(target);
  const tmp = tempName(root, name, 'tmp');
  const old = tempName(root, name, 'old');
  const envTmp = tempName(root, ENVIRONMENTS_FILE, 'tmp');
  let swapped = false;
  try {
    // 1. The new folder, complete, beside the current one.
    mkdirSync(tmp);
    const made = new Set<string>([tmp]);
    const place = (rel: string) => {
      const full = safeJoin(tmp, rel);
      const d = dirname(full);
      if (!made.has(d)) {
        mkdirSync(d, { recursive: true });
        made.add(d);
      }
      return full;
    };
    for (const [rel, text] of current) {
      const full = place(rel);
      try {
        linkSync(safeJoin(target, rel), full);
      } catch {
        writeFileSync(full, text); // a file system without hard links
      }
    }
    for (const rel of commit.remove) {
      unlinkSync(safeJoin(tmp, rel));
      current.delete(rel);
    }
    for (const [rel, text] of commit.write) {
      const full = place(rel);
      if (current.has(rel)) unlinkSync(full); // never write through a link into the live file
      io.writeFile(full, text);
      current.set(rel, text);
    }
    const empty = current.size === 0;
    // 2. The new environments.json, complete, beside the current one.
    io.writeFile(envTmp, commit.environments);
    // 3. Swap the folder, then environments.json; undo the swap if the second rename fails.
    if (existsSync(target)) io.rename(target, old);
    swapped = true;
    if (!empty) io.rename(tmp, target);
    try {
      io.rename(envTmp, envFile);
    } catch (err) {
      if (!empty) renameSync(target, tmp);
      if (existsSync(old)) renameSync(old, target);
      swapped = false;
      throw err;
    }
  } catch (err) {
    if (swapped && !existsSync(target) && existsSync(old)) renameSync(old, target);
    throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(envTmp, { force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
