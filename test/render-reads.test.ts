import { describe, expect, it } from 'vitest';
import { ReadTracker, readsHold, unwrapTracked } from '../generator/render/reads.js';

/** Records `read` on `values` (chart `c` untracked), then tells whether `changed` still agrees. */
function holds(
  values: Record<string, unknown>,
  read: (all: Record<string, unknown>) => unknown,
  changed: Record<string, unknown>,
): boolean {
  const t = new ReadTracker(values, ['c']);
  read(t.all);
  return readsHold(JSON.parse(JSON.stringify(t.stored())), changed);
}

describe('render cache: the reads of `all` a render records', () => {
  const o = { a: 1, list: ['x', 'y'], map: { k: 'v' }, unread: 0 };

  it('holds while what was read is unchanged, whatever else changes', () => {
    const read = (all: Record<string, unknown>) => (all.o as typeof o).a;
    expect(holds({ o }, read, { o: { ...o, unread: 1 } })).toBe(true);
    expect(holds({ o }, read, { o: { ...o, a: 2 } })).toBe(false);
    expect(holds({ o }, read, { o: { ...o, a: '1' } })).toBe(false);
  });

  it('records `in` and own-key tests, key listings and what kind of value was met', () => {
    const has = (all: Record<string, unknown>) => 'b' in (all.o as object);
    expect(holds({ o }, has, { o: { ...o, unread: 1 } })).toBe(true);
    expect(holds({ o }, has, { o: { ...o, b: 1 } })).toBe(false);
    const own = (all: Record<string, unknown>) => Object.hasOwn(all.o as object, 'b');
    expect(holds({ o }, own, { o: { ...o, b: 1 } })).toBe(false);
    const keys = (all: Record<string, unknown>) => Object.keys(all.o as object);
    expect(holds({ o }, keys, { o: { ...o, unread: 5 } })).toBe(true);
    const reordered = Object.fromEntries(Object.entries(o).reverse());
    expect(holds({ o }, keys, { o: reordered })).toBe(false); // order
    const isList = (all: Record<string, unknown>) => Array.isArray((all.o as typeof o).list);
    expect(holds({ o }, isList, { o: { ...o, list: { 0: 'x', 1: 'y' } } })).toBe(false);
    const length = (all: Record<string, unknown>) => (all.o as typeof o).list.length;
    expect(holds({ o }, length, { o: { ...o, list: ['x', 'z'] } })).toBe(true);
    expect(holds({ o }, length, { o: { ...o, list: ['x'] } })).toBe(false);
    const whole = (all: Record<string, unknown>) => JSON.stringify(all.o);
    expect(holds({ o }, whole, { o: { ...o, map: { k: 'w' } } })).toBe(false);
    expect(holds({ o }, whole, { o: structuredClone(o) })).toBe(true);
  });

  it('hashes what it read so that no two readings of the same paths collide', () => {
    const read = (all: Record<string, unknown>) => {
      const x = all.o as Record<string, string>;
      return [x.a, x.b, Object.keys(x.m as unknown as object)];
    };
    // the text one value ends with is how the next value's entry starts
    const one = { o: { a: 'x\n3\0gsy', b: 'z', m: { p: 1, q: 2 } } };
    const two = { o: { a: 'x', b: 'y\n3\0gsz', m: { p: 1, q: 2 } } };
    expect(holds(one, read, two)).toBe(false);
    expect(holds(one, read, { o: { ...one.o, m: { pq: 1 } } })).toBe(false);
    expect(holds(one, read, structuredClone(one))).toBe(true);
  });

  it('records a value reached by two paths (a YAML alias) under each path it was read by', () => {
    const shared = { tag: '1' };
    const values = { o: { first: shared, second: shared } };
    const read = (all: Record<string, unknown>) =>
      ((all.o as Record<string, { tag: string }>).second as { tag: string }).tag;
    // the first path changes (the objects are no longer shared): the second still reads '1'
    expect(holds(values, read, { o: { first: { tag: '2' }, second: { tag: '1' } } })).toBe(true);
    expect(holds(values, read, { o: { first: { tag: '1' }, second: { tag: '2' } } })).toBe(false);
  });

  it('hands the untracked charts as they are and compares proxies by what they stand for', () => {
    const own = { x: 1 };
    const t = new ReadTracker({ c: own, o }, ['c']);
    expect(t.all.c).toBe(own);
    expect(t.all.o).not.toBe(o);
    expect(unwrapTracked(t.all.o)).toBe(o);
    expect(t.all.o).toBe(t.all.o);
    // reads of the untracked chart's values are not recorded (the cache key holds them whole)
    void (t.all.c as typeof own).x;
    expect(readsHold(t.stored(), { c: { x: 2 }, o })).toBe(true);
  });

  it('refuses stored reads that are not what it writes', () => {
    const t = new ReadTracker({ o }, []);
    void (t.all.o as typeof o).a;
    const stored = t.stored();
    expect(readsHold(stored, { o })).toBe(true);
    for (const bad of [
      null,
      'x',
      { nodes: [], digest: stored.digest },
      { nodes: stored.nodes, digest: 1 },
      { nodes: [[0, '', 0], ...stored.nodes.slice(1)], digest: stored.digest },
      { nodes: [stored.nodes[0], [7, 'o', 1]], digest: stored.digest },
      { nodes: [stored.nodes[0], ['0', 'o', 1]], digest: stored.digest },
    ])
      expect(readsHold(bad, { o })).toBe(false);
  });
});
