import { describe, expect, it } from 'vitest';
import { mxTransporterRule } from './mxtransporter.js';
import {
  lineOf,
  prdLikeCluster,
  REPO_ROOT,
  runRuleOnYaml,
  runRulesOnRepo,
} from '../testing/helpers.js';

/** An exporter StatefulSet with the given env and volume parts. */
function exporter(env: string, volumes = '', claims = true, kind = 'StatefulSet'): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: mxt-orders
  namespace: mxtransporter
spec:
  selector:
    matchLabels: { app: mxt-orders }
  template:
    metadata:
      labels: { app: mxt-orders }
    spec:
      containers:
        - name: mxtransporter
          image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mxtransporter:1.4.2
${env}          volumeMounts:
            - name: resume-token
              mountPath: /dsk/pvc
${volumes}${
    claims
      ? `  volumeClaimTemplates:
    - metadata:
        name: resume-token
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
`
      : ''
  }`;
}

const goodEnv = `          envFrom:
            - configMapRef:
                name: mxt-settings
          env:
            - name: MONGODB_HOST
              valueFrom:
                secretKeyRef: { name: mxtransporter-secrets, key: MONGODB_HOST }
            - { name: MONGODB_DATABASE, value: shop }
            - { name: MONGODB_COLLECTION, value: orders }
            - { name: RESUME_TOKEN_VOLUME_DIR, value: /dsk/pvc/tokens }
`;
const settings = `apiVersion: v1
kind: ConfigMap
metadata:
  name: mxt-settings
  namespace: mxtransporter
data:
  EXPORT_DESTINATION: kinesisStream,file
  KINESIS_STREAM_NAME: orders-changes
  KINESIS_STREAM_REGION: ap-northeast-1
  TIME_ZONE: Asia/Tokyo
`;

describe('mxtransporter', () => {
  it('reports missing variables, unknown destinations and a resume token on an emptyDir', () => {
    const text = exporter(
      `          env:
            - { name: MONGODB_HOST, value: "mongodb+srv://db.example" }
            - { name: MONGODB_DATABASE, value: shop }
            - { name: MONGODB_COLLECTION, value: orders }
            - { name: EXPORT_DESTINATION, value: "kinesisstream,bigquery" }
            - { name: RESUME_TOKEN_VOLUME_DIR, value: /dsk/pvc }
`,
      `      volumes:
        - name: resume-token
          emptyDir: {}
`,
      false,
    );
    const findings = runRuleOnYaml(mxTransporterRule, { 'mxt.yaml': text });
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      [
        'spec.template.spec.containers[0].env',
        'container mxtransporter: BIGQUERY_DATASET is not set (destination bigquery needs it); add it to env (from a Secret or a value)',
      ],
      [
        'spec.template.spec.containers[0].env',
        'container mxtransporter: BIGQUERY_TABLE is not set (destination bigquery needs it); add it to env (from a Secret or a value)',
      ],
      [
        'spec.template.spec.containers[0].env',
        'container mxtransporter: PROJECT_NAME_TO_EXPORT_CHANGE_STREAMS is not set (destination bigquery needs it); add it to env (from a Secret or a value)',
      ],
      [
        'spec.template.spec.containers[0].env',
        'container mxtransporter: TIME_ZONE is not set (MxTransporter requires it); add it to env (from a Secret or a value)',
      ],
      [
        'spec.template.spec.containers[0].env[3].value',
        'container mxtransporter: EXPORT_DESTINATION names unknown destination "kinesisstream" (did you mean kinesisStream?); known: bigquery, pubsub, kinesisStream, file',
      ],
      [
        'spec.template.spec.containers[0].volumeMounts[0]',
        'container mxtransporter: RESUME_TOKEN_VOLUME_DIR /dsk/pvc is on volume resume-token of type emptyDir (deleted with the pod), so a restarted exporter cannot resume; mount a volumeClaimTemplate of the StatefulSet at that path',
      ],
    ]);
    // Findings on one line come in message order.
    expect(findings[4]).toMatchObject({
      ruleId: 'mxtransporter',
      severity: 'error',
      resource: 'StatefulSet/mxtransporter/mxt-orders',
      location: { file: 'mxt.yaml', line: lineOf(text, 'EXPORT_DESTINATION') },
    });
  });

  it('reads ConfigMap values through envFrom and flags a destination variable left empty there', () => {
    const emptyRegion = settings.replace(
      'KINESIS_STREAM_REGION: ap-northeast-1',
      'KINESIS_STREAM_REGION: ""',
    );
    const findings = runRuleOnYaml(mxTransporterRule, {
      'mxt.yaml': exporter(goodEnv),
      'cm.yaml': emptyRegion,
    });
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      [
        'spec.template.spec.containers[0].envFrom[0]',
        'container mxtransporter: KINESIS_STREAM_REGION is empty (destination kinesisStream needs it); give it a value',
      ],
    ]);
  });

  it('warns about a Deployment and reports a token directory on no volume', () => {
    const text = exporter(
      goodEnv.replace('/dsk/pvc/tokens', '/var/tokens'),
      '',
      false,
      'Deployment',
    );
    const findings = runRuleOnYaml(mxTransporterRule, { 'mxt.yaml': text, 'cm.yaml': settings });
    expect(findings.map((f) => [f.severity, f.path, f.message])).toEqual([
      [
        'warning',
        'kind',
        'MxTransporter runs as a Deployment; make it a StatefulSet so each exporter keeps its resume token on its own PersistentVolumeClaim (volumeClaimTemplates)',
      ],
      [
        'error',
        'spec.template.spec.containers[0].env[3].value',
        'container mxtransporter: RESUME_TOKEN_VOLUME_DIR /var/tokens is on no volume mount, so the resume token is lost when the container restarts; mount a volumeClaimTemplate of the StatefulSet at that path',
      ],
    ]);
  });

  it('accepts a StatefulSet whose variables come from env, a ConfigMap and Secrets, with the token on its PVC', () => {
    expect(
      runRuleOnYaml(mxTransporterRule, { 'mxt.yaml': exporter(goodEnv), 'cm.yaml': settings }),
    ).toEqual([]);
    // A Secret whose keys are declared out of band supplies the variables it lists.
    const fromSecret = exporter(
      `          envFrom:
            - secretRef: { name: mxtransporter-env }
          env:
            - { name: RESUME_TOKEN_VOLUME_DIR, value: /dsk/pvc }
`,
    );
    const cluster = prdLikeCluster();
    cluster.outOfBandSecrets = [
      {
        name: 'mxtransporter-env',
        namespace: 'mxtransporter',
        keys: [
          'MONGODB_HOST',
          'MONGODB_DATABASE',
          'MONGODB_COLLECTION',
          'EXPORT_DESTINATION',
          'TIME_ZONE',
        ],
      },
    ];
    expect(runRuleOnYaml(mxTransporterRule, { 'mxt.yaml': fromSecret }, { cluster })).toEqual([]);
  });
  it('finds nothing to fix in the repository plans', () => {
    for (const env of ['dev', 'prd'])
      expect(runRulesOnRepo([mxTransporterRule], env, REPO_ROOT)).toEqual([]);
  });
});
