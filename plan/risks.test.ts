import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../core/manifest.js';
import { releasePathFor } from '../generator/release/paths.js';
import { renderRepo } from '../test/helpers.js';
import { clone, deployment, diffYaml, only, planObject } from '../test/plan-helpers.js';
import type { PlanObject, ResourceChange } from './types.js';

type Obj = Record<string, any>;

function codes(r: ResourceChange): string[] {
  return r.risks.map((k) => k.code);
}

let repoPlan: ReturnType<typeof renderRepo> | undefined;

function fromRepo(kind: string, name: string): PlanObject {
  repoPlan ??= renderRepo('prd');
  const m = repoPlan.find((x) => x.object.kind === kind && x.object.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name} in the repository's prd plan`);
  return { object: clone(m.object), chart: m.chart, file: `release/prd/${m.file}` };
}

function edited(p: PlanObject, edit: (o: Obj) => void): PlanObject {
  const object = clone(p.object) as Obj;
  edit(object);
  return {
    ...p,
    object: object as KubeObject,
    file: `release/prd/${releasePathFor(p.chart, object as KubeObject)}`,
  };
}

const statefulSet = (spec: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: apps}
spec:
  replicas: 1
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "mysql:8.0.36"}]}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: ${spec}}}}
`;

const pvc = (storage: string, cls = 'gp3', extra = '') =>
  `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: apps}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: ${cls}\n  resources: {requests: {storage: ${storage}}}\n${extra}`;

const storageClass = (name: string, expand: boolean) =>
  `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: ${name}}\nprovisioner: ebs.csi.aws.com\nallowVolumeExpansion: ${expand}\n`;

describe('immutable-field: changes the API server rejects become replace', () => {
  it('StatefulSet: serviceName and volumeClaimTemplates (ValidateStatefulSetUpdate), not replicas', () => {
    const r = only(
      diffYaml(
        [statefulSet('1Gi')],
        [statefulSet('1Gi').replace('serviceName: db', 'serviceName: db2')],
      ),
    );
    expect(r.action).toBe('replace');
    expect(codes(r)).toEqual(['immutable-field']);
    expect(r.risks[0].reason).toMatch(/spec\.serviceName of a StatefulSet cannot change/);
    const vct = only(diffYaml([statefulSet('1Gi')], [statefulSet('2Gi')]));
    expect(vct.action).toBe('replace');
    expect(vct.risks[0].reason).toMatch(
      /volumeClaimTemplates.*never updates or resizes the claims/,
    );
    const scaled = only(
      diffYaml([statefulSet('1Gi')], [statefulSet('1Gi').replace('replicas: 1', 'replicas: 2')]),
    );
    expect(scaled).toMatchObject({ action: 'change', risks: [] });
  });

  it('Deployment: spec.selector', () => {
    const a = deployment();
    const b = a
      .replace('matchLabels: { app: web }', 'matchLabels: { app: web, tier: front }')
      .replace('labels: { app: web }', 'labels: { app: web, tier: front }');
    const r = only(diffYaml([a], [b]));
    expect(r.action).toBe('replace');
    expect(r.risks[0].reason).toMatch(/spec\.selector of a Deployment is immutable/);
  });

  const job = (image: string, annotations = '') =>
    `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  namespace: apps\n${annotations}spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: "${image}"}]\n`;

  it('Job: spec.template (ValidateJobSpecUpdate), unless Argo CD recreates it as a hook', () => {
    const r = only(diffYaml([job('m:1')], [job('m:2')]));
    expect(r.action).toBe('replace');
    expect(r.risks[0].reason).toMatch(/spec\.template of a Job cannot change/);
    const hook = '  annotations: {argocd.argoproj.io/hook: Sync}\n';
    expect(only(diffYaml([job('m:1', hook)], [job('m:2', hook)]))).toMatchObject({
      action: 'change',
      risks: [],
    });
    const kept =
      '  annotations: {argocd.argoproj.io/hook: Sync, argocd.argoproj.io/hook-delete-policy: HookFailed}\n';
    expect(only(diffYaml([job('m:1', kept)], [job('m:2', kept)])).action).toBe('replace');
  });

  const service = (spec: string) =>
    `apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: apps}\nspec:\n  ports: [{port: 80}]\n${spec}`;

  it('Service: clusterIP and loadBalancerClass (ValidateServiceUpdate)', () => {
    const headless = only(
      diffYaml([service('  clusterIP: None\n')], [service('  clusterIP: 10.0.0.10\n')]),
    );
    expect(headless.action).toBe('replace');
    expect(headless.risks[0].reason).toMatch(
      /clusterIP may not change once set \(None -> 10\.0\.0\.10\)/,
    );
    const lb = (cls: string) => `  type: LoadBalancer\n  loadBalancerClass: ${cls}\n`;
    expect(only(diffYaml([service(lb('a/b'))], [service(lb('c/d'))])).risks[0].reason).toMatch(
      /loadBalancerClass may not change/,
    );
    expect(
      only(diffYaml([service('  type: ClusterIP\n')], [service('  type: NodePort\n')])),
    ).toMatchObject({
      action: 'change',
      risks: [],
    });
  });

  it('PersistentVolumeClaim: anything but a storage increase, and that recreating loses data', () => {
    const r = only(diffYaml([pvc('1Gi', 'gp3')], [pvc('1Gi', 'gp3-fast')]));
    expect(r.action).toBe('replace');
    expect(codes(r)).toEqual(['immutable-field', 'data-loss']);
  });

  it('Secret type, and the data of an immutable ConfigMap', () => {
    const secret = (type: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: apps}\ntype: ${type}\nstringData: {a: b}\n`;
    expect(only(diffYaml([secret('Opaque')], [secret('kubernetes.io/basic-auth')])).action).toBe(
      'replace',
    );
    const cm = (v: string, immutable: boolean) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\nimmutable: ${immutable}\ndata: {v: "${v}"}\n`;
    const r = only(diffYaml([cm('1', true)], [cm('2', true)]));
    expect(r.action).toBe('replace');
    expect(r.risks[0].reason).toMatch(/is immutable \(immutable: true\)/);
    expect(only(diffYaml([cm('1', false)], [cm('2', false)])).action).toBe('change');
  });
});

describe('data-loss', () => {
  it('a destroyed MxTransporter StatefulSet: the exporter restarts at the current position', () => {
    const sts = fromRepo('StatefulSet', 'mxt-orders');
    const r = only(diffYaml([sts], []));
    expect(r.action).toBe('destroy');
    expect(codes(r)).toEqual(['data-loss']);
    expect(r.risks[0].reason).toMatch(/resume-token-mxt-orders-0/);
    expect(r.risks[0].reason).toMatch(/MxTransporter resume token of shop\.orders/);
    expect(r.risks[0].reason).toMatch(/current position of the change stream.*never exported/);
  });

  it('a destroyed PersistentVolumeClaim', () => {
    const r = only(diffYaml([pvc('1Gi')], []));
    expect(codes(r)).toEqual(['data-loss']);
  });

  it('a claim growing on a StorageClass without allowVolumeExpansion (rendered or declared)', () => {
    const rendered = diffYaml(
      [pvc('1Gi', 'slow'), storageClass('slow', false)],
      [pvc('2Gi', 'slow'), storageClass('slow', false)],
    );
    const r = only(rendered);
    expect(r.action).toBe('replace');
    expect(r.risks[0]).toMatchObject({ code: 'data-loss' });
    expect(r.risks[0].reason).toMatch(
      /StorageClass slow \(rendered in .*\) does not allow volume expansion/,
    );
    const fine = diffYaml(
      [pvc('1Gi', 'gp3'), storageClass('gp3', true)],
      [pvc('2Gi', 'gp3'), storageClass('gp3', true)],
    );
    expect(only(fine)).toMatchObject({ action: 'change', risks: [] });
    const declared = diffYaml([pvc('1Gi', 'gp2')], [pvc('2Gi', 'gp2')], {
      declaredStorageClasses: [{ name: 'gp2', allowVolumeExpansion: true, source: 'declared' }],
    });
    expect(only(declared).risks).toEqual([]);
    const unsaid = diffYaml([pvc('1Gi', 'gp2')], [pvc('2Gi', 'gp2')], {
      declaredStorageClasses: [
        { name: 'gp2', allowVolumeExpansion: undefined, source: 'declared here' },
      ],
    });
    expect(only(unsaid)).toMatchObject({ action: 'change' });
    expect(only(unsaid).risks[0].reason).toMatch(
      /StorageClass gp2, which is declared here without allowVolumeExpansion/,
    );
    const unknown = only(diffYaml([pvc('1Gi', 'gp2')], [pvc('2Gi', 'gp2')]));
    expect(unknown.risks[0].reason).toMatch(
      /neither rendered nor declared \(global\.clusters\.prd\.storageClasses\)/,
    );
  });
});

describe('pvc-shrink', () => {
  it('a claim asking for less storage', () => {
    const r = only(diffYaml([pvc('10Gi')], [pvc('5000Mi')]));
    expect(r.action).toBe('replace');
    expect(codes(r)).toEqual(['pvc-shrink']);
    expect(r.risks[0].reason).toMatch(/from 10Gi to 5000Mi/);
  });

  it('a volumeClaimTemplate asking for less', () => {
    const r = only(diffYaml([statefulSet('2Gi')], [statefulSet('1Gi')]));
    expect(codes(r)).toEqual(['immutable-field', 'pvc-shrink']);
  });
});

describe('cascade-delete', () => {
  it('a destroyed Namespace or CustomResourceDefinition', () => {
    const ns = only(diffYaml(['apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n'], []));
    expect(ns.risks[0]).toMatchObject({ code: 'cascade-delete' });
    expect(ns.risks[0].reason).toMatch(/deletes every object in it/);
    const crd = only(
      diffYaml(
        [
          'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {names: {kind: Widget}}\n',
        ],
        [],
      ),
    );
    expect(crd.risks[0].reason).toMatch(/deletes every Widget in the cluster/);
  });

  it('a destroyed Argo CD Application with the resources finalizer', () => {
    const app = (finalizers: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n${finalizers}spec: {project: default}\n`;
    expect(
      codes(only(diffYaml([app('  finalizers: [resources-finalizer.argocd.argoproj.io]\n')], []))),
    ).toEqual(['cascade-delete']);
    expect(codes(only(diffYaml([app('')], [])))).toEqual([]);
  });
});

