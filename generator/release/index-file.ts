/**
 * The release index: what each plan file of release/<env>/ was when this tool last wrote or
 * compared the folder, kept under `.manifests-cache/release/<env>.json`. For each file: its size,
 * modification and change times (nanoseconds), inode and the git blob id of its text. A file whose
 * `lstat` still gives the same size, times and inode holds the text it had then, so comparing the
 * folder with a new render needs no read of it: its text equals the new one exactly when the blob
 * ids are equal. Any write to a file, and any change of its times (`touch`, `utimes`), changes its
 * change time, which no program can set.
 *
 * As in git's index, a file modified in the same clock tick as the index was written could still
 * show the recorded times ("racily clean"): entries whose modification or change time is not older
 * than the index file's own modification time are read as before. A missing, damaged or foreign
 * index only means every file is read.
 */
import { lstatSync, readFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../core/cache-files.js';

/** Bumped when what an entry holds changes. */
const FORMAT = 1;

/** size, mtime ns, ctime ns, inode, blob id */
type Entry = [size: string, mtimeNs: string, ctimeNs: string, ino: string, blob: string];

interface IndexFile {
  format: number;
  /** the release folder it describes (absolute) */
  dir: string;
  entries: Record<string, Entry>;
}

export interface ReleaseIndex {
  /**
   * The blob id the file had when recorded, when `stats` (its lstat, with bigint fields) still
   * match the entry and the entry is not racily clean; otherwise undefined.
   */
  knownBlob(path: string, stats: BigIntStats): string | undefined;
}

export function releaseIndexFile(cacheDir: string, env: string): string {
  return join(cacheDir, 'release', `${env}.json`);
}

function entryOf(stats: BigIntStats, blob: string): Entry {
  return [
    String(stats.size),
    String(stats.mtimeNs),
    String(stats.ctimeNs),
    String(stats.ino),
    blob,
  ];
}

/** The index of `dir` stored in `file`, or undefined. */
export function loadReleaseIndex(file: string, dir: string): ReleaseIndex | undefined {
  let data: IndexFile;
  let written: bigint;
  try {
    written = lstatSync(file, { bigint: true }).mtimeNs;
    data = JSON.parse(readFileSync(file, 'utf8')) as IndexFile;
  } catch {
    return undefined;
  }
  if (
    !data ||
    data.format !== FORMAT ||
    data.dir !== dir ||
    !data.entries ||
    typeof data.entries !== 'object'
  )
    return undefined;
  const entries = data.entries;
  return {
    knownBlob(path, stats) {
      const e = Object.hasOwn(entries, path) ? entries[path] : undefined;
      if (!Array.isArray(e) || e.length !== 5 || typeof e[4] !== 'string') return undefined;
      if (stats.mtimeNs >= written || stats.ctimeNs >= written) return undefined; // racily clean
      const now = entryOf(stats, e[4]);
      for (let i = 0; i < 4; i++) if (now[i] !== e[i]) return undefined;
      return e[4];
    },
  };
}

/**
 * The file system's clock a little before now, in nanoseconds: file times come from a coarse clock
 * that can lag the one Date.now() reads by a tick (a few milliseconds).
 */
export function fileClockBefore(): bigint {
  return BigInt(Date.now() - 50) * 1_000_000n;
}

/**
 * Records the files of `dir` as they are now: each path of `blobs` (the blob ids of the texts it
 * holds: just written, linked or found equal) that is a regular file not modified since
 * `notBeforeNs` (from fileClockBefore() taken before the write or comparison began). A file
 * modified since then, by this run or by anyone else meanwhile, is left out and read next time.
 * Returns false when the index could not be written.
 */
export function storeReleaseIndex(
  file: string,
  dir: string,
  blobs: ReadonlyMap<string, string>,
  notBeforeNs: bigint,
): boolean {
  const entries: Record<string, Entry> = {};
  for (const [path, blob] of blobs) {
    try {
      const stats = lstatSync(join(dir, path), { bigint: true });
      if (stats.isFile() && stats.mtimeNs < notBeforeNs) entries[path] = entryOf(stats, blob);
    } catch {
      // gone again: not recorded, so read next time
    }
  }
  const data: IndexFile = { format: FORMAT, dir, entries };
  return writeFileAtomically(file, JSON.stringify(data));
}
