import { describe, expect, it } from 'vitest';
import { deployment, diffYaml, only } from '../test/plan-helpers.js';
import { formatPlanJson } from './format/json.js';
import { formatPlanMarkdown } from './format/markdown.js';
import { formatPlanText } from './format/text.js';
import { parsePattern } from './paths.js';

function pod(containers: string, extra = ''): string {
  return deployment({ containers: containers + extra });
}

describe('resource identity and actions', () => {
  it('matches resources by group, kind, namespace and name; key order and YAML style are no change', () => {
    const a = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\ndata: {b: "2", a: "1"}\n`;
    const b = `kind: ConfigMap\napiVersion: v1\ndata:\n  a: '1'\n  b: "2"\nmetadata:\n  namespace: apps\n  name: c\n`;
    const diff = diffYaml([a], [b]);
    expect(diff.resources).toEqual([]);
    expect(diff.summary).toEqual({ add: 0, change: 0, replace: 0, destroy: 0, unchanged: 1 });
  });

  it('reports add, change and destroy, and a value that changes type', () => {
    const cm = (name: string, v: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: apps}\ndata: {v: ${v}}\n`;
    const diff = diffYaml([cm('kept', '"1"'), cm('gone', 'x')], [cm('kept', '1'), cm('new', 'y')]);
    expect(diff.summary).toMatchObject({ add: 1, change: 1, destroy: 1, unchanged: 0 });
    const kept = diff.resources.find((r) => r.id === 'ConfigMap/apps/kept')!;
    expect(kept.changes).toEqual([{ path: 'data.v', old: '1', new: 1 }]);
  });

  it('keeps the same identity across an apiVersion change of one group', () => {
    const vs = (v: string) =>
      `apiVersion: networking.istio.io/${v}\nkind: VirtualService\nmetadata: {name: r, namespace: apps}\nspec: {hosts: [a]}\n`;
    const r = only(diffYaml([vs('v1beta1')], [vs('v1')]));
    expect(r.action).toBe('change');
    expect(r.changes).toEqual([
      { path: 'apiVersion', old: 'networking.istio.io/v1beta1', new: 'networking.istio.io/v1' },
    ]);
  });
});

