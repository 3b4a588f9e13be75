import { describe, expect, it } from 'vitest';
import { apiConsistencyRule } from './api-consistency.js';
import { lineOf, REPO_ROOT, runRulesOnRepo } from '../testing/helpers.js';
import { testRule } from '../testing/rule-tester.js';

const indent = (text: string, n: number) => text.replace(/^(?=.)/gm, ' '.repeat(n));

/** A workload of `kind` with `spec` fields, template labels and a pod spec (containers included). */
const workload = (
  kind: string,
  pod: string,
  spec = 'selector:\n  matchLabels: {app: web}\n',
  labels = '{app: web}',
  apiVersion = 'apps/v1',
) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: web
  namespace: apps
spec:
${indent(spec, 2)}  template:
    metadata:
      labels: ${labels}
    spec:
${indent(pod, 6)}`;

const container = (extra = '', name = 'web') =>
  `- name: ${name}\n  image: nginx:1.27\n${indent(extra, 2)}`;
const pod = (containers: string, rest = '') => `${rest}containers:\n${indent(containers, 2)}`;
const deployment = (p: string, spec?: string, labels?: string) =>
  workload('Deployment', p, spec, labels);
const job = (p: string, spec = '', labels = '{app: migrate}') =>
  workload('Job', p, spec, labels, 'batch/v1').replace('name: web\n', 'name: migrate\n');

const service = (spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
${indent(spec, 2)}`;

const hpa = (
  metrics: string,
  ref = '{apiVersion: apps/v1, kind: Deployment, name: web}',
) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: apps}
spec:
  scaleTargetRef: ${ref}
  maxReplicas: 3
  metrics:
${indent(metrics, 4)}`;

const rbac = (kind: string, body: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: reader
${kind.startsWith('Cluster') ? '' : '  namespace: apps\n'}${body}`;

const selectorDoc = deployment(pod(container()), undefined, '{app: website}');
const jobDoc = job(pod(container('', 'migrate')));
const nodePortDoc = service(
  'type: ClusterIP\nselector: {app: web}\nports:\n  - {port: 80, nodePort: 30080}\n',
);

