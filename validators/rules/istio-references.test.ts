import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import { istioReferencesRule } from './istio-references.js';
import { runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';
import { testRule } from '../testing/rule-tester.js';

const app = `apiVersion: apps/v1
kind: Deployment
metadata: {name: catalog-v1, namespace: apps}
spec:
  selector: {matchLabels: {app: catalog, version: v1}}
  template:
    metadata: {labels: {app: catalog, version: v1}}
    spec:
      containers: [{name: c, image: busybox:1.36}]
---
apiVersion: v1
kind: Service
metadata: {name: catalog, namespace: apps}
spec:
  selector: {app: catalog}
  ports: [{name: http, port: 8080}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments-api, namespace: apps}
spec:
  hosts: [api.payments.example.com]
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS
`;

const destinationRule = (host: string, version = 'v1') => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: catalog
  namespace: apps
spec:
  host: ${host}
  subsets:
    - name: v1
      labels: {version: ${version}}
`;

const virtualService = (
  gateway: string,
  host: string,
  port = 8080,
) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: catalog
  namespace: apps
spec:
  hosts: [shop.example.com]
  gateways:
    - ${gateway}
  http:
    - route:
        - destination:
            host: ${host}
            port: {number: ${port}}
            subset: v1
  tls:
    - match: [{sniHosts: [api.payments.example.com], port: 443}]
      route:
        - destination: {host: api.payments.example.com}
`;

describe('istio-references', () => {
  it('accepts every host form of a rendered Service, mesh, namespaced gateways and ServiceEntry hosts', () => {
    for (const host of [
      'catalog',
      'catalog.apps',
      'catalog.apps.svc',
      'catalog.apps.svc.cluster.local',
    ]) {
      expect(
        runRuleOnYaml(istioReferencesRule, {
          'app.yaml': app,
          'dr.yaml': destinationRule(host),
          'vs.yaml': virtualService('istio-system/public', host).replace(
            '    - istio-system',
            '    - mesh\n    - istio-system',
          ),
        }),
      ).toEqual([]);
    }
  });

  it('reports a missing gateway, an unknown short host and a port the Service does not have', () => {
    const findings = runRuleOnYaml(istioReferencesRule, {
      'app.yaml': app,
      'dr.yaml': destinationRule('catalog.apps.svc.cluster.local'),
      'vs.yaml': virtualService('public', 'catalogue', 80),
    });
    expect(findings.map((f) => [f.resource, f.path, f.location?.file, f.location?.line])).toEqual([
      ['VirtualService/apps/catalog', 'spec.gateways[0]', 'vs.yaml', 9],
      ['VirtualService/apps/catalog', 'spec.http[0].route[0].destination.host', 'vs.yaml', 13],
    ]);
    expect(findings[0].message).toContain(
      'gateway "public" is not a rendered Gateway (looked for "public" in namespace "apps"',
    );
    expect(findings[0].message).toContain('write "istio-system/public"');
    expect(findings[1].message).toContain(
      'host "catalogue" is Service "catalogue" in namespace "apps", which is not rendered',
    );
    expect(findings[1].message).toContain('did you mean "catalog"?');

    const port = runRuleOnYaml(istioReferencesRule, {
      'app.yaml': app,
      'dr.yaml': destinationRule('catalog'),
      'vs.yaml': virtualService('istio-system/public', 'catalog', 80),
    });
    expect(port).toMatchObject([
      {
        path: 'spec.http[0].route[0].destination.port.number',
        severity: 'error',
        message: expect.stringContaining('Service/apps/catalog has no port 80 (ports: 8080)'),
      },
    ]);
  });

  it('reports a subset no DestinationRule defines, and a DestinationRule of a missing Service', () => {
    const findings = runRuleOnYaml(istioReferencesRule, {
      'app.yaml': app,
      'dr.yaml': destinationRule('catalog.shop.svc.cluster.local'),
      'vs.yaml': virtualService('istio-system/public', 'catalog'),
    });
    expect(findings.map((f) => [f.resource, f.path, f.location?.line])).toEqual([
      ['DestinationRule/apps/catalog', 'spec.host', 7],
      ['VirtualService/apps/catalog', 'spec.http[0].route[0].destination.subset', 15],
    ]);
    expect(findings[0].message).toContain(
      'Service "catalog" in namespace "shop", which is not rendered',
    );
    expect(findings[1].message).toContain(
      'subset "v1" of host "catalog" is defined by no DestinationRule',
    );
  });

  it('warns about subset labels no pod carries and about unknown external hosts', () => {
    const findings = runRuleOnYaml(istioReferencesRule, {
      'app.yaml': app,
      'dr.yaml': destinationRule('catalog', 'v2'),
      'vs.yaml': virtualService('mesh', 'catalog').replace(
        '{host: api.payments.example.com}',
        '{host: api.unknown.example.com}',
      ),
    });
    expect(findings.map((f) => [f.severity, f.resource, f.path])).toEqual([
      ['warning', 'DestinationRule/apps/catalog', 'spec.subsets[0].labels'],
      ['warning', 'VirtualService/apps/catalog', 'spec.tls[0].route[0].destination.host'],
    ]);
    expect(findings[0].message).toContain(
      'subset "v1" selects labels {version: v2}, which no pod of Service/apps/catalog carries',
    );
    expect(findings[1].message).toContain('add a ServiceEntry');
  });

  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd']) {
      expect(runRulesOnRepo([istioReferencesRule], env, REPO_ROOT)).toEqual([]);
    }
  });
});

// Files given on the command line: a Gateway or Service may be in a file not given (warning); in a
// whole plan they must be rendered (error).
const lonelyVirtualService = virtualService('istio-system/public', 'catalog');
testRule(istioReferencesRule, {
  valid: [
    {
      name: 'the referenced objects among the files given',
      yaml: {
        'app.yaml': app,
        'dr.yaml': destinationRule('catalog'),
        'vs.yaml': lonelyVirtualService,
      },
      context: { complete: false },
    },
  ],
  invalid: [
    {
      name: 'a VirtualService alone among the files given: warnings',
      yaml: { 'vs.yaml': lonelyVirtualService },
      context: { complete: false },
      errors: [
        {
          path: 'spec.gateways[0]',
          line: 9,
          severity: 'warning',
          message:
            /^gateway "istio-system\/public" is not a rendered Gateway \(looked for "public" in namespace "istio-system", not among the files given;/,
        },
        {
          path: 'spec.http[0].route[0].destination.host',
          severity: 'warning',
          message:
            /^host "catalog" is Service "catalog" in namespace "apps", which is not among the files given \(give its file too, or validate the whole plan with --env\)/,
        },
        { path: 'spec.tls[0].route[0].destination.host', severity: 'warning' },
      ],
    },
    {
      name: 'the same VirtualService as a whole plan: errors',
      yaml: { 'vs.yaml': lonelyVirtualService },
      errors: [
        { path: 'spec.gateways[0]', severity: 'error' },
        {
          path: 'spec.http[0].route[0].destination.host',
          severity: 'error',
          message: /which is not rendered/,
        },
        { path: 'spec.tls[0].route[0].destination.host', severity: 'warning' },
      ],
    },
  ],
});
