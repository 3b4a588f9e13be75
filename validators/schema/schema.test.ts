import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSchema, validateObjectSchema, type SchemaIssue, type SchemaResult } from './index.js';
import { buildFieldMap, fieldMapPath, serializeFieldMap } from './generate-field-map.js';
import { closestName, editDistance } from '../../core/suggest.js';
import type { Obj } from '../../core/object.js';

function issuesOf(result: SchemaResult): SchemaIssue[] {
  if (result.kind !== 'issues') {
    throw new Error(`expected issues, got ${JSON.stringify(result)}`);
  }
  return result.issues;
}

function expectOk(obj: Obj, opts = {}): void {
  const r = validateObjectSchema(obj, opts);
  expect(r, JSON.stringify(r, null, 2)).toEqual({ kind: 'ok' });
}

function findIssue(result: SchemaResult, path: (string | number)[]): SchemaIssue {
  const issues = issuesOf(result);
  const hit = issues.find((i) => JSON.stringify(i.path) === JSON.stringify(path));
  if (!hit) throw new Error(`no issue at ${JSON.stringify(path)} in ${JSON.stringify(issues)}`);
  return hit;
}

const clone = <T>(v: T): T => structuredClone(v);

const podTemplate = {
  metadata: { labels: { app: 'web' }, annotations: { 'prometheus.io/scrape': 'true' } },
  spec: {
    serviceAccountName: 'web',
    nodeSelector: { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm5.large' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        ports: [{ name: 'http', containerPort: 8080 }],
        env: [
          { name: 'A', value: '1' },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        resources: {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { cpu: 1, memory: '1Gi' },
        },
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 8080 } },
      },
    ],
  },
};

const deployment: Obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, creationTimestamp: null },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: podTemplate,
  },
};

const service: Obj = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: {
    type: 'ClusterIP',
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
    ],
  },
};

const statefulSet: Obj = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db' },
  spec: {
    serviceName: 'db',
    replicas: 2,
    selector: { matchLabels: { app: 'db' } },
    template: {
      metadata: { labels: { app: 'db' } },
      spec: {
        containers: [
          {
            name: 'db',
            image: 'postgres:16',
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
          },
        ],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'gp3',
          resources: { requests: { storage: '10Gi' } },
        },
      },
    ],
  },
};

const hpa: Obj = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
      },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
  },
};

const job: Obj = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate' },
  spec: {
    backoffLimit: 2,
    ttlSecondsAfterFinished: 600,
    template: {
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'migrate', image: 'app:1', command: ['./migrate'] }],
      },
    },
  },
};

const cronJob: Obj = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'report' },
  spec: {
    schedule: '0 3 * * *',
    concurrencyPolicy: 'Forbid',
    jobTemplate: {
      spec: {
        template: {
          spec: {
            restartPolicy: 'OnFailure',
            containers: [{ name: 'report', image: 'app:1', args: ['report'] }],
          },
        },
      },
    },
  },
};

const configMap: Obj = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg' },
  data: { 'application.yaml': 'a: 1', LOG_LEVEL: 'info', 'anything.goes': 'x' },
};

const secret: Obj = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  type: 'Opaque',
  stringData: { password: 'hunter2', 'any-key_at.all': 'v' },
  data: { token: 'dG9rZW4=' },
};

describe('valid built-in objects pass', () => {
  const cases: [string, Obj][] = [
    ['Deployment', deployment],
    ['Service', service],
    ['StatefulSet', statefulSet],
    ['HorizontalPodAutoscaler', hpa],
    ['Job', job],
    ['CronJob', cronJob],
    ['ConfigMap', configMap],
    ['Secret', secret],
  ];
  for (const [name, obj] of cases) {
    it(name, () => expectOk(obj));
  }
});

