import { describe, expect, it } from 'vitest';
import { apiValuesRule } from './api-values.js';
import { lineOf, prdLikeCluster, REPO_ROOT, runRulesOnRepo } from '../testing/helpers.js';
import { testRule } from '../testing/rule-tester.js';

const indent = (text: string, n: number) => text.replace(/^(?=.)/gm, ' '.repeat(n));

/** A Deployment whose single container has `container` (YAML under the container) and `pod` (under the pod spec). */
const deployment = (container: string, pod = '', spec = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
${indent(spec, 2)}  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
${indent(pod, 6)}      containers:
        - name: web
          image: nginx:1.27
${indent(container, 10)}`;

const service = (spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  selector: {app: web}
${indent(spec, 2)}`;

const cronJob = (spec: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
  namespace: apps
spec:
${indent(spec, 2)}  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: busybox:1.36
`;

const hpa = (spec: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: apps
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
${indent(spec, 2)}`;

const claim = (spec: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: apps
spec:
${indent(spec, 2)}`;

const statefulSet = (spec: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: apps
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
${indent(spec, 2)}  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: mysql:8.4
`;

const cluster131 = prdLikeCluster();
const cluster132 = { ...prdLikeCluster(), kubernetesVersion: '1.32' };
const portDoc = deployment('ports:\n  - {name: http, containerPort: 70000}\n');
const scheduleDoc = cronJob('schedule: "61 * * * *"\n');

testRule(apiValuesRule, {
  valid: [
    deployment(
      `ports:
  - {name: http, containerPort: 8080}
  - {name: http-metrics, containerPort: 9090, hostPort: 0}
  - {containerPort: 9091}
env:
  - {name: LOG_LEVEL, value: info}
  - {name: my.setting-1, value: x}
envFrom:
  - {prefix: APP_, configMapRef: {name: web-config}}
resources:
  requests: {cpu: 100m, memory: 128Mi, ephemeral-storage: 1Gi, nvidia.com/gpu: 1}
  limits: {cpu: "1", memory: 128Mi, ephemeral-storage: 2Gi, nvidia.com/gpu: 1}
readinessProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 10
livenessProbe:
  tcpSocket: {port: 8080}
  terminationGracePeriodSeconds: 10
startupProbe:
  grpc: {port: 9090}
lifecycle:
  preStop: {httpGet: {path: /stop, port: 8080}}
securityContext: {runAsUser: 1000, runAsGroup: 1000}
volumeMounts:
  - {name: config, mountPath: /etc/app, subPath: app.yaml}
`,
      `serviceAccountName: web
priorityClassName: high-priority
activeDeadlineSeconds: 600
securityContext: {fsGroup: 2000, supplementalGroups: [3000]}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, minDomains: 2}
dnsConfig:
  nameservers: [10.0.0.10]
volumes:
  - name: config
    configMap:
      name: web-config
      defaultMode: 420
      items: [{key: app.yaml, path: app.yaml, mode: 0o644}]
  - name: scratch
    emptyDir: {sizeLimit: 1Gi}
  - name: token
    projected:
      sources: [{serviceAccountToken: {path: token, expirationSeconds: 3600}}]
`,
      `replicas: 0
revisionHistoryLimit: 0
strategy:
  rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}
`,
    ),
    // Kubernetes 1.32 relaxed environment variable names (RelaxedEnvironmentVariableValidation).
    {
      name: 'relaxed env names on 1.32',
      yaml: deployment(
        'env:\n  - {name: "Logging:LogLevel:Default", value: Debug}\n  - {name: 1ST, value: x}\n',
      ),
      context: { cluster: cluster132 },
    },
    service(`type: NodePort
ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080, appProtocol: kubernetes.io/h2c}
  - {name: grpc, port: 9090, targetPort: 0}
clusterIP: 10.100.0.10
externalIPs: [203.0.113.10]
`),
    service('type: ExternalName\nexternalName: db.example.com.\n'),
    service(`type: LoadBalancer
ports: [{port: 443}]
loadBalancerSourceRanges: [10.0.0.0/8, " 192.168.0.0/16 "]
sessionAffinity: ClientIP
sessionAffinityConfig: {clientIP: {timeoutSeconds: 3600}}
`),
    cronJob(
      'schedule: "*/15 * * * *"\ntimeZone: Asia/Tokyo\nstartingDeadlineSeconds: 0\nsuccessfulJobsHistoryLimit: 0\n',
    ),
    cronJob('schedule: "@hourly"\n'),
    cronJob('schedule: "0 9 * * mon-fri"\ntimeZone: UTC\n'),
    hpa(`minReplicas: 2
maxReplicas: 10
metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
  - type: Pods
    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 100m}}
behavior:
  scaleDown:
    stabilizationWindowSeconds: 300
    policies: [{type: Percent, value: 50, periodSeconds: 60}]
  scaleUp: {stabilizationWindowSeconds: 0}
`),
    hpa('maxReplicas: 1\n'),
    claim(
      'accessModes: [ReadWriteOnce]\nresources: {requests: {storage: 10Gi}}\nstorageClassName: gp3\n',
    ),
    statefulSet(`replicas: 3
updateStrategy:
  rollingUpdate: {partition: 0, maxUnavailable: 1}
volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}
`),
    `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: apps}
spec:
  backoffLimit: 0
  parallelism: 1
  ttlSecondsAfterFinished: 600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox:1.36}]
`,
    `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: apps}
spec:
  maxUnavailable: 25%
  selector: {matchLabels: {app: web}}
`,
    `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: gp3}
provisioner: ebs.csi.aws.com
parameters: {type: gp3, encrypted: "true"}
`,
  ],
  invalid: [
    {
      yaml: portDoc,
      errors: [
        {
          path: 'spec.template.spec.containers[0].ports[0].containerPort',
          line: lineOf(portDoc, 'containerPort: 70000'),
          message:
            /^the API server rejects this: containerPort 70000 must be between 1 and 65535, inclusive \(validateContainerPorts, IsValidPortNum\)/,
        },
      ],
    },
    {
      yaml: deployment('ports:\n  - {name: http}\n'),
      errors: [
        {
          path: 'spec.template.spec.containers[0].ports[0].name',
          message: /needs containerPort \(validateContainerPorts: Required value\)/,
        },
      ],
    },
    {
      yaml: deployment('ports:\n  - {containerPort: 80, hostPort: 70000}\n'),
      errors: [
        {
          path: 'spec.template.spec.containers[0].ports[0].hostPort',
          message: /hostPort 70000 must be between 1 and 65535/,
        },
      ],
    },
    {
      yaml: deployment(
        'ports:\n  - {name: HTTP_port, containerPort: 8080}\n  - {name: prometheus-metrics, containerPort: 9090}\n',
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].ports[0].name',
          message:
            /container port name "HTTP_port" must contain only lowercase letters, digits and hyphens \(validateContainerPorts, IsValidPortName: an IANA service name\); use e\.g\. "http-port"/,
        },
        {
          path: 'spec.template.spec.containers[0].ports[1].name',
          message: /"prometheus-metrics" must be no more than 15 characters/,
        },
      ],
    },
    {
      yaml: deployment(`readinessProbe:
  httpGet: {path: /healthz, port: 0}
livenessProbe:
  tcpSocket: {port: metrics-port-too-long}
  periodSeconds: -1
startupProbe:
  grpc: {port: 70000}
  terminationGracePeriodSeconds: 0
`),
      errors: [
        {
          path: 'spec.template.spec.containers[0].readinessProbe.httpGet.port',
          message:
            /httpGet\.port "0" must be between 1 and 65535, inclusive \(validateProbe, ValidatePortNumOrName/,
        },
        {
          path: 'spec.template.spec.containers[0].livenessProbe.tcpSocket.port',
          message: /"metrics-port-too-long" must be no more than 15 characters/,
        },
        {
          path: 'spec.template.spec.containers[0].livenessProbe.periodSeconds',
          message:
            /livenessProbe\.periodSeconds must be greater than or equal to 0, got -1 \(validateProbe, ValidateNonnegativeField\)/,
        },
        {
          path: 'spec.template.spec.containers[0].startupProbe.grpc.port',
          message: /grpc\.port 70000 must be between 1 and 65535/,
        },
        {
          path: 'spec.template.spec.containers[0].startupProbe.terminationGracePeriodSeconds',
          message: /must be greater than 0, got 0 \(validateProbe\)/,
        },
      ],
    },
    {
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: apps}
spec:
  containers:
    - name: Web_1
`,
      errors: [
        {
          path: 'spec.containers[0].name',
          message: /container "Web_1" has no image \(validateContainerCommon: image is required\)/,
        },
        {
          path: 'spec.containers[0].name',
          message: /container name "Web_1" must be a lowercase RFC 1123 label .*use e\.g\. "web-1"/,
        },
      ],
    },
    {
      name: 'strict env names before 1.32',
      yaml: deployment(
        'env:\n  - {name: 1ST, value: x}\n  - {name: "A=B", value: y}\nenvFrom:\n  - {prefix: "my prefix", configMapRef: {name: c}}\n',
      ),
      context: { cluster: cluster131 },
      errors: [
        {
          path: 'spec.template.spec.containers[0].env[0].name',
          message:
            /environment variable name "1ST" must consist of letters, digits, '_', '-' or '\.', and not start with a digit \(ValidateEnv, IsEnvVarName \(before Kubernetes 1\.32\)\)/,
        },
        { path: 'spec.template.spec.containers[0].env[1].name', message: /"A=B"/ },
        {
          path: 'spec.template.spec.containers[0].envFrom[0].prefix',
          message: /envFrom prefix "my prefix"/,
        },
      ],
    },
    {
      name: "'=' in env names is rejected in every version",
      yaml: deployment('env:\n  - {name: "A=B", value: y}\n'),
      context: { cluster: cluster132 },
      errors: [
        {
          path: 'spec.template.spec.containers[0].env[0].name',
          message: /printable ASCII characters other than '=' \(ValidateEnv, IsRelaxedEnvVarName\)/,
        },
      ],
    },
    {
      yaml: deployment(
        'resources:\n  requests: {cpu: 1h, memory: 100mb, gpu: "1"}\n  limits: {cpu: "-1", nvidia.com/gpu: 0.5}\n',
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].resources.requests.cpu',
          message:
            /requests\.cpu: "1h" is not a Kubernetes quantity .*\(validateResourceRequirements, resource\.ParseQuantity\)/,
        },
        {
          path: 'spec.template.spec.containers[0].resources.requests.memory',
          message: /"100mb" is not a Kubernetes quantity/,
        },
        {
          path: 'spec.template.spec.containers[0].resources.requests.gpu',
          message: /resource name "gpu" must be a standard resource for containers/,
        },
        {
          path: 'spec.template.spec.containers[0].resources.limits.cpu',
          message:
            /limits\.cpu "-1" must be greater than or equal to 0 \(ValidateResourceQuantityValue, ValidateNonnegativeQuantity\)/,
        },
        {
          path: 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]',
          message: /must be an integer for the extended resource nvidia\.com\/gpu/,
        },
      ],
    },
    {
      yaml: deployment(
        'resources:\n  requests: {cpu: "2", memory: 512Mi, example.com/dongle: 1, example.com/fpga: 2}\n  limits: {cpu: 1500m, memory: 0.5Gi, example.com/fpga: 3}\n',
      ),
      errors: [
        {
          path: 'spec.template.spec.containers[0].resources.requests["example.com/dongle"]',
          message: /example\.com\/dongle is requested without a limit/,
        },
        {
          path: 'spec.template.spec.containers[0].resources.requests.cpu',
          message:
            /requests\.cpu "2" must be less than or equal to the cpu limit of "1500m" \(validateResourceRequirements\)/,
        },
        {
          path: 'spec.template.spec.containers[0].resources.requests["example.com/fpga"]',
          message:
            /must be equal to the example\.com\/fpga limit of "3" \(validateResourceRequirements: example\.com\/fpga cannot be overcommitted\)/,
        },
      ],
    },
    {
      yaml: deployment(
        'volumeMounts:\n  - {name: config, mountPath: /etc/app, subPath: /abs}\n',
        `volumes:
  - name: Config_Vol
    emptyDir: {sizeLimit: 1GB}
  - name: secret
    secret: {secretName: s, defaultMode: 1000, items: [{key: a, path: ../a}]}
  - name: token
    projected: {sources: [{serviceAccountToken: {path: t, expirationSeconds: 60}}]}
`,
      ),
      errors: [
        {
          path: 'spec.template.spec.volumes[0].name',
          message: /volume name "Config_Vol" must be a lowercase RFC 1123 label .*"config-vol"/,
        },
        {
          path: 'spec.template.spec.volumes[0].emptyDir.sizeLimit',
          message: /"1GB" is not a Kubernetes quantity/,
        },
        {
          path: 'spec.template.spec.volumes[1].secret.items[0].path',
          message: /item path "\.\.\/a" must not contain '\.\.'/,
        },
        {
          path: 'spec.template.spec.volumes[1].secret.defaultMode',
          message: /1000 must be a number between 0 and 0777 \(octal\)/,
        },
        {
          path: 'spec.template.spec.volumes[2].projected.sources[0].serviceAccountToken.expirationSeconds',
          message: /may not be less than 10 minutes \(600\), got 60/,
        },
        {
          path: 'spec.template.spec.containers[0].volumeMounts[0].subPath',
          message: /subPath "\/abs" must be a relative path/,
        },
      ],
    },
    {
      yaml: deployment(
        'securityContext: {runAsUser: -1}\n',
        `serviceAccountName: My_SA
activeDeadlineSeconds: 0
affinity:
  nodeAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - {weight: 0, preference: {matchExpressions: [{key: a, operator: Exists}]}}
topologySpreadConstraints:
  - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
dnsConfig:
  nameservers: [dns.example.com]
`,
      ),
      errors: [
        {
          path: 'spec.template.spec.serviceAccountName',
          message:
            /serviceAccountName "My_SA" must be a lowercase RFC 1123 subdomain .*\(ValidatePodSpec, ValidateServiceAccountName\)/,
        },
        {
          path: 'spec.template.spec.activeDeadlineSeconds',
          message: /activeDeadlineSeconds 0 must be between 1 and 2147483647/,
        },
        {
          path: 'spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight',
          message: /affinity weight 0 must be in the range 1-100/,
        },
        {
          path: 'spec.template.spec.topologySpreadConstraints[0].maxSkew',
          message: /maxSkew 0 must be greater than zero \(ValidateMaxSkew\)/,
        },
        {
          path: 'spec.template.spec.dnsConfig.nameservers[0]',
          message: /nameserver "dns\.example\.com" must be a valid IP address/,
        },
        {
          path: 'spec.template.spec.containers[0].securityContext.runAsUser',
          message: /runAsUser -1 must be between 0 and 2147483647, inclusive \(IsValidUserID\)/,
        },
      ],
    },
    {
      yaml: deployment(
        '',
        '',
        'replicas: -1\nrevisionHistoryLimit: -2\nstrategy:\n  rollingUpdate: {maxUnavailable: "25", maxSurge: 150%}\n',
      ),
      errors: [
        {
          path: 'spec.replicas',
          message:
            /^the API server rejects this: spec\.replicas must be greater than or equal to 0, got -1 \(ValidateDeploymentSpec, ValidateNonnegativeField\)/,
        },
        { path: 'spec.revisionHistoryLimit', message: /got -2/ },
        {
          path: 'spec.strategy.rollingUpdate.maxUnavailable',
          message:
            /maxUnavailable "25" must be an integer or a percentage such as "25%" .*IsValidPercent/,
        },
      ],
    },
    {
      yaml: deployment('', '', 'strategy:\n  rollingUpdate: {maxUnavailable: 150%}\n'),
      errors: [
        {
          path: 'spec.strategy.rollingUpdate.maxUnavailable',
          message:
            /"150%" must not be greater than 100% \(ValidateRollingUpdateDeployment, IsNotMoreThan100Percent\)/,
        },
      ],
    },
    {
      yaml: statefulSet(`updateStrategy:
  rollingUpdate: {partition: -1, maxUnavailable: 0}
volumeClaimTemplates:
  - metadata: {name: Data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5 Gi}}}
`).replace('serviceName: db', 'serviceName: DB_Headless'),
      errors: [
        {
          path: 'spec.serviceName',
          message:
            /serviceName "DB_Headless" must be a lowercase RFC 1123 label .*\(ValidateStatefulSetSpec from Kubernetes 1\.33/,
        },
        {
          path: 'spec.updateStrategy.rollingUpdate.maxUnavailable',
          message: /maxUnavailable cannot be 0 \(validateRollingUpdateStatefulSet\)/,
        },
        {
          path: 'spec.updateStrategy.rollingUpdate.partition',
          message: /must be greater than or equal to 0, got -1 \(validateRollingUpdateStatefulSet/,
        },
        {
          path: 'spec.volumeClaimTemplates[0].metadata.name',
          message:
            /^the API server rejects the Pods this StatefulSet creates: volumeClaimTemplate name "Data"/,
        },
        {
          path: 'spec.volumeClaimTemplates[0].spec.resources.requests.storage',
          message:
            /^the API server rejects the PersistentVolumeClaims this StatefulSet creates: .*"5 Gi" is not a Kubernetes quantity/,
        },
      ],
    },
    {
      yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: apps}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: mysql:8.4, ports: [{containerPort: 0}]}]
`,
      errors: [
        {
          path: 'spec.template.spec.containers[0].ports[0].containerPort',
          message:
            /^the API server rejects the Pods this StatefulSet creates: a container port needs containerPort/,
        },
      ],
    },
    {
      yaml: `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: apps}
spec:
  backoffLimit: -1
  parallelism: -3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox:1.36}]
`,
      errors: [
        { path: 'spec.backoffLimit', message: /got -1 \(validateJobSpec/ },
        {
          path: 'spec.parallelism',
          message: /spec\.parallelism must be greater than or equal to 0, got -3 \(validateJobSpec/,
        },
      ],
    },
    {
      yaml: scheduleDoc,
      errors: [
        {
          path: 'spec.schedule',
          line: lineOf(scheduleDoc, 'schedule:'),
          message:
            /^the API server rejects this: schedule "61 \* \* \* \*" is not a valid cron schedule: minute field: end of range \(61\) above maximum \(59\): 61 \(validateScheduleFormat, robfig\/cron ParseStandard\)/,
        },
      ],
    },
    {
      yaml: cronJob('schedule: "0 3 * * * *"\n'),
      errors: [{ path: 'spec.schedule', message: /expected exactly 5 fields, found 6/ }],
    },
    {
      yaml: cronJob('schedule: "TZ=Asia/Tokyo 0 3 * * *"\n'),
      errors: [
        {
          path: 'spec.schedule',
          message:
            /cannot use TZ or CRON_TZ in schedule "TZ=Asia\/Tokyo 0 3 \* \* \*" \(validateScheduleFormat\); remove it and set spec\.timeZone instead/,
        },
      ],
    },
    {
      yaml: cronJob('schedule: "@every 5 minutes"\n'),
      errors: [{ path: 'spec.schedule', message: /failed to parse duration @every 5 minutes/ }],
    },
    {
      yaml: cronJob(
        'schedule: "0 3 * * *"\ntimeZone: Europe/Pariss\nstartingDeadlineSeconds: -5\n',
      ),
      errors: [
        {
          path: 'spec.timeZone',
          message:
            /timeZone "Europe\/Pariss" is an unknown time zone Europe\/Pariss \(validateTimeZone, time\.LoadLocation\)/,
        },
        { path: 'spec.startingDeadlineSeconds', message: /got -5 \(validateCronJobSpec/ },
      ],
    },
    {
      yaml: cronJob('schedule: "0 3 * * *"\ntimeZone: Local\n'),
      errors: [
        {
          path: 'spec.timeZone',
          message: /must be an explicit IANA time zone \(e\.g\. Asia\/Tokyo\), not Local/,
        },
      ],
    },
    {
      yaml: hpa('minReplicas: 0\nmaxReplicas: 0\n'),
      errors: [
        {
          path: 'spec.minReplicas',
          message:
            /minReplicas 0 must be greater than or equal to 1 \(validateHorizontalPodAutoscalerSpec; 0 needs the alpha HPAScaleToZero feature gate/,
        },
        { path: 'spec.maxReplicas', message: /maxReplicas 0 must be greater than 0/ },
      ],
    },
    {
      yaml: hpa('minReplicas: 5\nmaxReplicas: 3\n'),
      errors: [
        {
          path: 'spec.maxReplicas',
          message:
            /^the API server rejects this: maxReplicas 3 must be greater than or equal to minReplicas 5 \(validateHorizontalPodAutoscalerSpec\)/,
        },
      ],
    },
    {
      yaml: hpa(`maxReplicas: 3
metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}
  - type: Pods
    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: "-1"}}
behavior:
  scaleUp:
    stabilizationWindowSeconds: 4000
    policies: []
  scaleDown:
    policies: [{type: Percent, value: 0, periodSeconds: 2000}]
`),
      errors: [
        {
          path: 'spec.metrics[0].resource.target.averageUtilization',
          message: /averageUtilization 0 must be greater than 0 \(validateMetricTarget\)/,
        },
        {
          path: 'spec.metrics[1].pods.target.averageValue',
          message: /averageValue "-1" must be positive/,
        },
        {
          path: 'spec.behavior.scaleUp.stabilizationWindowSeconds',
          message:
            /4000 must be between 0 and 3600 \(validateScalingRules, MaxStabilizationWindowSeconds\)/,
        },
        {
          path: 'spec.behavior.scaleUp.policies',
          message: /scaleUp\.policies must specify at least one policy/,
        },
        {
          path: 'spec.behavior.scaleDown.policies[0].periodSeconds',
          message: /periodSeconds 2000 must be between 1 and 1800/,
        },
        {
          path: 'spec.behavior.scaleDown.policies[0].value',
          message: /value 0 must be greater than zero \(validateScalingPolicy\)/,
        },
      ],
    },
    {
      yaml: service(`ports:
  - {name: HTTP, port: 70000, targetPort: http_port, appProtocol: "my proto"}
  - {name: admin, port: 8081, targetPort: 70000, nodePort: 80}
`),
      errors: [
        {
          path: 'spec.ports[0].port',
          message:
            /Service port 70000 must be between 1 and 65535, inclusive \(validateServicePort, IsValidPortNum\)/,
        },
        {
          path: 'spec.ports[0].name',
          message:
            /Service port name "HTTP" must be a lowercase RFC 1123 label .*\(validateServicePort, ValidateDNS1123Label\)/,
        },
        { path: 'spec.ports[0].appProtocol', message: /appProtocol "my proto"/ },
        {
          path: 'spec.ports[0].targetPort',
          message: /targetPort "http_port" must contain only lowercase letters, digits and hyphens/,
        },
        {
          path: 'spec.ports[1].nodePort',
          message: /nodePort 80 is not in the valid range 30000-32767/,
        },
        {
          path: 'spec.ports[1].targetPort',
          message: /targetPort "70000" must be between 1 and 65535/,
        },
      ],
    },
    {
      yaml: service('type: ExternalName\nexternalName: DB_Host.example.com\n'),
      errors: [
        {
          path: 'spec.externalName',
          message:
            /externalName "DB_Host\.example\.com" must be a lowercase RFC 1123 subdomain .*\(ValidateService, ValidateDNS1123Subdomain\)/,
        },
      ],
    },
    {
      yaml: service(`type: LoadBalancer
ports: [{port: 443}]
clusterIP: 10.0.0
externalIPs: [127.0.0.1]
loadBalancerSourceRanges: [10.0.0.0/33]
sessionAffinity: ClientIP
sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}
`),
      errors: [
        {
          path: 'spec.clusterIP',
          message: /clusterIP "10\.0\.0" must be a valid IP address or None/,
        },
        {
          path: 'spec.externalIPs[0]',
          message: /externalIPs\[0\] "127\.0\.0\.1" may not be in the loopback range/,
        },
        {
          path: 'spec.loadBalancerSourceRanges[0]',
          message: /"10\.0\.0\.0\/33" must be a valid CIDR/,
        },
        {
          path: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          message: /timeoutSeconds 0 must be greater than 0 and at most 86400/,
        },
      ],
    },
    {
      yaml: claim('resources: {requests: {cpu: "1"}}\nstorageClassName: GP3\n'),
      errors: [
        {
          path: 'spec',
          message: /a claim needs at least 1 access mode \(ValidatePersistentVolumeClaimSpec\)/,
        },
        {
          path: 'spec.resources',
          message:
            /a claim needs resources\.requests\.storage \(ValidatePersistentVolumeClaimSpec: Required value\)/,
        },
        {
          path: 'spec.storageClassName',
          message: /storageClassName "GP3" must be a lowercase RFC 1123 subdomain/,
        },
      ],
    },
    {
      yaml: claim(
        'accessModes: [ReadWriteOncePod, ReadWriteOnce]\nresources: {requests: {storage: "0"}}\n',
      ),
      errors: [
        {
          path: 'spec.accessModes',
          message: /may not use ReadWriteOncePod with other access modes/,
        },
        {
          path: 'spec.resources.requests.storage',
          message:
            /the requested storage "0" must be greater than zero \(ValidatePositiveQuantityValue\)/,
        },
      ],
    },
    {
      yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: apps}
spec:
  minAvailable: "50"
  selector: {matchLabels: {app: web}}
`,
      errors: [
        {
          path: 'spec.minAvailable',
          message:
            /minAvailable "50" must be an integer or a percentage .*ValidatePodDisruptionBudgetSpec/,
        },
      ],
    },
    {
      yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: apps}
spec:
  maxUnavailable: 150%
  selector: {matchLabels: {app: web}}
`,
      errors: [{ path: 'spec.maxUnavailable', message: /must not be greater than 100%/ }],
    },
    {
      yaml: 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: EBS CSI\n',
      errors: [
        {
          path: 'provisioner',
          message: /provisioner "EBS CSI" .*\(validateProvisioner, ValidateQualifiedName\)/,
        },
      ],
    },
    {
      yaml: 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\n',
      errors: [
        {
          path: '',
          message: /a StorageClass needs a provisioner \(validateProvisioner: Required value\)/,
        },
      ],
    },
  ],
});

describe('api-values on the repository plans', () => {
  it('finds nothing in the dev and prd plans', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([apiValuesRule], env, REPO_ROOT).map((f) => f.message)).toEqual([]);
  });
});
