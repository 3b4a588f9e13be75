/**
 * The V8 code cache of one stored module (code we generated and keep under `.manifests-cache/`),
 * in a file of its own next to it: a line with hashes of the module's text and of the data, then
 * the data V8 serialised (`script.createCachedData()`, taken after the module ran, so that the
 * functions it called are in it).
 *
 * The data is given to V8 only for the very text it was made from (V8 itself compares the text's
 * length only) and only when its bytes are those written (V8 does not check them in release
 * builds). V8 refuses data made by another version or under other flags, and both sides set
 * `--expose-gc` first (see core/memory.ts); refused or missing data means the text is compiled as
 * if there were no cache. So the file changes how long loading takes, never what the code does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type vm from 'node:vm';
import { writeFileAtomically } from './cache-files.js';
import { exposeGcFlag } from './memory.js';

function contentHash(content: string | Buffer): string {
  return createHash('sha1').update(content).digest('base64');
}

/**
 * V8's data for a script that ran, with the hashes to keep beside it: of the module's text and of
 * the data. Made under the flags a run that uses it sets (see exposeGcFlag).
 */
export function codeCacheData(
  text: string,
  script: vm.Script,
): { data: Buffer; textHash: string; dataHash: string } {
  exposeGcFlag();
  const data = script.createCachedData();
  return { data, textHash: contentHash(text), dataHash: contentHash(data) };
}

/**
 * `data` when the hashes kept with it say it was made from exactly `text` and is undamaged, else
 * undefined. The flags V8 compares are set first.
 */
export function checkedCodeCacheData(
  text: string,
  data: Buffer,
  textHash: string,
  dataHash: string,
): Buffer | undefined {
  if (textHash !== contentHash(text) || dataHash !== contentHash(data)) return undefined;
  exposeGcFlag();
  return data;
}

/** The data in `file` made from exactly `text`, or undefined. */
export function readCodeCacheFile(file: string, text: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const nl = bytes.indexOf(10);
  if (nl < 0 || nl > 100) return undefined;
  const [textHash, dataHash] = bytes.toString('latin1', 0, nl).split(' ');
  return checkedCodeCacheData(text, bytes.subarray(nl + 1), textHash, dataHash);
}

/** Writes `script`'s data for `text` to `file` (atomically); false when it could not. */
export function writeCodeCacheFile(file: string, text: string, script: vm.Script): boolean {
  const { data, textHash, dataHash } = codeCacheData(text, script);
  const head = Buffer.from(`${textHash} ${dataHash}\n`, 'latin1');
  return writeFileAtomically(file, Buffer.concat([head, data]));
}
