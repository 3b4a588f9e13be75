import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCodeCacheFile, writeCodeCacheFile } from '../core/code-cache-file.js';
import { compileCommonJs } from '../core/commonjs.js';
import { CACHE_DIR } from '../generator/project.js';
import { readReleaseFolder } from '../generator/release/write.js';
import { REPO_ROOT, copyRepo, tempDir } from './helpers.js';

const CLI = join(REPO_ROOT, 'dist/cli/main.js');

function render(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--root', root, 'render', '--env', 'prd', ...args], {
    encoding: 'utf8',
    // a local run: CI turns the caches off
    env: { PATH: process.env.PATH },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

/** Each code cache file of the stored values validators, with its inode and modification time. */
function dataFiles(root: string): Map<string, string> {
  const dir = join(root, CACHE_DIR, 'schemas');
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.v8'))
      .map((f) => {
        const s = statSync(join(dir, f), { bigint: true });
        return [f, `${s.ino} ${s.mtimeNs}`];
      }),
  );
}

describe('code cache files of stored modules', () => {
  it('give their data back only for the text they were made from, and only undamaged', () => {
    const dir = tempDir();
    const file = join(dir, 'm.v8');
    const text = 'module.exports = function add(a, b) { return a + b; };';
    const module = compileCommonJs(text, join(dir, 'm.cjs'));
    const add = module.run(() => undefined) as (a: number, b: number) => number;
    expect(add(2, 3)).toBe(5);
    expect(writeCodeCacheFile(file, text, module.script)).toBe(true);
    const data = readCodeCacheFile(file, text);
    expect(data).toBeInstanceOf(Buffer);
    expect(data!.length).toBeGreaterThan(0);
    // the same length, another text (V8 compares lengths only)
    const other = text.replace('a + b', 'a - b');
    expect(other.length).toBe(text.length);
    expect(readCodeCacheFile(file, other)).toBeUndefined();
    // one damaged byte of the data, a damaged header, no file
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] ^= 0x55;
    writeFileSync(file, bytes);
    expect(readCodeCacheFile(file, text)).toBeUndefined();
    writeFileSync(file, Buffer.concat([Buffer.from('x'.repeat(200)), bytes]));
    expect(readCodeCacheFile(file, text)).toBeUndefined();
    expect(readCodeCacheFile(join(dir, 'none.v8'), text)).toBeUndefined();
  });

  it('are written once by a render and taken by the next ones; a damaged one is written again', () => {
    const root = copyRepo();
    // the first render compiles the values schemas and stores their code; the second loads that
    // code and writes its data
    render(root);
    expect(dataFiles(root).size).toBe(0);
    render(root);
    const first = dataFiles(root);
    // one for each stored validator: the charts' schemas, the global one and the secrets one
    expect(first.size).toBeGreaterThanOrEqual(8);
    const code = readdirSync(join(root, CACHE_DIR, 'schemas')).filter((f) => f.endsWith('.cjs'));
    expect(first.size).toBe(code.length);
    // a new process gives V8 the data; had V8 refused it, the render would have written it again
    render(root);
    expect(dataFiles(root)).toEqual(first);
    const plan = readReleaseFolder(join(root, 'release', 'prd'));

    const [damaged] = [...first.keys()];
    const path = join(root, CACHE_DIR, 'schemas', damaged);
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] ^= 0x55;
    writeFileSync(path, bytes);
    const before = dataFiles(root);
    render(root);
    const after = dataFiles(root);
    expect(after.get(damaged)).not.toBe(before.get(damaged));
    for (const [f, id] of before) if (f !== damaged) expect(after.get(f)).toBe(id);
    expect(
      readCodeCacheFile(path, readFileSync(path.replace(/\.v8$/, '.cjs'), 'utf8')),
    ).toBeInstanceOf(Buffer);
    // and what the render writes never depended on it
    expect(readReleaseFolder(join(root, 'release', 'prd'))).toEqual(plan);
    render(root, '--no-cache');
    expect(readReleaseFolder(join(root, 'release', 'prd'))).toEqual(plan);
  });
});
