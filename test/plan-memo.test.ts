import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { gitBlobId } from '../core/cache-files.js';
import type { KubeObject, Manifest } from '../core/manifest.js';
import { renderEnvironment } from '../generator/pipeline.js';
import { ValidationModel } from '../validators/model/index.js';
import { projectionText } from '../validators/model/projection.js';
import { textObjectKey } from '../validators/findings-cache.js';
import { PlanMemo } from '../validators/plan-memo.js';
import { RULES } from '../validators/rules/index.js';
import { runValidation } from '../validators/run.js';
import { contextOfRender } from '../validators/validate.js';
import { ruleContext } from '../validators/testing/helpers.js';
import type { Rule, RuleContext, RuleFinding } from '../validators/types.js';
import { REPO_ROOT } from './helpers.js';

/**
 * The memo of rules that compare objects with each other (validators/plan-memo.ts): a run whose
 * objects give the same texts gets the stored findings back, and whatever changed, what it reports
 * is what the rules find when they run.
 */

const MEMO_RULES = RULES.filter((r) => r.memo);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'plan-memo-'));
  dirs.push(d);
  return d;
}

/** A plan held as one file per object, as the release writes most objects. */
interface Plan {
  manifests: Manifest[];
  fileTexts: Map<string, string>;
  blobIds: Map<string, string>;
}

function planOf(objects: KubeObject[], files?: string[], charts?: string[]): Plan {
  const fileTexts = new Map<string, string>();
  const blobIds = new Map<string, string>();
  const manifests = objects.map((object, i) => {
    const file = files?.[i] ?? `f${String(i).padStart(3, '0')}.yaml`;
    const text = dump(object);
    fileTexts.set(file, text);
    blobIds.set(file, gitBlobId(text));
    return { chart: charts?.[i] ?? 'c', object, file, line: 1 };
  });
  return { manifests, fileTexts, blobIds };
}

/** The objects' keys, as the runner gives them (from the files' blob ids). */
function keysOf(plan: Plan): (m: Manifest) => string | undefined {
  return (m) => {
    const id = plan.blobIds.get(m.file);
    return id === undefined ? undefined : textObjectKey(id, m);
  };
}

/** A finding as the plan places it: the object's place, the path, the message, the severity. */
function placed(plan: Plan, found: RuleFinding[]): unknown[] {
  return found.map((f) => [
    f.manifest ? plan.manifests.indexOf(f.manifest) : null,
    f.path ?? null,
    f.valuePath ?? null,
    f.message,
    f.severity ?? null,
  ]);
}

/** The repository's prd context (values, cluster, charts), or none (`bare`). */
type Base = 'repo' | 'bare';

function contextOf(plan: Plan, complete = true, base: Base = 'repo'): RuleContext {
  return {
    ...(base === 'repo' ? repoCtx : ruleContext()),
    fileTexts: plan.fileTexts,
    complete,
    model: new ValidationModel(plan.manifests),
  };
}

function handed(rule: Rule, plan: Plan): Manifest[] {
  return rule.kinds
    ? plan.manifests.filter((m) => rule.kinds!.includes(m.object.kind))
    : plan.manifests;
}

/** Each memo rule through the memo of `file`: what it reported, and which rules were served. */
function throughMemo(
  plan: Plan,
  file: string,
  rules: Rule[] = MEMO_RULES,
  complete = true,
  base: Base = 'repo',
): { found: Record<string, unknown[]>; served: Set<string> } {
  const ctx = contextOf(plan, complete, base);
  const memo = new PlanMemo(file, 'test tool', rules, plan.manifests, keysOf(plan));
  const found: Record<string, unknown[]> = {};
  for (const rule of rules)
    found[rule.id] = placed(plan, memo.check(rule, handed(rule, plan), ctx));
  memo.store();
  return { found, served: memo.served };
}

/** Each memo rule run on the plan. */
function checked(
  plan: Plan,
  rules: Rule[] = MEMO_RULES,
  complete = true,
  base: Base = 'repo',
): Record<string, unknown[]> {
  const ctx = contextOf(plan, complete, base);
  return Object.fromEntries(rules.map((r) => [r.id, placed(plan, r.check(handed(r, plan), ctx))]));
}

