/**
 * V8's code cache for the schema validator code, written by the build next to the precompiled
 * validators (precompiled.ts): `code-cache.bin` holds the bytecode V8 serialised for each module
 * (`script.createCachedData()` after the module ran and its validators were called once), and
 * `code-cache.json` where each module's data starts, how long it is and a hash of the text it was
 * made from, and of the data.
 *
 * A run reads only the slices of the modules it loads, and gives V8 a module's data only when:
 * - it was made from the very text being compiled (V8 itself checks the text's length only);
 * - its bytes are those written (V8 does not check them in release builds: damaged data would
 *   run as damaged bytecode);
 * - the V8 version is the one that made it.
 *
 * V8 also compares the flags in effect and refuses data made under others; both sides set
 * `--expose-gc` (core/memory.ts) before V8 sees data. Refused or missing data means the text is
 * compiled as if there were no cache: the cache changes how long loading takes, never what a
 * validator says.
 */
import fs from 'node:fs';
import path from 'node:path';
import type vm from 'node:vm';
import { checkedCodeCacheData, codeCacheData } from '../../core/code-cache-file.js';

/** Bumped when the layout of the two files changes. */
const FORMAT = 1;
const INDEX_FILE = 'code-cache.json';
const DATA_FILE = 'code-cache.bin';

interface CodeCacheIndex {
  format: number;
  /** process.versions.v8 of the build */
  v8: string;
  /** module key -> [offset, length, hash of the module text, hash of the data] */
  entries: Record<string, [number, number, string, string]>;
}

/** The code cache of a compiled folder, read on demand. */
export class CodeCacheReader {
  private fd: number | undefined;
  /** modules whose data was given to V8 / refused by V8 (tests, bench) */
  used = 0;
  rejected = 0;

  private constructor(
    private readonly file: string,
    private readonly index: CodeCacheIndex,
  ) {}

  /** The folder's code cache, or undefined when it has none or another V8 version made it. */
  static open(dir: string): CodeCacheReader | undefined {
    let index: CodeCacheIndex;
    try {
      index = JSON.parse(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8')) as CodeCacheIndex;
    } catch {
      return undefined;
    }
    if (index?.format !== FORMAT || index.v8 !== process.versions.v8 || !index.entries)
      return undefined;
    return new CodeCacheReader(path.join(dir, DATA_FILE), index);
  }

  /** The data made from exactly `text` for module `key`, if any. */
  get(key: string, text: string): Buffer | undefined {
    const entry = this.index.entries[key];
    if (!entry) return undefined;
    const [offset, length, textHash, dataHash] = entry;
    const data = Buffer.allocUnsafe(length);
    try {
      this.fd ??= fs.openSync(this.file, 'r');
      if (fs.readSync(this.fd, data, 0, length, offset) !== length) return undefined;
    } catch {
      return undefined;
    }
    // V8 checks the text by its length only, and not the data's bytes at all
    // (--verify-snapshot-checksum is off in release builds): damaged data would run as it is
    return checkedCodeCacheData(text, data, textHash, dataHash);
  }

  /** Closes the data file (a later get opens it again). */
  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  /** Counts what V8 did with data this reader gave. */
  note(rejected: boolean): void {
    if (rejected) this.rejected++;
    else this.used++;
  }
}

/** Collects modules' data at build time and writes the two files. */
export class CodeCacheWriter {
  private readonly items: { key: string; text: string; script: vm.Script }[] = [];

  add(key: string, text: string, script: vm.Script): void {
    this.items.push({ key, text, script });
  }

  /** Writes the files into `dir` (call after the modules ran); returns the data's size. */
  write(dir: string): number {
    const index: CodeCacheIndex = { format: FORMAT, v8: process.versions.v8, entries: {} };
    const parts: Buffer[] = [];
    let offset = 0;
    for (const { key, text, script } of this.items) {
      const { data, textHash, dataHash } = codeCacheData(text, script);
      index.entries[key] = [offset, data.length, textHash, dataHash];
      parts.push(data);
      offset += data.length;
    }
    fs.writeFileSync(path.join(dir, DATA_FILE), Buffer.concat(parts));
    fs.writeFileSync(path.join(dir, INDEX_FILE), JSON.stringify(index) + '\n');
    return offset;
  }
}

/** True when `dir`'s code cache was made by this process's V8 version. */
export function codeCacheIsCurrent(dir: string): boolean {
  return CodeCacheReader.open(dir) !== undefined;
}