describe('scale-to-zero and image-downgrade', () => {
  it('replicas going to 0', () => {
    const r = only(diffYaml([deployment()], [deployment().replace('replicas: 2', 'replicas: 0')]));
    expect(r.risks).toEqual([
      {
        code: 'scale-to-zero',
        reason: 'replicas goes from 2 to 0: every pod of Deployment/apps/web stops',
      },
    ]);
  });

  it('an image tag going to a lower version, and only then', () => {
    const image = (tag: string) =>
      deployment({ containers: `        - {name: web, image: "registry.example/web:${tag}"}` });
    const down = only(diffYaml([image('1.10.0')], [image('1.9.3')]));
    expect(down.risks[0].code).toBe('image-downgrade');
    expect(down.risks[0].reason).toMatch(/goes down from 1\.10\.0 to 1\.9\.3 \(container web\)/);
    expect(only(diffYaml([image('1.9.3')], [image('1.10.0')])).risks).toEqual([]);
    expect(only(diffYaml([image('v2.0.0')], [image('v2.0.0-rc1')])).risks[0].code).toBe(
      'image-downgrade',
    );
    expect(only(diffYaml([image('latest')], [image('1.0.0')])).risks).toEqual([]);
  });
});

describe('sync-order', () => {
  it('the Scalar DL schema Job moved to the Ledger wave or after it', () => {
    const job = fromRepo('Job', 'scalardl-ledger-schema-loader');
    const ledger = fromRepo('Deployment', 'scalardl-ledger');
    const moved = edited(job, (o) => {
      o.metadata.annotations['argocd.argoproj.io/sync-wave'] = '1';
      o.metadata.annotations['argocd.argoproj.io/hook'] = 'PostSync';
    });
    const r = only(diffYaml([job, ledger], [moved, ledger]));
    expect(codes(r)).toEqual(['sync-order']);
    expect(r.risks[0].reason).toMatch(/from wave -1 \(hook Sync\) to wave 1 \(hook PostSync\)/);
    expect(r.risks[0].reason).toMatch(
      /schema-loading Job Job\/scalardl\/scalardl-ledger-schema-loader no longer finishes before Deployment\/scalardl\/scalardl-ledger starts/,
    );
    const earlier = edited(
      job,
      (o) => (o.metadata.annotations['argocd.argoproj.io/sync-wave'] = '-5'),
    );
    const e = only(diffYaml([job, ledger], [earlier, ledger]));
    expect(codes(e)).toEqual(['sync-order']);
    expect(e.risks[0].reason).not.toMatch(/no longer finishes/);
  });
});

describe('the repository plan itself', () => {
  it('has no change against itself', () => {
    repoPlan ??= renderRepo('prd');
    const objects = repoPlan.map((m) => planObject(JSON.stringify(m.object), m.chart));
    expect(
      diffYaml(
        objects,
        objects.map((o) => ({ ...o, object: clone(o.object) })),
      ).resources,
    ).toEqual([]);
  });
});
