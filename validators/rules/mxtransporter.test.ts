import { mxTransporterRule } from './mxtransporter.js';
import { lineOf, prdLikeCluster } from '../testing/helpers.js';
import { exactly, testRule } from '../testing/rule-tester.js';

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

/** A cluster whose out-of-band Secret mxtransporter-env supplies most variables. */
const secretCluster = prdLikeCluster();
secretCluster.outOfBandSecrets = [
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

const onEmptyDir = exporter(
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

const CONTAINER = 'spec.template.spec.containers[0]';
const notSet = (name: string, why: string) => ({
  path: `${CONTAINER}.env`,
  message: exactly(
    `container mxtransporter: ${name} is not set (${why}); add it to env (from a Secret or a value)`,
  ),
});

testRule(mxTransporterRule, {
  valid: [
    {
      name: 'a StatefulSet whose variables come from env and a ConfigMap, with the token on its PVC',
      yaml: { 'mxt.yaml': exporter(goodEnv), 'cm.yaml': settings },
    },
    {
      name: 'variables from a Secret whose keys are declared out of band',
      yaml: {
        'mxt.yaml': exporter(
          `          envFrom:
            - secretRef: { name: mxtransporter-env }
          env:
            - { name: RESUME_TOKEN_VOLUME_DIR, value: /dsk/pvc }
`,
        ),
      },
      context: { cluster: secretCluster },
    },
  ],
  invalid: [
    {
      // Findings on one line come in message order.
      name: 'missing variables, an unknown destination and a resume token on an emptyDir',
      yaml: { 'mxt.yaml': onEmptyDir },
      errors: [
        notSet('BIGQUERY_DATASET', 'destination bigquery needs it'),
        notSet('BIGQUERY_TABLE', 'destination bigquery needs it'),
        notSet('PROJECT_NAME_TO_EXPORT_CHANGE_STREAMS', 'destination bigquery needs it'),
        notSet('TIME_ZONE', 'MxTransporter requires it'),
        {
          severity: 'error',
          resource: 'StatefulSet/mxtransporter/mxt-orders',
          path: `${CONTAINER}.env[3].value`,
          file: 'mxt.yaml',
          line: lineOf(onEmptyDir, 'EXPORT_DESTINATION'),
          message: exactly(
            'container mxtransporter: EXPORT_DESTINATION names unknown destination "kinesisstream" (did you mean kinesisStream?); known: bigquery, pubsub, kinesisStream, file',
          ),
        },
        {
          path: `${CONTAINER}.volumeMounts[0]`,
          message: exactly(
            'container mxtransporter: RESUME_TOKEN_VOLUME_DIR /dsk/pvc is on volume resume-token of type emptyDir (deleted with the pod), so a restarted exporter cannot resume; mount a volumeClaimTemplate of the StatefulSet at that path',
          ),
        },
      ],
    },
    {
      name: 'a destination variable left empty in the ConfigMap read through envFrom',
      yaml: {
        'mxt.yaml': exporter(goodEnv),
        'cm.yaml': settings.replace(
          'KINESIS_STREAM_REGION: ap-northeast-1',
          'KINESIS_STREAM_REGION: ""',
        ),
      },
      errors: [
        {
          path: `${CONTAINER}.envFrom[0]`,
          message: exactly(
            'container mxtransporter: KINESIS_STREAM_REGION is empty (destination kinesisStream needs it); give it a value',
          ),
        },
      ],
    },
    {
      name: 'a warning for a Deployment, and a token directory on no volume',
      yaml: {
        'mxt.yaml': exporter(
          goodEnv.replace('/dsk/pvc/tokens', '/var/tokens'),
          '',
          false,
          'Deployment',
        ),
        'cm.yaml': settings,
      },
      errors: [
        {
          severity: 'warning',
          path: 'kind',
          message: exactly(
            'MxTransporter runs as a Deployment; make it a StatefulSet so each exporter keeps its resume token on its own PersistentVolumeClaim (volumeClaimTemplates)',
          ),
        },
        {
          severity: 'error',
          path: `${CONTAINER}.env[3].value`,
          message: exactly(
            'container mxtransporter: RESUME_TOKEN_VOLUME_DIR /var/tokens is on no volume mount, so the resume token is lost when the container restarts; mount a volumeClaimTemplate of the StatefulSet at that path',
          ),
        },
      ],
    },
  ],
});
