/**
 * Generates `validators/schema/generated/field-map.json`: the field names (and their nesting) of
 * every Kubernetes, Istio and Argo CD kind shipped by the pinned model packages. The strict
 * unknown-field pass in `strict.ts` walks this map; the compiled ajv validators shipped with the
 * packages do not reject unknown fields, so they are only used for types/required/enum checks.
 *
 * Source of truth: the `.d.ts` type declarations of `kubernetes-models`,
 * `@kubernetes-models/apimachinery`, `@kubernetes-models/istio` and `@kubernetes-models/argo-cd`,
 * read with the TypeScript compiler API (type checker), so unions, intersections, `Exclude<>`
 * (Istio oneOf encodings), index signatures (maps) and cross-package imports are resolved
 * exactly as TypeScript sees them. Nothing in the output is typed by hand.
 *
 * Encoding (see `SerializedNode`): a node describes the allowed shape of one JSON value.
 * `f` = known field name -> node index, `r` = required field names (non-optional in the
 * declaration; used to report `field: null`), `m` = node index for the values of a free-key map
 * (TypeScript index signature), `a` = node index for array items. The index `-1` means "not
 * checked further" (scalars, and free-form objects such as `{}`, RawExtension,
 * x-kubernetes-preserve-unknown-fields, Helm `valuesObject`). Structurally identical nodes are
 * merged (partition refinement), so the file stays small.
 *
 * Regenerate after upgrading any of the model packages:
 *   npm run build && node dist/validators/schema/generate-field-map.js
 * `schema.test.ts` fails when the committed file's content differs from a fresh generation.
 */
import ts from 'typescript';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface SerializedNode {
  f?: Record<string, number>;
  /** required (non-optional) fields, sorted */
  r?: string[];
  m?: number;
  a?: number;
}

export interface KindEntry {
  /** npm package holding the validator */
  pkg: string;
  /** 'compiled': `file` exports an ajv standalone `validate`; 'model': `file` exports a Model class */
  mode: 'compiled' | 'model';
  /** path of the validator module inside `pkg` */
  file: string;
  /** for mode 'model': the exported class name */
  exportName?: string;
  /** root node index of the kind in `nodes` */
  root: number;
}

export interface FieldMapFile {
  format: 1;
  /** package name -> version the map was generated from */
  sources: Record<string, string>;
  nodes: SerializedNode[];
  /** canonical Kubernetes definition name (e.g. IoK8sApiCoreV1Affinity) -> node index */
  named: Record<string, number>;
  /** `${apiVersion}|${kind}` -> kind entry */
  kinds: Record<string, KindEntry>;
}

const UNCHECKED = -1;

const PACKAGES = [
  'kubernetes-models',
  '@kubernetes-models/apimachinery',
  '@kubernetes-models/istio',
  '@kubernetes-models/argo-cd',
] as const;

/** Packages whose top-level kinds we register (apimachinery only provides shared types). */
const KIND_PACKAGES = [
  'kubernetes-models',
  '@kubernetes-models/istio',
  '@kubernetes-models/argo-cd',
];

/** Packages whose exported definitions get canonical names in `named`. */
const NAMED_PACKAGES = ['kubernetes-models', '@kubernetes-models/apimachinery'];

interface GNode {
  f?: Map<string, number>;
  r?: string[];
  m?: number;
  a?: number;
}

function listDts(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      if (ent.name === 'node_modules') continue;
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.d.ts') && ent.name !== 'index.d.ts') out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function packageDir(req: NodeRequire, pkg: string): string {
  return path.dirname(req.resolve(`${pkg}/package.json`));
}

function stringLiteralMember(decl: ts.InterfaceDeclaration, name: string): string | undefined {
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const n = m.name;
    const text = ts.isStringLiteral(n) || ts.isIdentifier(n) ? n.text : undefined;
    if (text !== name) continue;
    if (ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) {
      return m.type.literal.text;
    }
  }
  return undefined;
}

class GraphBuilder {
  readonly nodes: GNode[] = [];
  private readonly memo = new Map<ts.Type, number>();
  private readonly mergeMemo = new Map<string, number>();

  constructor(private readonly checker: ts.TypeChecker) {}