testRule(apiConsistencyRule, {
  valid: [
    deployment(
      pod(
        container(`ports:
  - {name: http, containerPort: 8080}
  - {name: metrics, containerPort: 9090}
env:
  - {name: MODE, value: a}
  - {name: MODE, value: b}
  - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
  - {name: TEAM, valueFrom: {fieldRef: {fieldPath: "metadata.labels['team']"}}}
  - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
  - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db-credentials, key: password}}}
envFrom:
  - {configMapRef: {name: web-config}}
volumeMounts:
  - {name: config, mountPath: /etc/app}
  - {name: config, mountPath: /etc/app.yaml, subPath: app.yaml}
readinessProbe: {httpGet: {path: /healthz, port: http}}
livenessProbe: {exec: {command: [true]}, successThreshold: 1}
lifecycle:
  preStop: {sleep: {seconds: 5}}
securityContext: {allowPrivilegeEscalation: false}
`) +
          '\n' +
          container('', 'sidecar'),
        `initContainers:
  - name: wait
    image: busybox:1.36
  - name: proxy
    image: envoyproxy/envoy:v1.31
    restartPolicy: Always
    readinessProbe: {tcpSocket: {port: 9901}}
volumes:
  - {name: config, configMap: {name: web-config, items: [{key: app.yaml, path: app.yaml}]}}
tolerations:
  - {operator: Exists}
  - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
nodeSelector: {kubernetes.io/os: linux}
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions: [{key: pool, operator: In, values: [general]}, {key: gpu, operator: DoesNotExist}]
          matchFields: [{key: metadata.name, operator: NotIn, values: [node-1]}]
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, minDomains: 3, labelSelector: {matchLabels: {app: web}}}
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}
`,
      ),
      `selector:
  matchLabels: {app: web}
  matchExpressions: [{key: tier, operator: NotIn, values: [batch]}]
strategy:
  type: RollingUpdate
  rollingUpdate: {maxSurge: 0, maxUnavailable: 1}
minReadySeconds: 10
`,
      '{app: web, tier: frontend}',
    ),
    deployment(
      pod(container()),
      'selector:\n  matchLabels: {app: web}\nstrategy: {type: Recreate}\n',
    ),
    workload(
      'StatefulSet',
      pod(container('volumeMounts: [{name: data, mountPath: /var/lib/db}]')),
      `serviceName: web
selector:
  matchLabels: {app: web}
updateStrategy: {type: OnDelete}
volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
    ),
    workload(
      'DaemonSet',
      pod(container()),
      'selector:\n  matchLabels: {app: web}\nupdateStrategy:\n  rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n',
    ),
    job(pod(container('', 'migrate'), 'restartPolicy: OnFailure\n')),
    job(
      pod(container('', 'migrate'), 'restartPolicy: Never\n'),
      'completionMode: Indexed\ncompletions: 3\nbackoffLimitPerIndex: 1\n',
    ),
    job(
      pod(container('', 'migrate'), 'restartPolicy: Never\n'),
      'manualSelector: true\nselector:\n  matchLabels: {app: migrate}\n',
    ),
    job(pod(container('', 'migrate'), 'restartPolicy: Never\n'), 'podFailurePolicy: {rules: []}\n'),
    service('selector: {app: web}\nports: [{port: 80, targetPort: 8080}]\n'),
    service('clusterIP: None\nselector: {app: db}\n'),
    service('type: ExternalName\nexternalName: db.example.com\n'),
    service(`type: LoadBalancer
selector: {app: web}
ports:
  - {name: http, port: 80, nodePort: 30080}
  - {name: https, port: 443}
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
externalTrafficPolicy: Local
healthCheckNodePort: 30500
loadBalancerSourceRanges: [10.0.0.0/8]
allocateLoadBalancerNodePorts: true
`),
    service(
      'type: ClusterIP\nports: [{port: 80}]\nexternalIPs: [203.0.113.1]\nexternalTrafficPolicy: Cluster\n',
    ),
    hpa(`- type: Resource
  resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
- type: Object
  object: {describedObject: {apiVersion: v1, kind: Service, name: web}, metric: {name: rps}, target: {type: Value, value: "10"}}
`),
    `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: apps}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
`,
    rbac(
      'Role',
      'rules:\n  - {apiGroups: [""], resources: [secrets], resourceNames: [ecr-charts], verbs: [get, patch]}\n',
    ),
    rbac('ClusterRole', 'rules:\n  - {nonResourceURLs: [/healthz], verbs: [get]}\n'),
    rbac(
      'RoleBinding',
      `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: ServiceAccount, name: builder}
  - {kind: User, name: alice}
  - {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
`,
    ),
    rbac(
      'ClusterRoleBinding',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:node"}\nsubjects:\n  - {kind: ServiceAccount, name: builder, namespace: ci}\n',
    ),
  ],
  invalid: [
    {
      yaml: selectorDoc,
      errors: [
        {
          path: 'spec.template.metadata.labels',
          line: lineOf(selectorDoc, 'labels: {app: website}'),
          message:
            /^the API server rejects this: spec\.selector \{app: web\} does not match the template's labels \{app: website\} \(ValidatePodTemplateSpecForReplicaSet\); give the pod template every label the selector asks for/,
        },
      ],
    },
    {
      yaml: deployment(pod(container()), 'selector: {}\n'),
      errors: [
        {
          path: 'spec.selector',
          message: /an empty selector is invalid for a Deployment \(ValidateDeploymentSpec\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(container()),
        `selector:
  matchLabels: {app: web}
  matchExpressions:
    - {key: a, operator: In}
    - {key: b, operator: Exists, values: [x]}
    - {key: c, operator: Gt, values: ["1"]}
    - {key: d, operator: In, values: ["not valid"]}
`,
      ),
      errors: [
        {
          path: 'spec.selector.matchExpressions[0].operator',
          message:
            /values must be specified when operator is In \(ValidateLabelSelectorRequirement\)/,
        },
        {
          path: 'spec.selector.matchExpressions[1].values',
          message: /values may not be specified when operator is Exists/,
        },
        {
          path: 'spec.selector.matchExpressions[2].operator',
          message: /"Gt" is not a valid selector operator/,
        },
        {
          path: 'spec.selector.matchExpressions[3].values[0]',
          message: /selector value "not valid"/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container() + '\n' + container(),
          'initContainers:\n  - {name: web, image: busybox:1.36}\n',
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.initContainers[0].name',
          message:
            /container name "web" is used twice \(validateInitContainers: names must be unique across init and regular containers\)/,
        },
        {
          path: 'spec.template.spec.containers[1].name',
          message: /container name "web" is used twice \(validateContainers: Duplicate value\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(
            'ports:\n  - {name: http, containerPort: 80}\n  - {name: http, containerPort: 81}\n',
          ),
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].ports[1].name',
          message:
            /port name "http" is used twice in container "web" \(validateContainerPorts: Duplicate value\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(),
          `volumes:
  - {name: data, emptyDir: {}}
  - {name: data, emptyDir: {}, configMap: {name: x}}
  - {name: nothing}
  - {name: s, secret: {}}
  - {name: c, configMap: {items: [{key: a}]}}
  - {name: p, persistentVolumeClaim: {}}
`,
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.volumes[1].configMap',
          message:
            /volume "data" may not specify more than 1 volume type, it has emptyDir and configMap \(validateVolumeSource\)/,
        },
        {
          path: 'spec.template.spec.volumes[1].name',
          message: /volume name "data" is used twice \(ValidateVolumes: Duplicate value\)/,
        },
        {
          path: 'spec.template.spec.volumes[2]',
          message: /volume "nothing" must specify a volume type/,
        },
        {
          path: 'spec.template.spec.volumes[3].secret',
          message: /a secret volume needs secretName/,
        },
        {
          path: 'spec.template.spec.volumes[4].configMap',
          message: /a configMap volume needs name/,
        },
        {
          path: 'spec.template.spec.volumes[4].configMap.items[0]',
          message: /a volume item needs path \(validateKeyToPath: Required value\)/,
        },
        { path: 'spec.template.spec.volumes[5].persistentVolumeClaim', message: /needs claimName/ },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(`volumeMounts:
  - {name: config, mountPath: /etc/app}
  - {name: cache, mountPath: /etc/app}
  - {name: config, mountPath: /x, subPath: a, subPathExpr: $(POD)}
`),
          'volumes:\n  - {name: config, emptyDir: {}}\n',
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].volumeMounts[1].mountPath',
          message:
            /mountPath "\/etc\/app" must be unique within a container \(ValidateVolumeMounts\)/,
        },
        {
          path: 'spec.template.spec.containers[0].volumeMounts[1].name',
          message:
            /^the API server rejects this: volumeMount "cache" names no volume of the pod \(ValidateVolumeMounts: Not found\); the volumes are "config"/,
        },
        {
          path: 'spec.template.spec.containers[0].volumeMounts[2].subPathExpr',
          message: /subPathExpr and subPath are mutually exclusive/,
        },
      ],
    },
    {
      yaml: workload(
        'StatefulSet',
        pod(container('volumeMounts: [{name: data, mountPath: /d}]')),
        'serviceName: web\nselector:\n  matchLabels: {app: web}\n',
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].volumeMounts[0].name',
          message:
            /^the API server rejects the Pods this StatefulSet creates: volumeMount "data" names no volume of the pod .*the pod has no volumes/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(`readinessProbe:
  httpGet: {path: /, port: 80}
  tcpSocket: {port: 80}
  terminationGracePeriodSeconds: 5
livenessProbe:
  periodSeconds: 5
startupProbe:
  exec: {command: []}
  successThreshold: 2
lifecycle:
  preStop: {}
`),
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].readinessProbe.tcpSocket',
          message:
            /the readinessProbe may not specify more than 1 handler type, it has httpGet and tcpSocket \(validateProbe, validateHandler\)/,
        },
        {
          path: 'spec.template.spec.containers[0].readinessProbe.terminationGracePeriodSeconds',
          message: /must not be set for readinessProbes \(validateReadinessProbe\)/,
        },
        {
          path: 'spec.template.spec.containers[0].livenessProbe',
          message:
            /the livenessProbe must specify a handler type \(validateProbe, validateHandler: exactly one of exec, httpGet, tcpSocket, grpc\)/,
        },
        {
          path: 'spec.template.spec.containers[0].startupProbe.exec',
          message: /the startupProbe's exec needs a command/,
        },
        {
          path: 'spec.template.spec.containers[0].startupProbe.successThreshold',
          message: /startupProbe\.successThreshold must be 1, got 2 \(validateStartupProbe\)/,
        },
        {
          path: 'spec.template.spec.containers[0].lifecycle.preStop',
          message:
            /the preStop must specify a handler type \(validateLifecycle, validateHandler: exactly one of exec, httpGet, tcpSocket, sleep\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container('restartPolicy: Always'),
          'initContainers:\n  - {name: init, image: busybox:1.36, readinessProbe: {exec: {command: [true]}}}\n',
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.initContainers[0].readinessProbe',
          message:
            /readinessProbe may not be set for init containers without restartPolicy: Always \(validateInitContainers\)/,
        },
        {
          path: 'spec.template.spec.containers[0].restartPolicy',
          message: /restartPolicy may not be set for non-init containers \(validateContainers\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(`env:
  - {name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
  - {name: B, valueFrom: {}}
  - {name: C, valueFrom: {fieldRef: {fieldPath: metadata.name}, secretKeyRef: {name: s, key: k}}}
  - {name: D, valueFrom: {secretKeyRef: {name: db-credentials}}}
  - {name: E, valueFrom: {configMapKeyRef: {name: "", key: "bad key"}}}
  - {name: F, valueFrom: {fieldRef: {fieldPath: status.phase}}}
  - {name: G, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}
envFrom:
  - {prefix: X_}
  - {configMapRef: {name: a}, secretRef: {name: b}}
`),
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].env[0].valueFrom',
          message:
            /env "A" has both value and valueFrom \(validateEnvVarValueFrom: valueFrom may not be specified when value is not empty\)/,
        },
        {
          path: 'spec.template.spec.containers[0].env[1].valueFrom',
          message:
            /valueFrom must specify one of fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef/,
        },
        {
          path: 'spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef',
          message:
            /may not have more than one field specified at a time, it has fieldRef and secretKeyRef/,
        },
        {
          path: 'spec.template.spec.containers[0].env[3].valueFrom.secretKeyRef',
          message: /secretKeyRef\.key is required \(validateSecretKeySelector\)/,
        },
        {
          path: 'spec.template.spec.containers[0].env[4].valueFrom.configMapKeyRef.key',
          message: /configMapKeyRef\.key "bad key" .*IsConfigMapKey/,
        },
        {
          path: 'spec.template.spec.containers[0].env[4].valueFrom.configMapKeyRef.name',
          message: /configMapKeyRef\.name "" is required/,
        },
        {
          path: 'spec.template.spec.containers[0].env[5].valueFrom.fieldRef.fieldPath',
          message: /fieldRef\.fieldPath "status\.phase" is not supported/,
        },
        {
          path: 'spec.template.spec.containers[0].env[6].valueFrom.resourceFieldRef.resource',
          message: /resourceFieldRef\.resource "limits\.gpu" is not supported/,
        },
        {
          path: 'spec.template.spec.containers[0].envFrom[0]',
          message: /envFrom must specify one of configMapRef or secretRef \(ValidateEnvFrom\)/,
        },
        {
          path: 'spec.template.spec.containers[0].envFrom[1]',
          message: /envFrom may not have both configMapRef and secretRef/,
        },
      ],
    },
    {
      yaml: jobDoc,
      errors: [
        {
          path: 'spec.template.spec',
          line: lineOf(jobDoc, 'spec:', 'template:'),
          message:
            /^the API server rejects this: a Job's pod template needs restartPolicy OnFailure or Never; unset it defaults to Always \(validateJobSpec\); set restartPolicy: OnFailure/,
        },
      ],
    },
    {
      yaml: job(pod(container('', 'migrate'), 'restartPolicy: Always\n')),
      errors: [
        {
          path: 'spec.template.spec.restartPolicy',
          message: /needs restartPolicy OnFailure or Never, not Always/,
        },
      ],
    },
    {
      yaml: `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: apps}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      manualSelector: true
      selector: {matchLabels: {app: backup}}
      template:
        metadata: {labels: {app: backup, job-name: backup}}
        spec:
          containers: [{name: backup, image: busybox:1.36}]
`,
      errors: [
        {
          path: 'spec.jobTemplate.spec.manualSelector',
          message: /may not set manualSelector: true \(ValidateJobTemplateSpec\)/,
        },
        {
          path: 'spec.jobTemplate.spec.selector',
          message:
            /a CronJob's jobTemplate may not set a selector, it will be auto-generated \(ValidateJobTemplateSpec\)/,
        },
        {
          path: 'spec.jobTemplate.spec.template.spec',
          message: /a Job's pod template needs restartPolicy OnFailure or Never/,
        },
      ],
    },
    {
      yaml: `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: apps}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: backup, batch.kubernetes.io/job-name: backup}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: backup, image: busybox:1.36}]
