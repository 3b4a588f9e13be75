/**
 * The bench's generated repository: a copy of this repository's charts and values with many more
 * `app` services (values/prd/app.yaml) and MxTransporter collections (values/prd/mxtransporter.yaml),
 * so every chart renders and the two lists carry the size.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resources each generated item renders (app: Deployment, Service, ConfigMap, DestinationRule, VirtualService). */
export const RESOURCES_PER_SERVICE = 5;
/** MxTransporter: StatefulSet, Service, HorizontalPodAutoscaler. */
export const RESOURCES_PER_COLLECTION = 3;

export interface BenchSize {
  /** approximate resources rendered */
  target: number;
  services: number;
  collections: number;
}

/** Splits a target resource count evenly (by resources) between services and collections. */
export function sizeFor(target: number): BenchSize {
  const half = target / 2;
  return {
    target,
    services: Math.round(half / RESOURCES_PER_SERVICE),
    collections: Math.round(half / RESOURCES_PER_COLLECTION),
  };
}

/** The generated services' list items, as YAML lines under `app.services`. */
export function serviceItems(size: BenchSize, first = 0): string[] {
  const lines: string[] = [];
  for (let i = first; i < first + size.services; i++) {
    lines.push(
      `    - name: svc-${i}`,
      `      repository: shop/svc-${i}`,
      `      tag: '1.${i % 50}.${i % 7}'`,
      `      port: ${8000 + (i % 1000)}`,
      `      replicas: 1`,
      `      public: true`,
      `      pathPrefix: /svc-${i}`,
      '      env:',
      `        - { name: LOG_LEVEL, value: info }`,
      `        - { name: FEATURE_${i % 10}, value: 'on' }`,
      '      resources:',
      '        requests: { cpu: 5m, memory: 8Mi }',
      '        limits: { cpu: 10m, memory: 16Mi }',
    );
  }
  return lines;
}

/** The generated collections, as YAML lines under `mxtransporter.collections`. */
export function collectionItems(size: BenchSize): string[] {
  const lines: string[] = [];
  for (let i = 0; i < size.collections; i++) {
    lines.push(
      `    - name: coll-${i}`,
      '      database: shop',
      `      collection: coll${i}`,
      '      exportDestinations: [kinesisStream]',
      '      kinesisStream:',
      '        streamName: shop-prd-orders-changes',
      '      resources:',
      '        requests: { cpu: 5m, memory: 8Mi }',
      '        limits: { cpu: 10m, memory: 16Mi }',
    );
  }
  return lines;
}

/**
 * Writes the generated repository into a new temporary folder and returns it. The two lists are
 * appended to the prd layer's files (the repository's own items stay); node groups are made large
 * enough for the generated pods so the plan stays free of scheduling errors.
 */
export function makeBenchProject(repoRoot: string, size: BenchSize): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-bench-'));
  cpSync(join(repoRoot, 'charts'), join(dir, 'charts'), { recursive: true });
  cpSync(join(repoRoot, 'values'), join(dir, 'values'), { recursive: true });
  if (existsSync(join(repoRoot, 'validation.yaml')))
    cpSync(join(repoRoot, 'validation.yaml'), join(dir, 'validation.yaml'));
  const app = join(dir, 'values/prd/app.yaml');
  const appText = readFileSync(app, 'utf8');
  // The prd layer's services list replaces by merge key; the generated items join it.
  writeFileSync(
    app,
    appText.replace(/^ {2}services:\n/m, `  services:\n${serviceItems(size).join('\n')}\n`),
  );
  const mx = join(dir, 'values/prd/mxtransporter.yaml');
  const mxText = readFileSync(mx, 'utf8');
  writeFileSync(
    mx,
    mxText.replace(/^ {2}collections:\n/m, `  collections:\n${collectionItems(size).join('\n')}\n`),
  );
  return dir;
}

/** Changes one value (the first generated service's tag): the bench's "one value changed". */
export function changeOneValue(dir: string, round: number): void {
  const app = join(dir, 'values/prd/app.yaml');
  const text = readFileSync(app, 'utf8');
  const next = text.replace(
    /(- name: svc-0\n {6}repository: shop\/svc-0\n {6}tag: ')[^']*'/,
    `$1${9}.${round}.0'`,
  );
  if (next === text) throw new Error('bench: the value to change was not found');
  writeFileSync(app, next);
}

/**
 * A project of the app chart alone with `services` services in values/prd.yaml (the plan bench's
 * project, bench/plan-bench.ts): the chart, the shared partials, the global schema and values.
 */
export function makeProject(repoRoot: string, services: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-bench-'));
  cpSync(join(repoRoot, 'charts/app'), join(dir, 'charts/app'), { recursive: true });
  if (existsSync(join(repoRoot, 'charts/_partials')))
    cpSync(join(repoRoot, 'charts/_partials'), join(dir, 'charts/_partials'), { recursive: true });
  mkdirSync(join(dir, 'values'), { recursive: true });
  cpSync(join(repoRoot, 'values/global.schema.json'), join(dir, 'values/global.schema.json'));
  cpSync(join(repoRoot, 'values/shared/global.yaml'), join(dir, 'values/shared.yaml'));
  const lines = [
    'app:',
    '  namespace: apps',
    '  database:',
    '    mode: aurora',
    '    host: db.example.internal',
    '  services:',
  ];
  for (let i = 0; i < services; i++) {
    lines.push(
      `    - name: svc-${i}`,
      `      repository: shop/svc-${i}`,
      `      tag: "1.${i % 50}.${i % 7}"`,
      `      port: ${8000 + (i % 1000)}`,
      `      replicas: ${1 + (i % 3)}`,
      `      public: ${i % 2 === 0}`,
      `      pathPrefix: /svc-${i}`,
      '      env:',
      `        - { name: LOG_LEVEL, value: info }`,
      `        - { name: FEATURE_${i % 10}, value: "on" }`,
    );
  }
  writeFileSync(join(dir, 'values/prd.yaml'), lines.join('\n') + '\n');
  writeFileSync(
    join(dir, 'values/secrets.yaml'),
    'secrets:\n  - { path: app.database.password, env: APP_DB_PASSWORD }\n',
  );
  return dir;
}
