import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitBlobId } from '../core/cache-files.js';
import type { Manifest } from '../core/manifest.js';
import { renderEnvironment } from '../generator/pipeline.js';
import { CACHE_DIR } from '../generator/project.js';
import { renderValidateAndWrite } from '../validators/release-guard.js';
import {
  cachedInContext,
  contextKey,
  FindingsCache,
  validatorFingerprint,
} from '../validators/findings-cache.js';
import { ValidationModel } from '../validators/model/index.js';
import { RULES } from '../validators/rules/index.js';
import { runValidation } from '../validators/run.js';
import { runMemoFile } from '../validators/run-memo.js';
import { manifestsFromYaml, ruleContext } from '../validators/testing/helpers.js';
import type { ContextInput, Finding, Rule, RuleFinding, Taint } from '../validators/types.js';
import { buildContext, validateCommand } from '../validators/validate.js';
import { REPO_ROOT } from './helpers.js';

const CLI = join(REPO_ROOT, 'dist/cli/main.js');
/** The CLI's environment on a developer's machine (CI turns the caches off). */
const local: NodeJS.ProcessEnv = { ...process.env };
delete local.CI;

/**
 * The findings cache of object-local rules (validators/findings-cache.ts): a rule marked
 * `scope: 'object'` finds the same about a plan as about each object alone, and a cached run
 * reports exactly what an uncached run reports whatever input changed.
 */

const OBJECT_RULES = RULES.filter((r) => r.scope === 'object');
/** Those that run without a cluster declaration (the small plans below have none). */
const CLUSTERLESS = OBJECT_RULES.filter((r) => r.needs !== 'cluster');

/** Documents with something for each object-local rule to find. */
const BAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replica: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      resources:
        limits: { cpu: "1" }
      containers:
        - name: web
          image: registry.local/web:1.0.0
          ports:
            - containerPort: 70000
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: Bad_Name
  namespace: apps
  labels:
    team: ${'x'.repeat(70)}
data:
  "bad key": v
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: apps
spec:
  template:
    spec:
      restartPolicy: Always
      containers:
        - name: m
          image: registry.local/m:1.0.0
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: apps
spec:
  size: 3
`;

const GOOD = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  selector: { app: web }
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

/** An AWS key id in a field, and in comments of a file of two documents (placed by line). */
const AWS_KEY = 'AKIA' + 'Q3EXAMPLEKEY7ABC';
const CREDENTIALS: Record<string, string> = {
  'field.yaml': `apiVersion: v1
kind: ConfigMap
metadata: { name: aws, namespace: apps }
data:
  id: ${AWS_KEY}
`,
  'comments.yaml': `# first: ${AWS_KEY}