`,
      errors: [
        {
          path: 'spec.jobTemplate.spec.template.metadata.labels["batch.kubernetes.io/job-name"]',
          message:
            /^the API server rejects the Jobs this CronJob creates: the pod template label batch\.kubernetes\.io\/job-name must be the generated Job's name/,
        },
      ],
    },
    {
      yaml: job(
        pod(container('', 'migrate'), 'restartPolicy: Never\n'),
        'selector:\n  matchLabels: {app: migrate}\n',
        '{app: migrate, job-name: other, controller-uid: abc}',
      ),
      errors: [
        {
          path: 'spec.selector',
          message:
            /a Job's selector is generated \(controller-uid\) unless manualSelector is true; .*\(validateGeneratedSelector: selector not auto-generated\); remove spec\.selector/,
        },
        {
          path: 'spec.template.metadata.labels.controller-uid',
          message: /label controller-uid must be the Job's generated UID/,
        },
        {
          path: 'spec.template.metadata.labels.job-name',
          message:
            /label job-name must be "migrate" \(validateGeneratedSelector, ValidateHasLabel\)/,
        },
      ],
    },
    {
      yaml: job(
        pod(container('', 'migrate'), 'restartPolicy: OnFailure\n'),
        'completionMode: Indexed\nmaxFailedIndexes: 1\npodFailurePolicy: {rules: []}\n',
      ),
      errors: [
        {
          path: 'spec.completionMode',
          message: /completions is required when completionMode is Indexed/,
        },
        {
          path: 'spec.template.spec.restartPolicy',
          message: /only restartPolicy Never is supported when podFailurePolicy is specified/,
        },
      ],
    },
    {
      yaml: job(
        pod(container('', 'migrate'), 'restartPolicy: Never\n'),
        'backoffLimitPerIndex: 2\n',
      ),
      errors: [
        {
          path: 'spec.backoffLimitPerIndex',
          message: /backoffLimitPerIndex requires completionMode Indexed/,
        },
      ],
    },
    {
      yaml: deployment(pod(container(), 'restartPolicy: Never\nactiveDeadlineSeconds: 60\n')),
      errors: [
        {
          path: 'spec.template.spec.restartPolicy',
          message:
            /a Deployment's pods must have restartPolicy Always, not "Never" \(ValidatePodTemplateSpecForReplicaSet\)/,
        },
        {
          path: 'spec.template.spec.activeDeadlineSeconds',
          message: /activeDeadlineSeconds is not supported in a Deployment/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(container()),
        'selector:\n  matchLabels: {app: web}\nstrategy:\n  type: Recreate\n  rollingUpdate: {maxSurge: 1}\n',
      ),
      errors: [
        {
          path: 'spec.strategy.rollingUpdate',
          message:
            /^the API server rejects this: strategy\.rollingUpdate may not be specified when strategy type is Recreate \(ValidateDeploymentStrategy\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(container()),
        'selector:\n  matchLabels: {app: web}\nstrategy:\n  rollingUpdate: {maxSurge: 0, maxUnavailable: 0%}\n',
      ),
      errors: [
        {
          path: 'spec.strategy.rollingUpdate.maxUnavailable',
          message:
            /maxUnavailable may not be 0 when maxSurge is 0 \(ValidateRollingUpdateDeployment/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(container()),
        'selector:\n  matchLabels: {app: web}\nminReadySeconds: 700\n',
      ),
      errors: [
        {
          path: 'spec.minReadySeconds',
          message:
            /progressDeadlineSeconds 600 \(the default\) must be greater than minReadySeconds 700 \(ValidateDeploymentSpec\)/,
        },
      ],
    },
    {
      yaml: workload(
        'StatefulSet',
        pod(container()),
        'serviceName: web\nselector:\n  matchLabels: {app: web}\nupdateStrategy:\n  type: OnDelete\n  rollingUpdate: {partition: 1}\n',
      ),
      errors: [
        {
          path: 'spec.updateStrategy.rollingUpdate',
          message: /only allowed for updateStrategy RollingUpdate \(ValidateStatefulSetSpec\)/,
        },
      ],
    },
    {
      yaml: workload(
        'DaemonSet',
        pod(container()),
        'selector:\n  matchLabels: {app: web}\nupdateStrategy:\n  rollingUpdate: {maxSurge: 1}\n',
      ),
      errors: [
        {
          path: 'spec.updateStrategy.rollingUpdate.maxSurge',
          message:
            /maxSurge may not be set when maxUnavailable is non-zero \(it defaults to 1\) \(ValidateRollingUpdateDaemonSet\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(),
          `tolerations:
  - {operator: Equal, value: x}
  - {key: dedicated, value: web, effect: NoSchedule, tolerationSeconds: 30}
  - {key: dedicated, operator: Exists, value: web}
  - {key: "bad key", operator: Exists}
