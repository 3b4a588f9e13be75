/**
 * Generates `validators/schema/generated/field-map.json`: the field names (and their nesting) of
 * every Kubernetes, Istio and Argo CD kind shipped by the pinned model packages, merged over the
 * supported Kubernetes minors. The strict unknown-field pass in `strict.ts` walks this map; the
 * compiled ajv validators shipped with the packages do not reject unknown fields, so they are only
 * used for types/required/enum checks.
 *
 *   npm run generate:field-map                    offline: packages + kubernetes-versions.json
 *   npm run generate:field-map -- --refresh-versions   also re-reads each minor's OpenAPI fields
 *                                                      (downloads cdk8s-plus-NN with `npm pack`)
 *
 * `schema.test.ts` fails when the committed map differs from a fresh generation, so run this after
 * upgrading any of the model packages or changing the supported minors.
 *
 * Shapes. Source of truth: the `.d.ts` type declarations of `kubernetes-models` (Kubernetes 1.33),
 * `@kubernetes-models/apimachinery`, `@kubernetes-models/istio` and `@kubernetes-models/argo-cd`,
 * read with the TypeScript compiler API (type checker), so unions, intersections, `Exclude<>`
 * (Istio oneOf encodings), index signatures (maps) and cross-package imports are resolved exactly
 * as TypeScript sees them. Nothing in the output is typed by hand.
 *
 * Versions. No kubernetes-models release covers 1.28-1.32, so the fields of each supported minor
 * come from that minor's OpenAPI document as `cdk8s import k8s@1.NN.0` turned it into the
 * `lib/imports/k8s.d.ts` of the package `cdk8s-plus-NN`: every definition and every field there
 * carries a `@schema io.k8s.api.core.v1.PodSpec#hostIPC` comment with the OpenAPI definition name
 * and the JSON field name. cdk8s leaves out `apiVersion`, `kind`, `status` (and types reachable
 * only from status) and core/v1 `Event` (its class name clashes with events.k8s.io/v1 `Event`);
 * those are taken as present in every minor. `--refresh-versions` reduces the five documents to
 * the exceptions (`generated/kubernetes-versions.json`): definitions, kinds and fields that not
 * every supported minor has, with the minors that have them. The newest minor's document must
 * agree with kubernetes-models field for field (checked here), which validates both sources.
 *
 * Encoding (see `SerializedNode`): a node describes the allowed shape of one JSON value.
 * `f` = known field name -> node index, `r` = required field names (non-optional in the
 * declaration; used to report `field: null`), `m` = node index for the values of a free-key map
 * (TypeScript index signature), `a` = node index for array items, `v` = field -> the minors that
 * have it (only for fields some supported minor lacks). The index `-1` means "not checked further"
 * (scalars, and free-form objects such as `{}`, RawExtension, x-kubernetes-preserve-unknown-fields,
 * Helm `valuesObject`). Structurally identical nodes are merged (partition refinement), so the
 * file stays small.
 */
import ts from 'typescript';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import tarStream from 'tar-stream';
import type { FieldMapFile, KindEntry, SerializedNode } from './field-map.js';
import { KUBERNETES_VERSIONS } from './kubernetes-version.js';

/** Where each supported minor's OpenAPI fields come from (`cdk8s import k8s@1.NN.0`). */
export const KUBERNETES_VERSION_SOURCES: Record<string, string> = {
  '1.29': 'cdk8s-plus-29@2.6.0',
  '1.30': 'cdk8s-plus-30@2.4.10',
  '1.31': 'cdk8s-plus-31@2.6.43',
  '1.32': 'cdk8s-plus-32@2.5.92',
  '1.33': 'cdk8s-plus-33@2.5.57',
};
const CDK8S_IMPORT = 'package/lib/imports/k8s.d.ts';

/** Definitions cdk8s does not emit although the API serves them (see the header). */
const CDK8S_OMITTED = new Set(['io.k8s.api.core.v1.Event', 'io.k8s.api.core.v1.EventList']);

