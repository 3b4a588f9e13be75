import { describe, expect, it } from 'vitest';
import { schemaRule } from './schema.js';
import { prdLikeCluster, runRuleOnYaml } from '../testing/helpers.js';

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
`;

describe('schema rule', () => {
  it('passes a valid object', () => {
    expect(runRuleOnYaml(schemaRule, { 'svc.yaml': SERVICE })).toEqual([]);
  });

  it('reports an unknown field with the resource, path and line', () => {
    const broken = SERVICE.replace('  selector:', '  selectr:');
    const findings = runRuleOnYaml(schemaRule, { 'svc.yaml': broken });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'schema',
      severity: 'error',
      resource: 'Service/shop/web',
      location: { file: 'svc.yaml', line: 7 },
    });
    expect(findings[0].message).toMatch(/unknown field "selectr".*did you mean "selector"/);
  });

  it('accepts unknown fields when not strict', () => {
    const broken = SERVICE.replace('  selector:', '  selectr:');
    expect(runRuleOnYaml(schemaRule, { 'svc.yaml': broken }, { strict: false })).toEqual([]);
  });

  it('names a kind without schema, unless it is allowed', () => {
    const widget = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
    const findings = runRuleOnYaml(schemaRule, { 'w.yaml': widget });
    expect(findings).toHaveLength(1);
    expect(findings[0].path).toBe('kind');
    expect(findings[0].message).toMatch(/^no schema for example\.com\/v1 Widget/);
    expect(
      runRuleOnYaml(schemaRule, { 'w.yaml': widget }, { allowUnknownKinds: ['Widget'] }),
    ).toEqual([]);
  });

  it('validates against the cluster version it is given', () => {
    const cluster = { ...prdLikeCluster(), kubernetesVersion: 'one.thirty' };
    const findings = runRuleOnYaml(schemaRule, { 'svc.yaml': SERVICE }, { cluster });
    expect(findings.length).toBe(1);
    expect(findings[0].message).toMatch(/version/i);
  });
});

describe('schema rule and the cluster version', () => {
  it('notes once, as info, when the cluster runs another version than the pinned schemas', () => {
    const findings = runRuleOnYaml(
      schemaRule,
      { 'svc.yaml': SERVICE },
      {
        cluster: { ...prdLikeCluster(), kubernetesVersion: '1.31' },
        clusterPath: ['global', 'clusters', 'prd'],
      },
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'info',
      resource: 'values',
      path: 'global.clusters.prd.kubernetesVersion',
    });
    expect(findings[0].message).toMatch(
      /pinned Kubernetes 1\.33 schemas; the cluster declares 1\.31/,
    );
    const same = runRuleOnYaml(
      schemaRule,
      { 'svc.yaml': SERVICE },
      { cluster: { ...prdLikeCluster(), kubernetesVersion: '1.33' } },
    );
    expect(same).toEqual([]);
  });
});
