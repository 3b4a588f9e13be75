import { describe, expect, it } from 'vitest';
import { loadFieldMap } from './field-map.js';
import {
  buildKubernetesVersions,
  canonicalName,
  readCdk8sImport,
  readKubernetesVersions,
} from './generate-field-map.js';
import { hasSchema, supportedKubernetesVersions, validateObjectSchema } from './index.js';
import {
  KUBERNETES_VERSIONS,
  NEWEST_KUBERNETES_VERSION,
  supportedKubernetesVersion,
} from './kubernetes-version.js';
import type { SchemaIssue, SchemaResult } from './index.js';

type Obj = Record<string, any>;

function issuesOf(result: SchemaResult): SchemaIssue[] {
  if (result.kind !== 'issues') throw new Error(`expected issues, got ${JSON.stringify(result)}`);
  return result.issues;
}

function ok(obj: Obj, kubernetesVersion: string, strict = true): void {
  const r = validateObjectSchema(obj, { kubernetesVersion, strict });
  expect(r, `${kubernetesVersion}: ${JSON.stringify(r)}`).toEqual({ kind: 'ok' });
}

/** A Deployment using pod-level resources (1.32) and a container stop signal (1.33). */
function newerDeployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          os: { name: 'linux' },
          resources: { limits: { cpu: '2', memory: '2Gi' } },
          containers: [{ name: 'web', image: 'nginx:1.27', lifecycle: { stopSignal: 'SIGUSR1' } }],
        },
      },
    },
  };
}

const RESOURCES = ['spec', 'template', 'spec', 'resources'];
const STOP_SIGNAL = ['spec', 'template', 'spec', 'containers', 0, 'lifecycle', 'stopSignal'];

describe('supported Kubernetes versions', () => {
  it('are 1.29 to 1.33, the same list as the field map, newest last', () => {
    expect(supportedKubernetesVersions()).toEqual(['1.29', '1.30', '1.31', '1.32', '1.33']);
    expect(loadFieldMap().versions).toEqual(KUBERNETES_VERSIONS);
    expect(NEWEST_KUBERNETES_VERSION).toBe('1.33');
    expect(loadFieldMap().sources['Kubernetes 1.31']).toBe('cdk8s-plus-31@2.6.43');
  });

  it('names are normalised to the minor; others are unsupported', () => {
    expect(supportedKubernetesVersion('1.31')).toBe('1.31');
    expect(supportedKubernetesVersion('v1.31.4')).toBe('1.31');
    expect(supportedKubernetesVersion('1.28')).toBeUndefined();
    expect(supportedKubernetesVersion('1.35')).toBeUndefined();
    expect(supportedKubernetesVersion('latest')).toBeUndefined();
  });

  it('an unsupported version is one issue listing the supported ones', () => {
    for (const v of ['1.35', 'latest']) {
      const issues = issuesOf(validateObjectSchema(newerDeployment(), { kubernetesVersion: v }));
      expect(issues).toEqual([
        {
          path: [],
          message: `unsupported Kubernetes version "${v}": supported versions are 1.29, 1.30, 1.31, 1.32, 1.33`,
        },
      ]);
    }
  });
});

describe('fields by Kubernetes version', () => {
  it('1.31 rejects pod-level resources (added in 1.32) and lifecycle.stopSignal (added in 1.33)', () => {
    const issues = issuesOf(validateObjectSchema(newerDeployment(), { kubernetesVersion: '1.31' }));
    expect(issues).toEqual([
      {
        path: STOP_SIGNAL,
        message:
          'spec.template.spec.containers[0].lifecycle.stopSignal is not in Kubernetes 1.31; it was added in 1.33 (remove it, or upgrade the cluster to 1.33 or later first)',
      },
      {
        path: RESOURCES,
        message:
          'spec.template.spec.resources is not in Kubernetes 1.31; it was added in 1.32 (remove it, or upgrade the cluster to 1.32 or later first)',
      },
    ]);
  });

  it('1.32 has pod-level resources but not the stop signal; 1.33 has both; the default is 1.33', () => {
    const issues = issuesOf(validateObjectSchema(newerDeployment(), { kubernetesVersion: '1.32' }));
    expect(issues.map((i) => i.path)).toEqual([STOP_SIGNAL]);
    expect(issues[0].message).toContain('it was added in 1.33');
    ok(newerDeployment(), '1.33');
    expect(validateObjectSchema(newerDeployment())).toEqual({ kind: 'ok' });
  });

  it('a field of a newer version is reported even when unknown fields are accepted', () => {
    const issues = issuesOf(
      validateObjectSchema(newerDeployment(), { kubernetesVersion: '1.31', strict: false }),
    );
    expect(issues.map((i) => i.path)).toEqual([STOP_SIGNAL, RESOURCES]);
  });

  it('a field later versions dropped is accepted where it existed and reported after', () => {
    // core/v1 PodResourceClaim.source (ClaimSource) exists in 1.29 and 1.30 only
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'c', image: 'busybox:1.36' }],
        resourceClaims: [{ name: 'gpu', source: { resourceClaimName: 'gpu' } }],
      },
    };
    ok(pod, '1.29');
    ok(pod, '1.30');
    const issues = issuesOf(validateObjectSchema(pod, { kubernetesVersion: '1.31' }));
    expect(issues).toEqual([
      {
        path: ['spec', 'resourceClaims', 0, 'source'],
        message:
          'spec.resourceClaims[0].source is not in Kubernetes 1.31; it was removed in 1.31 (the last version with it is 1.30); remove it',
      },
    ]);
  });

  it('shared Kubernetes types inside IstioOperator follow the version too', () => {
    const operator = {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'istio', namespace: 'istio-system' },
      spec: {
        components: {
          pilot: { k8s: { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } } },
        },
      },
    };
    ok(operator, '1.30');
    const issues = issuesOf(validateObjectSchema(operator, { kubernetesVersion: '1.29' }));
    expect(issues.map((i) => i.message)).toEqual([
      'spec.components.pilot.k8s.securityContext.appArmorProfile is not in Kubernetes 1.29; it was added in 1.30 (remove it, or upgrade the cluster to 1.30 or later first)',
    ]);
  });
});