  shapeOf(type: ts.Type): number {
    const cached = this.memo.get(type);
    if (cached !== undefined) return cached;
    const result = this.compute(type);
    this.memo.set(type, result);
    return result;
  }

  private isArray(type: ts.Type): boolean {
    const c = this.checker as ts.TypeChecker & { isArrayType?: (t: ts.Type) => boolean };
    if (typeof c.isArrayType === 'function') return c.isArrayType(type);
    const name = type.getSymbol()?.getName();
    return name === 'Array' || name === 'ReadonlyArray';
  }

  private compute(type: ts.Type): number {
    const F = ts.TypeFlags;
    if (type.flags & (F.Any | F.Unknown | F.Never | F.NonPrimitive)) return UNCHECKED;
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & (F.Undefined | F.Null | F.Void)));
      const shaped = parts.map((t) => this.shapeOf(t)).filter((r) => r !== UNCHECKED);
      // a union with any unchecked object-like member (e.g. `{}` or `any`) accepts everything
      const uncheckedObject = parts.some(
        (t) => this.isObjectLike(t) && this.shapeOf(t) === UNCHECKED,
      );
      if (uncheckedObject || shaped.length === 0) return UNCHECKED;
      return this.merge(shaped);
    }
    if (!this.isObjectLike(type)) return UNCHECKED; // string, number, boolean, literals, enums
    if (this.isArray(type)) {
      const [elem] = this.checker.getTypeArguments(type as ts.TypeReference);
      const id = this.alloc();
      this.memo.set(type, id);
      this.nodes[id] = { a: elem ? this.shapeOf(elem) : UNCHECKED };
      return id;
    }
    const props = this.checker.getPropertiesOfType(type);
    const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (props.length === 0 && !index) return UNCHECKED; // `{}`: free-form object
    const id = this.alloc();
    this.memo.set(type, id); // before recursing: recursive types (JSONSchemaProps)
    const node: GNode = {};
    if (props.length > 0) {
      node.f = new Map();
      const sorted = [...props].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const p of sorted) {
        node.f.set(p.name, this.shapeOf(this.checker.getTypeOfSymbol(p)));
      }
      const required = sorted
        .filter((p) => !(p.flags & ts.SymbolFlags.Optional))
        .map((p) => p.name)
        .filter((n) => n !== 'apiVersion' && n !== 'kind'); // checked up front by the validator
      if (required.length > 0) node.r = required;
    }
    if (index) node.m = this.shapeOf(index.type);
    this.nodes[id] = node;
    return id;
  }

  private isObjectLike(type: ts.Type): boolean {
    return (type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) !== 0;
  }

  private alloc(): number {
    this.nodes.push({});
    return this.nodes.length - 1;
  }

  /** Union of several shapes: every field allowed by any member is allowed. */
  merge(refs: number[]): number {
    const uniq = [...new Set(refs)].sort((a, b) => a - b);
    if (uniq.includes(UNCHECKED)) return UNCHECKED;
    if (uniq.length === 1) return uniq[0];
    const key = uniq.join(',');
    const cached = this.mergeMemo.get(key);
    if (cached !== undefined) return cached;
    const id = this.alloc();
    this.mergeMemo.set(key, id);
    const fieldRefs = new Map<string, number[]>();
    const mapRefs: number[] = [];
    const itemRefs: number[] = [];
    for (const r of uniq) {
      const n = this.nodes[r];
      if (n.f) for (const [k, v] of n.f) fieldRefs.set(k, [...(fieldRefs.get(k) ?? []), v]);
      if (n.m !== undefined) mapRefs.push(n.m);
      if (n.a !== undefined) itemRefs.push(n.a);
    }
    const node: GNode = {};
    if (fieldRefs.size > 0) {
      node.f = new Map();
      for (const k of [...fieldRefs.keys()].sort()) node.f.set(k, this.merge(fieldRefs.get(k)!));
    }
    if (mapRefs.length > 0) node.m = this.merge(mapRefs);
    if (itemRefs.length > 0) node.a = this.merge(itemRefs);
    this.nodes[id] = node;
    return id;
  }
}