apiVersion: v1
kind: ConfigMap
metadata: { name: one, namespace: apps }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: two, namespace: apps }
# after two: ${AWS_KEY}
`,
  'good.yaml': GOOD,
};

function plan(files: Record<string, string>): { manifests: Manifest[]; ctx: ContextInput } {
  const { manifests, fileTexts } = manifestsFromYaml(files, 'app');
  return { manifests, ctx: ruleContext({ fileTexts }) };
}

const strip = (fs: Finding[]) => fs.map((f) => ({ ...f }));

describe('object-local rules', () => {
  it('exist, and the cached run covers exactly them', () => {
    expect(OBJECT_RULES.map((r) => r.id).sort()).toEqual([
      'api-consistency',
      'api-metadata',
      'api-values',
      'config-references',
      'daemonset-everywhere',
      'dedicated-pool',
      'image-registry',
      'image-tag',
      'kinesis-access',
      'mxtransporter',
      'resources',
      'schedulable',
      'schema',
      'secret-leak',
      'storage-class',
    ]);
  });

  const cases: [string, () => { manifests: Manifest[]; ctx: ContextInput }][] = [
    ['bad documents', () => plan({ 'bad.yaml': BAD, 'good.yaml': GOOD })],
    ['credentials in fields and comments', () => plan(CREDENTIALS)],
    ...['dev', 'prd'].map(
      (env) =>
        [
          `the repository's ${env} plan`,
          () => {
            const r = renderEnvironment(REPO_ROOT, env, { environ: {} });
            const texts = new Map<string, string>();
            for (const [p, t] of r.release.files) texts.set(`release/${env}/${p}`, t);
            const manifests = r.release.manifests.map((m) => ({
              ...m,
              file: `release/${env}/${m.file}`,
            }));
            return {
              manifests,
              ctx: buildContext(r.project, r.loaded, texts, {
                strict: true,
                allowUnknownKinds: [],
              }),
            };
          },
        ] as [string, () => { manifests: Manifest[]; ctx: ContextInput }],
    ),
  ];
  for (const [name, make] of cases) {
    it(`find about ${name} what they find about each object alone`, () => {
      const { manifests, ctx } = make();
      for (const rule of OBJECT_RULES) {
        if (rule.needs === 'cluster' && !ctx.cluster) continue;
        const whole = rule.check(manifests, { ...ctx, model: new ValidationModel(manifests) });
        // each file's objects with the objects of the kinds the rule reads, as a cached run
        // checks them again
        const kinds = rule.reads?.kinds ?? [];
        const files = [...new Set(manifests.map((m) => m.file))];
        const alone = files.flatMap((file) => {
          const own = manifests.filter((m) => m.file === file);
          const read = manifests.filter((o) => o.file !== file && kinds.includes(o.object.kind));
          const found = rule.check(own, {
            ...ctx,
            model: new ValidationModel(
              manifests.filter((o) => own.includes(o) || read.includes(o)),
            ),
            recheck: true,
          });
          // a check again says nothing about the values (the cache gives that back)
          expect(
            found.filter((f) => f.valuePath !== undefined),
            rule.id,
          ).toEqual([]);
          return found.filter((f) => f.manifest && own.includes(f.manifest));
        });
        const key = (f: RuleFinding) =>
          f.manifest
            ? `${f.manifest.file}:${f.manifest.line} ${JSON.stringify(f.path)} ${f.message}`
            : `values ${JSON.stringify(f.valuePath)} ${f.message}`;
        const aboutObjects = whole.filter((f) => f.valuePath === undefined);
        expect(alone.map(key).sort(), rule.id).toEqual(aboutObjects.map(key).sort());
        // and every finding is about one of the objects it was given, or about the values as a
        // check of no object finds them (from the context alone)
        for (const f of aboutObjects) expect(manifests, rule.id).toContain(f.manifest);
        const aboutValues = whole.filter((f) => f.valuePath !== undefined);
        const fromContext = rule
          .check([], { ...ctx, model: new ValidationModel([]) })
          .filter((f) => f.valuePath !== undefined);
        expect(aboutValues.map(key).sort(), rule.id).toEqual(fromContext.map(key).sort());
        // and nothing it finds names the file's path (the cache keys objects without it)
        const renamed = manifests.map((m) => ({ ...m, file: `elsewhere/${m.file}` }));
        const moved = rule.check(renamed, {
          ...ctx,
          fileTexts: new Map([...ctx.fileTexts].map(([f, t]) => [`elsewhere/${f}`, t])),
          model: new ValidationModel(renamed),
        });
        const said = (fs: RuleFinding[]) =>
          fs.map((f) => `${JSON.stringify(f.path ?? f.valuePath)} ${f.message}`).sort();
        expect(said(moved), rule.id).toEqual(said(whole));
      }
    });
  }
});