describe('kinds by Kubernetes version', () => {
  it('networking.k8s.io/v1 ServiceCIDR is served from 1.33 on', () => {
    const cidr = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'ServiceCIDR',
      metadata: { name: 'extra' },
      spec: { cidrs: ['10.96.0.0/16'] },
    };
    ok(cidr, '1.33');
    expect(validateObjectSchema(cidr, { kubernetesVersion: '1.32' })).toEqual({
      kind: 'no-schema',
      message:
        'networking.k8s.io/v1 ServiceCIDR is not served by Kubernetes 1.32 (Kubernetes 1.33 serves it)',
    });
    expect(hasSchema('networking.k8s.io/v1', 'ServiceCIDR', '1.32')).toBe(false);
    expect(hasSchema('networking.k8s.io/v1', 'ServiceCIDR', '1.33')).toBe(true);
  });

  it('flowcontrol v1beta3 is served up to 1.31 and removed in 1.32', () => {
    const flowSchema = {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      kind: 'FlowSchema',
      metadata: { name: 'batch' },
      spec: { priorityLevelConfiguration: { name: 'workload-low' }, matchingPrecedence: 1000 },
    };
    ok(flowSchema, '1.31');
    const r = validateObjectSchema(flowSchema, { kubernetesVersion: '1.32' });
    expect(r).toEqual({
      kind: 'no-schema',
      message:
        'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is not served by Kubernetes 1.32 (Kubernetes 1.29, 1.30, 1.31 serve it); use flowcontrol.apiserver.k8s.io/v1',
    });
  });
});

describe('kubernetes-versions.json (each version read from its OpenAPI document)', () => {
  const data = readKubernetesVersions();

  it('covers the supported versions, one cdk8s import of the same minor each', () => {
    expect(Object.keys(data.versions)).toEqual(KUBERNETES_VERSIONS);
    for (const [minor, source] of Object.entries(data.versions)) {
      expect(source).toMatch(new RegExp(`^cdk8s-plus-${minor.split('.')[1]}@`));
    }
  });

  it('agrees with the Kubernetes sources on when the fields of the acceptance case came', () => {
    // pkg/features/kube_features.go: PodLevelResources alpha in 1.32, ContainerStopSignals
    // alpha in 1.33 (the fields are in the OpenAPI document from the alpha on)
    expect(data.fields['io.k8s.api.core.v1.PodSpec'].resources).toEqual(['1.32', '1.33']);
    expect(data.fields['io.k8s.api.core.v1.Lifecycle'].stopSignal).toEqual(['1.33']);
    // ValidatingAdmissionPolicy went GA (admissionregistration.k8s.io/v1) in 1.30
    expect(data.kinds['admissionregistration.k8s.io/v1|ValidatingAdmissionPolicy']).toEqual([
      '1.30',
      '1.31',
      '1.32',
      '1.33',
    ]);
    // the deprecation guide: flowcontrol.apiserver.k8s.io/v1beta3 is no longer served as of 1.32
    expect(data.kinds['flowcontrol.apiserver.k8s.io/v1beta3|FlowSchema']).toEqual([
      '1.29',
      '1.30',
      '1.31',
    ]);
  });

  it('the group/versions no supported version serves are those the deprecation guide removed', () => {
    const never = new Set(
      Object.entries(data.kinds)
        .filter(([, versions]) => versions.length === 0)
        .map(([key]) => key.split('|')[0]),
    );
    expect([...never].sort()).toEqual([
      'admissionregistration.k8s.io/v1beta1',
      'apiextensions.k8s.io/v1beta1',
      'apiregistration.k8s.io/v1beta1',
      'apps/v1beta1',
      'apps/v1beta2',
      'authentication.k8s.io/v1beta1',
      'authorization.k8s.io/v1beta1',
      'autoscaling/v2beta1',
      'autoscaling/v2beta2',
      'batch/v1beta1',
      'certificates.k8s.io/v1beta1',
      'coordination.k8s.io/v1beta1',
      'discovery.k8s.io/v1beta1',
      'events.k8s.io/v1beta1',
      'extensions/v1beta1',
      'flowcontrol.apiserver.k8s.io/v1beta1',
      'flowcontrol.apiserver.k8s.io/v1beta2',
      'networking.k8s.io/v1beta1',
      'node.k8s.io/v1beta1',
      'policy/v1beta1',
      'rbac.authorization.k8s.io/v1beta1',
      'scheduling.k8s.io/v1beta1',
      'storage.k8s.io/v1beta1',
    ]);
    // core/v1 Event, which cdk8s leaves out, is served everywhere
    expect(data.kinds['v1|Event']).toBeUndefined();
    expect(hasSchema('v1', 'Event', '1.29')).toBe(true);
  });
});

