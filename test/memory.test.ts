import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../core/memory.js';

describe('collectGarbage', () => {
  it('collects what nothing refers to any more, without exposing gc() to the program', async () => {
    let big: number[][] | undefined = Array.from({ length: 1000 }, (_, i) => [i]);
    const ref = new WeakRef(big);
    big = undefined;
    // a WeakRef's target lives until the current job ends
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    // a second call works the same (the function is kept)
    let again: object | undefined = { x: 1 };
    const second = new WeakRef(again);
    again = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(second.deref()).toBeUndefined();
  });
});