nodeSelector: {pool: "general pool"}
`,
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.tolerations[0].operator',
          message: /a toleration without a key must use operator Exists/,
        },
        {
          path: 'spec.template.spec.tolerations[1].tolerationSeconds',
          message: /tolerationSeconds needs effect NoExecute \(ValidateTolerations/,
        },
        {
          path: 'spec.template.spec.tolerations[2].value',
          message: /operator Exists must have an empty value/,
        },
        { path: 'spec.template.spec.tolerations[3].key', message: /selector key "bad key"/ },
        {
          path: 'spec.template.spec.nodeSelector.pool',
          message:
            /nodeSelector pool value "general pool" .*\(ValidatePodSpec, ValidateLabels, IsValidLabelValue\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(),
          `affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions: [{key: pool, operator: In}, {key: cpu, operator: Gt, values: ["1", "2"]}]
          matchFields: [{key: metadata.labels, operator: In, values: [x]}]
  podAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: cache}}
topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}
  - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}
`,
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values',
          message: /exactly one value must be specified when operator is Gt/,
        },
        {
          path: 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator',
          message:
            /values must be specified when operator is In \(ValidateNodeSelectorRequirement\)/,
        },
        {
          path: 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key',
          message: /"metadata\.labels" is not a valid field selector key/,
        },
        {
          path: 'spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]',
          message:
            /a pod affinity term needs a topologyKey \(validatePodAffinityTerm: can not be empty\)/,
        },
        {
          path: 'spec.template.spec.topologySpreadConstraints[0].minDomains',
          message:
            /minDomains can only be used with whenUnsatisfiable DoNotSchedule, not "ScheduleAnyway"/,
        },
        {
          path: 'spec.template.spec.topologySpreadConstraints[1]',
          message:
            /same \{topologyKey, whenUnsatisfiable\} \{zone, ScheduleAnyway\} \(ValidateSpreadConstraintNotRepeat\)/,
        },
      ],
    },
    {
      yaml: deployment(
        pod(
          container(
            'ports: [{containerPort: 8080, hostPort: 80}]\nsecurityContext: {allowPrivilegeEscalation: false, privileged: true}\n',
          ),
          'hostNetwork: true\ndnsPolicy: None\nephemeralContainers: [{name: debug, image: busybox:1.36}]\n',
        ),
      ),
      errors: [
        {
          path: 'spec.template.spec.dnsPolicy',
          message: /dnsPolicy None needs dnsConfig with at least one nameserver/,
        },
        {
          path: 'spec.template.spec.ephemeralContainers',
          message: /ephemeral containers are not allowed in a pod template/,
        },
        {
          path: 'spec.template.spec.containers[0].ports[0].hostPort',
          message: /hostPort must match containerPort when hostNetwork is true/,
        },
        {
          path: 'spec.template.spec.containers[0].securityContext',
          message: /cannot set allowPrivilegeEscalation to false and privileged to true/,
        },
      ],
    },
    {
      yaml: nodePortDoc,
      errors: [
        {
          path: 'spec.ports[0].nodePort',
          line: lineOf(nodePortDoc, 'nodePort: 30080'),
          message:
            /^the API server rejects this: nodePort may not be used when type is ClusterIP \(ValidateService\); remove nodePort or set type: NodePort or LoadBalancer/,
        },
      ],
    },
    {
      yaml: service('selector: {app: web}\n'),
      errors: [
        {
          path: 'spec',
          message:
            /a ClusterIP Service needs at least one port \(ValidateService: spec\.ports Required value\)/,
        },
      ],
    },
    {
      yaml: service('type: LoadBalancer\nclusterIP: None\nports: [{port: 80}]\n'),
      errors: [
        {
          path: 'spec.clusterIP',
          message: /clusterIP may not be set to None for LoadBalancer Services/,
        },
      ],
    },
    {
      yaml: service('type: ExternalName\nclusterIP: 10.0.0.1\nipFamilyPolicy: SingleStack\n'),
      errors: [
        { path: 'spec', message: /an ExternalName Service needs spec\.externalName/ },
        { path: 'spec.clusterIP', message: /clusterIP may not be set for ExternalName Services/ },
        {
          path: 'spec.ipFamilyPolicy',
          message: /ipFamilyPolicy may not be set for ExternalName Services/,
        },
      ],
    },
    {
      yaml: service(`selector: {app: web}