describe('strict unknown-field checking', () => {
  it('reports a typo with its path and a did-you-mean suggestion', () => {
    const d = clone(deployment);
    d.spec.template.spec.toleration = d.spec.template.spec.tolerations;
    delete d.spec.template.spec.tolerations;
    const issue = findIssue(validateObjectSchema(d), ['spec', 'template', 'spec', 'toleration']);
    expect(issue.message).toContain('unknown field "toleration"');
    expect(issue.message).toContain('did you mean "tolerations"?');
  });

  it('reports typos inside array items (container fields)', () => {
    const d = clone(deployment);
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    const issue = findIssue(validateObjectSchema(d), [
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'imagePullPolicyy',
    ]);
    expect(issue.message).toContain('did you mean "imagePullPolicy"?');
  });

  it('reports a field at the wrong level and says where it belongs', () => {
    const d = clone(deployment);
    d.spec.containers = d.spec.template.spec.containers;
    const result = validateObjectSchema(d);
    const issue = findIssue(result, ['spec', 'containers']);
    expect(issue.message).toContain('unknown field "containers" at spec');
    expect(issue.message).toContain('spec.template.spec.containers');
  });

  it('accepts any keys in free-form maps', () => {
    const d = clone(deployment);
    d.metadata.annotations = { 'argocd.argoproj.io/sync-wave': '1', weird_Key: 'x' };
    d.spec.template.spec.nodeSelector = { 'topology.kubernetes.io/zone': 'ap-northeast-1a' };
    expectOk(d);
  });

  it('accepts any keys in x-kubernetes-preserve-unknown-fields style fields', () => {
    const crd: Obj = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: { spec: { type: 'object', default: { anyKey: { nested: 1 } } } },
              },
            },
          },
        ],
      },
    };
    expectOk(crd);
  });

  it('strict:false accepts unknown fields but still checks types', () => {
    const d = clone(deployment);
    d.spec.template.spec.toleration = [];
    d.spec.foo = 'bar';
    expectOk(d, { strict: false });
    expect(validateObjectSchema(d).kind).toBe('issues');
    d.spec.replicas = 'three';
    const issues = issuesOf(validateObjectSchema(d, { strict: false }));
    expect(issues.map((i) => i.path)).toEqual([['spec', 'replicas']]);
  });
});

describe('types and Kubernetes value semantics', () => {
  it('reports a wrong type with path and value', () => {
    const d = clone(deployment);
    d.spec.replicas = 'three';
    const issue = findIssue(validateObjectSchema(d), ['spec', 'replicas']);
    expect(issue.message).toBe('expected integer at spec.replicas, got string "three"');
  });

  it('reports a wrong type inside an array item', () => {
    const d = clone(deployment);
    d.spec.template.spec.containers[0].ports[0].containerPort = 'abc';
    const issue = findIssue(validateObjectSchema(d), [
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'ports',
      0,
      'containerPort',
    ]);
    expect(issue.message).toContain('expected integer');
    expect(issue.message).toContain('got string "abc"');
  });

  it('accepts int-or-string values in both forms', () => {
    const s = clone(service);
    s.spec.ports[0].targetPort = 8080;
    s.spec.ports[1].targetPort = 'metrics';
    expectOk(s);
    const d = clone(deployment);
    d.spec.strategy.rollingUpdate = { maxSurge: 1, maxUnavailable: '10%' };
    expectOk(d);
  });

  it('reports a bad int-or-string once, not once per oneOf branch', () => {
    const s = clone(service);
    s.spec.ports[0].targetPort = true;
    const issues = issuesOf(validateObjectSchema(s));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(['spec', 'ports', 0, 'targetPort']);
    expect(issues[0].message).toMatch(/expected (string or integer|integer or string)/);
    expect(issues[0].message).toContain('got boolean true');
  });

  it('accepts quantities as numbers and suffixed strings, rejects garbage once', () => {
    const d = clone(deployment);
    const c = d.spec.template.spec.containers[0];
    c.resources = {
      requests: { cpu: 0.5, memory: '1G' },
      limits: { cpu: '2', memory: 1073741824 },
    };
    expectOk(d);
    c.resources.limits.memory = 'lots';
    const issues = issuesOf(validateObjectSchema(d));
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toContain('Kubernetes quantity');
    expect(issues[0].message).toContain('got string "lots"');
  });

  it('treats explicit nulls as absent', () => {
    const d = clone(deployment);
    d.metadata.creationTimestamp = null;
    d.metadata.annotations = null;
    d.spec.replicas = null;
    d.spec.template.spec.securityContext = null;
    d.spec.template.spec.containers[0].command = null;
    d.status = null;
    expectOk(d);
  });

  it('reports a required field set to null as missing', () => {
    const d = clone(deployment);
    d.spec.template.spec.containers = null;
    const issue = findIssue(validateObjectSchema(d, { strict: false }), [
      'spec',
      'template',
      'spec',
      'containers',
    ]);
    expect(issue.message).toBe(
      'missing required field "containers" at spec.template.spec (it is null)',
    );
  });

  it('reports missing required fields', () => {
    const d = clone(deployment);
    delete d.spec.template.spec.containers;
    const issue = findIssue(validateObjectSchema(d), ['spec', 'template', 'spec', 'containers']);
    expect(issue.message).toBe('missing required field "containers" at spec.template.spec');
  });

  it('reports bad enum values', () => {
    const d = clone(deployment);
    d.spec.template.spec.containers[0].ports[0].protocol = 'HTTP';
    const r = validateObjectSchema(d);
    // core/v1 protocol is an enum in the 1.33 OpenAPI document
    const issue = findIssue(r, [
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'ports',
      0,
      'protocol',
    ]);
    expect(issue.message).toContain('"TCP"');
  });
});

