import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCommonJs } from '../../core/commonjs.js';
import { committedPlanDocuments } from '../../test/helpers.js';
import { CodeCacheReader } from './code-cache.js';
import { loadFieldMap } from './field-map.js';
import { validateObjectSchema, resetSchemaValidators } from './index.js';
import { loadSchemaModule, modelPackageDir } from './module-loader.js';
import {
  precompiledIsCurrent,
  schemaCodeCache,
  schemaModuleHooks,
  writePrecompiled,
} from './precompiled.js';

type Obj = Record<string, unknown>;
type Validate = ((data: unknown, ctx?: object) => boolean) & { errors?: unknown };

const dist = path.join(
  path.resolve(import.meta.dirname, '..', '..'),
  'dist',
  'validators',
  'schema',
  'compiled',
);
const requireHere = createRequire(import.meta.url);

/** Copies of `doc` with one value at a time replaced by one of another type. */
function brokenCopies(doc: Obj): Obj[] {
  const out: Obj[] = [];
  const visit = (node: unknown, trail: (string | number)[]): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Obj)) {
      const at = [...trail, Array.isArray(node) ? Number(key) : key];
      const copy = structuredClone(doc);
      let parent = copy as Record<string | number, unknown>;
      for (const step of at.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
      parent[at[at.length - 1]] = typeof value === 'string' ? 42 : 'x';
      out.push(copy);
      visit(value, at);
    }
  };
  visit(doc, []);
  return out;
}

afterAll(() => resetSchemaValidators(true));

describe('schema modules loaded with the code cache', () => {
  it('the build wrote a code cache this V8 uses, and validating takes data from it', () => {
    expect(precompiledIsCurrent(dist)).toBe(true);
    resetSchemaValidators(true);
    const cache = schemaCodeCache();
    expect(cache).toBeDefined();
    const docs = committedPlanDocuments();
    for (const doc of docs) validateObjectSchema(doc);
    // the Kubernetes kinds' modules (this process has not loaded them before) and the
    // precompiled Istio and cluster kinds
    expect(cache!.used).toBeGreaterThan(100);
    expect(cache!.rejected).toBe(0);
  });

  it("report what Node's require of the same module reports, for every kind of the plan", () => {
    const docs = committedPlanDocuments();
    const kinds = loadFieldMap().kinds;
    let compared = 0;
    let failing = 0;
    for (const doc of docs) {
      const entry = kinds.get(`${doc.apiVersion}|${doc.kind}`);
      if (entry?.mode !== 'compiled') continue;
      const file = path.join(modelPackageDir(entry.pkg), entry.file);
      const ours = (loadSchemaModule(file, schemaModuleHooks()) as { validate: Validate }).validate;
      const nodes = (requireHere(file) as { validate: Validate }).validate;
      expect(ours).not.toBe(nodes); // two loads, not one module twice
      for (const candidate of [doc, ...brokenCopies(doc)]) {
        const a = ours(candidate, { instancePath: '', rootData: candidate });
        const b = nodes(candidate, { instancePath: '', rootData: candidate });
        expect([a, ours.errors]).toEqual([b, nodes.errors]);
        compared++;
        if (!a) failing++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
    // the broken copies do fail: the comparison covers error reports, not only passes
    expect(failing).toBeGreaterThan(compared / 3);
  });

  it('refuses data for another text, damaged data and another V8; V8 refuses foreign bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    try {
      const out = path.join(dir, 'compiled');
      writePrecompiled(out);
      const key = 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment.js';
      const file = path.join(
        modelPackageDir('kubernetes-models'),
        '_schemas/IoK8sApiAppsV1Deployment.js',
      );
      const text = fs.readFileSync(file, 'utf8');
      const reader = CodeCacheReader.open(out)!;
      const data = reader.get(key, text);
      expect(data).toBeInstanceOf(Buffer);
      expect(compileCommonJs(text, file, data).rejected).toBe(false);
      // the same length, another text: V8 would take the data, the reader does not give it
      expect(reader.get(key, text.replace('apiVersion', 'apiVersioN'))).toBeUndefined();
      expect(reader.get('kubernetes-models/_schemas/None.js', text)).toBeUndefined();

      // one damaged byte in the data file
      const index = JSON.parse(fs.readFileSync(path.join(out, 'code-cache.json'), 'utf8')) as {
        v8: string;
        entries: Record<string, [number, number]>;
      };
      const bin = fs.readFileSync(path.join(out, 'code-cache.bin'));
      const [offset, length] = index.entries[key];
      bin[offset + Math.floor(length / 2)] ^= 0x55;
      fs.writeFileSync(path.join(out, 'code-cache.bin'), bin);
      expect(CodeCacheReader.open(out)!.get(key, text)).toBeUndefined();
      expect(
        CodeCacheReader.open(out)!.get(
          'kubernetes-models/_schemas/IoK8sApiCoreV1Service.js',
          fs.readFileSync(
            path.join(modelPackageDir('kubernetes-models'), '_schemas/IoK8sApiCoreV1Service.js'),
            'utf8',
          ),
        ),
      ).toBeInstanceOf(Buffer);

      // made by another V8: the folder is stale for the build, and no data is read
      fs.writeFileSync(
        path.join(out, 'code-cache.json'),
        JSON.stringify({ ...index, v8: '1.0.0' }),
      );
      expect(CodeCacheReader.open(out)).toBeUndefined();
      expect(precompiledIsCurrent(out)).toBe(false);

      // bytes V8 did not make: refused, and the module still works from its text (a text this
      // process has not compiled: V8 takes a compiled text from its own in-memory cache first)
      const foreign = compileCommonJs(
        `${text}\n// a new text`,
        file,
        Buffer.from('not a code cache'.repeat(64)),
      );
      expect(foreign.rejected).toBe(true);
      const exports = foreign.run(createRequire(file)) as { validate: Validate };
      expect(exports.validate({ apiVersion: 'apps/v1', kind: 'Deployment', spec: 7 })).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