/** Documents with something for each memo rule to find. */
const DEFECTS = `apiVersion: v1
kind: Service
metadata: { name: orphan, namespace: apps }
spec:
  selector: { app: nothing }
  ports: [{ port: 80 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: wide, namespace: apps }
spec:
  selector: { matchLabels: { team: shop } }
  template:
    metadata: { labels: { team: shop, app: wide } }
    spec: { containers: [{ name: c, image: registry.local/c:1 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: narrow, namespace: apps }
spec:
  selector: { matchLabels: { team: shop, app: narrow } }
  template:
    metadata: { labels: { team: shop, app: narrow, version: "1.0" } }
    spec: { containers: [{ name: c, image: registry.local/c:1 }] }
---
apiVersion: v1
kind: Service
metadata: { name: narrow, namespace: apps }
spec:
  selector: { app: narrow }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ghost, namespace: apps }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ghost }
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: narrow, namespace: apps }
spec:
  scaleTargetRef: { apiVersion: extensions/v1beta1, kind: Deployment, name: narrow }
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: narrow, namespace: apps }
spec:
  host: narrow
  subsets:
    - { name: v1, labels: { version: "1.0" } }
    - { name: v2, labels: { version: "2.0" } }
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: narrow, namespace: apps }
spec:
  hosts: [narrow.shop.test]
  gateways: [apps/missing-gateway]
  http:
    - route:
        - destination: { host: narrow, subset: v3 }
        - destination: { host: nowhere.apps.svc.cluster.local }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: other }
data: { mode: fast }
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: elsewhere, namespace: apps }
spec:
  hosts: [elsewhere.shop.test]
  http: [{ route: [{ destination: { host: narrow.other } }] }]
`;

/** Documents where every memo rule finds nothing, with selectors of several label keys. */
const CLEAN = `apiVersion: apps/v1
kind: Deployment
metadata: { name: a, namespace: shop }
spec:
  selector:
    matchLabels: { app: a }
    matchExpressions: [{ key: track, operator: In, values: [stable] }]
  template:
    metadata: { labels: { app: a, track: stable, version: "1" } }
    spec: { containers: [{ name: c, image: registry.local/a:1 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: b, namespace: shop }
spec:
  selector: { matchLabels: { role: b } }
  template:
    metadata: { labels: { app: a, role: b, version: "2" } }
    spec: { containers: [{ name: c, image: registry.local/b:1 }] }
---
apiVersion: v1
kind: Service
metadata: { name: a, namespace: shop }
spec:
  selector: { app: a, version: "1" }
  ports: [{ name: http, port: 80 }]
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: a, namespace: shop }
spec:
  host: a
  subsets: [{ name: stable, labels: { track: stable } }]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: a, namespace: shop }
spec:
  hosts: [a]
  http: [{ route: [{ destination: { host: a, subset: stable } }] }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: a, namespace: shop }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: a }
  minReplicas: 1
  maxReplicas: 3
`;
const cleanObjects = CLEAN.split('\n---\n').map((d) => load(d) as KubeObject);

const repo = renderEnvironment(REPO_ROOT, 'prd', { environ: {}, cache: false });
const repoCtx = contextOfRender(repo, 'prd').ctx;
const repoObjects = repo.release.manifests.map((m) => structuredClone(m.object));
const repoFiles = repo.release.manifests.map((m, i) => `${i}-${m.file}`);
const repoCharts = repo.release.manifests.map((m) => m.chart);
const defectObjects = DEFECTS.split('\n---\n').map((d) => load(d) as KubeObject);

/**
 * The repository's plan with the defect documents, an Application at an old chart version and a
 * Ledger with more replicas than its node group has nodes: something for each memo rule.
 */
function defectPlanObjects(): KubeObject[] {
  const objects: Record<string, any>[] = structuredClone([...repoObjects, ...defectObjects]);
  const app = objects.find((o) => o.kind === 'Application' && o.spec?.source?.targetRevision)!;
  app.spec.source.targetRevision = '0.0.1';
  const ledger = objects.find(
    (o) =>
      o.kind === 'Deployment' &&
      JSON.stringify(o.spec?.template?.spec?.containers ?? []).includes('scalardl-ledger'),
  )!;
  ledger.spec.replicas = 7;
  return objects as KubeObject[];
}