/** Moore-style partition refinement: merge structurally equivalent nodes. */
function minimize(nodes: GNode[]): number[] {
  const refClass = (cls: number[], r: number | undefined): string =>
    r === undefined ? '_' : r === UNCHECKED ? '-' : String(cls[r]);
  let cls = nodes.map(() => 0);
  let count = 1;
  for (;;) {
    const sigToClass = new Map<string, number>();
    const next = nodes.map((n, i) => {
      const fields = n.f ? [...n.f].map(([k, v]) => `${k}:${refClass(cls, v)}`).join(',') : '_';
      const sig = `${cls[i]}|${fields}|${n.r?.join(',') ?? ''}|${refClass(cls, n.m)}|${refClass(cls, n.a)}`;
      let c = sigToClass.get(sig);
      if (c === undefined) {
        c = sigToClass.size;
        sigToClass.set(sig, c);
      }
      return c;
    });
    cls = next;
    if (sigToClass.size === count) return cls;
    count = sigToClass.size;
  }
}

export function buildFieldMap(fromDir: string = process.cwd()): FieldMapFile {
  const req = createRequire(path.join(fromDir, 'noop.js'));
  const dirs = Object.fromEntries(PACKAGES.map((p) => [p, packageDir(req, p)])) as Record<
    (typeof PACKAGES)[number],
    string
  >;
  const sources: Record<string, string> = {};
  for (const p of PACKAGES) {
    sources[p] = (
      JSON.parse(fs.readFileSync(path.join(dirs[p], 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  }

  const files = new Set<string>();
  for (const p of PACKAGES) for (const f of listDts(dirs[p])) files.add(f);
  const program = ts.createProgram([...files], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const builder = new GraphBuilder(checker);

  const roots: { key: string; ref: number; kind?: Omit<KindEntry, 'root'> }[] = [];

  // Kinds: interfaces declaring literal "apiVersion" and "kind" members.
  for (const pkg of KIND_PACKAGES) {
    const pkgDir = dirs[pkg as (typeof PACKAGES)[number]];
    for (const file of listDts(pkgDir)) {
      const rel = path.relative(pkgDir, file);
      if (rel.startsWith('_schemas')) continue;
      const sf = program.getSourceFile(file);
      if (!sf) throw new Error(`not in program: ${file}`);
      for (const st of sf.statements) {
        if (!ts.isInterfaceDeclaration(st)) continue;
        const apiVersion = stringLiteralMember(st, 'apiVersion');
        const kind = stringLiteralMember(st, 'kind');
        if (!apiVersion || !kind) continue;
        const sym = checker.getSymbolAtLocation(st.name);
        if (!sym) continue;
        const ref = builder.shapeOf(checker.getDeclaredTypeOfSymbol(sym));
        const jsFile = file.replace(/\.d\.ts$/, '.js');
        let entry: Omit<KindEntry, 'root'>;
        const js = fs.readFileSync(jsFile, 'utf8');
        const m = /require\("((?:\.\.\/)+_schemas\/[A-Za-z0-9]+\.js)"\)/.exec(js);
        if (m) {
          const target = path.relative(pkgDir, path.resolve(path.dirname(jsFile), m[1]));
          entry = { pkg, mode: 'compiled', file: target.split(path.sep).join('/') };
        } else {
          entry = {
            pkg,
            mode: 'model',
            file: path.relative(pkgDir, jsFile).split(path.sep).join('/'),
            exportName: kind,
          };
        }
        roots.push({ key: `${apiVersion}|${kind}`, ref, kind: entry });
      }
    }
  }

  // Named definitions, addressable from hand-written schemas (IstioOperator k8s fields).
  for (const pkg of NAMED_PACKAGES) {
    const pkgDir = dirs[pkg as (typeof PACKAGES)[number]];
    for (const file of listDts(pkgDir)) {
      if (path.relative(pkgDir, file).startsWith('_schemas')) continue;
      const sf = program.getSourceFile(file);
      if (!sf) continue;
      const m = /export \{ (\w+) as I(IoK8s\w+),/.exec(sf.text);
      if (!m) continue;
      const decl = sf.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === m[1],
      );
      if (!decl) continue; // type aliases (IntOrString, Quantity, Time) are scalars
      const sym = checker.getSymbolAtLocation(decl.name);
      if (!sym) continue;
      const ref = builder.shapeOf(checker.getDeclaredTypeOfSymbol(sym));
      if (ref !== UNCHECKED) roots.push({ key: m[2], ref });
    }
  }

  // Minimize and renumber canonically (BFS from sorted roots, fields in sorted order).
  const cls = minimize(builder.nodes);
  const classToOut = new Map<number, number>();
  const outNodes: SerializedNode[] = [];
  const representative = new Map<number, number>();
  builder.nodes.forEach((_, i) => {
    if (!representative.has(cls[i])) representative.set(cls[i], i);
  });
  const queue: number[] = [];
  const visit = (r: number): number => {
    if (r === UNCHECKED) return UNCHECKED;
    const c = cls[r];
    let out = classToOut.get(c);
    if (out === undefined) {
      out = outNodes.length;
      classToOut.set(c, out);
      outNodes.push({});
      queue.push(c);
    }
    return out;
  };
  const kinds: Record<string, KindEntry> = {};
  const named: Record<string, number> = {};
  roots.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const drain = (): void => {
    while (queue.length > 0) {
      const c = queue.shift()!;
      const n = builder.nodes[representative.get(c)!];
      const o = outNodes[classToOut.get(c)!];
      if (n.f) {
        o.f = {};
        for (const [k, v] of n.f) o.f[k] = visit(v);
      }
      if (n.r) o.r = n.r;
      if (n.m !== undefined) o.m = visit(n.m);
      if (n.a !== undefined) o.a = visit(n.a);
    }
  };
  for (const r of roots) {
    const ref = visit(r.ref);
    drain();
    if (r.kind) {
      if (kinds[r.key]) throw new Error(`duplicate kind ${r.key}`);
      kinds[r.key] = { ...r.kind, root: ref };
    } else {
      named[r.key] = ref;
    }
  }

  const result: FieldMapFile = { format: 1, sources, nodes: outNodes, named, kinds };
  sanityCheck(result);
  return result;
}

/** Fails loudly if type resolution silently degraded to `any` (e.g. an unresolved import). */
function sanityCheck(map: FieldMapFile): void {
  const fieldsOf = (ref: number | undefined): Record<string, number> => {
    if (ref === undefined || ref < 0) return {};
    return map.nodes[ref].f ?? {};
  };
  const expect = (cond: boolean, what: string): void => {
    if (!cond) throw new Error(`field map sanity check failed: ${what}`);
  };
  const dep = map.kinds['apps/v1|Deployment'];
  expect(!!dep, 'apps/v1 Deployment present');
  const meta = fieldsOf(fieldsOf(dep.root).metadata);
  expect('labels' in meta && 'creationTimestamp' in meta, 'Deployment metadata resolved');
  const pod = fieldsOf(map.named.IoK8sApiCoreV1PodSpec);
  expect('tolerations' in pod && 'containers' in pod, 'PodSpec resolved');
  const gw = map.kinds['networking.istio.io/v1beta1|Gateway'];
  expect(!!gw && 'labels' in fieldsOf(fieldsOf(gw.root).metadata), 'Istio metadata resolved');
  const app = map.kinds['argoproj.io/v1alpha1|Application'];
  expect(!!app && 'source' in fieldsOf(fieldsOf(app.root).spec), 'Argo Application resolved');
}

export function serializeFieldMap(map: FieldMapFile): string {
  return `${JSON.stringify(map)}\n`;
}

export function fieldMapPath(): string {
  // works both from the sources (validators/schema) and from the build output
  // (dist/validators/schema): the generated file always lives in the source tree.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [here, path.resolve(here, '../../../validators/schema')];
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'generate-field-map.ts'))) {
      return path.join(c, 'generated', 'field-map.json');
    }
  }
  throw new Error(`cannot locate validators/schema from ${here}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const map = buildFieldMap();
  const out = fieldMapPath();
  let text = serializeFieldMap(map);
  try {
    // keep the committed file in the repository's Prettier style (`prettier --check .`)
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(out)) ?? {};
    text = await prettier.format(text, { ...config, filepath: out });
  } catch {
    // prettier is a dev dependency; unformatted JSON is equivalent for the validator
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
  console.log(
    `wrote ${out}: ${Object.keys(map.kinds).length} kinds, ${map.nodes.length} nodes, ` +
      `${Object.keys(map.named).length} named types in ${Date.now() - started} ms`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
