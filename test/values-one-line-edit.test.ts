import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyOneLineEdit } from '../generator/values/one-line-edit.js';
import { packOrigins, parseValuesText, readValuesFile } from '../generator/values/read-yaml.js';
import { pruneFolder } from '../core/cache-files.js';

/** A values file with the constructs a one-line edit must not be fooled by. */
const FIXTURE = `# the team's services
namespace: shop
replicas: 3
ratio: 0.5
enabled: true
nothing: null
quoted: 'a: b # not a comment'
double: "x, y"
services:
  - name: orders
    repository: shop/orders
    tag: '1.4.2'
    port: 8080
    env:
      - name: MODE
        value: fast
  - name: payments
    repository: shop/payments
    tag: 2.0.1
    public: false
hosts:
  - shop.example.com
  - api.example.com
script: |
  tag: 1.0
  name: inside
folded: >
  one
  two
plain: first
  second half
multi: "one
  key: two"
single: 'one
  key: two
  '
flow: {a: 1,
  b: 2}
list: [x,
  y]
merged:
  <<:
    inner: 1
  outer: 2
long: word
  continued
commented: value
  # a comment after
after: 1
`;

const ANCHORED = `base: &b
  tag: '1'
other: *b
plain: 1
`;

function parsed(text: string) {
  const p = parseValuesText(text, 'x.yaml');
  return { value: p.value, origins: packOrigins(p.origins, 'x.yaml')! };
}

function patch(before: string, after: string, anchors = false) {
  const { value, origins } = parsed(before);
  return applyOneLineEdit(before, structuredClone(value), origins, anchors, after);
}

function fullParse(text: string) {
  try {
    return parsed(text);
  } catch {
    return undefined;
  }
}

