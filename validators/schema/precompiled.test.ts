import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateObjectSchema, resetSchemaValidators } from './index.js';
import { loadFieldMap } from './field-map.js';
import { committedPlanDocuments } from '../../test/helpers.js';
import {
  CUSTOM_SCHEMAS,
  loadPrecompiled,
  precompiledIsCurrent,
  precompiledLoads,
  writePrecompiled,
} from './precompiled.js';

type Obj = Record<string, unknown>;

const repo = path.resolve(import.meta.dirname, '..', '..');
const precompiledKinds = [
  ...[...loadFieldMap().kinds].filter(([, e]) => e.mode === 'model').map(([key]) => key),
  ...Object.keys(CUSTOM_SCHEMAS),
].filter((key, i, all) => all.indexOf(key) === i);

/** Every document of the committed production plan whose kind is precompiled. */
function planDocuments(): Obj[] {
  return committedPlanDocuments().filter((doc) =>
    precompiledKinds.includes(`${doc.apiVersion}|${doc.kind}`),
  );
}

/** A small document of every precompiled kind, with a spec the schemas look into. */
function minimalDocuments(): Obj[] {
  return precompiledKinds.map((key) => {
    const [apiVersion, kind] = key.split('|');
    return {
      apiVersion,
      kind,
      metadata: { name: 'x', namespace: 'default', labels: { a: 'b' } },
      spec: { selector: { matchLabels: { app: 'x' } }, hosts: ['x'], host: 'x', exportTo: ['.'] },
    };
  });
}

/** Wrong values to put at a field: another type, null, a number out of int32 range, junk. */
function wrongValuesFor(value: unknown): unknown[] {
  if (typeof value === 'string') return [42, null, ['x'], { x: 1 }];
  if (typeof value === 'number') return ['x', 3.5, 2 ** 40, null];
  if (typeof value === 'boolean') return ['yes', 1];
  if (Array.isArray(value)) return [{ x: 1 }, 'x', [42], [null]];
  if (value && typeof value === 'object') return [[], 'x', 7, { unknownField: true }];
  return ['x'];
}

/** Copies of `doc` with one field replaced by a wrong value (or removed), up to `limit`. */
function mutations(doc: Obj, limit: number): Obj[] {
  const out: Obj[] = [];
  const visit = (node: unknown, trail: (string | number)[]): void => {
    if (out.length >= limit || !node || typeof node !== 'object') return;
    const entries = Array.isArray(node)
      ? node.map((v, i) => [i, v] as const)
      : Object.entries(node as Obj);
    for (const [key, value] of entries) {
      const at = [...trail, key];
      for (const wrong of [...wrongValuesFor(value), undefined]) {
        const copy = structuredClone(doc) as Obj;
        let parent = copy as Record<string | number, unknown>;
        for (const step of at.slice(0, -1))
          parent = parent[step] as Record<string | number, unknown>;
        if (wrong === undefined) {
          if (Array.isArray(parent)) continue;
          delete parent[key];
        } else parent[key] = wrong;
        out.push(copy);
      }
      visit(value, at);
    }
  };
  visit(doc, []);
  return out;
}

function results(docs: Obj[], precompiled: boolean): unknown[] {
  resetSchemaValidators(precompiled);
  const out: unknown[] = [];
  for (const doc of docs) {
    out.push(validateObjectSchema(doc, { strict: true }));
    out.push(validateObjectSchema(doc, { strict: false, kubernetesVersion: '1.29' }));
  }
  // each kind's validator came from the precompiled code, or none did
  expect(precompiledLoads()).toBe(precompiled ? precompiledKinds.length : 0);
  return out;
}

afterAll(() => resetSchemaValidators(true));

describe('precompiled schema validators', () => {
  it('are built for every Istio kind and our own schemas, and match the installed packages', () => {
    // npm test builds first; the build writes the compiled folder
    const dist = path.join(repo, 'dist', 'validators', 'schema', 'compiled');
    expect(precompiledIsCurrent(dist)).toBe(true);
    resetSchemaValidators(true);
    for (const key of precompiledKinds)
      expect(
        loadPrecompiled(key, () => () => true),
        key,
      ).toBeTypeOf('function');
  });

  it('report exactly what run-time compilation reports, for valid and broken documents', () => {
    const docs = [...planDocuments(), ...minimalDocuments()];
    expect(docs.length).toBeGreaterThan(precompiledKinds.length); // the plan has Istio objects
    const broken = docs.flatMap((d) => mutations(d, 400));
    expect(broken.length).toBeGreaterThan(3000);
    const all = [...docs, ...broken];
    const compiled = results(all, true);
    const runtime = results(all, false);
    expect(compiled).toEqual(runtime);
    // the comparison means something: many broken documents do get issues
    const withIssues = compiled.filter((r) => (r as { kind: string }).kind === 'issues').length;
    expect(withIssues).toBeGreaterThan(broken.length / 2);
  });

  it('a compiled folder of other packages or another tool is not current', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'precompiled-'));
    try {
      const out = path.join(dir, 'compiled');
      const r = writePrecompiled(out);
      expect(r.kinds).toBe(precompiledKinds.length);
      expect(precompiledIsCurrent(out)).toBe(true);
      const indexFile = path.join(out, 'index.json');
      const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { stamp: string };
      fs.writeFileSync(indexFile, JSON.stringify({ ...index, stamp: 'other' }));
      expect(precompiledIsCurrent(out)).toBe(false);
      fs.writeFileSync(indexFile, '{ not json');
      expect(precompiledIsCurrent(out)).toBe(false);
      expect(precompiledIsCurrent(path.join(dir, 'missing'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
