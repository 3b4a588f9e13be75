/**
 * Schema validation throughput: 10,000 typical manifests (Deployment, Service, ConfigMap,
 * StatefulSet, HorizontalPodAutoscaler), strict mode (unknown-field pass included).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/schema-bench.js [count]
 *
 * Prints the cold pass (includes lazy loading of the field map and the per-kind validators) and
 * the best of several warm passes, in resources per second.
 */
import { validateObjectSchema } from '../validators/schema/index.js';

type Obj = Record<string, unknown>;

function deployment(i: number): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `svc-${i}`, namespace: 'apps', labels: { app: `svc-${i}`, team: 'core' } },
    spec: {
      replicas: 1 + (i % 5),
      selector: { matchLabels: { app: `svc-${i}` } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { app: `svc-${i}`, version: 'v1' },
          annotations: { 'sidecar.istio.io/inject': 'true' },
        },
        spec: {
          serviceAccountName: `svc-${i}`,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [
            { key: 'dedicated', operator: 'Equal', value: 'apps', effect: 'NoSchedule' },
          ],
          containers: [
            {
              name: 'app',
              image: `registry.local/svc-${i}:1.${i % 10}.0`,
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              resources: {
                requests: { cpu: '100m', memory: '256Mi' },
                limits: { cpu: 1, memory: '512Mi' },
              },
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/live', port: 8080 }, initialDelaySeconds: 10 },
              securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
            },
          ],
        },
      },
    },
  };
}

function service(i: number): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: 'apps', labels: { app: `svc-${i}` } },
    spec: {
      type: 'ClusterIP',
      selector: { app: `svc-${i}` },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function configMap(i: number): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cfg-${i}`, namespace: 'apps' },
    data: { 'application.yaml': `server:\n  port: 8080\nid: ${i}\n`, LOG_LEVEL: 'info' },
  };
}

function statefulSet(i: number): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `db-${i}`, namespace: 'data' },
    spec: {
      serviceName: `db-${i}`,
      replicas: 3,
      selector: { matchLabels: { app: `db-${i}` } },
      template: {
        metadata: { labels: { app: `db-${i}` } },
        spec: {
          containers: [
            {
              name: 'db',
              image: 'postgres:16',
              ports: [{ containerPort: 5432, name: 'pg' }],
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
              resources: { requests: { cpu: '500m', memory: '1Gi' } },
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
        },
      ],
    },
  };
}

function hpa(i: number): Obj {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: `svc-${i}`, namespace: 'apps' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `svc-${i}` },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  };
}

const makers = [deployment, service, configMap, statefulSet, hpa];

function generate(count: number): Obj[] {
  const out: Obj[] = [];
  for (let i = 0; i < count; i++) out.push(makers[i % makers.length](i));
  return out;
}

function pass(objects: Obj[]): { ms: number; failures: number } {
  let failures = 0;
  const start = process.hrtime.bigint();
  for (const o of objects) {
    if (validateObjectSchema(o).kind !== 'ok') failures++;
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, failures };
}

const count = Number(process.argv[2] ?? 10_000);
const objects = generate(count);
const rate = (ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en-US');

const cold = pass(objects);
if (cold.failures > 0) {
  console.error(`${cold.failures} generated objects did not validate; the benchmark is broken`);
  process.exit(1);
}
let best = Infinity;
for (let r = 0; r < 5; r++) best = Math.min(best, pass(objects).ms);

console.log(
  `schema validation (strict), ${count} resources: Deployment/Service/ConfigMap/StatefulSet/HPA`,
);
console.log(
  `  cold pass (incl. lazy loading): ${cold.ms.toFixed(1)} ms = ${rate(cold.ms)} resources/s`,
);
console.log(`  warm pass (best of 5):          ${best.toFixed(1)} ms = ${rate(best)} resources/s`);