ports:
  - {port: 80}
  - {name: http, port: 81}
  - {name: http, port: 81}
  - {name: a, port: 82, nodePort: 30001}
  - {name: b, port: 83, nodePort: 30001}
type: NodePort
`),
      errors: [
        {
          path: 'spec.ports[0]',
          message:
            /every port of a Service with several ports needs a name \(validateServicePort: name Required value\); name this port, e\.g\. "port-80"/,
        },
        { path: 'spec.ports[2].name', message: /Service port name "http" is used twice/ },
        {
          path: 'spec.ports[2]',
          message:
            /port 81\/TCP is declared twice \(ValidateService: Duplicate value for the \(protocol, port\) pair\)/,
        },
        { path: 'spec.ports[4].nodePort', message: /nodePort 30001\/TCP is used twice/ },
      ],
    },
    {
      yaml: service('selector: {app: "web app", "a/b/c": x}\nports: [{port: 80}]\n'),
      errors: [
        {
          path: 'spec.selector.app',
          message:
            /^the API server rejects this: spec\.selector app value "web app" must be empty or consist of alphanumerics.*\(ValidateService, ValidateLabels, IsValidLabelValue\)/,
        },
        {
          path: 'spec.selector["a/b/c"]',
          message: /selector key "a\/b\/c" .*\(ValidateService, ValidateLabels, IsQualifiedName\)/,
        },
      ],
    },
    {
      yaml: service(`ports: [{port: 80}]