describe('lists Kubernetes merges by key are compared as maps', () => {
  const two = (first: string, second: string) => `        - ${first}\n        - ${second}`;
  const cases: [string, string, string][] = [
    [
      'containers by name',
      pod(two('{name: a, image: x:1}', '{name: b, image: y:1}')),
      pod(two('{name: b, image: y:1}', '{name: a, image: x:1}')),
    ],
    [
      'initContainers by name',
      pod(
        '        - {name: main, image: m:1}',
        `\n      initContainers:\n${two('{name: a, image: x:1}', '{name: b, image: y:1}')}`,
      ),
      pod(
        '        - {name: main, image: m:1}',
        `\n      initContainers:\n${two('{name: b, image: y:1}', '{name: a, image: x:1}')}`,
      ),
    ],
    [
      'env by name',
      pod(
        '        - name: web\n          image: w:1\n          env: [{name: A, value: "1"}, {name: B, value: "2"}]',
      ),
      pod(
        '        - name: web\n          image: w:1\n          env: [{name: B, value: "2"}, {name: A, value: "1"}]',
      ),
    ],
    [
      'container ports by containerPort and protocol',
      pod(
        '        - name: web\n          image: w:1\n          ports: [{containerPort: 53, protocol: UDP}, {containerPort: 53, protocol: TCP}]',
      ),
      pod(
        '        - name: web\n          image: w:1\n          ports: [{containerPort: 53}, {containerPort: 53, protocol: UDP}]',
      ),
    ],
    [
      'volumeMounts by mountPath',
      pod(
        '        - name: web\n          image: w:1\n          volumeMounts: [{name: a, mountPath: /a}, {name: b, mountPath: /b}]',
      ),
      pod(
        '        - name: web\n          image: w:1\n          volumeMounts: [{name: b, mountPath: /b}, {name: a, mountPath: /a}]',
      ),
    ],
    [
      'volumes by name',
      pod(
        '        - {name: web, image: w:1}',
        '\n      volumes: [{name: a, emptyDir: {}}, {name: b, emptyDir: {}}]',
      ),
      pod(
        '        - {name: web, image: w:1}',
        '\n      volumes: [{name: b, emptyDir: {}}, {name: a, emptyDir: {}}]',
      ),
    ],
    [
      'imagePullSecrets by name',
      pod('        - {name: web, image: w:1}', '\n      imagePullSecrets: [{name: a}, {name: b}]'),
      pod('        - {name: web, image: w:1}', '\n      imagePullSecrets: [{name: b}, {name: a}]'),
    ],
    [
      'topologySpreadConstraints by topologyKey and whenUnsatisfiable',
      pod(
        '        - {name: web, image: w:1}',
        '\n      topologySpreadConstraints: [{topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}, {topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}]',
      ),
      pod(
        '        - {name: web, image: w:1}',
        '\n      topologySpreadConstraints: [{topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}, {topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}]',
      ),
    ],
    [
      'Service ports by port and protocol',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: apps}\nspec:\n  ports: [{port: 80, name: http}, {port: 443, name: https}]\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: apps}\nspec:\n  ports: [{port: 443, name: https}, {port: 80, name: http, protocol: TCP}]\n',
    ],
  ];

  it.each(cases)('%s: reordering is no change', (_name, a, b) => {
    const diff = diffYaml([a], [b]);
    const changes = diff.resources.flatMap((r) => r.changes);
    // The only difference allowed is a protocol written out where the API defaults it to TCP.
    expect(changes.filter((c) => !c.path.endsWith('.protocol'))).toEqual([]);
  });

  it('names a keyed item by its keys in the path', () => {
    const a = pod(
      '        - name: web\n          image: w:1\n          env: [{name: A, value: "1"}, {name: LOG_LEVEL, value: info}]',
    );
    const b = pod(
      '        - name: web\n          image: w:1\n          env: [{name: LOG_LEVEL, value: debug}, {name: A, value: "1"}]',
    );
    expect(only(diffYaml([a], [b])).changes).toEqual([
      {
        path: 'spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value',
        old: 'info',
        new: 'debug',
      },
    ]);
  });

  it('compares atomic lists (tolerations, args) by position', () => {
    const a = pod(
      '        - {name: web, image: w:1}',
      '\n      tolerations: [{key: a, operator: Exists}, {key: b, operator: Exists}]',
    );
    const b = pod(
      '        - {name: web, image: w:1}',
      '\n      tolerations: [{key: b, operator: Exists}, {key: a, operator: Exists}]',
    );
    const r = only(diffYaml([a], [b]));
    expect(r.changes.map((c) => c.path)).toEqual([
      'spec.template.spec.tolerations[0].key',
      'spec.template.spec.tolerations[1].key',
    ]);
  });

  it('shows an added container as one change holding the container', () => {
    const a = pod('        - {name: web, image: w:1}');
    const b = pod('        - {name: web, image: w:1}\n        - {name: sidecar, image: s:1}');
    expect(only(diffYaml([a], [b])).changes).toEqual([
      {
        path: 'spec.template.spec.containers[name=sidecar]',
        new: { name: 'sidecar', image: 's:1' },
      },
    ]);
  });
});

describe('Secrets', () => {
  const secret = (body: string, extra = '') =>
    `apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: apps}\ntype: Opaque\n${extra}${body}`;

  it('shows a changed variable by its placeholders only', () => {
    const r = only(
      diffYaml(
        [secret('stringData: {password: "<<secret:OLD_PW>>"}\n')],
        [secret('stringData: {password: "<<secret:NEW_PW>>"}\n')],
      ),
    );
    expect(r.changes).toEqual([
      {
        path: 'stringData.password',
        old: '<<secret:OLD_PW>>',
        new: '<<secret:NEW_PW>>',
        note: 'variable changed',
      },
    ]);
  });

  it('never shows a literal value or base64 data, in any format', () => {
    const literalOld = 'hunter2-old-literal';
    const literalNew = 'hunter2-new-literal';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const diff = diffYaml(
      [
        secret(
          `data: {token: ${b64(literalOld)}, gone: ${b64('bye-literal')}}\nstringData: {user: ${literalOld}}\n`,
        ),
        secret(`stringData: {apiKey: ${literalOld}}\n`).replace('name: creds', 'name: old-creds'),
      ],
      [
        secret(
          `data: {token: ${b64(literalNew)}, added: ${b64('<<secret:ADDED>>')}}\nstringData: {user: ${literalNew}}\n`,
        ),
        secret(`stringData: {apiKey: ${literalNew}}\n`).replace('name: creds', 'name: new-creds'),
      ],
    );
    const r = diff.resources.find((x) => x.id === 'Secret/apps/creds')!;
    expect(r.changes).toEqual([
      { path: 'data.added', new: '<<secret:ADDED>>', note: 'key added (from ADDED)' },
      { path: 'data.gone', note: 'key removed' },
      { path: 'data.token', note: 'value changed (literal value -> literal value)' },
      { path: 'stringData.user', note: 'value changed (literal value -> literal value)' },
    ]);
    const outputs = [formatPlanJson(diff), formatPlanMarkdown(diff), formatPlanText(diff)];
    for (const text of outputs) {
      for (const secretText of [
        literalOld,
        literalNew,
        b64(literalOld),
        b64(literalNew),
        'bye-literal',
        b64('bye-literal'),
      ]) {
        expect(text).not.toContain(secretText);
      }
    }
    // The added and destroyed Secrets show their keys, not their values.
    expect(outputs[1]).toContain('apiKey: "(hidden)"');
  });
});

