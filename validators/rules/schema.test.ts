import { schemaRule } from './schema.js';
import { prdLikeCluster } from '../testing/helpers.js';
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

const misspelt = SERVICE.replace('  selector:', '  selectr:');
const widget = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
const clusterAt = (kubernetesVersion: string) => ({ ...prdLikeCluster(), kubernetesVersion });

testRule(schemaRule, {
  valid: [
    { name: 'a valid object', yaml: { 'svc.yaml': SERVICE } },
    {
      name: 'an unknown field when not strict',
      yaml: { 'svc.yaml': misspelt },
      context: { strict: false },
    },
    {
      name: 'a kind without schema that is allowed',
      yaml: { 'w.yaml': widget },
      context: { allowUnknownKinds: ['Widget'] },
    },
    {
      name: 'a cluster on the version of the pinned schemas (no note)',
      yaml: { 'svc.yaml': SERVICE },
      context: { cluster: clusterAt('1.33') },
    },
  ],
  invalid: [
    {
      name: 'an unknown field, with the resource, line and a suggestion',
      yaml: { 'svc.yaml': misspelt },
      errors: [
        {
          severity: 'error',
          resource: 'Service/shop/web',
          file: 'svc.yaml',
          line: 7,
          message: /unknown field "selectr".*did you mean "selector"/,
        },
      ],
    },
    {
      name: 'a kind without schema',
      yaml: { 'w.yaml': widget },
      errors: [{ path: 'kind', message: /^no schema for example\.com\/v1 Widget/ }],
    },
    {
      name: 'a cluster version that cannot be read',
      yaml: { 'svc.yaml': SERVICE },
      context: { cluster: clusterAt('one.thirty') },
      errors: [{ message: /version/i }],
    },
    {
      name: 'a note, once, when the cluster runs another version than the pinned schemas',
      yaml: { 'svc.yaml': SERVICE },
      context: { cluster: clusterAt('1.31'), clusterPath: ['global', 'clusters', 'prd'] },
      errors: [
        {
          severity: 'info',
          resource: 'values',
          path: 'global.clusters.prd.kubernetesVersion',
          message: /pinned Kubernetes 1\.33 schemas; the cluster declares 1\.31/,
        },
      ],
    },
  ],
});
