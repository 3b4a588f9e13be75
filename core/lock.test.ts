import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock } from './lock.js';

const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withFileLock', () => {
  it('runs holders of one lock one after the other, and releases on errors', async () => {
    const target = join(dir, 'shared.json');
    const events: string[] = [];
    const holder = (id: string) =>
      withFileLock(target, async () => {
        events.push(`in ${id}`);
        await sleep(30);
        events.push(`out ${id}`);
      });
    const failing = withFileLock(target, async () => {
      events.push('in f');
      await sleep(10);
      events.push('out f');
      throw new Error('boom');
    });
    await Promise.all([holder('a'), holder('b'), failing.catch(() => undefined), holder('c')]);
    expect(events).toHaveLength(8);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i].replace('in ', '')).toBe(events[i + 1].replace('out ', ''));
    }
    expect(existsSync(`${target}.lock`)).toBe(false);
  });

  it('takes over a lock whose holder stopped refreshing it, and gives up on a live one', async () => {
    const target = join(dir, 'stale.json');
    const lock = join(dir, 'stale.lock');
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await expect(withFileLock(target, () => 'got it', { lockfilePath: lock })).resolves.toBe(
      'got it',
    );

    mkdirSync(lock); // a live holder: fresh mtime
    await expect(
      withFileLock(target, () => 'never', { lockfilePath: lock, waitMs: 200, describe: 'x.lock' }),
    ).rejects.toThrow(/another process holds the lock x\.lock/);
    rmSync(lock, { recursive: true });
  });
});
