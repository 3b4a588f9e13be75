import { describe, expect, it } from 'vitest';
import { schemaRule } from './schema.js';
import { runRuleOnYaml } from '../testing/helpers.js';
import { testRule } from '../testing/rule-tester.js';

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
});

const POD_LEVEL_RESOURCES = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      resources:
        limits:
          cpu: "2"
      containers:
        - name: web
          image: nginx:1.27
`;

// the Kubernetes version comes from the context (validate.ts resolves the flag or the cluster's)
testRule(schemaRule, {
  valid: [
    {
      name: 'pod-level resources on 1.32',
      yaml: POD_LEVEL_RESOURCES,
      context: { kubernetesVersion: '1.32' },
    },
    { name: 'pod-level resources on the default (newest) version', yaml: POD_LEVEL_RESOURCES },
  ],
  invalid: [
    {
      name: 'pod-level resources on 1.31',
      yaml: POD_LEVEL_RESOURCES,
      context: { kubernetesVersion: '1.31' },
      errors: [
        {
          path: 'spec.template.spec.resources',
          line: 15,
          message:
            'spec.template.spec.resources is not in Kubernetes 1.31; it was added in 1.32 (remove it, or upgrade the cluster to 1.32 or later first)',
        },
      ],
    },
    {
      name: 'a kind 1.31 does not serve',
      yaml: 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: extra\n',
      context: { kubernetesVersion: '1.31' },
      errors: [
        {
          path: 'kind',
          message: /^networking\.k8s\.io\/v1 ServiceCIDR is not served by Kubernetes 1\.31/,
        },
      ],
    },
  ],
});
