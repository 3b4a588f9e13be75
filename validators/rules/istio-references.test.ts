import { istioReferencesRule } from './istio-references.js';
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

testRule(istioReferencesRule, {
  valid: ['catalog', 'catalog.apps', 'catalog.apps.svc', 'catalog.apps.svc.cluster.local'].map(
    (host) => ({
      name: `host ${host} of a rendered Service, with mesh, a namespaced gateway and a ServiceEntry host`,
      yaml: {
        'app.yaml': app,
        'dr.yaml': destinationRule(host),
        'vs.yaml': virtualService('istio-system/public', host).replace(
          '    - istio-system',
          '    - mesh\n    - istio-system',
        ),
      },
    }),
  ),
  invalid: [
    {
      name: 'a gateway not in the VirtualService namespace, and an unknown short host',
      yaml: {
        'app.yaml': app,
        'dr.yaml': destinationRule('catalog.apps.svc.cluster.local'),
        'vs.yaml': virtualService('public', 'catalogue', 80),
      },
      errors: [
        {
          resource: 'VirtualService/apps/catalog',
          path: 'spec.gateways[0]',
          file: 'vs.yaml',
          line: 9,
          message: [
            'gateway "public" is not a rendered Gateway (looked for "public" in namespace "apps"',
            'write "istio-system/public"',
          ],
        },
        {
          resource: 'VirtualService/apps/catalog',
          path: 'spec.http[0].route[0].destination.host',
          file: 'vs.yaml',
          line: 13,
          message: [
            'host "catalogue" is Service "catalogue" in namespace "apps", which is not rendered',
            'did you mean "catalog"?',
          ],
        },
      ],
    },
    {
      name: 'a destination port the Service does not have',
      yaml: {
        'app.yaml': app,
        'dr.yaml': destinationRule('catalog'),
        'vs.yaml': virtualService('istio-system/public', 'catalog', 80),
      },
      errors: [
        {
          path: 'spec.http[0].route[0].destination.port.number',
          severity: 'error',
          message: 'Service/apps/catalog has no port 80 (ports: 8080)',
        },
      ],
    },
    {
      name: 'a DestinationRule of a missing Service, and a subset no DestinationRule defines',
      yaml: {
        'app.yaml': app,
        'dr.yaml': destinationRule('catalog.shop.svc.cluster.local'),
        'vs.yaml': virtualService('istio-system/public', 'catalog'),
      },
      errors: [
        {
          resource: 'DestinationRule/apps/catalog',
          path: 'spec.host',
          line: 7,
          message: 'Service "catalog" in namespace "shop", which is not rendered',
        },
        {
          resource: 'VirtualService/apps/catalog',
          path: 'spec.http[0].route[0].destination.subset',
          line: 15,
          message: 'subset "v1" of host "catalog" is defined by no DestinationRule',
        },
      ],
    },
    {
      name: 'warnings for subset labels no pod carries and for an unknown external host',
      yaml: {
        'app.yaml': app,
        'dr.yaml': destinationRule('catalog', 'v2'),
        'vs.yaml': virtualService('mesh', 'catalog').replace(
          '{host: api.payments.example.com}',
          '{host: api.unknown.example.com}',
        ),
      },
      errors: [
        {
          severity: 'warning',
          resource: 'DestinationRule/apps/catalog',
          path: 'spec.subsets[0].labels',
          message:
            'subset "v1" selects labels {version: v2}, which no pod of Service/apps/catalog carries',
        },
        {
          severity: 'warning',
          resource: 'VirtualService/apps/catalog',
          path: 'spec.tls[0].route[0].destination.host',
          message: 'add a ServiceEntry',
        },
      ],
    },
  ],
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
