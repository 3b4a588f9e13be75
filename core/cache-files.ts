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
  readSync,
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
 * The installed version of package `pkg` as `req` resolves it (this tool's own `require` by
 * default), or `?` when it cannot be found.
 */
export function packageVersion(pkg: string, req: NodeJS.Require = requireHere): string {
  try {
    return (req(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}

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
  // a library that cannot be found makes a fingerprint of its own
  for (const lib of libraries) h.update(`${lib} ${packageVersion(lib)}\n`);
  const digest = h.digest('hex');
  fingerprints.set(id, digest);
  return digest;
}

/**
 * Writes `text` (bytes, or these lines, each ended by a newline) to `file` through a temporary
 * file renamed over it (creating the folder). Returns false when it could not, or when the lines'
 * iterable threw (nothing is left then): a cache that cannot be written only costs the next run its
 * speed.
 */
export function writeFileAtomically(
  file: string,
  text: string | Buffer | Iterable<string>,
): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    if (typeof text === 'string' || Buffer.isBuffer(text)) writeFileSync(tmp, text);
    else {
      // lines written as they come: a large entry is never held whole, as lines or as one string
      // (a line the iterable has not given yet is not written; when it throws, the file is removed)
      const fd = openSync(tmp, 'w');
      try {
        // encoded into one buffer of a megabyte, written when full: a system call per megabyte
        // rather than per line, and no joined strings left for the collector
        const buffer = Buffer.allocUnsafe(1 << 20);
        let used = 0;
        for (const line of text) {
          const bytes = Buffer.byteLength(line, 'utf8') + 1;
          if (used + bytes > buffer.length) {
            if (used > 0) writeSync(fd, buffer, 0, used);
            used = 0;
            if (bytes > buffer.length) {
              writeSync(fd, `${line}\n`);
              continue;
            }
          }
          used += buffer.write(line, used, 'utf8');
          buffer[used++] = 10; // '\n'
        }
        if (used > 0) writeSync(fd, buffer, 0, used);
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
 * Reads a file of lines (as writeFileAtomically writes them) a megabyte at a time, handing each
 * line to `onLine`, so that no string of the whole file is ever made. Returns true when every line
 * was read and the file ended with a newline; false when it could not be read, was truncated
 * (its last line has no newline: that line is not handed over), or `onLine` returned false.
 */
export function readFileLines(file: string, onLine: (line: string) => boolean | void): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    // the start of a line that continues into the next chunk
    let carry: Buffer[] = [];
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return carry.length === 0;
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0 || nl >= n) break;
        let line: string;
        if (carry.length > 0) {
          carry.push(chunk.subarray(start, nl));
          line = Buffer.concat(carry).toString('utf8');
          carry = [];
        } else line = chunk.toString('utf8', start, nl);
        if (onLine(line) === false) return false;
        start = nl + 1;
      }
      // a newline byte never occurs inside a UTF-8 sequence, so a piece ends between characters
      // or inside one that the next chunk completes; pieces are decoded only once joined
      if (start < n) carry.push(Buffer.from(chunk.subarray(start, n)));
    }
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Keeps the newest `keep` files of a cache folder (by modification time) whose names start with
 * `prefix`, and of those only as many as fit in `maxBytes` together (the newest always stays),
 * removing the others: a cache that gains a file per edit stays bounded in files and in room.
 */
export function pruneFolder(dir: string, keep: number, prefix = '', maxBytes = Infinity): void {
  try {
    const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp'));
    if (files.length <= keep && maxBytes === Infinity) return;
    const dated = files
      .map((f) => {
        const st = statSync(join(dir, f));
        return { f, t: st.mtimeMs, size: st.size };
      })
      .sort((a, b) => b.t - a.t || (a.f < b.f ? -1 : 1));
    // the newest `keep` files, as long as they fit in maxBytes (the newest is always kept)
    let bytes = 0;
    let kept = 0;
    for (const file of dated) {
      bytes += file.size;
      if (kept === 0 || (kept < keep && bytes <= maxBytes)) kept++;
      else break;
    }
    for (const old of dated.slice(kept)) rmSync(join(dir, old.f), { force: true });
  } catch {
    // a folder that cannot be read or cleaned only grows
  }
}

/**
 * A cache file's JSON when it is an object with this `format` and `key`; undefined (a miss) when it
 * is missing, unreadable, not JSON or another format's or key's.
 */
export function readKeyedCacheFile(
  file: string,
  format: number,
  key: string,
): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
    const record = data as Record<string, unknown>;
    return record.format === format && record.key === key ? record : undefined;
  } catch {
    return undefined;
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

/** The git blob id of each file's text, by path (taking those of `known` as they are). */
export function blobIdsOfFiles(
  files: ReadonlyMap<string, string>,
  known?: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of files) out.set(path, known?.get(path) ?? gitBlobId(text));
  return out;
}

/** The git object id a file with this text has (SHA-1, or SHA-256 in a SHA-256 repository). */
export function gitBlobId(text: string, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  // the text is hashed as UTF-8 directly: no copy of it is made that the collector must free
  return createHash(algorithm)
    .update(`blob ${Buffer.byteLength(text, 'utf8')}\0`)
    .update(text, 'utf8')
    .digest('hex');
}
