import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonSafe, pruneFolder, readFileLines, writeFileAtomically } from '../core/cache-files.js';

describe('cache files', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), 'cache-files-'));
    made.push(d);
    return d;
  };

  it('keeps the newest files of a folder, by prefix', () => {
    const dir = temp();
    for (let i = 0; i < 8; i++) {
      const f = join(dir, `${i % 2 ? 'b' : 'a'}.${i}.json`);
      writeFileSync(f, String(i));
      utimesSync(f, 1_000_000 + i, 1_000_000 + i);
    }
    pruneFolder(dir, 2, 'a.');
    expect(readdirSync(dir).sort()).toEqual([
      'a.4.json',
      'a.6.json',
      'b.1.json',
      'b.3.json',
      'b.5.json',
      'b.7.json',
    ]);
    pruneFolder(dir, 3);
    expect(readdirSync(dir).sort()).toEqual(['a.6.json', 'b.5.json', 'b.7.json']);
    pruneFolder(join(dir, 'missing'), 1);
  });

  it('writes a text or lines whole, and says when it cannot', () => {
    const dir = temp();
    expect(writeFileAtomically(join(dir, 'sub', 'x.txt'), 'text')).toBe(true);
    expect(readFileSync(join(dir, 'sub', 'x.txt'), 'utf8')).toBe('text');
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i} ${'x'.repeat(50)}`);
    expect(writeFileAtomically(join(dir, 'lines.jsonl'), lines)).toBe(true);
    expect(readFileSync(join(dir, 'lines.jsonl'), 'utf8')).toBe(lines.join('\n') + '\n');
    // multi-byte characters across the writer's megabyte boundaries, and a line longer than it
    const mixed = [
      ...Array.from({ length: 20_000 }, (_, i) => `${i} é€😀 ${'ü'.repeat(i % 97)}`),
      'x'.repeat(3 << 20),
      '',
      'last ✓',
    ];
    expect(writeFileAtomically(join(dir, 'mixed.jsonl'), mixed)).toBe(true);
    expect(readFileSync(join(dir, 'mixed.jsonl'), 'utf8')).toBe(mixed.join('\n') + '\n');
    // read back a megabyte at a time: the same lines, whatever falls on a chunk's edge
    const back: string[] = [];
    expect(readFileLines(join(dir, 'mixed.jsonl'), (l) => void back.push(l))).toBe(true);
    expect(back).toEqual(mixed);
    // a truncated file: false, and its unterminated last line is not handed over
    const whole = readFileSync(join(dir, 'mixed.jsonl'));
    writeFileSync(join(dir, 'cut.jsonl'), whole.subarray(0, whole.length - 3));
    const cut: string[] = [];
    expect(readFileLines(join(dir, 'cut.jsonl'), (l) => void cut.push(l))).toBe(false);
    expect(cut).toEqual(mixed.slice(0, -1));
    // stopped early, missing, and empty
    let seen = 0;
    expect(readFileLines(join(dir, 'mixed.jsonl'), () => ++seen < 10)).toBe(false);
    expect(seen).toBe(10);
    expect(readFileLines(join(dir, 'missing.jsonl'), () => true)).toBe(false);
    writeFileSync(join(dir, 'empty.jsonl'), '');
    expect(readFileLines(join(dir, 'empty.jsonl'), () => false)).toBe(true);
    writeFileSync(join(dir, 'file'), '');
    expect(writeFileAtomically(join(dir, 'file', 'under-a-file.txt'), 'x')).toBe(false);
    // lines made as they are written: a refusal part-way (after a megabyte was flushed) leaves
    // neither the file nor its temporary, and an older file of that name stays as it was
    writeFileSync(join(dir, 'refused.jsonl'), 'older\n');
    let given = 0;
    function* refusing(): Generator<string> {
      for (let i = 0; i < 30_000; i++) {
        given++;
        yield `line ${i} ${'x'.repeat(50)}`;
      }
      throw new Error('refused');
    }
    expect(writeFileAtomically(join(dir, 'refused.jsonl'), refusing())).toBe(false);
    expect(given).toBe(30_000);
    expect(readFileSync(join(dir, 'refused.jsonl'), 'utf8')).toBe('older\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('knows what JSON gives back exactly', () => {
    expect(jsonSafe({ a: [1, 'x', true, null, { b: 2.5 }] })).toBe(true);
    [NaN, Infinity, -0, undefined, new Date(0), Object.create(null)].forEach((bad, i) =>
      expect(jsonSafe({ v: bad }), `case ${i}`).toBe(false),
    );
  });
});