/** A small deterministic generator (xorshift32). */
function random(seed: number) {
  let x = seed;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const SCALARS = [
  '1',
  '0',
  '-1',
  '1.0',
  '1e3',
  '0x1F',
  '0o17',
  '.inf',
  '.nan',
  'true',
  'False',
  'null',
  'Null',
  '~',
  'yes',
  'abc',
  'a.b/c',
  "'quoted'",
  "'1.0'",
  '"double"',
  '""',
  "''",
  '@reserved',
  '-',
  'a b',
  'a #b',
  '[x]',
  '{a: 1}',
  '&anchor x',
  '*alias',
  '!!str 1',
  '|',
  'x:',
  "'unclosed",
  '2026-12-01',
];

describe('values: a one-line edit from the previous parse', () => {
  it('gives exactly what a full parse gives, for every scalar edit of every line', () => {
    const lines = FIXTURE.split('\n');
    let patched = 0;
    let checked = 0;
    for (let i = 0; i < lines.length; i++) {
      const m = /^(.*?: |\s*- )(.*)$/.exec(lines[i]);
      if (!m) continue;
      for (const s of SCALARS) {
        const after = [...lines.slice(0, i), m[1] + s, ...lines.slice(i + 1)].join('\n');
        const got = patch(FIXTURE, after);
        const full = fullParse(after);
        checked++;
        if (got === undefined) continue;
        patched++;
        expect(full, `line ${i + 1} -> ${s}`).toBeDefined();
        expect(got, `line ${i + 1} -> ${s}`).toStrictEqual(full!.value);
        // the lines are the same, so the origin tree is too
        expect(parsed(FIXTURE).origins).toStrictEqual(full!.origins);
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // the common edits are patched (a tag, a port, a name, a list item, a top-level setting)
    expect(patched).toBeGreaterThan(300);
    for (const [from, to] of [
      ["    tag: '1.4.2'", "    tag: '1.4.3'"],
      ['    port: 8080', '    port: 9090'],
      ['  - name: payments', '  - name: billing'],
      ['  - api.example.com', '  - www.example.com'],
      ['replicas: 3', 'replicas: 5'],
      ['enabled: true', 'enabled: false'],
    ])
      expect(patch(FIXTURE, FIXTURE.replace(`${from}\n`, `${to}\n`)), to).toStrictEqual(
        parsed(FIXTURE.replace(`${from}\n`, `${to}\n`)).value,
      );
  });

  it('gives what a full parse gives, or nothing, for random character edits', () => {
    const next = random(20261201);
    const chars = [' ', ':', '#', '-', "'", '"', 'a', '1', '\n', '.', '[', '&', '*', '|', '>'];
    let patched = 0;
    for (let n = 0; n < 4000; n++) {
      const at = next(FIXTURE.length);
      const op = next(3);
      const c = chars[next(chars.length)];
      const after =
        op === 0
          ? FIXTURE.slice(0, at) + c + FIXTURE.slice(at + 1)
          : op === 1
            ? FIXTURE.slice(0, at) + c + FIXTURE.slice(at)
            : FIXTURE.slice(0, at) + FIXTURE.slice(at + 1);
      const got = patch(FIXTURE, after);
      if (got === undefined) continue;
      patched++;
      const full = fullParse(after);
      expect(full, JSON.stringify(after.slice(Math.max(0, at - 20), at + 20))).toBeDefined();
      expect(got).toStrictEqual(full!.value);
    }
    expect(patched).toBeGreaterThan(50);
  });

  it('does not patch what it cannot be sure of', () => {
    const edits: [string, string, string][] = [
      // inside a block scalar, a multi-line plain, double- or single-quoted scalar, a flow map
      ['a block scalar line', '  tag: 1.0\n', '  tag: 2.0\n'],
      ['a continued plain scalar', 'plain: first\n', 'plain: last\n'],
      ['a plain continuation line', '  second half\n', '  second whole\n'],
      ['a double-quoted continuation', '  key: two"\n', '  key: three"\n'],
      ['a single-quoted continuation', "  key: two\n  '", "  key: six\n  '"],
      ['a flow map continued', 'flow: {a: 1,\n', 'flow: {a: 3,\n'],
      ['a merged key', '    inner: 1\n', '    inner: 5\n'],
      ['a scalar followed by a deeper line', 'long: word\n', 'long: words\n'],
      ['a scalar followed by a comment', 'commented: value\n', 'commented: other\n'],
      ['a changed key', 'replicas: 3\n', 'replica: 3\n'],
      ['a comment added', 'replicas: 3\n', 'replicas: 3 # three\n'],
      ['two lines', 'replicas: 3\nratio: 0.5\n', 'replicas: 4\nratio: 0.6\n'],
      ['a line added', 'replicas: 3\n', 'replicas: 3\nmore: 1\n'],
      ['a line removed', 'replicas: 3\n', ''],
      ['a list turned into a map item', '  - shop.example.com\n', '  - host: shop.example.com\n'],
      ['a scalar turned into an anchor', 'after: 1\n', 'after: &x 1\n'],
      ['not a number any more', 'ratio: 0.5\n', 'ratio: .nan\n'],
      ['a reserved indicator', 'replicas: 3\n', 'replicas: @3\n'],
    ];
    for (const [what, from, to] of edits) {
      expect(FIXTURE.includes(from), what).toBe(true);
      expect(patch(FIXTURE, FIXTURE.replace(from, to)), what).toBeUndefined();
    }
    // an alias copies the node it names: a text with anchors is parsed again
    const edited = ANCHORED.replace("tag: '1'", "tag: '2'");
    expect(patch(ANCHORED, edited, true)).toBeUndefined();
    expect(parsed(edited).value).toStrictEqual({
      base: { tag: '2' },
      other: { tag: '2' },
      plain: 1,
    });
    // a key that reads as another (True is the key "true"): the path does not lead to the value
    const truthy = 'True: 1\nother: 2\n';
    expect(patch(truthy, 'True: 3\nother: 2\n')).toBeUndefined();
    expect(parsed('True: 3\nother: 2\n').value).toStrictEqual({ true: 3, other: 2 });
    // an origin tree with two leaves on the edited line (no line this reads has two, but a tree
    // that says so is not guessed at)
    expect(
      applyOneLineEdit(
        'a: 1\n',
        { a: 1, b: 2 },
        [
          1,
          [
            ['a', [1]],
            ['b', [1]],
          ],
        ],
        false,
        'a: 5\n',
      ),
    ).toBeUndefined();
    // line endings other than \n
    const crlf = FIXTURE.replace(/\n/g, '\r\n');
    expect(patch(crlf, crlf.replace('replicas: 3', 'replicas: 4'))).toBeUndefined();
  });
});

describe('values files cache: one-line edits', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const cacheDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'values-edit-'));
    dirs.push(d);
    return d;
  };

  it('serves an edited file from the newest parse of it, as a full parse would read it', () => {
    const dir = cacheDir();
    const read = (text: string, name = 'values/prd/app.yaml') =>
      readValuesFile(new Map([[name, text]]), name, dir);
    expect(read(FIXTURE)).toStrictEqual(parseValuesText(FIXTURE, 'values/prd/app.yaml'));
    const last = readdirSync(join(dir, 'values')).filter((f) => f.startsWith('last-'));
    expect(last).toHaveLength(1);
    let text = FIXTURE;
    for (const tag of ['1.4.3', '1.4.4', '1.5.0']) {
      text = text.replace(/tag: '[^']*'/, `tag: '${tag}'`);
      const got = read(text);
      expect(got).toStrictEqual(parseValuesText(text, 'values/prd/app.yaml'));
      expect((got.value.services as { tag: string }[])[0].tag).toBe(tag);
    }
    // the newest parse is the one patched: its file holds the last text
    const stored = JSON.parse(readFileSync(join(dir, 'values', last[0]), 'utf8')) as {
      text: string;
    };
    expect(stored.text).toBe(text);
    // another file of the same text is not patched from this one's parse (its own origins)
    const shared = text.replace("tag: '1.5.0'", "tag: '9'");
    expect(read(shared, 'values/shared/app.yaml')).toStrictEqual(
      parseValuesText(shared, 'values/shared/app.yaml'),
    );
  });

  it('reads a stored origin tree back as parsed, also when its nodes are spread or set', () => {
    const dir = cacheDir();
    const name = 'values/prd/app.yaml';
    const read = () => readValuesFile(new Map([[name, FIXTURE]]), name, dir);
    const parsed = parseValuesText(FIXTURE, name);
    read();
    const stored = read(); // from the cache: children unpacked as they are read
    const services = stored.origins.children!.get('services')!;
    // a spread copy (as merging makes of a node it marks overridden) keeps the children
    expect({ ...services, overrode: [] }).toStrictEqual({
      ...parsed.origins.children!.get('services')!,
      overrode: [],
    });
    expect(stored).toStrictEqual(parsed);
    services.children = undefined;
    expect(services.children).toBeUndefined();
  });

  it('ignores a newest parse that is damaged or was made from another text', () => {
    const dir = cacheDir();
    const name = 'values/prd/app.yaml';
    const read = (text: string) => readValuesFile(new Map([[name, text]]), name, dir);
    read(FIXTURE);
    const lastFile = join(
      dir,
      'values',
      readdirSync(join(dir, 'values')).find((f) => f.startsWith('last-'))!,
    );
    const last = JSON.parse(readFileSync(lastFile, 'utf8')) as {
      entry: { value: { replicas: number } };
    };
    // a value that does not match its text: the old scalar no longer reads as the stored value
    last.entry.value.replicas = 99;
    writeFileSync(lastFile, JSON.stringify(last));
    const edited = FIXTURE.replace('replicas: 3', 'replicas: 4');
    expect(read(edited)).toStrictEqual(parseValuesText(edited, name));
    writeFileSync(lastFile, '{"key": ');
    const again = edited.replace('replicas: 4', 'replicas: 5');
    expect(read(again)).toStrictEqual(parseValuesText(again, name));
  });

  it('keeps the values cache within its room as well as its count', () => {
    const dir = cacheDir();
    for (const t of [1, 2, 3, 4, 5]) {
      writeFileSync(join(dir, `f${t}.json`), 'x'.repeat(1000));
      // f5 is the newest
      const when = new Date(Date.now() - (10 - t) * 1000);
      utimesSync(join(dir, `f${t}.json`), when, when);
    }
    pruneFolder(dir, 10, '', 2500);
    expect(readdirSync(dir).sort()).toEqual(['f4.json', 'f5.json']);
    pruneFolder(dir, 10, '', 10);
    expect(readdirSync(dir)).toEqual(['f5.json']); // the newest always stays
  });
});