describe('kinds without a schema', () => {
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };

  it('unknown kind -> no-schema naming it', () => {
    expect(validateObjectSchema(widget)).toEqual({
      kind: 'no-schema',
      message: 'no schema for example.com/v1 Widget; add it to allowUnknownKinds to skip',
    });
  });

  it('allowUnknownKinds by Kind or group/version/Kind skips it', () => {
    expect(validateObjectSchema(widget, { allowUnknownKinds: ['Widget'] })).toEqual({
      kind: 'skipped-unknown-kind',
    });
    expect(validateObjectSchema(widget, { allowUnknownKinds: ['example.com/v1/Widget'] })).toEqual({
      kind: 'skipped-unknown-kind',
    });
    expect(
      validateObjectSchema(widget, { allowUnknownKinds: ['example.com/v2/Widget'] }).kind,
    ).toBe('no-schema');
  });

  it('unknown apiVersion of a known kind -> no-schema naming the served versions', () => {
    const r = validateObjectSchema({ ...clone(deployment), apiVersion: 'apps/v1beta1' });
    expect(r.kind).toBe('no-schema');
    const message = (r as { message: string }).message;
    expect(message).toBe('apps/v1beta1 Deployment is not served by Kubernetes 1.33; use apps/v1');
    expect(hasSchema('apps/v1beta1', 'Deployment')).toBe(false);
    expect(hasSchema('apps/v1', 'Deployment')).toBe(true);
  });

  it('missing apiVersion/kind is an issue, not no-schema', () => {
    const issues = issuesOf(validateObjectSchema({ metadata: { name: 'x' } }));
    expect(issues.map((i) => i.path)).toEqual([['apiVersion'], ['kind']]);
  });
});