sessionAffinity: None
sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
loadBalancerSourceRanges: [10.0.0.0/8]
externalTrafficPolicy: Local
`),
      errors: [
        {
          path: 'spec.sessionAffinityConfig',
          message: /must not be set when sessionAffinity is None/,
        },
        {
          path: 'spec.loadBalancerSourceRanges',
          message: /loadBalancerSourceRanges may only be used when type is LoadBalancer/,
        },
        {
          path: 'spec.externalTrafficPolicy',
          message: /externalTrafficPolicy may only be set for externally-accessible Services/,
        },
      ],
    },
    {
      yaml: service('type: NodePort\nports: [{port: 80}]\nhealthCheckNodePort: 30500\n'),
      errors: [
        {
          path: 'spec.healthCheckNodePort',
          message:
            /healthCheckNodePort may only be set when type is LoadBalancer and externalTrafficPolicy is Local/,
        },
      ],
    },
    {
      yaml: hpa(
        `- type: Resource
  pods: {metric: {name: x}, target: {type: AverageValue, averageValue: "1"}}
- type: Resource
  resource: {name: cpu, target: {type: Utilization, averageUtilization: 80, averageValue: 100m}}
- type: Resource
  resource: {name: cpu, target: {type: Utilization}}
- type: Pods
  pods: {metric: {name: qps}, target: {type: AverageValue}}
