import { existsSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderValidateAndWrite } from '../validators/release-guard.js';
import { copyRepo } from './helpers.js';

/**
 * The release index (generator/release/index-file.ts) lets a render skip reading plan files whose
 * stat shows them unchanged since it recorded them. It must never hide drift: every way of
 * changing a plan file by hand is found and written back, exactly as without the index.
 */
describe('the release index', () => {
  const render = (root: string, cache = true) =>
    renderValidateAndWrite(root, 'prd', { environ: {}, cache });
  const indexFile = (root: string) => join(root, '.manifests-cache', 'release', 'prd.json');
  const planFile = (root: string) =>
    join(root, 'release', 'prd', 'app', 'apps', 'service-catalog.yaml');
  // files modified in the 50 ms before a comparison are not recorded (they may still be changing)
  const settle = () => new Promise((resolve) => setTimeout(resolve, 120));

  it('reads no plan file when nothing changed, and keeps itself current', async () => {
    const root = copyRepo();
    const first = await render(root);
    expect(first.written?.drift.added.length).toBeGreaterThan(50);
    await settle();
    // the files just written are newer than the write: they are read (and recorded) next time
    const second = await render(root);
    expect(second.written?.filesRead).toBe(second.written?.files);
    expect(driftOf(second)).toBe(0);
    const third = await render(root);
    expect(third.written?.filesRead).toBe(0);
    expect(driftOf(third)).toBe(0);
  });

  it('finds a file edited by hand, also at the same size and with its old times put back', async () => {
    const root = copyRepo();
    await render(root);
    await settle();
    await render(root);
    const file = planFile(root);
    const text = readFileSync(file, 'utf8');
    const before = statSync(file);
    // same length, other content, and the modification time restored as it was
    const edited = text.replace('name: catalog', 'name: catalox');
    expect(edited).not.toBe(text);
    expect(edited.length).toBe(text.length);
    writeFileSync(file, edited);
    utimesSync(file, before.atime, before.mtime);
    const r = await render(root);
    expect(r.written?.drift.changed).toEqual(['app/apps/service-catalog.yaml']);
    expect(readFileSync(file, 'utf8')).toBe(text);
    // removed by hand, and a file added by hand: found too
    unlinkSync(file);
    writeFileSync(join(root, 'release', 'prd', 'app', 'apps', 'stray.yaml'), 'a: 1\n');
    const again = await render(root);
    expect(again.written?.drift.added).toEqual(['app/apps/service-catalog.yaml']);
    expect(again.written?.drift.removed).toEqual(['app/apps/stray.yaml']);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('reads every file when the index is racy, damaged, of another folder, or off', async () => {
    const root = copyRepo();
    await render(root);
    await settle();
    await render(root);
    expect((await render(root)).written?.filesRead).toBe(0);
    // an index not newer than the files (as when written in the same clock tick): all read
    const old = new Date(Date.now() - 3600_000);
    utimesSync(indexFile(root), old, old);
    const racy = await render(root);
    expect(racy.written?.filesRead).toBe(racy.written?.files);
    writeFileSync(indexFile(root), '{ not json');
    expect((await render(root)).written?.filesRead).toBe(racy.written?.files);
    const data = JSON.parse(readFileSync(indexFile(root), 'utf8')) as { dir: string };
    writeFileSync(indexFile(root), JSON.stringify({ ...data, dir: '/elsewhere' }));
    expect((await render(root)).written?.filesRead).toBe(racy.written?.files);
    // an edited file's stat no longer matches its entry, whatever the index says
    const file = planFile(root);
    writeFileSync(file, 'kind: Edited\n');
    const fixed = await render(root);
    expect(fixed.written?.drift.changed).toEqual(['app/apps/service-catalog.yaml']);
    // without the caches (--no-cache, CI) no index is read or written
    const fresh = copyRepo();
    await render(fresh, false);
    await render(fresh, false);
    expect(existsSync(indexFile(fresh))).toBe(false);
    expect((await render(fresh, false)).written?.filesRead).toBeGreaterThan(50);
  });
});

function driftOf(r: Awaited<ReturnType<typeof renderValidateAndWrite>>): number {
  const d = r.written!.drift;
  return (
    d.added.length + d.removed.length + d.changed.length + d.irregular.length + d.wrongMode.length
  );
}