/** A deterministic random source (the failing case can be run again). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Path = (string | number)[];

/** Every path of a node below the root (maps and lists too). */
function pathsOf(node: unknown, base: Path = [], out: Path[] = []): Path[] {
  if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      const p = [...base, Array.isArray(node) ? Number(k) : k];
      out.push(p);
      pathsOf(v, p, out);
    }
  return out;
}

/** Values a change sets: names, labels and kinds of the plan, and values of other types. */
function poolOf(objects: KubeObject[]): unknown[] {
  const strings = new Set<string>();
  for (const o of objects)
    for (const p of pathsOf(o)) {
      const v = p.reduce<any>((n, k) => n?.[k], o);
      if (typeof v === 'string' && v.length < 40) strings.add(v);
    }
  return [
    ...strings,
    ...['ExternalName', 'ClusterIP', 'stable', 'canary', '1', '2', '1.0', '2.0', 'a', 'b', 'shop'],
    ...['other', 'others', 'narrow.other', 'Deployment', 'Namespace', 'HorizontalPodAutoscaler'],
    ...[0, 1, 80, 8080, true, null, {}, [], NaN],
    { app: 'a' },
    { app: 'narrow' },
    { matchLabels: { app: 'a' } },
  ];
}

const NEAR = [
  ...['selector', 'labels', 'matchLabels', 'matchExpressions', 'scaleTargetRef', 'subsets'],
  ...['host', 'hosts', 'gateways', 'destination', 'type', 'ports', 'name', 'namespace', 'kind'],
];

/** What the reader guarantees of every object: an API version, a kind and a name, as strings. */
const IDENTITY = new Set(['apiVersion', 'kind', 'metadata', 'metadata.name', 'metadata.namespace']);

/** One random change of one object: a value set, a key removed or added, a list item removed. */
function mutate(objects: KubeObject[], rand: () => number, pool: unknown[]): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const i = Math.floor(rand() * objects.length);
  const o = objects[i];
  const paths = pathsOf(o);
  // half of the changes in what the memo rules look at most
  const near = paths.filter((p) => NEAR.some((n) => p.includes(n)));
  const path = pick(near.length > 0 && rand() < 0.5 ? near : paths);
  const parent = path.slice(0, -1).reduce<any>((n, k) => n[k], o);
  const last = path[path.length - 1];
  const r = rand();
  const value = structuredClone(pick(pool));
  if (IDENTITY.has(path.join('.'))) {
    // another name, namespace, kind or version (a string, as the reader requires)
    if (path.join('.') !== 'metadata')
      parent[last] = pick(pool.filter((v): v is string => typeof v === 'string' && v !== ''));
  } else if (r < 0.55) parent[last] = value;
  else if (r < 0.75) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    const target = path.reduce<any>((n, k) => n[k], o);
    if (target && typeof target === 'object' && !Array.isArray(target))
      target[String(pick(['version', 'app', 'team', 'track', 'role', 'type', 'name', 'kind']))] =
        value;
    else parent[last] = value;
  }
  return `object ${i} at ${path.join('.')}`;
}

describe('projection texts', () => {
  it('tell apart what JSON writes alike', () => {
    const texts = [
      [undefined],
      [null],
      [NaN],
      [Infinity],
      [-Infinity],
      ['\u0000nNaN'],
      ['\u0000u'],
      [0],
      ['0'],
      [[]],
      [{}],
      [{ a: NaN }],
      [{ a: null }],
      [{ a: '1' }],
      [{ a: 1 }],
    ].map((p) => projectionText(p));
    expect(new Set(texts).size).toBe(texts.length);
    expect(projectionText([{ a: 1, b: 2 }])).not.toBe(projectionText([{ b: 2, a: 1 }]));
  });
});