describe('findings cache', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'findings-cache-'));
    file = join(dir, 'validate', 'prd.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An uncached and a cached run of the same input; returns the cached run's findings. */
  function both(
    files: Record<string, string>,
    ctxOverrides: Partial<ContextInput> = {},
    rules: Rule[] = RULES,
  ): Finding[] {
    const input = () => {
      const p = plan(files);
      return { manifests: p.manifests, ctx: { ...p.ctx, ...ctxOverrides }, rules };
    };
    const plain = runValidation(input());
    // what the findings cache serves, not the memo of the whole run
    rmSync(runMemoFile(file), { force: true });
    const cached = runValidation({ ...input(), cacheFile: file });
    expect(strip(cached)).toEqual(strip(plain));
    return cached;
  }

  function hitsOf(files: Record<string, string>, ctxOverrides: Partial<ContextInput> = {}) {
    const p = plan(files);
    const ctx = { ...p.ctx, ...ctxOverrides };
    const cache = new FindingsCache(
      file,
      contextKey(CLUSTERLESS, ctx, 'tool'),
      CLUSTERLESS,
      p.manifests,
      ctx.fileTexts,
    );
    const model = new ValidationModel(p.manifests);
    const found = CLUSTERLESS.flatMap((r) =>
      cache.check(r, p.manifests, { ...ctx, model }, (s) => new ValidationModel(s)),
    );
    cache.store();
    return { hits: cache.hits.get('schema') ?? 0, found: found.length };
  }

  it('serves a second run from the cache and reports the same findings', () => {
    const first = both({ 'bad.yaml': BAD, 'good.yaml': GOOD });
    expect(first.filter((f) => f.severity === 'error').length).toBeGreaterThan(4);
    const objectRules = new Set(OBJECT_RULES.map((r) => r.id));
    expect(new Set(first.map((f) => f.ruleId).filter((id) => objectRules.has(id)))).toEqual(
      new Set(['schema', 'api-metadata', 'api-values', 'api-consistency', 'resources']),
    );
    // the same again, now from the file the first cached run wrote
    const again = both({ 'bad.yaml': BAD, 'good.yaml': GOOD });
    expect(strip(again)).toEqual(strip(first));
    expect(hitsOf({ 'bad.yaml': BAD, 'good.yaml': GOOD }).hits).toBe(0); // another key ('tool')
    expect(hitsOf({ 'bad.yaml': BAD, 'good.yaml': GOOD }).hits).toBe(5); // now stored under it
  });

  /** Objects each rule got from the cache in a cached run (after an uncached one compared). */
  function ruleHits(
    files: Record<string, string>,
    ctxOverrides: Partial<ContextInput> = {},
    chart?: Record<string, string>,
  ): Map<string, number> {
    const { manifests, fileTexts } = manifestsFromYaml(files, chart ?? 'app');
    const ctx = { ...ruleContext({ fileTexts }), ...ctxOverrides };
    const model = new ValidationModel(manifests);
    // the rules and the key of a cached run of the same input (`both` shares the file)
    const rules = OBJECT_RULES.filter(
      (r) => (r.needs !== 'cluster' || ctx.cluster) && cachedInContext(r, { ...ctx, model }),
    );
    const cache = new FindingsCache(
      file,
      contextKey(rules, ctx, validatorFingerprint()),
      rules,
      manifests,
      fileTexts,
    );
    // each rule is handed the objects of its kinds, as the runner does
    const given = (r: Rule) => manifests.filter((m) => !r.kinds || r.kinds.includes(m.object.kind));
    const cached = rules.flatMap((r) =>
      cache.check(r, given(r), { ...ctx, model }, (s) => new ValidationModel(s)),
    );
    cache.store();
    const plain = rules.flatMap((r) => r.check(given(r), { ...ctx, model }));
    const key = (f: { manifest?: Manifest; path?: unknown; message: string }) =>
      `${f.manifest?.file}:${f.manifest?.line} ${JSON.stringify(f.path)} ${f.message}`;
    expect(cached.map(key).sort()).toEqual(plain.map(key).sort());
    return cache.hits;
  }

  const EXPORTER = `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: orders, namespace: mx }
spec:
  serviceName: orders
  selector: { matchLabels: { app: orders } }
  template:
    metadata: { labels: { app: orders } }
    spec:
      containers:
        - name: mxtransporter
          image: registry.local/mxtransporter:1.0.0
          envFrom: [{ configMapRef: { name: orders } }]
          volumeMounts: [{ name: token, mountPath: /token }]
  volumeClaimTemplates:
    - metadata: { name: token }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`;
  const exporterConfig = (destination: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: orders, namespace: mx }
data:
  MONGODB_HOST: mongo
  MONGODB_DATABASE: shop
  MONGODB_COLLECTION: orders
  EXPORT_DESTINATION: ${destination}
  TIME_ZONE: UTC
  RESUME_TOKEN_VOLUME_DIR: /token
`;

  it('checks every object again for a rule when an object of a kind it reads changed', () => {
    const files = { 'sts.yaml': EXPORTER, 'cm.yaml': exporterConfig('file') };
    ruleHits(files);
    expect(ruleHits(files).get('mxtransporter')).toBe(2);
    // the StatefulSet's file is the same; the ConfigMap it reads now names a destination whose
    // variables are missing: the exporter is checked again, the other rules still hit
    const changed = { ...files, 'cm.yaml': exporterConfig('kinesisStream') };
    const hits = ruleHits(changed);
    expect(hits.get('mxtransporter')).toBe(0);
    // (the StatefulSet; the ConfigMap changed)
    expect(hits.get('schema')).toBe(1);
    expect(hits.get('resources')).toBe(1);
    const found = both(changed).filter((f) => f.ruleId === 'mxtransporter');
    expect(found.map((f) => f.message).join('\n')).toMatch(/KINESIS_STREAM_NAME is not set/);
    expect(both(files).some((f) => f.ruleId === 'mxtransporter')).toBe(false);
    // a Deployment reading a key of a Secret: the Secret loses the key
    const pod = `apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: apps }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers:
        - name: api
          image: registry.local/api:1.0.0
          env:
            - name: DB_PASSWORD
              valueFrom: { secretKeyRef: { name: db, key: password } }
`;
    const secret = (key: string) => `apiVersion: v1