describe('reading cdk8s imports', () => {
  const doc = (defs: Record<string, string[]>): string =>
    Object.entries(defs)
      .map(
        ([name, fields]) =>
          `/**\n * Some text.\n *\n * @schema ${name}\n */\nexport interface X {\n` +
          fields
            .map(
              (f) =>
                `  /**\n   * @default x\n   * @schema ${name}#${f}\n   */\n  readonly ${f}?: string;\n`,
            )
            .join('') +
          '}\n',
      )
      .join('\n');

  it('canonical names follow kubernetes-models', () => {
    expect(canonicalName('io.k8s.api.core.v1.PodSpec')).toBe('IoK8sApiCoreV1PodSpec');
    expect(canonicalName('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')).toBe(
      'IoK8sApimachineryPkgApisMetaV1ObjectMeta',
    );
    expect(
      canonicalName('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'),
    ).toBe('IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaProps');
  });

  it('reads definitions and JSON field names from the @schema comments', () => {
    const defs = readCdk8sImport(doc({ 'io.k8s.api.core.v1.PodSpec': ['hostIPC', 'containers'] }));
    expect([...defs.keys()]).toEqual(['io.k8s.api.core.v1.PodSpec']);
    expect([...defs.get('io.k8s.api.core.v1.PodSpec')!].sort()).toEqual(['containers', 'hostIPC']);
  });

  it('keeps only what not every version has, for definitions kubernetes-models knows', () => {
    const known = {
      definitions: new Set([
        'IoK8sApiCoreV1PodSpec',
        'IoK8sApiNetworkingV1ServiceCIDR',
        'IoK8sApiAppsV1beta1Deployment',
        'IoK8sApiCoreV1Event',
      ]),
      kinds: new Map([
        ['networking.k8s.io/v1|ServiceCIDR', 'IoK8sApiNetworkingV1ServiceCIDR'],
        ['apps/v1beta1|Deployment', 'IoK8sApiAppsV1beta1Deployment'],
        ['v1|Event', 'IoK8sApiCoreV1Event'],
      ]),
    };
    const pod = 'io.k8s.api.core.v1.PodSpec';
    const cidr = 'io.k8s.api.networking.v1.ServiceCIDR';
    const result = buildKubernetesVersions(
      [
        {
          version: '1.1',
          source: 'a@1',
          dts: doc({ [pod]: ['containers', 'old'], 'x.y.Unknown': ['z'] }),
        },
        { version: '1.2', source: 'a@2', dts: doc({ [pod]: ['containers', 'old', 'resources'] }) },
        {
          version: '1.3',
          source: 'a@3',
          dts: doc({ [pod]: ['containers', 'resources'], [cidr]: ['spec'] }),
        },
      ],
      known,
    );
    expect(result).toEqual({
      format: 1,
      versions: { '1.1': 'a@1', '1.2': 'a@2', '1.3': 'a@3' },
      // never in any document: not served; core/v1 Event is left out by cdk8s, so not listed
      kinds: { 'apps/v1beta1|Deployment': [], 'networking.k8s.io/v1|ServiceCIDR': ['1.3'] },
      definitions: { [cidr]: ['1.3'] },
      fields: { [pod]: { old: ['1.1', '1.2'], resources: ['1.2', '1.3'] } },
    });
  });
});