describe('renames', () => {
  const cm = (name: string, v: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: apps}\ndata: {v: "${v}"}\n`;

  it('folds a destroy and an add with the same content into one renamed resource', () => {
    const diff = diffYaml([cm('settings-v1', 'x')], [cm('settings-v2', 'x')]);
    const r = only(diff);
    expect(r).toMatchObject({
      action: 'add',
      id: 'ConfigMap/apps/settings-v2',
      renamedFrom: 'ConfigMap/apps/settings-v1',
    });
    expect(r.changes).toEqual([{ path: 'metadata.name', old: 'settings-v1', new: 'settings-v2' }]);
    expect(diff.summary).toMatchObject({ add: 1, destroy: 0 });
  });

  it('recognises a hash-suffixed ConfigMap whose content changed', () => {
    const r = only(
      diffYaml([cm('app-config-5f7d9k2m', 'old')], [cm('app-config-8k2m4t6b', 'new')]),
    );
    expect(r.renamedFrom).toBe('ConfigMap/apps/app-config-5f7d9k2m');
    expect(r.changes).toContainEqual({ path: 'data.v', old: 'old', new: 'new' });
  });

  it('never folds a destroyed claim into a rename, so its data-loss risk stays', () => {
    const pvc = (name: string) =>
      `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: ${name}, namespace: apps}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n`;
    const diff = diffYaml([pvc('data-a')], [pvc('data-b')]);
    expect(diff.resources.map((r) => r.action).sort()).toEqual(['add', 'destroy']);
    expect(diff.resources.find((r) => r.action === 'destroy')!.risks[0].code).toBe('data-loss');
  });
});

describe('ignore rules', () => {
  const withChecksum = (sum: string, image = 'w:1') =>
    deployment({
      containers: `        - {name: web, image: ${image}}`,
    }).replace(
      '    metadata:\n      labels: { app: web }',
      `    metadata:\n      annotations: {checksum/config: "${sum}"}\n      labels: { app: web }`,
    );

  it('leaves ignored fields out: no change, no resource listed', () => {
    const ignore = [
      { pattern: parsePattern('spec.template.metadata.annotations["checksum/config"]') as never },
    ];
    const diff = diffYaml([withChecksum('aaa')], [withChecksum('bbb')], { ignore });
    expect(diff.resources).toEqual([]);
    expect(diff.summary.unchanged).toBe(1);
    expect(diffYaml([withChecksum('aaa')], [withChecksum('bbb')]).resources).toHaveLength(1);
  });

  it('matches [*] and keyed items, for one kind only', () => {
    const all = [
      {
        kind: 'Deployment',
        pattern: parsePattern('spec.template.spec.containers[*].image') as never,
      },
    ];
    expect(
      diffYaml([withChecksum('a', 'w:1')], [withChecksum('a', 'w:2')], { ignore: all }).resources,
    ).toEqual([]);
    const keyed = [
      { pattern: parsePattern('spec.template.spec.containers[name=web].image') as never },
    ];
    expect(
      diffYaml([withChecksum('a', 'w:1')], [withChecksum('a', 'w:2')], { ignore: keyed }).resources,
    ).toEqual([]);
    const other = [
      {
        kind: 'StatefulSet',
        pattern: parsePattern('spec.template.spec.containers[*].image') as never,
      },
    ];
    expect(
      diffYaml([withChecksum('a', 'w:1')], [withChecksum('a', 'w:2')], { ignore: other }).resources,
    ).toHaveLength(1);
  });
});