kind: Secret
metadata: { name: db, namespace: apps }
stringData: { ${key}: x }
`;
    const withKey = { 'pod.yaml': pod, 'secret.yaml': secret('password') };
    const missingKey = (fs: Finding[]) =>
      fs.some((f) => f.ruleId === 'config-references' && /needs key "password"/.test(f.message));
    expect(missingKey(both(withKey))).toBe(false);
    ruleHits(withKey);
    const renamed = { ...withKey, 'secret.yaml': secret('pass') };
    expect(ruleHits(renamed).get('config-references')).toBe(0);
    ruleHits(withKey);
    expect(missingKey(both(renamed))).toBe(true);
  });

  it('follows the context a rule reads: the cluster, the allowed registries, the environment', () => {
    const files = { 'bad.yaml': BAD, 'good.yaml': GOOD };
    const group = (taints: Taint[]): Partial<ContextInput> => ({
      cluster: {
        name: 'shop',
        kubernetesVersion: '1.31',
        provider: 'eks',
        nodeGroups: [
          {
            name: 'general',
            instanceType: 'm5.large',
            minSize: 1,
            desiredSize: 2,
            maxSize: 3,
            labels: { pool: 'general' },
            taints,
          },
        ],
      },
    });
    const open = group([]);
    const tainted = group([{ key: 'dedicated', value: 'ledger', effect: 'NoSchedule' }]);
    // one rule at a time: the key is shared, so another rule reading the same would hide a gap
    const only = (id: string) => RULES.filter((r) => r.id === id);
    const unschedulable = (fs: Finding[]) => fs.some((f) => f.ruleId === 'schedulable');
    const schedulable = only('schedulable');
    expect(unschedulable(both(files, open, schedulable))).toBe(false);
    expect(unschedulable(both(files, tainted, schedulable))).toBe(true);
    expect(unschedulable(both(files, open, schedulable))).toBe(false);
    const everywhere = only('daemonset-everywhere');
    const agent = {
      'ds.yaml': `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: fluent-bit, namespace: logging }
spec:
  selector: { matchLabels: { app: fluent-bit } }
  template:
    metadata: { labels: { app: fluent-bit } }
    spec:
      containers: [{ name: fluent-bit, image: registry.local/fluent-bit:3.0.0 }]