`,
        '{apiVersion: apps/v1, kind: Deployment, name: "web/v2"}',
      ),
      errors: [
        {
          path: 'spec.scaleTargetRef.name',
          message:
            /scaleTargetRef\.name "web\/v2" may not contain '\/' \(ValidateCrossVersionObjectReference, IsValidPathSegmentName\)/,
        },
        {
          path: 'spec.metrics[0]',
          message: /a metric of type Resource must populate resource \(validateMetricSpec\)/,
        },
        {
          path: 'spec.metrics[0].pods',
          message: /must populate the given metric source only, not pods/,
        },
        {
          path: 'spec.metrics[1].resource.target.averageValue',
          message: /may not set both a target averageValue and averageUtilization/,
        },
        {
          path: 'spec.metrics[2].resource.target',
          message: /must set either a target averageUtilization or averageValue/,
        },
        {
          path: 'spec.metrics[3].pods.target',
          message: /a Pods metric must specify a positive target averageValue/,
        },
      ],
    },
    {
      yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: apps}
spec: {minAvailable: 1, maxUnavailable: 1, selector: {matchLabels: {app: web}}}
`,
      errors: [
        {
          path: 'spec.maxUnavailable',
          message:
            /minAvailable and maxUnavailable cannot be both set \(ValidatePodDisruptionBudgetSpec\)/,
        },
      ],
    },
    {
      yaml: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: apps}\nspec:\n  selector: {matchExpressions: [{key: disk, operator: In}]}\n',
      errors: [
        {
          path: 'spec.selector.matchExpressions[0].operator',
          message: /values must be specified when operator is In/,
        },
      ],
    },
    {
      yaml: rbac(
        'Role',
        `rules:
  - {apiGroups: [""], resources: [pods]}
  - {resources: [pods], verbs: [get]}
  - {apiGroups: [apps], verbs: [get]}
  - {nonResourceURLs: [/metrics], verbs: [get]}
`,
      ),
      errors: [
        {
          path: 'rules[0]',
          message: /verbs must contain at least one value \(validatePolicyRule\)/,
        },
        {
          path: 'rules[1]',
          message:
            /resource rules must supply at least one api group \(validatePolicyRule\); use \[""\] for the core group/,
        },
        { path: 'rules[2]', message: /resource rules must supply at least one resource/ },
        {
          path: 'rules[3].nonResourceURLs',
          message: /namespaced rules cannot apply to non-resource URLs/,
        },
      ],
    },
    {
      yaml: rbac(
        'ClusterRole',
        'rules:\n  - {nonResourceURLs: [/metrics], resources: [pods], verbs: [get]}\n',
      ),
      errors: [
        {
          path: 'rules[0].nonResourceURLs',
          message: /rules cannot apply to both regular resources and non-resource URLs/,
        },
      ],
    },
    {
      yaml: rbac(
        'RoleBinding',
        `roleRef: {apiGroup: rbac.authorization.k8s.io/v1, kind: Role, name: reader}
subjects:
  - {kind: ServiceAccount, name: builder, apiGroup: rbac.authorization.k8s.io}
  - {kind: Robot, name: r2}
  - {kind: User, name: alice, apiGroup: example.com}
`,
      ),
      errors: [
        {
          path: 'roleRef.apiGroup',
          message:
            /roleRef\.apiGroup must be rbac\.authorization\.k8s\.io, not "rbac\.authorization\.k8s\.io\/v1" \(ValidateRoleBinding\)/,
        },
        { path: 'subjects[0].apiGroup', message: /a ServiceAccount subject's apiGroup must be ""/ },
        { path: 'subjects[1].kind', message: /subject kind "Robot" is not supported/ },
        {
          path: 'subjects[2].apiGroup',
          message: /a User subject's apiGroup must be rbac\.authorization\.k8s\.io/,
        },
      ],
    },
    {
      yaml: rbac(
        'ClusterRoleBinding',
        'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n  - {kind: ServiceAccount, name: builder}\n',
      ),
      errors: [
        {
          path: 'roleRef.kind',
          message:
            /roleRef\.kind "Role" is not supported \(ValidateClusterRoleBinding\); use ClusterRole/,
        },
        {
          path: 'subjects[0]',
          message: /a ServiceAccount subject of a ClusterRoleBinding needs a namespace/,
        },
      ],
    },
  ],
});

describe('api-consistency on the repository plans', () => {
  it('finds nothing in the dev and prd plans', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([apiConsistencyRule], env, REPO_ROOT).map((f) => f.message)).toEqual(
        [],
      );
  });
});