describe('coverage', () => {
  it('has schemas for the built-in kinds, Istio, IstioOperator, Argo CD and eksctl', () => {
    const expected: [string, string][] = [
      ['v1', 'Pod'],
      ['v1', 'Namespace'],
      ['v1', 'ServiceAccount'],
      ['v1', 'PersistentVolumeClaim'],
      ['apps/v1', 'DaemonSet'],
      ['batch/v1', 'CronJob'],
      ['autoscaling/v2', 'HorizontalPodAutoscaler'],
      ['networking.k8s.io/v1', 'Ingress'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
      ['policy/v1', 'PodDisruptionBudget'],
      ['storage.k8s.io/v1', 'StorageClass'],
      ['networking.istio.io/v1beta1', 'VirtualService'],
      ['networking.istio.io/v1alpha3', 'Gateway'],
      ['networking.istio.io/v1beta1', 'DestinationRule'],
      ['security.istio.io/v1beta1', 'PeerAuthentication'],
      ['install.istio.io/v1alpha1', 'IstioOperator'],
      ['argoproj.io/v1alpha1', 'Application'],
      ['argoproj.io/v1alpha1', 'AppProject'],
      ['argoproj.io/v1alpha1', 'ApplicationSet'],
      ['eksctl.io/v1alpha5', 'ClusterConfig'],
    ];
    for (const [apiVersion, kind] of expected) {
      expect(hasSchema(apiVersion, kind), `${apiVersion} ${kind}`).toBe(true);
    }
    expect(hasSchema('example.com/v1', 'Widget')).toBe(false);
  });
});

describe('Istio', () => {
  const virtualService: Obj = {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      hosts: ['web.example.com'],
      gateways: ['istio-system/public'],
      http: [
        {
          match: [{ uri: { prefix: '/api' }, headers: { 'x-canary': { exact: 'true' } } }],
          route: [
            { destination: { host: 'web', subset: 'v2', port: { number: 80 } }, weight: 10 },
            { destination: { host: 'web', subset: 'v1', port: { number: 80 } }, weight: 90 },
          ],
          timeout: '5s',
          retries: { attempts: 3, perTryTimeout: '2s' },
        },
      ],
    },
  };
  const gateway: Obj = {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'Gateway',
    metadata: { name: 'public', namespace: 'istio-system' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 443, name: 'https', protocol: 'HTTPS' },
          hosts: ['*'],
          tls: { mode: 'SIMPLE', credentialName: 'tls' },
        },
      ],
    },
  };
  const destinationRule: Obj = {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'DestinationRule',
    metadata: { name: 'web' },
    spec: {
      host: 'web',
      trafficPolicy: {
        connectionPool: { http: { http1MaxPendingRequests: 100 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
      },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    },
  };
  const peerAuthentication: Obj = {
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'istio-system' },
    spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } },
  };

  it('valid VirtualService, Gateway, DestinationRule, PeerAuthentication pass', () => {
    expectOk(virtualService);
    expectOk(gateway);
    expectOk(destinationRule);
    expectOk(peerAuthentication);
  });

  it('VirtualService: wrong type for weight', () => {
    const vs = clone(virtualService);
    vs.spec.http[0].route[0].weight = 'ten';
    const issue = findIssue(validateObjectSchema(vs), ['spec', 'http', 0, 'route', 0, 'weight']);
    expect(issue.message).toBe(
      'expected integer at spec.http[0].route[0].weight, got string "ten"',
    );
  });

  it('VirtualService: conflicting StringMatch forms are reported once', () => {
    const vs = clone(virtualService);
    vs.spec.http[0].match[0].uri = { prefix: '/api', exact: '/api' };
    const issues = issuesOf(validateObjectSchema(vs));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(['spec', 'http', 0, 'match', 0, 'uri']);
    expect(issues[0].message).toContain('set only one of');
    expect(issues[0].message).toContain('"exact"');
    expect(issues[0].message).toContain('"prefix"');
  });

  it('Gateway: typo in a server field', () => {
    const gw = clone(gateway);
    gw.spec.servers[0].host = gw.spec.servers[0].hosts;
    delete gw.spec.servers[0].hosts;
    const issue = findIssue(validateObjectSchema(gw), ['spec', 'servers', 0, 'host']);
    expect(issue.message).toContain('did you mean "hosts"?');
  });

  it('DestinationRule: subsets at the wrong level', () => {
    const dr = clone(destinationRule);
    dr.spec.trafficPolicy.subsets = dr.spec.subsets;
    const issue = findIssue(validateObjectSchema(dr), ['spec', 'trafficPolicy', 'subsets']);
    expect(issue.message).toContain('unknown field "subsets"');
    expect(issue.message).toContain('spec.subsets');
  });

  it('PeerAuthentication: wrong type for mtls', () => {
    const pa = clone(peerAuthentication);
    pa.spec.mtls = 'STRICT';
    const issue = findIssue(validateObjectSchema(pa), ['spec', 'mtls']);
    expect(issue.message).toBe('expected object at spec.mtls, got string "STRICT"');
  });

  const istioOperator: Obj = {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'control-plane', namespace: 'istio-system' },
    spec: {
      profile: 'default',
      hub: 'docker.io/istio',
      tag: '1.24.2',
      meshConfig: {
        accessLogFile: '/dev/stdout',
        enableTracing: true,
        defaultConfig: { holdApplicationUntilProxyStarts: true, tracing: { sampling: 10 } },
        outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
        access_log_encoding: 'JSON',
      },
      components: {
        base: { enabled: true },
        pilot: {
          enabled: true,
          k8s: {
            resources: { requests: { cpu: '500m', memory: '2Gi' } },
            hpaSpec: { minReplicas: 2, maxReplicas: 5 },
            nodeSelector: { role: 'system' },
            tolerations: [{ key: 'system', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
        ingressGateways: [
          {
            name: 'istio-ingressgateway',
            enabled: true,
            namespace: 'istio-system',
            label: { istio: 'ingressgateway' },
            k8s: {
              service: {
                type: 'LoadBalancer',
                ports: [
                  { name: 'http2', port: 80, targetPort: 8080 },
                  { name: 'https', port: 443, targetPort: 8443 },
                ],
              },
              serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
              replicaCount: 2,
              affinity: {
                podAntiAffinity: {
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                      weight: 100,
                      podAffinityTerm: {
                        topologyKey: 'kubernetes.io/hostname',
                        labelSelector: { matchLabels: { istio: 'ingressgateway' } },
                      },
                    },
                  ],
                },
              },
            },
          },
        ],
        egressGateways: [{ name: 'istio-egressgateway', enabled: false }],
      },
      values: { global: { proxy: { holdApplicationUntilProxyStarts: true } }, anything: [1, 2] },
    },
  };

  it('valid IstioOperator passes', () => expectOk(istioOperator));

  it('IstioOperator: unknown field, wrong type and nested Kubernetes type errors', () => {
    const iop = clone(istioOperator);
    iop.spec.components.ingressGateways[0].k8s.serviceAnnotation = {};
    iop.spec.components.pilot.k8s.replicaCount = 'two';
    iop.spec.components.pilot.k8s.tolerations[0].tolerationSecond = 10;
    iop.spec.components.ingressGateways[0].k8s.service.ports[0].port = '80';
    const r = validateObjectSchema(iop);
    expect(
      findIssue(r, ['spec', 'components', 'ingressGateways', 0, 'k8s', 'serviceAnnotation'])
        .message,
    ).toContain('did you mean "serviceAnnotations"?');
    expect(findIssue(r, ['spec', 'components', 'pilot', 'k8s', 'replicaCount']).message).toBe(
      'expected integer at spec.components.pilot.k8s.replicaCount, got string "two"',
    );
    expect(
      findIssue(r, ['spec', 'components', 'pilot', 'k8s', 'tolerations', 0, 'tolerationSecond'])
        .message,
    ).toContain('did you mean "tolerationSeconds"?');
    expect(
      findIssue(r, [
        'spec',
        'components',
        'ingressGateways',
        0,
        'k8s',
        'service',
        'ports',
        0,
        'port',
      ]).message,
    ).toContain('expected integer');
    expect(issuesOf(r)).toHaveLength(4);
  });
});