`,
    };
    const skipsNodes = (fs: Finding[]) => fs.some((f) => f.ruleId === 'daemonset-everywhere');
    expect(skipsNodes(both(agent, open, everywhere))).toBe(false);
    expect(skipsNodes(both(agent, tainted, everywhere))).toBe(true);
    const registry = only('image-registry');
    const foreign = (fs: Finding[]) => fs.some((f) => f.ruleId === 'image-registry');
    expect(foreign(both(files, { allowedRegistries: ['registry.local'] }, registry))).toBe(false);
    expect(foreign(both(files, { allowedRegistries: ['ecr.example'] }, registry))).toBe(true);
    const latest = { 'l.yaml': BAD.replace('web:1.0.0', 'web:latest') };
    const severityOf = (fs: Finding[]) => fs.find((f) => f.ruleId === 'image-tag')?.severity;
    const tag = only('image-tag');
    expect(severityOf(both(latest, { env: 'dev' }, tag))).toBe('warning');
    expect(severityOf(both(latest, { env: 'prd' }, tag))).toBe('error');
  });

  it('follows the charts dedicated-pool takes owners from, and leaves it uncached for an unknown chart', () => {
    const pool = (name: string, taint?: string) => ({
      name,
      instanceType: 'm5.large',
      minSize: 1,
      desiredSize: 1,
      maxSize: 2,
      labels: { pool: name },
      taints: taint ? [{ key: 'dedicated', value: taint, effect: 'NoSchedule' as const }] : [],
    });
    const cluster = {
      name: 'shop',
      kubernetesVersion: '1.31',
      provider: 'eks' as const,
      nodeGroups: [pool('general'), pool('exporters', 'mxtransporter')],
    };
    // an app workload on the pool whose taint names the mxtransporter chart
    const files = {
      'billing.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: billing, namespace: shop }
spec:
  selector: { matchLabels: { app: billing } }
  template:
    metadata: { labels: { app: billing } }
    spec:
      nodeSelector: { pool: exporters }
      tolerations: [{ key: dedicated, operator: Equal, value: mxtransporter, effect: NoSchedule }]
      containers: [{ name: main, image: registry.local/billing:1.0.0 }]
`,
    };
    const only = RULES.filter((r) => r.id === 'dedicated-pool');
    const charts = (...names: string[]) => names.map((name) => ({ name, version: '1.0.0' }));
    const foreignOwner = (fs: Finding[]) =>
      fs.some((f) => f.ruleId === 'dedicated-pool' && /mxtransporter/.test(f.message));
    // the owner is known only when the project has that chart
    expect(foreignOwner(both(files, { cluster, charts: charts('app') }, only))).toBe(false);
    expect(
      foreignOwner(both(files, { cluster, charts: charts('app', 'mxtransporter') }, only)),
    ).toBe(true);
    expect(foreignOwner(both(files, { cluster, charts: charts('app') }, only))).toBe(false);
    // an object of a chart the project does not have: its owners depend on the objects
    const rule = only[0];
    const { manifests } = manifestsFromYaml(files, 'billing-chart');
    const ctx = { ...plan(files).ctx, cluster, charts: charts('app') };
    expect(cachedInContext(rule, { ...ctx, model: new ValidationModel(manifests) })).toBe(false);
    expect(
      cachedInContext(rule, {
        ...ctx,
        model: new ValidationModel(manifestsFromYaml(files, 'app').manifests),
      }),
    ).toBe(true);
  });

  it('places a credential in a comment as an uncached run does, and leaves files of no object uncached', () => {
    const leaks = (fs: Finding[]) =>
      fs
        .filter((f) => f.ruleId === 'secret-leak')
        .map((f) => `${f.location?.file}:${f.location?.line} ${f.resource}`)
        .sort();
    const first = leaks(both(CREDENTIALS));
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(first.some((f) => f.startsWith('comments.yaml'))).toBe(true);
    expect(ruleHits(CREDENTIALS).get('secret-leak')).toBe(4);
    // another file changes: the comments are placed from the cache, once each
    const edited = { ...CREDENTIALS, 'good.yaml': GOOD.replace('port: 80', 'port: 81') };
    expect(leaks(both(edited))).toEqual(first);
    ruleHits(CREDENTIALS);
    expect(ruleHits(edited).get('secret-leak')).toBe(3);
    // the commented file changes: both of its objects are checked again
    const moved = {
      ...edited,
      'comments.yaml': CREDENTIALS['comments.yaml'].replace(`# first: ${AWS_KEY}\n`, ''),
    };
    expect(ruleHits(moved).get('secret-leak')).toBe(2);
    ruleHits(edited);
    const after = leaks(both(moved));
    expect(after.filter((f) => f.startsWith('comments.yaml'))).toHaveLength(1);
    // a damaged entry of one object of the commented file: the whole file is checked again
    ruleHits(CREDENTIALS);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, unknown> };
    const prefix = `${gitBlobId(CREDENTIALS['comments.yaml'])}:`;
    const ofFile = Object.keys(data.entries).filter((k) => k.startsWith(prefix));
    expect(ofFile).toHaveLength(2);
    data.entries[ofFile[1]] = { 'secret-leak': 'junk' };
    writeFileSync(file, JSON.stringify(data));
    expect(ruleHits(CREDENTIALS).get('secret-leak')).toBe(2);
    data.entries[ofFile[0]] = { 'secret-leak': 'junk' };
    data.entries[ofFile[1]] = 0;
    writeFileSync(file, JSON.stringify(data));
    expect(leaks(both(CREDENTIALS))).toEqual(first);
    // a file of comments only puts its finding on no object: secret-leak is then not cached
    const bare = { ...moved, 'notes.yaml': `# ${AWS_KEY}\n` };
    const found = both(bare).filter((f) => f.ruleId === 'secret-leak');
    expect(found.some((f) => f.location?.file === undefined || f.resource === 'values')).toBe(true);
    expect(ruleHits(bare).get('secret-leak')).toBeUndefined();
  });

  it('gives back what a rule found about the values with its entries, once', () => {
    const broad: Partial<ContextInput> = {
      cluster: {
        name: 'shop',
        kubernetesVersion: '1.31',
        provider: 'eks',
        region: 'ap-northeast-1',
        nodeGroups: [
          {
            name: 'general',
            instanceType: 'm5.large',
            minSize: 1,
            desiredSize: 2,
            maxSize: 3,
            iamPolicies: ['arn:aws:iam::aws:policy/AmazonKinesisFullAccess'],
          },
        ],
      },
    };
    const files = { 'sts.yaml': EXPORTER, 'cm.yaml': exporterConfig('file'), 'good.yaml': GOOD };
    const onValues = (fs: Finding[]) =>
      fs.filter((f) => f.ruleId === 'kinesis-access' && f.resource === 'values');
    // every object checked; then every object served; then one file checked again
    expect(onValues(both(files, broad))).toHaveLength(1);
    expect(onValues(both(files, broad))).toHaveLength(1);
    const labelled = EXPORTER.replace(
      'metadata: { name: orders, namespace: mx }',
      'metadata: { name: orders, namespace: mx, labels: { team: data } }',
    );
    expect(labelled).not.toBe(EXPORTER);
    const edited = { ...files, 'sts.yaml': labelled };
    expect(onValues(both(edited, broad))).toHaveLength(1);
    ruleHits(files, broad);
    // (the ConfigMap hits; the StatefulSet is checked again; the Service is not its kind)
    expect(ruleHits(edited, broad).get('kinesis-access')).toBe(1);
    // the declaration changes: the key does, and the finding goes
    const narrow = { cluster: { ...broad.cluster!, nodeGroups: [] } };
    expect(onValues(both(edited, narrow))).toHaveLength(0);
  });

  it('keys an object by its chart too', () => {
    // the same text rendered by another chart is another object: mxtransporter recognises an
    // exporter by its chart
    const unlabelled = EXPORTER.replace('registry.local/mxtransporter:1.0.0', 'registry.local/x:1');
    const files = { 'sts.yaml': unlabelled, 'cm.yaml': exporterConfig('bogus') };
    const asApp = both(files);
    expect(asApp.some((f) => f.ruleId === 'mxtransporter')).toBe(false);
    ruleHits(files, {}, { 'sts.yaml': 'mxtransporter', 'cm.yaml': 'mxtransporter' });
    expect(
      ruleHits(files, {}, { 'sts.yaml': 'mxtransporter', 'cm.yaml': 'mxtransporter' }).get(
        'mxtransporter',
      ),
    ).toBe(2);
    expect(ruleHits(files).get('mxtransporter')).toBe(0);
  });

  it('checks a changed object again, and only it', () => {
    const fixed = BAD.replace('containerPort: 70000', 'containerPort: 7000');
    hitsOf({ 'bad.yaml': BAD, 'good.yaml': GOOD });
    // one file changed: its objects miss (a file's text keys its documents), the other file hits
    expect(hitsOf({ 'bad.yaml': fixed, 'good.yaml': GOOD }).hits).toBe(1);
    both({ 'bad.yaml': BAD, 'good.yaml': GOOD });
    const after = both({ 'bad.yaml': fixed, 'good.yaml': GOOD });
    expect(after.some((f) => /70000|65535/.test(f.message))).toBe(false);
    const broken = GOOD.replace('port: 80\n', 'port: 0\n');
    const b = both({ 'bad.yaml': BAD, 'good.yaml': broken });
    expect(b.some((f) => f.location?.file === 'good.yaml' && f.ruleId === 'api-values')).toBe(true);
  });

  it('follows the Kubernetes version, strict mode and the kinds accepted without a schema', () => {
    const files = { 'bad.yaml': BAD };
    const podResources = (fs: Finding[]) =>
      fs.some((f) => f.ruleId === 'schema' && f.path.includes('template.spec.resources'));
    expect(podResources(both(files, { kubernetesVersion: '1.31' }))).toBe(true);
    expect(podResources(both(files, { kubernetesVersion: '1.33' }))).toBe(false);
    expect(podResources(both(files, { kubernetesVersion: '1.31' }))).toBe(true);
    const unknownField = (fs: Finding[]) => fs.some((f) => f.path === 'spec.replica');
    expect(unknownField(both(files, { strict: true }))).toBe(true);
    expect(unknownField(both(files, { strict: false }))).toBe(false);
    const widget = (fs: Finding[]) => fs.some((f) => f.resource.startsWith('Widget/'));
    expect(widget(both(files, { allowUnknownKinds: [] }))).toBe(true);
    expect(widget(both(files, { allowUnknownKinds: ['Widget'] }))).toBe(false);
    expect(widget(both(files, { allowUnknownKinds: [] }))).toBe(true);
  });

  it('follows the rule selection and the tool', () => {
    const files = { 'bad.yaml': BAD };
    const noApi = RULES.filter((r) => r.id !== 'api-values');
    expect(both(files, {}, noApi).some((f) => f.ruleId === 'api-values')).toBe(false);
    expect(both(files).some((f) => f.ruleId === 'api-values')).toBe(true);
    const ctx = plan(files).ctx;
    expect(contextKey(OBJECT_RULES, ctx, 'tool a')).not.toBe(contextKey(OBJECT_RULES, ctx, 'b'));
    expect(contextKey(OBJECT_RULES, ctx, 'a')).not.toBe(
      contextKey(OBJECT_RULES.slice(1), ctx, 'a'),
    );
  });

  it('treats a corrupt, truncated or foreign file as a miss', () => {
    const files = { 'bad.yaml': BAD, 'good.yaml': GOOD };
    hitsOf(files);
    const stored = readFileSync(file, 'utf8');
    writeFileSync(file, stored.slice(0, stored.length / 2));
    expect(hitsOf(files).hits).toBe(0);
    // an entry that claims an object is clean under a foreign format, or holds junk
    const data = JSON.parse(readFileSync(file, 'utf8')) as {
      format: number;
      entries: Record<string, unknown>;
    };
    for (const k of Object.keys(data.entries)) data.entries[k] = { schema: 'junk' };
    writeFileSync(file, JSON.stringify(data));
    const junk = hitsOf(files);
    expect(junk.hits).toBe(0);
    expect(junk.found).toBeGreaterThan(4);
    writeFileSync(file, JSON.stringify({ ...data, format: 99 }));
    expect(hitsOf(files).hits).toBe(0);
    writeFileSync(file, 'null');
    expect(hitsOf(files).hits).toBe(0);
    both(files);
  });

  it('stores nothing for a rule that reports another object than the one it checks', () => {
    const files = { 'bad.yaml': BAD, 'good.yaml': GOOD };
    const liar: Rule = {
      id: 'liar',
      description: 'reports a copy of an object it was given',
      severity: 'error',
      docs: 'test',
      scope: 'object',
      check: (m) => [{ manifest: { ...m[0] }, message: 'x' }],
    };
    const p = plan(files);
    runValidation({ ...p, rules: [liar], cacheFile: file });
    expect(existsSync(file)).toBe(false);
  });

  it('keys objects by their files’ git blob ids, computed or given by the caller', () => {
    const files = { 'bad.yaml': BAD, 'good.yaml': GOOD };
    let checked = 0;
    const counting: Rule = {
      id: 'counting',
      description: 'counts the objects it checks',
      severity: 'error',
      docs: 'test',
      scope: 'object',
      check: (m) => {
        checked += m.length;
        return [];
      },
    };
    const run = (blobIds?: Map<string, string>) => {
      checked = 0;
      rmSync(runMemoFile(file), { force: true });
      runValidation({ ...plan(files), rules: [counting], cacheFile: file, blobIds });
      return checked;
    };
    expect(run()).toBe(5);
    const ids = new Map(Object.entries(files).map(([f, t]) => [f, gitBlobId(t)]));
    expect(run(ids)).toBe(0);
    expect(run()).toBe(0);
    // the ids given are what keys the objects
    expect(run(new Map([...ids.keys()].map((f) => [f, 'another id'])))).toBe(5);
  });

  it('leaves no temporary file and a readable cache after interleaved runs', () => {
    const files = { 'bad.yaml': BAD, 'good.yaml': GOOD };
    const p = plan(files);
    const make = () =>
      new FindingsCache(
        file,
        contextKey(CLUSTERLESS, p.ctx, 'tool'),
        CLUSTERLESS,
        p.manifests,
        p.ctx.fileTexts,
      );
    const a = make();
    const b = make();
    const model = new ValidationModel(p.manifests);
    for (const c of [a, b])
      for (const r of CLUSTERLESS)
        c.check(r, p.manifests, { ...p.ctx, model }, (s) => new ValidationModel(s));
    b.store();
    a.store();
    expect(readdirSync(join(dir, 'validate'))).toEqual(['prd.json']);
    expect(hitsOf(files).hits).toBe(5);
  });
});

