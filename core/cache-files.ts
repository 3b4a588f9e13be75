/**
 * What the caches under .manifests-cache/ share: a fingerprint of the code whose output they keep,
 * and writing a file so that a reader sees the old file or the whole new one, never a part.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tool's top folder (the parent of core/, in the sources and in dist/ alike). */
const TOP = join(dirname(fileURLToPath(import.meta.url)), '..');
const requireHere = createRequire(import.meta.url);
const fingerprints = new Map<string, string>();

/**
 * A SHA-256 of `label`, of every source file (`.js`, `.ts`, `.json`; not tests, not source maps)
 * under the given folders of this tool, and of the installed versions of `libraries`: it changes
 * whenever the code that makes a cache's content could.
 */
export function codeFingerprint(label: string, folders: string[], libraries: string[]): string {
  const id = JSON.stringify([label, folders, libraries]);
  const known = fingerprints.get(id);
  if (known) return known;
  const h = createHash('sha256');
  h.update(`${label}\n`);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(js|ts|json)$/.test(name) && !/\.test\.|\.map$/.test(name)) {
        h.update(full.slice(TOP.length) + '\0');
        h.update(readFileSync(full));
      }
    }
  };
  for (const folder of folders) walk(join(TOP, folder));
  for (const lib of libraries) {
    let version = '?';
    try {
      version = (requireHere(`${lib}/package.json`) as { version: string }).version;
    } catch {
      // a library that cannot be found makes a fingerprint of its own
    }
    h.update(`${lib} ${version}\n`);
  }
  const digest = h.digest('hex');
  fingerprints.set(id, digest);
  return digest;
}

/**
 * Writes `text` (or these lines, each ended by a newline) to `file` through a temporary file renamed
 * over it (creating the folder). Returns false when it could not, or when the lines' iterable threw
 * (nothing is left then): a cache that cannot be written only costs the next run its speed.
 */
export function writeFileAtomically(file: string, text: string | Iterable<string>): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    if (typeof text === 'string') writeFileSync(tmp, text);
    else {
      // lines written as they come: a large entry is never held whole, as lines or as one string
      // (a line the iterable has not given yet is not written; when it throws, the file is removed)
      const fd = openSync(tmp, 'w');
      try {
        // in pieces of about a megabyte (a write per line would cost a system call each)
        let piece: string[] = [];
        let size = 0;
        for (const line of text) {
          piece.push(line);
          size += line.length + 1;
          if (size >= 1 << 20) {
            writeSync(fd, piece.join('\n') + '\n');
            piece = [];
            size = 0;
          }
        }
        if (piece.length > 0) writeSync(fd, piece.join('\n') + '\n');
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the temporary file could not even be made (e.g. the folder is a file)
    }
    return false;
  }
}

/**
 * Keeps the newest `keep` files of a cache folder (by modification time) whose names start with
 * `prefix`, removing the others: a cache that gains a file per edit stays bounded.
 */
export function pruneFolder(dir: string, keep: number, prefix = ''): void {
  try {
    const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp'));
    if (files.length <= keep) return;
    const dated = files
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t || (a.f < b.f ? -1 : 1));
    for (const old of dated.slice(keep)) rmSync(join(dir, old.f), { force: true });
  } catch {
    // a folder that cannot be read or cleaned only grows
  }
}

/** True when JSON gives `value` back exactly: what YAML gives (no NaN, no -0, plain objects). */
export function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype) return false;
    return Object.values(value as Record<string, unknown>).every(jsonSafe);
  }
  return false;
}

/** The git object id a file with this text has (SHA-1, or SHA-256 in a SHA-256 repository). */
export function gitBlobId(text: string, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  const body = Buffer.from(text, 'utf8');
  return createHash(algorithm).update(`blob ${body.length}\0`).update(body).digest('hex');
}