describe('Argo CD', () => {
  const application: Obj = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'web',
      namespace: 'argocd',
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source: {
        repoURL: 'https://git.example.com/org/manifests.git',
        targetRevision: 'main',
        path: 'charts/web',
        helm: {
          releaseName: 'web',
          valueFiles: ['values-prd.yaml'],
          valuesObject: { replicaCount: 3, image: { tag: 'v1' }, anything: { at: ['all'] } },
        },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true'],
        retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
      },
    },
  };
  const appProject: Obj = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'team', namespace: 'argocd' },
    spec: {
      description: 'team project',
      sourceRepos: ['*'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };

  it('valid Application and AppProject pass (valuesObject is free-form)', () => {
    expectOk(application);
    expectOk(appProject);
  });

  it('Application: syncPolicy typo and missing destination', () => {
    const app = clone(application);
    app.spec.syncPolicy.automated.selfheal = true;
    delete app.spec.destination;
    const r = validateObjectSchema(app);
    expect(findIssue(r, ['spec', 'syncPolicy', 'automated', 'selfheal']).message).toContain(
      'did you mean "selfHeal"?',
    );
    expect(findIssue(r, ['spec', 'destination']).message).toBe(
      'missing required field "destination" at spec',
    );
  });

  it('AppProject: wrong type for sourceRepos', () => {
    const p = clone(appProject);
    p.spec.sourceRepos = '*';
    const issue = findIssue(validateObjectSchema(p), ['spec', 'sourceRepos']);
    expect(issue.message).toBe('expected array at spec.sourceRepos, got string "*"');
  });
});