describe('findings cache in the commands', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function project(): string {
    const dir = mkdtempSync(join(tmpdir(), 'findings-cache-cmd-'));
    made.push(dir);
    cpSync(join(REPO_ROOT, 'charts'), join(dir, 'charts'), { recursive: true });
    cpSync(join(REPO_ROOT, 'values'), join(dir, 'values'), { recursive: true });
    return dir;
  }
  const cacheFile = (dir: string) => join(dir, CACHE_DIR, 'validate', 'prd.json');
  const validate = (dir: string, cache: boolean, environ: Record<string, string> = {}) =>
    strip(validateCommand({ root: dir, env: 'prd', environ, cache }).findings);

  it('render stores it, validate --env uses it and reports what an uncached run reports', async () => {
    const dir = project();
    const r = await renderValidateAndWrite(dir, 'prd', { environ: {}, cache: true });
    expect(r.written).toBeDefined();
    expect(existsSync(cacheFile(dir))).toBe(true);
    expect(validate(dir, true)).toEqual(validate(dir, false));
    // an edit of the committed plan is checked again
    const svc = readdirSync(join(dir, 'release/prd'), { recursive: true, encoding: 'utf8' }).find(
      (p) =>
        /deployment-.*\.yaml$/.test(p) &&
        /containerPort: \d+/.test(readFileSync(join(dir, 'release/prd', p), 'utf8')),
    )!;
    const path = join(dir, 'release/prd', svc);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(/containerPort: \d+/, 'containerPort: 70000'),
    );
    const edited = validate(dir, true);
    expect(edited).toEqual(validate(dir, false));
    expect(edited.some((f) => f.ruleId === 'api-values' && /65535/.test(f.message))).toBe(true);
  });

  it('keeps nothing of files holding a set secret’s value', () => {
    const dir = project();
    const secret = 'a-secret-value-in-the-plan-1234';
    const declared = (
      load(readFileSync(join(dir, 'values/secrets.yaml'), 'utf8')) as { secrets: { env: string }[] }
    ).secrets.map((d) => d.env);
    spawnSync(process.execPath, [CLI, '--root', dir, 'render', '--env', 'prd', '--no-cache'], {
      env: local,
    });
    rmSync(join(dir, CACHE_DIR), { recursive: true, force: true });
    const file = readdirSync(join(dir, 'release/prd'), { recursive: true, encoding: 'utf8' }).find(
      (p) => p.endsWith('.yaml'),
    )!;
    const path = join(dir, 'release/prd', file);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(
        /name: (\S+)\n/,
        `name: $1\n  labels: { leak: ${secret} }\n`,
      ),
    );
    validate(dir, true, { [declared[0]]: secret });
    expect(existsSync(cacheFile(dir))).toBe(false);
    validate(dir, true, {});
    expect(existsSync(cacheFile(dir))).toBe(true);
  });

  it('validate --no-cache neither reads nor writes it', () => {
    const dir = project();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, '--root', dir, ...args], { encoding: 'utf8', env: local });
    expect(cli('render', '--env', 'prd', '--no-cache').status).toBe(0);
    expect(existsSync(cacheFile(dir))).toBe(false);
    const plain = cli('validate', '--env', 'prd', '--no-cache', '--format', 'json');
    expect(existsSync(cacheFile(dir))).toBe(false);
    const first = cli('validate', '--env', 'prd', '--format', 'json');
    expect(existsSync(cacheFile(dir))).toBe(true);
    // a cache that says every object is clean is not read with --no-cache
    const data = JSON.parse(readFileSync(cacheFile(dir), 'utf8')) as { entries: object };
    expect(Object.keys(data.entries).length).toBeGreaterThan(50);
    const second = cli('validate', '--env', 'prd', '--format', 'json');
    expect(second.stdout).toBe(first.stdout);
    expect(first.stdout).toBe(plain.stdout);
    expect(first.status).toBe(plain.status);
  });

  it('is neither read nor written in CI (the CI variable set), nor is the render cache', () => {
    const dir = project();
    const run = (env: NodeJS.ProcessEnv, ...args: string[]) =>
      spawnSync(process.execPath, [CLI, '--root', dir, ...args], { encoding: 'utf8', env });
    for (const ci of ['true', '1']) {
      expect(run({ ...local, CI: ci }, 'render', '--env', 'prd').status).toBe(0);
      expect(run({ ...local, CI: ci }, 'validate', '--env', 'prd').status).toBe(0);
      expect(existsSync(join(dir, CACHE_DIR))).toBe(false);
    }
    expect(run({ ...local, CI: 'false' }, 'validate', '--env', 'prd').status).toBe(0);
    expect(existsSync(cacheFile(dir))).toBe(true);
    // a cache planted in the checkout does not change what CI reports
    const planted = readdirSync(join(dir, 'release/prd'), { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.yaml'))
      .map((p) => join(dir, 'release/prd', p))
      .find((p) => /containerPort: \d+/.test(readFileSync(p, 'utf8')))!;
    const original = readFileSync(planted, 'utf8');
    const edited = original.replace(/containerPort: \d+/, 'containerPort: 99999');
    writeFileSync(planted, edited);
    const clean = run({ ...local, CI: 'false' }, 'validate', '--env', 'prd', '--no-cache');
    expect(clean.status).toBe(1);
    // an entry saying the edited object is clean, as someone could commit it
    const data = JSON.parse(readFileSync(cacheFile(dir), 'utf8')) as {
      entries: Record<string, unknown>;
    };
    // (an object's key: its file's blob id, then a hash of its place, file and chart)
    const key = Object.keys(data.entries).find((k) => k.startsWith(`${gitBlobId(original)}:`))!;
    expect(key).toBeDefined();
    data.entries[key.replace(gitBlobId(original), gitBlobId(edited))] = 0;
    writeFileSync(cacheFile(dir), JSON.stringify(data));
    expect(run({ ...local, CI: 'false' }, 'validate', '--env', 'prd').status).toBe(0);
    const ci = run({ ...local, CI: 'true' }, 'validate', '--env', 'prd');
    expect(ci.status).toBe(1);
    expect(ci.stdout).toBe(clean.stdout);
  });
});