/** Which fields and kinds not every supported minor has (`generated/kubernetes-versions.json`). */
export interface KubernetesVersionsFile {
  format: 1;
  /** minor -> the package its OpenAPI fields were read from */
  versions: Record<string, string>;
  /** `${apiVersion}|${kind}` of kubernetes-models -> the minors serving it, when not all */
  kinds: Record<string, string[]>;
  /** OpenAPI definition name -> the minors whose document has it, when some (not all) do */
  definitions: Record<string, string[]>;
  /** OpenAPI definition name -> field -> the minors (of those with the definition) that have it */
  fields: Record<string, Record<string, string[]>>;
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
  /** field -> minors that have it (sorted by field name) */
  v?: Map<string, string[]>;
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
    // symbol-keyed members (`[Symbol.iterator]` of array-like intersections) are no JSON fields;
    // their internal names (`__@iterator@7806`) would also differ from one compiler run to another
    const props = this.checker.getPropertiesOfType(type).filter((p) => !p.name.startsWith('__@'));
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
      const versions = n.v ? JSON.stringify([...n.v]) : '';
      const sig = `${cls[i]}|${fields}|${n.r?.join(',') ?? ''}|${refClass(cls, n.m)}|${refClass(cls, n.a)}|${versions}`;
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

interface Root {
  key: string;
  ref: number;
  kind?: Omit<KindEntry, 'root'>;
  /** kubernetes-models' canonical name of the definition (IoK8sApiAppsV1Deployment) */
  canonical?: string;
}

interface Collected {
  builder: GraphBuilder;
  roots: Root[];
  sources: Record<string, string>;
}

/** Reads the packages' type declarations into one (not yet minimized) shape graph. */
function collectRoots(fromDir: string): Collected {
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
  const roots: Root[] = [];

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
        const alias = new RegExp(`export \\{ ${st.name.text} as I(IoK8s\\w+),`).exec(sf.text);
        const canonical = pkg === 'kubernetes-models' ? alias?.[1] : undefined;
        roots.push({ key: `${apiVersion}|${kind}`, ref, kind: entry, canonical });
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
      if (ref !== UNCHECKED) roots.push({ key: m[2], ref, canonical: m[2] });
    }
  }
  return { builder, roots, sources };
}

/** kubernetes-models' definitions and kinds, for `buildKubernetesVersions`. */
export function knownDefinitions(fromDir: string = process.cwd()): KnownDefinitions {
  const { roots } = collectRoots(fromDir);
  const definitions = new Set<string>();
  const kinds = new Map<string, string>();
  for (const r of roots) {
    if (r.canonical) definitions.add(r.canonical);
    if (r.kind && r.canonical) kinds.set(r.key, r.canonical);
  }
  return { definitions, kinds };
}

/**
 * Annotates the graph with the minors that have each field (only fields that some supported
 * minor lacks) and returns the minors serving each kind. Throws when the newest minor's OpenAPI
 * fields disagree with kubernetes-models, which is generated from that same release.
 */