describe('eksctl ClusterConfig', () => {
  const clusterConfig: Obj = {
    apiVersion: 'eksctl.io/v1alpha5',
    kind: 'ClusterConfig',
    metadata: {
      name: 'prd',
      region: 'ap-northeast-1',
      version: '1.33',
      tags: { team: 'platform' },
    },
    vpc: {
      id: 'vpc-0123',
      cidr: '10.0.0.0/16',
      subnets: {
        private: {
          'ap-northeast-1a': { id: 'subnet-a' },
          'private-c': { id: 'subnet-c', az: 'ap-northeast-1c', cidr: '10.0.2.0/24' },
        },
      },
      nat: { gateway: 'HighlyAvailable' },
      clusterEndpoints: { privateAccess: true, publicAccess: false },
    },
    iam: {
      withOIDC: true,
      serviceAccounts: [
        {
          metadata: { name: 'aws-load-balancer-controller', namespace: 'kube-system' },
          wellKnownPolicies: { awsLoadBalancerController: true },
        },
      ],
    },
    managedNodeGroups: [
      {
        name: 'system',
        instanceType: 'm6i.large',
        amiFamily: 'AmazonLinux2023',
        minSize: 2,
        maxSize: 4,
        desiredCapacity: 2,
        volumeSize: 50,
        volumeType: 'gp3',
        privateNetworking: true,
        labels: { role: 'system' },
        taints: [{ key: 'system', value: 'true', effect: 'NoSchedule' }],
        iam: { withAddonPolicies: { autoScaler: true, cloudWatch: true } },
      },
    ],
    secretsEncryption: { keyARN: 'arn:aws:kms:ap-northeast-1:111122223333:key/abc' },
    cloudWatch: { clusterLogging: { enableTypes: ['api', 'audit'], logRetentionInDays: 30 } },
    addons: [{ name: 'vpc-cni', version: 'latest' }, { name: 'coredns' }],
    availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
    kubernetesNetworkConfig: { ipFamily: 'IPv4' },
  };

  it('valid ClusterConfig passes', () => expectOk(clusterConfig));

  it('unknown field with suggestion', () => {
    const c = clone(clusterConfig);
    c.managedNodeGroups[0].instanceTypee = 'm6i.large';
    const issue = findIssue(validateObjectSchema(c), ['managedNodeGroups', 0, 'instanceTypee']);
    expect(issue.message).toContain('did you mean "instanceType"?');
  });

  it('wrong types (version as a YAML number, desiredCapacity as a string)', () => {
    const c = clone(clusterConfig);
    c.metadata.version = 1.3;
    c.managedNodeGroups[0].desiredCapacity = 'two';
    const r = validateObjectSchema(c);
    expect(findIssue(r, ['metadata', 'version']).message).toBe(
      'expected string at metadata.version, got number 1.3',
    );
    expect(findIssue(r, ['managedNodeGroups', 0, 'desiredCapacity']).message).toBe(
      'expected integer at managedNodeGroups[0].desiredCapacity, got string "two"',
    );
  });

  it('unmanaged nodeGroups accept taints as a list or a map; errors point inside the list', () => {
    const c = clone(clusterConfig);
    c.nodeGroups = [
      { name: 'a', instanceType: 'm6i.large', taints: { dedicated: 'batch:NoSchedule' } },
      { name: 'b', instanceType: 'm6i.large', taints: [{ key: 'k', effect: 'NoSchedule' }] },
    ];
    expectOk(c);
    c.nodeGroups[1].taints[0].effect = 'Never';
    const issues = issuesOf(validateObjectSchema(c));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(['nodeGroups', 1, 'taints', 0, 'effect']);
    expect(issues[0].message).toContain('expected one of "NoSchedule"');
  });

  it('strict:false ignores unknown fields but keeps enum checks', () => {
    const c = clone(clusterConfig);
    c.vpc.natt = {};
    c.vpc.nat.gateway = 'Double';
    const issues = issuesOf(validateObjectSchema(c, { strict: false }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(['vpc', 'nat', 'gateway']);
    expect(issues[0].message).toContain('"HighlyAvailable"');
  });
});

describe('generated field map', () => {
  it('is up to date with the installed packages and kubernetes-versions.json (npm run generate:field-map)', () => {
    const fresh = JSON.parse(serializeFieldMap(buildFieldMap())) as unknown;
    const committed = JSON.parse(fs.readFileSync(fieldMapPath(), 'utf8')) as unknown;
    // compared as data: the committed file is Prettier-formatted
    expect(committed).toEqual(fresh);
  });
});

describe('suggestions', () => {
  it('edit distance counts transpositions as one edit', () => {
    expect(editDistance('tolerations', 'toleration')).toBe(1);
    expect(editDistance('lables', 'labels')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });

  it('closestName respects a distance budget', () => {
    expect(closestName('Labels', ['labels', 'annotations'])).toBe('labels');
    expect(closestName('zzzzzz', ['labels', 'annotations'])).toBeUndefined();
  });
});
