/**
 * The bench's `helm template` comparison: a Helm chart that emits the same documents as the bench
 * project's prd plan. The generated app services and MxTransporter collections come from Go
 * templates ranging over the same list items (the work a chart does per item); every other document
 * of the plan is a static template.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Release files that the templated items produce (the rest of the plan is static). */
export const GENERATED_FILE = /(^|\/)[a-z]+-(svc-\d+(-config)?|mxt-coll-\d+)\.yaml$/;

const APP = `{{- range .Values.services }}
{{- $labels := printf "app.kubernetes.io/managed-by: manifests\\napp.kubernetes.io/name: %s\\napp.kubernetes.io/part-of: app" .name }}
{{- $data := dict "DB_HOST" "db.apps.svc.cluster.local" "DB_NAME" "app" "DB_PORT" "3306" "DB_USER" "app" "PORT" (toString .port) "SERVICE_NAME" .name }}
{{- range .env }}{{- $_ := set $data .name .value }}{{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}-config
  namespace: apps
  labels:
{{ $labels | indent 4 }}
data:
{{- range $k, $v := $data }}
  {{ $k }}: {{ $v | quote }}
{{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  namespace: apps
  labels:
{{ $labels | indent 4 }}
spec:
  replicas: {{ .replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .name }}
      app.kubernetes.io/part-of: app
  template:
    metadata:
      annotations:
        checksum/config: {{ toJson $data | sha256sum }}
      labels:
{{ $labels | indent 8 }}
        version: {{ .tag | quote }}
    spec:
      containers:
        - name: {{ .name }}
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db-credentials
                  key: password
          envFrom:
            - configMapRef:
                name: {{ .name }}-config
          image: {{ $.Values.registry }}/{{ .repository }}:{{ .tag }}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: {{ .port }}
              protocol: TCP
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
{{ toYaml .resources | indent 12 }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: apps
  labels:
{{ $labels | indent 4 }}
spec:
  ports:
    - name: http
      port: {{ .port }}
      protocol: TCP
      targetPort: http
  selector:
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: app
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: {{ .name }}
  namespace: apps
  labels:
    app.kubernetes.io/managed-by: manifests
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: istio
spec:
  host: {{ .name }}.apps.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
{{- if .public }}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: {{ .name }}
  namespace: apps
  labels:
    app.kubernetes.io/managed-by: manifests
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/part-of: istio
spec:
  gateways:
    - istio-system/public-gateway
  hosts:
    - shop.example.com
  http:
    - name: {{ .name }}
      match:
        - uri:
            prefix: {{ .pathPrefix }}
      route:
        - destination:
            host: {{ .name }}.apps.svc.cluster.local
            port:
              number: {{ .port }}
{{- end }}
{{- end }}
`;

const MXT = `{{- range .Values.collections }}
{{- $full := printf "mxt-%s" .name }}
{{- $labels := printf "app.kubernetes.io/component: change-stream-exporter\\napp.kubernetes.io/instance: %s\\napp.kubernetes.io/managed-by: manifests\\napp.kubernetes.io/name: mxtransporter\\napp.kubernetes.io/part-of: mxtransporter" $full }}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $full }}
  namespace: mxtransporter
  annotations:
    mxtransporter/collection: {{ .collection }}
    mxtransporter/database: {{ .database }}
  labels:
{{ $labels | indent 4 }}
spec:
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ $full }}
      app.kubernetes.io/name: mxtransporter
  serviceName: {{ $full }}
  template:
    metadata:
      labels:
{{ $labels | indent 8 }}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: mxtransporter
          env:
            - name: MONGODB_HOST
              valueFrom:
                secretKeyRef:
                  name: mxtransporter-secrets
                  key: MONGODB_HOST
            - name: MONGODB_DATABASE
              value: {{ .database }}
            - name: MONGODB_COLLECTION
              value: {{ .collection }}
            - name: EXPORT_DESTINATION
              value: {{ join "," .exportDestinations }}
            - name: TIME_ZONE
              value: Asia/Tokyo
            - name: RESUME_TOKEN_VOLUME_DIR
              value: /dsk/pvc
            - name: RESUME_TOKEN_VOLUME_TYPE
              value: file
            - name: RESUME_TOKEN_SAVE_INTERVAL_SEC
              value: "5"
            - name: KINESIS_STREAM_NAME
              value: {{ .kinesisStream.streamName }}
            - name: KINESIS_STREAM_REGION
              value: ap-northeast-1
            - name: LOG_LEVEL
              value: "0"
            - name: LOG_FORMAT
              value: json
          image: {{ $.Values.registry }}/mxtransporter:1.4.2
          imagePullPolicy: IfNotPresent
          livenessProbe:
            exec:
              command:
                - /go/bin/health
            failureThreshold: 3
            initialDelaySeconds: 60
            periodSeconds: 30
            timeoutSeconds: 10
          resources:
{{ toYaml .resources | indent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop:
                - ALL
            readOnlyRootFilesystem: true
          volumeMounts:
            - name: resume-token
              mountPath: /dsk/pvc
      enableServiceLinks: false
      nodeSelector:
        agentpool: generalpool
      securityContext:
        fsGroup: 10001
        runAsGroup: 10001
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
  volumeClaimTemplates:
    - metadata:
        name: resume-token
        labels:
          app.kubernetes.io/instance: {{ $full }}
          app.kubernetes.io/name: mxtransporter
      spec:
        accessModes:
          - ReadWriteOnce
        resources:
          requests:
            storage: 1Gi
        storageClassName: gp2
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $full }}
  namespace: mxtransporter
  labels:
{{ $labels | indent 4 }}
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/instance: {{ $full }}
    app.kubernetes.io/name: mxtransporter
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $full }}
  namespace: mxtransporter
  labels:
{{ $labels | indent 4 }}
spec:
  maxReplicas: 1
  metrics:
    - resource:
        name: cpu
        target:
          averageUtilization: 80
          type: Utilization
      type: Resource
  minReplicas: 1
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: {{ $full }}
{{- end }}
`;

/** Helm would read `{{` in a static document as template syntax. */
function escapeStatic(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/**
 * Writes the chart to `dir`: values.yaml with the same generated list items as the bench project,
 * templates for them, and the plan's other documents (`staticFiles`, release path -> text) as they are.
 */
export function writeHelmChart(
  dir: string,
  items: { services: string[]; collections: string[] },
  staticFiles: Map<string, string>,
): void {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: bench\nversion: 0.1.0\n');
  writeFileSync(
    join(dir, 'values.yaml'),
    [
      'registry: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
      'services:',
      ...items.services.map((l) => l.slice(2)),
      'collections:',
      ...items.collections.map((l) => l.slice(2)),
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'templates/app.yaml'), APP);
  writeFileSync(join(dir, 'templates/mxtransporter.yaml'), MXT);
  const statics = [...staticFiles.values()].map((t) => '---\n' + escapeStatic(t));
  writeFileSync(join(dir, 'templates/static.yaml'), statics.join(''));
}
