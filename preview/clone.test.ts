import { describe, expect, it } from 'vitest';
import type { KubeObject, Manifest } from '../core/manifest.js';
import { clonePreview } from './clone.js';
import { parsePreviewImage } from './image.js';
import type { GatewaySettings, PreviewSettings } from './settings.js';

type Obj = Record<string, any>;

const settings: PreviewSettings = {
  chart: 'web',
  namePrefix: 'pv',
  hostPrefix: 'pv',
  zone: 'preview.example.test',
  replicas: 1,
  profiles: {},
};
const gateway: GatewaySettings = {
  namespace: 'istio-system',
  name: 'gw',
  hosts: ['*.preview.example.test'],
};

function m(object: Obj): Manifest {
  return { chart: 'web', object: object as KubeObject, file: 'x.yaml', line: 1 };
}

function chart(selector: Record<string, string>): Manifest[] {
  return [
    m({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: 'shop' },
      data: { A: '1' },
    }),
    m({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared-settings', namespace: 'shop' },
      data: { B: '2' },
    }),
    m({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: selector },
      spec: {
        replicas: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'registry.example.test/web:1',
                env: [
                  {
                    name: 'B',
                    valueFrom: { configMapKeyRef: { name: 'shared-settings', key: 'B' } },
                  },
                ],
                envFrom: [{ configMapRef: { name: 'made-elsewhere' } }],
              },
              { name: 'sidecar', image: 'registry.example.test/sidecar:1' },
            ],
            volumes: [{ name: 'conf', configMap: { name: 'web-config' } }],
          },
        },
      },
    }),
    m({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { type: 'NodePort', selector, ports: [{ name: 'http', port: 80, nodePort: 30080 }] },
    }),
  ];
}

const request = {
  name: 'feat',
  profile: 'web',
  service: 'web',
  image: parsePreviewImage('registry.example.test/web:2'),
};

describe('clonePreview', () => {
  it('renames what the pods read, keeps what it did not render, and runs the image in the service container', () => {
    const c = clonePreview(chart({ app: 'web' }), request, settings, gateway);
    const byKind = (k: string) =>
      c.resources.filter((r) => r.object.kind === k).map((r) => r.object as Obj);
    expect(byKind('ConfigMap').map((o) => o.metadata.name)).toEqual([
      'pv-feat-web-config',
      'pv-feat-web-shared-settings',
    ]);
    const pod = byKind('Deployment')[0].spec.template.spec;
    expect(pod.volumes[0].configMap.name).toBe('pv-feat-web-config');
    expect(pod.containers[0].env[0].valueFrom.configMapKeyRef.name).toBe(
      'pv-feat-web-shared-settings',
    );
    expect(pod.containers[0].envFrom[0].configMapRef.name).toBe('made-elsewhere');
    expect(pod.containers.map((x: Obj) => x.image)).toEqual([
      'registry.example.test/web:2',
      'registry.example.test/sidecar:1',
    ]);
    const svc = byKind('Service')[0];
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80 }]);
    expect(c.resources.map((r) => r.wave)).toEqual([0, 0, 1, 2, 3]);
  });

  it('refuses to clone when a reference selector cannot tell the clone apart', () => {
    expect(() => clonePreview(chart({ tier: 'frontend' }), request, settings, gateway)).toThrow(
      /Deployment web's selector would also select the preview's pods/,
    );
  });

  it('refuses a host the Gateway does not serve, honouring namespace/ host prefixes', () => {
    const other = { ...gateway, hosts: ['prod/*.preview.example.test', 'shop.example.test'] };
    expect(() => clonePreview(chart({ app: 'web' }), request, settings, other)).toThrow(
      /serves prod\/\*\.preview\.example\.test, shop\.example\.test, not the preview host pv-feat\.preview\.example\.test/,
    );
    const mine = { ...gateway, hosts: ['shop/*.preview.example.test'] };
    expect(clonePreview(chart({ app: 'web' }), request, settings, mine).host).toBe(
      'pv-feat.preview.example.test',
    );
  });
});