function applyVersions(
  collected: Collected,
  versions: KubernetesVersionsFile,
): Map<string, string[]> {
  const minors = Object.keys(versions.versions);
  if (minors.join() !== KUBERNETES_VERSIONS.join()) {
    throw new Error(
      `kubernetes-versions.json covers ${minors.join(', ')} but the supported minors are ` +
        `${KUBERNETES_VERSIONS.join(', ')}; run: npm run generate:field-map -- --refresh-versions`,
    );
  }
  const newest = minors[minors.length - 1];
  const byCanonical = new Map<string, string>();
  for (const name of [...Object.keys(versions.definitions), ...Object.keys(versions.fields)]) {
    byCanonical.set(canonicalName(name), name);
  }
  const { builder } = collected;
  for (const root of collected.roots) {
    if (!root.canonical || root.ref === UNCHECKED) continue;
    const name = byCanonical.get(root.canonical);
    if (name === undefined) continue;
    const having = versions.definitions[name] ?? minors;
    if (having.length === 0) continue; // no minor's document has it: nothing known
    const fieldVersions = versions.fields[name] ?? {};
    const node = builder.nodes[root.ref];
    const v = new Map(node.v);
    for (const [field, withField] of Object.entries(fieldVersions)) {
      // where the definition itself is missing (renamed, or a kind not served), allow the field
      const allowed = minors.filter((m) => withField.includes(m) || !having.includes(m));
      if (allowed.length === minors.length) continue;
      const known = node.f?.has(field) === true;
      if (known !== allowed.includes(newest)) {
        throw new Error(
          `${name}#${field}: Kubernetes ${newest}'s OpenAPI document ${known ? 'lacks' : 'has'} ` +
            `the field but kubernetes-models ${known ? 'has' : 'lacks'} it`,
        );
      }
      if (!known) {
        // a field later minors dropped: accepted (unchecked) where it existed
        const entries: [string, number][] = [...(node.f ?? []), [field, UNCHECKED]];
        node.f = new Map(entries.sort((a, b) => (a[0] < b[0] ? -1 : 1)));
      }
      v.set(field, allowed);
    }
    if (v.size > 0) node.v = new Map([...v].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }
  return new Map(Object.entries(versions.kinds));
}

export function buildFieldMap(
  fromDir: string = process.cwd(),
  versions: KubernetesVersionsFile = readKubernetesVersions(),
): FieldMapFile {
  const collected = collectRoots(fromDir);
  const kindVersions = applyVersions(collected, versions);
  const { builder, roots } = collected;
  const sources: Record<string, string> = { ...collected.sources };
  for (const [minor, source] of Object.entries(versions.versions)) {
    sources[`Kubernetes ${minor}`] = source;
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
      if (n.v) o.v = Object.fromEntries(n.v);
    }
  };
  for (const r of roots) {
    const ref = visit(r.ref);
    drain();
    if (r.kind) {
      if (kinds[r.key]) throw new Error(`duplicate kind ${r.key}`);
      const served = r.kind.pkg === 'kubernetes-models' ? kindVersions.get(r.key) : undefined;
      kinds[r.key] = { ...r.kind, root: ref, ...(served ? { versions: served } : {}) };
    } else {
      named[r.key] = ref;
    }
  }

  const result: FieldMapFile = {
    format: 2,
    sources,
    kubernetesVersions: Object.keys(versions.versions),
    nodes: outNodes,
    named,
    kinds,
  };
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

// ---------------------------------------------------------------------------------------------
// Each minor's OpenAPI fields (cdk8s imports)
// ---------------------------------------------------------------------------------------------

/** kubernetes-models' name of an OpenAPI definition: io.k8s.api.core.v1.PodSpec -> IoK8sApiCoreV1PodSpec */
export function canonicalName(openapiName: string): string {
  return openapiName
    .split(/[.-]/)
    .map((p) => (p === '' ? p : p[0].toUpperCase() + p.slice(1)))
    .join('');
}

/** Definitions and their JSON field names, from the `@schema` comments of a cdk8s import. */
export function readCdk8sImport(dts: string): Map<string, Set<string>> {
  const defs = new Map<string, Set<string>>();
  for (const m of dts.matchAll(/^\s*\* @schema (\S+)$/gm)) {
    const [name, field] = m[1].split('#', 2);
    let fields = defs.get(name);
    if (!fields) defs.set(name, (fields = new Set()));
    if (field !== undefined) fields.add(field);
  }
  return defs;
}

/** What the generator knows of kubernetes-models: its definition names and kinds. */
export interface KnownDefinitions {
  /** canonical names of the definitions (IoK8sApiCoreV1PodSpec) */
  definitions: ReadonlySet<string>;
  /** `${apiVersion}|${kind}` -> canonical name of the kind's definition */
  kinds: ReadonlyMap<string, string>;
}

/**
 * Reduces each minor's definitions to the exceptions: what not every minor has. Only definitions
 * kubernetes-models knows are kept (the field map has no shape for the others).
 */
export function buildKubernetesVersions(
  inputs: { version: string; source: string; dts: string }[],
  known: KnownDefinitions,
): KubernetesVersionsFile {
  const minors = inputs.map((i) => i.version);
  const docs = inputs.map((i) => readCdk8sImport(i.dts));
  const names = new Set<string>();
  for (const d of docs)
    for (const n of d.keys()) if (known.definitions.has(canonicalName(n))) names.add(n);
  const definitions: Record<string, string[]> = {};
  const fields: Record<string, Record<string, string[]>> = {};
  const served = new Map<string, string[]>(); // canonical name -> minors
  for (const name of [...names].sort()) {
    const having = minors.filter((_, i) => docs[i].has(name));
    served.set(canonicalName(name), having);
    if (having.length !== minors.length) definitions[name] = having;
    const all = new Set<string>();
    for (const [i, d] of docs.entries())
      for (const f of d.get(name) ?? []) if (having.includes(minors[i])) all.add(f);
    for (const f of [...all].sort()) {
      const withField = minors.filter((_, i) => docs[i].get(name)?.has(f) === true);
      if (withField.length === having.length) continue;
      (fields[name] ??= {})[f] = withField;
    }
  }
  const omitted = new Set([...CDK8S_OMITTED].map(canonicalName));
  const kinds: Record<string, string[]> = {};
  for (const [key, canonical] of [...known.kinds].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (omitted.has(canonical)) continue;
    const having = served.get(canonical) ?? [];
    if (having.length !== minors.length) kinds[key] = having;
  }
  const versions = Object.fromEntries(inputs.map((i) => [i.version, i.source]));
  return { format: 1, versions, kinds, definitions, fields };
}

/** The first file named `wanted` in a gzipped tarball. */
async function fileFromTarball(tgz: Buffer, wanted: string): Promise<string> {
  const extract = tarStream.extract();
  let found: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        if (!Buffer.isBuffer(c)) return;
        if (header.name === wanted) chunks.push(c);
      });
      stream.on('end', () => {
        if (header.name === wanted) found = Buffer.concat(chunks).toString('utf8');
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from(zlib.gunzipSync(tgz)).pipe(extract);
  await done;
  if (found === undefined) throw new Error(`${wanted} not found in the tarball`);
  return found;
}

/** Downloads each minor's cdk8s import with `npm pack` (the npm registry only) and reduces them. */
export async function refreshKubernetesVersions(
  known: KnownDefinitions,
): Promise<KubernetesVersionsFile> {
  if (Object.keys(KUBERNETES_VERSION_SOURCES).join() !== KUBERNETES_VERSIONS.join()) {
    throw new Error('KUBERNETES_VERSION_SOURCES and KUBERNETES_VERSIONS list different minors');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-versions-'));
  try {
    const inputs: { version: string; source: string; dts: string }[] = [];
    for (const [version, source] of Object.entries(KUBERNETES_VERSION_SOURCES)) {
      const out = execFileSync('npm', ['pack', source, '--silent', '--pack-destination', dir], {
        encoding: 'utf8',
      });
      const file = out.trim().split('\n').pop() ?? '';
      const dts = await fileFromTarball(fs.readFileSync(path.join(dir, file)), CDK8S_IMPORT);
      inputs.push({ version, source, dts });
    }
    return buildKubernetesVersions(inputs, known);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Output paths and the command
// ---------------------------------------------------------------------------------------------

/** The source folder validators/schema (from the sources, dist/ or a compiled copy elsewhere). */
function schemaSourceDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'validators', 'schema');
    if (fs.existsSync(path.join(dir, 'generate-field-map.ts'))) return dir;
    if (fs.existsSync(path.join(candidate, 'generate-field-map.ts'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot locate validators/schema from ${fileURLToPath(import.meta.url)}`);
}

export function fieldMapPath(): string {
  return path.join(schemaSourceDir(), 'generated', 'field-map.json');
}

export function kubernetesVersionsPath(): string {
  return path.join(schemaSourceDir(), 'generated', 'kubernetes-versions.json');
}

export function readKubernetesVersions(file = kubernetesVersionsPath()): KubernetesVersionsFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as KubernetesVersionsFile;
}

export function serializeFieldMap(map: FieldMapFile): string {
  return `${JSON.stringify(map)}\n`;
}

/** JSON in the repository's Prettier style (`prettier --check .`), when Prettier is installed. */
async function formatted(value: unknown, file: string): Promise<string> {
  const text = `${JSON.stringify(value)}\n`;
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...config, filepath: file });
  } catch {
    return text; // prettier is a dev dependency; unformatted JSON is equivalent
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const root = path.resolve(schemaSourceDir(), '..', '..');
  if (process.argv.includes('--refresh-versions')) {
    const versions = await refreshKubernetesVersions(knownDefinitions(root));
    const out = kubernetesVersionsPath();
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, await formatted(versions, out));
    console.log(
      `wrote ${out}: ${Object.keys(versions.kinds).length} kinds, ` +
        `${Object.keys(versions.definitions).length} definitions and ` +
        `${Object.values(versions.fields).reduce((n, f) => n + Object.keys(f).length, 0)} fields ` +
        `that not every supported minor has`,
    );
  }
  const map = buildFieldMap(root);
  const out = fieldMapPath();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await formatted(map, out));
  console.log(
    `wrote ${out}: ${Object.keys(map.kinds).length} kinds, ${map.nodes.length} nodes, ` +
      `${Object.keys(map.named).length} named types, Kubernetes ${map.kubernetesVersions.join(', ')} ` +
      `in ${Date.now() - started} ms`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