describe('plan memo', () => {
  it('serves every memo rule after a change outside what they read, such as a new image tag', () => {
    const file = join(tempDir(), 'prd.memo.json');
    const objects: Record<string, any>[] = structuredClone(repoObjects);
    const base = planOf(objects as KubeObject[], repoFiles, repoCharts);
    const first = throughMemo(base, file);
    expect(first.served.size).toBe(0);
    expect(first.found).toEqual(checked(base));
    // a new tag of a Deployment, with the version label that follows it
    const d = objects.find((o) => o.kind === 'Deployment' && o.spec?.template?.metadata?.labels)!;
    d.spec.template.spec.containers[0].image += '-next';
    d.spec.template.metadata.labels.version = 'next';
    const next = planOf(objects as KubeObject[], repoFiles, repoCharts);
    const second = throughMemo(next, file);
    expect([...second.served].sort()).toEqual(MEMO_RULES.map((r) => r.id).sort());
    expect(second.found).toEqual(checked(next));
    // a selector that now picks the version label: the labels of that key count, so a miss
    const svc = objects.find((o) => o.kind === 'Service' && o.spec?.selector)!;
    svc.spec.selector.version = 'next';
    const after = planOf(objects as KubeObject[], repoFiles, repoCharts);
    const third = throughMemo(after, file);
    expect(third.served.has('service-selector')).toBe(false);
    expect(third.found).toEqual(checked(after));
  });

  // each change makes a rule that found nothing find something, through a label or field its
  // key must hold
  const cases: [string, string, (o: Record<string, any>[]) => void][] = [
    [
      'service-selector',
      'a pod label a Service selects',
      (o) => (o[0].spec.template.metadata.labels.version = '3'),
    ],
    ['service-selector', 'a Service selector', (o) => (o[2].spec.selector.app = 'c')],
    [
      'selector-overlap',
      'a pod label a selector expression matches',
      (o) => (o[1].spec.template.metadata.labels.track = 'stable'),
    ],
    [
      'selector-overlap',
      'a selector expression',
      (o) => (o[0].spec.selector.matchExpressions = []),
    ],
    ['selector-overlap', 'a selector', (o) => (o[1].spec.selector.matchLabels = { app: 'a' })],
    [
      'istio-references',
      'a pod label a subset selects',
      (o) => (o[0].spec.template.metadata.labels.track = 'canary'),
    ],
    ['istio-references', 'a subset', (o) => (o[3].spec.subsets[0].labels = { track: 'canary' })],
    [
      'istio-references',
      'a Service port',
      (o) => (o[4].spec.http[0].route[0].destination.port = { number: 81 }),
    ],
    ['istio-references', "a Service's name", (o) => (o[2].metadata.name = 'c')],
    ['hpa-target', 'a target name', (o) => (o[5].spec.scaleTargetRef.name = 'c')],
    ['hpa-target', "a workload's kind", (o) => (o[0].kind = 'StatefulSet')],
    ['hpa-target', "a workload's API version", (o) => (o[0].apiVersion = 'extensions/v1beta1')],
  ];
  for (const [id, what, change] of cases)
    it(`${id} finds something after a change of ${what}, never served from before`, () => {
      const rule = MEMO_RULES.find((r) => r.id === id)!;
      for (const rules of [[rule], MEMO_RULES]) {
        const file = join(tempDir(), 'prd.memo.json');
        const objects: Record<string, any>[] = structuredClone(cleanObjects);
        const base = planOf(objects as KubeObject[]);
        expect(throughMemo(base, file, rules).found[id]).toEqual([]);
        change(objects);
        const after = planOf(objects as KubeObject[]);
        const run = throughMemo(after, file, rules);
        expect(run.found[id].length).toBeGreaterThan(0);
        expect(run.found).toEqual(checked(after, rules));
        expect(run.served.has(id)).toBe(false);
      }
    });

  // the rules reading values, the cluster and the charts too: a change of one of those, or of an
  // object the repository's plan has, that makes the rule find something more
  const contextCases: [
    string,
    string,
    (o: Record<string, any>[]) => void,
    (ctx: Record<string, any>) => void,
    /** done to the objects before the first run too */
    ((o: Record<string, any>[]) => void)?,
  ][] = [
    [
      'scalardl',
      "the Ledger's properties",
      (o) => {
        const cm = o.find(
          (x) => x.kind === 'ConfigMap' && /ledger-properties$/.test(x.metadata.name),
        )!;
        const key = Object.keys(cm.data)[0];
        cm.data[key] += '\nscalar.dl.ledger.nonce={{ .Env.X }}\n';
      },
      () => {},
    ],
    [
      'scalardl',
      "the cluster's Kubernetes version",
      () => {},
      (ctx) => (ctx.cluster = { ...ctx.cluster, kubernetesVersion: '1.18' }),
    ],
    [
      'scalardl',
      'the values',
      () => {},
      (ctx) => (ctx.values.scalardl.ledger.ledgerProofEnabled = false),
      (o) => {
        // without rendered Ledger properties, whether proofs are on comes from the values
        const i = o.findIndex(
          (x) => x.kind === 'ConfigMap' && /ledger-properties$/.test(x.metadata.name),
        );
        o.splice(i, 1);
      },
    ],
    [
      'argocd-chart',
      "a chart's version",
      () => {},
      (ctx) => (ctx.charts = ctx.charts.map((c: any) => ({ ...c, version: '9.9.9' }))),
    ],
    [
      'argocd-chart',
      'the kind of an object of a chart an Application deploys',
      (o) => {
        const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.namespace === 'apps');
        cm!.kind = 'PriorityClass';
        cm!.apiVersion = 'scheduling.k8s.io/v1';
      },
      () => {},
    ],
  ];
  for (const [id, what, change, changeCtx, prepare] of contextCases)
    it(`${id} finds something more after a change of ${what}, never served from before`, () => {
      const rule = MEMO_RULES.find((r) => r.id === id)!;
      for (const rules of [[rule], MEMO_RULES]) {
        const file = join(tempDir(), 'prd.memo.json');
        const objects: Record<string, any>[] = structuredClone(repoObjects);
        const run = (plan: Plan, ctx: RuleContext) => {
          const memo = new PlanMemo(file, 'test tool', rules, plan.manifests, keysOf(plan));
          const found = Object.fromEntries(
            rules.map((r) => [r.id, placed(plan, memo.check(r, handed(r, plan), ctx))]),
          );
          memo.store();
          const plain = Object.fromEntries(
            rules.map((r) => [r.id, placed(plan, r.check(handed(r, plan), ctx))]),
          );
          return { found, plain, served: memo.served };
        };
        prepare?.(objects);
        const base = planOf(objects as KubeObject[], repoFiles, repoCharts);
        const before = run(base, contextOf(base)).found[id];
        change(objects);
        const after = planOf(objects as KubeObject[], repoFiles, repoCharts);
        const ctx = structuredClone({ ...contextOf(after), model: undefined }) as any;
        changeCtx(ctx);
        ctx.model = new ValidationModel(after.manifests);
        const r = run(after, ctx);
        expect(r.found).toEqual(r.plain);
        expect(r.found[id].length, what).toBeGreaterThan(before.length);
        expect(r.served.has(id)).toBe(false);
      }
    });

  it('serves no finding that a Service of type ExternalName no longer gives', () => {
    const file = join(tempDir(), 'prd.memo.json');
    const objects: Record<string, any>[] = structuredClone(defectObjects);
    const rules = MEMO_RULES.filter((r) => r.id === 'service-selector');
    expect(
      throughMemo(planOf(objects as KubeObject[]), file, rules).found['service-selector'],
    ).not.toEqual([]);
    objects[0].spec.type = 'ExternalName';
    const after = planOf(objects as KubeObject[]);
    const run = throughMemo(after, file, rules);
    expect(run.found).toEqual(checked(after, rules));
    expect(run.served.size).toBe(0);
  });

  it('works out the texts of changed objects only', () => {
    const file = join(tempDir(), 'prd.memo.json');
    const objects = structuredClone(repoObjects);
    let calls = 0;
    const counting = MEMO_RULES.map((r) => ({
      ...r,
      memo: {
        ...r.memo!,
        project: (...args: Parameters<NonNullable<Rule['memo']>['project']>) => {
          calls++;
          return r.memo!.project(...args);
        },
      },
    }));
    throughMemo(planOf(objects, repoFiles, repoCharts), file, counting);
    expect(calls).toBe(objects.length * MEMO_RULES.length);
    calls = 0;
    objects[3].metadata.annotations = { changed: 'yes' };
    throughMemo(planOf(objects, repoFiles, repoCharts), file, counting);
    expect(calls).toBe(MEMO_RULES.length);
  });

  // the memo rules together, and on the small plans (without values, cluster or charts: the
  // rules matching labels) each alone too (together, what one rule declares can stand in for what
  // another one forgets)
  const LABEL_RULES = MEMO_RULES.filter((r) => r.memo!.labelKeys || r.id === 'hpa-target');
  const table: [string, () => KubeObject[], number, number, Rule[], Base][] = [
    ['the repository plan', () => repoObjects, 11, 250, MEMO_RULES, 'repo'],
    ['a plan where each rule finds something', defectPlanObjects, 23, 250, MEMO_RULES, 'repo'],
  ];
  [LABEL_RULES, ...LABEL_RULES.map((r) => [r])].forEach((rules, k) => {
    const ids = rules.map((r) => r.id).join(', ');
    table.push(
      [
        `a small plan where no rule finds anything (${ids})`,
        () => cleanObjects,
        37 + k,
        400,
        rules,
        'bare',
      ],
      [`the defect documents alone (${ids})`, () => defectObjects, 53 + k, 400, rules, 'bare'],
    );
  });
  for (const [name, baseObjects, seed, count, rules, ctxBase] of table) {
    it(`reports what the rules find after ${count} random changes of ${name}`, () => {
      const dir = tempDir();
      const primed = join(dir, 'primed.json');
      const file = join(dir, 'prd.memo.json');
      const objects0 = structuredClone(baseObjects());
      const files = objects0.map((_, i) => repoFiles[i] ?? `defect-${i}.yaml`);
      const charts = objects0.map((_, i) => repoCharts[i] ?? 'c');
      const base = planOf(objects0, files, charts);
      const found0 = checked(base, rules, true, ctxBase);
      for (const r of rules)
        if (name.startsWith('a small plan')) expect(found0[r.id], r.id).toEqual([]);
        else if (!name.startsWith('the repository'))
          expect(found0[r.id].length, r.id).toBeGreaterThan(0);
      throughMemo(base, primed, rules, true, ctxBase);
      const pool = poolOf(objects0);
      const rand = random(seed);
      let served = 0;
      let missed = 0;
      for (let n = 0; n < count; n++) {
        const objects = structuredClone(objects0);
        // changes in the defect documents and in the repository's alike
        const what = mutate(objects, rand, pool);
        const plan = planOf(objects, files, charts);
        copyFileSync(primed, file);
        const memo = throughMemo(plan, file, rules, true, ctxBase);
        expect(memo.found, `${what}`).toEqual(checked(plan, rules, true, ctxBase));
        served += memo.served.size;
        missed += rules.length - memo.served.size;
      }
      expect(served).toBeGreaterThan((count * rules.length) / 20);
      expect(missed).toBeGreaterThan((count * rules.length) / 20);
    });
  }

  it('is a miss for each rule whose findings differ when the context it reads changed', () => {
    const plan = planOf([...structuredClone(repoObjects), ...structuredClone(defectObjects)]);
    let differs = 0;
    for (const rule of MEMO_RULES) {
      const file = join(tempDir(), 'prd.memo.json');
      throughMemo(plan, file, [rule], true);
      const files = throughMemo(plan, file, [rule], false);
      expect(files.found).toEqual(checked(plan, [rule], false));
      if (JSON.stringify(checked(plan, [rule], true)) !== JSON.stringify(files.found)) {
        differs++;
        expect(files.served.size, rule.id).toBe(0);
      }
      expect(throughMemo(plan, file, [rule], false).served.size).toBe(1);
    }
    expect(differs).toBeGreaterThanOrEqual(3);
  });

  it('serves nothing from a damaged or foreign file, and reports the same', () => {
    const dir = tempDir();
    const file = join(dir, 'prd.memo.json');
    const plan = planOf([...structuredClone(repoObjects), ...structuredClone(defectObjects)]);
    throughMemo(plan, file);
    const good = readFileSync(file, 'utf8');
    const data = JSON.parse(good);
    const firstRule = Object.keys(data.rules).find((id) => data.rules[id].findings.length > 0)!;
    const damaged: [string, string][] = [
      ['truncated', good.slice(0, good.length / 2)],
      ['another format', JSON.stringify({ ...data, format: 99 })],
      ['another tool', JSON.stringify({ ...data, tool: 'other' })],
      ['no hashes', JSON.stringify({ ...data, hashes: [] })],
      [
        'a place past the plan',
        JSON.stringify({
          ...data,
          rules: {
            ...data.rules,
            [firstRule]: {
              ...data.rules[firstRule],
              findings: [[plan.manifests.length, [], 'x']],
            },
          },
        }),
      ],
      [
        'a finding of another shape',
        JSON.stringify({
          ...data,
          rules: {
            ...data.rules,
            [firstRule]: { ...data.rules[firstRule], findings: [['0', [], 'x']] },
          },
        }),
      ],
      [
        'another full key',
        JSON.stringify({
          ...data,
          rules: { ...data.rules, [firstRule]: { ...data.rules[firstRule], full: 'x' } },
        }),
      ],
    ];
    for (const [what, text] of damaged) {
      writeFileSync(file, text);
      const run = throughMemo(plan, file);
      expect(run.found, what).toEqual(checked(plan));
      if (['truncated', 'another format', 'another tool', 'no hashes'].includes(what))
        expect(run.served.size, what).toBe(0);
      else expect(run.served.has(firstRule), what).toBe(false);
    }
    // and with the good file, a changed object's texts are worked out again, not taken from the
    // hashes stored for its old text
    writeFileSync(file, good);
    const objects = [...structuredClone(repoObjects), ...structuredClone(defectObjects)];
    const narrow = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'narrow')!;
    (narrow as Record<string, any>).spec.selector = { app: 'wide' };
    const changed = planOf(objects);
    const run = throughMemo(changed, file);
    expect(run.served.has('service-selector')).toBe(false);
    expect(run.found).toEqual(checked(changed));
  });

  it('keeps nothing for a rule that reports about an object not in the plan', () => {
    const file = join(tempDir(), 'prd.memo.json');
    const plan = planOf(structuredClone(repoObjects));
    const stray: Manifest = { chart: '', object: plan.manifests[0].object, file: 'x', line: 1 };
    const toy: Rule = {
      id: 'toy',
      description: 'toy',
      severity: 'error',
      docs: 'toy',
      memo: { project: (m, p) => p.identity(m) },
      check: () => [{ manifest: stray, message: 'stray' }],
    };
    throughMemo(plan, file, [toy]);
    const again = throughMemo(plan, file, [toy]);
    expect(again.served.size).toBe(0);
    expect(again.found.toy).toEqual([[-1, null, null, 'stray', null]]);
  });

  it('is used by runValidation with a findings cache file, and reports what a run without it does', () => {
    const dir = tempDir();
    const plan = planOf([...structuredClone(repoObjects), ...structuredClone(defectObjects)]);
    const run = (cacheFile?: string) =>
      runValidation({
        manifests: plan.manifests,
        ctx: ruleContext({ fileTexts: plan.fileTexts }),
        rules: MEMO_RULES,
        cacheFile,
      });
    const plain = run();
    expect(plain.length).toBeGreaterThan(4);
    expect(run(join(dir, 'validate', 'prd.json'))).toEqual(plain);
    const memo = JSON.parse(readFileSync(join(dir, 'validate', 'prd.memo.json'), 'utf8'));
    expect(Object.keys(memo.rules).sort()).toEqual(MEMO_RULES.map((r) => r.id).sort());
    rmSync(join(dir, 'validate', 'prd.run.json'));
    expect(run(join(dir, 'validate', 'prd.json'))).toEqual(plain);
  });
});
