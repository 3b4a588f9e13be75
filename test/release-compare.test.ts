import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compareRelease,
  compareReleaseFolder,
  inspectReleaseFolder,
  PLAN_FILE_MODE,
} from '../generator/release/write.js';

/**
 * `compareReleaseFolder` (the render's comparison, which keeps no file's text) gives the drift
 * `compareRelease` gives from the folder read whole, and exactly the files a write may link.
 */
describe('comparing the release folder file by file', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('finds the same drift as reading the folder whole, in every kind of difference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-compare-'));
    made.push(dir);
    const put = (p: string, text: string, mode = PLAN_FILE_MODE) => {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), text);
      chmodSync(join(dir, p), mode);
    };
    put('app/apps/same.yaml', 'a: 1\n');
    put('app/apps/changed.yaml', 'a: 1\n');
    put('app/apps/gone.yaml', 'a: 1\n');
    put('app/apps/mode.yaml', 'a: 1\n', 0o755);
    put('app/apps/mode-and-text.yaml', 'a: 1\n', 0o600);
    symlinkSync('same.yaml', join(dir, 'app/apps/link.yaml'));
    const fresh = new Map([
      ['app/apps/new.yaml', 'n: 1\n'],
      ['app/apps/same.yaml', 'a: 1\n'],
      ['app/apps/changed.yaml', 'a: 2\n'],
      ['app/apps/mode.yaml', 'a: 1\n'],
      ['app/apps/mode-and-text.yaml', 'a: 3\n'],
      ['istio/x/second-new.yaml', 'b: 1\n'],
    ]);
    const whole = compareRelease(inspectReleaseFolder(dir), fresh);
    const byFile = compareReleaseFolder(dir, fresh);
    expect(byFile.drift).toEqual(whole);
    expect(whole.added).toEqual(['app/apps/new.yaml', 'istio/x/second-new.yaml']);
    expect(whole.changed.sort()).toEqual(['app/apps/changed.yaml', 'app/apps/mode-and-text.yaml']);
    expect(whole.removed).toEqual(['app/apps/gone.yaml']);
    expect(whole.wrongMode).toEqual(['app/apps/mode-and-text.yaml', 'app/apps/mode.yaml']);
    expect(whole.irregular).toEqual(['app/apps/link.yaml']);
    expect([...byFile.same]).toEqual(['app/apps/same.yaml']);
    expect(byFile.empty).toBe(false);
  });

  it('says a missing or empty folder is empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-compare-'));
    made.push(dir);
    const fresh = new Map([['a/b.yaml', 'x: 1\n']]);
    for (const d of [join(dir, 'missing'), dir]) {
      const r = compareReleaseFolder(d, fresh);
      expect(r.empty).toBe(true);
      expect(r.drift).toEqual(compareRelease(inspectReleaseFolder(d), fresh));
    }
  });
});
