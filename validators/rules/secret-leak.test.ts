import { describe, expect, it } from 'vitest';
import {
  encodingsOf,
  MIN_CREDENTIAL_LENGTH,
  mayBeCredential,
  secretLeakRule,
} from './secret-leak.js';
import { runCase, testRule } from '../testing/rule-tester.js';

const SECRET = 'Pa$$w0rd"with/odd+chars<&>';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const secrets = [{ variable: 'APP_DB_PASSWORD', value: SECRET, paths: ['app.database.password'] }];
const prd = { env: 'prd', secrets, values: { app: { database: { password: '<<secret:X>>' } } } };

const secretObject = (body: string, name = 'db') => `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: apps
type: Opaque
${body}`;

const configMap = (name: string, data: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: apps}
data:
${data}`;

const aws = 'AKIA' + 'Q3EXAMPLEKEY7ABC';
const github = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const slack = 'xoxb-' + '0123456789';
const privateKey = [
  '-----BEGIN',
  'RSA PRIVATE KEY-----\\nMIIEow\\n-----END RSA PRIVATE KEY-----',
].join(' ');

/** Every form of the secret, to check that no message shows it. */
const NEVER_SHOWN = new RegExp(
  `^(?!.*(${[SECRET, ...encodingsOf(SECRET).map((n) => n.text)]
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')}))`,
);

testRule(secretLeakRule, {
  valid: [
    {
      name: 'placeholders and values that are not secrets',
      yaml: secretObject('stringData:\n  password: "<<secret:APP_DB_PASSWORD>>"\n  user: abcd\n'),
      context: prd,
    },
    {
      name: 'a password read from the environment in a properties file',
      yaml: secretObject(
        'stringData:\n  db.properties: |\n    scalar.db.password=${env:DB_PASSWORD}\n',
      ),
      context: { env: 'prd' },
    },
  ],
  invalid: [
    {
      name: 'a secret value in plain text: one finding naming the variable and the file and line',
      yaml: secretObject(`stringData:\n  password: ${JSON.stringify(SECRET)}\n`),
      context: prd,
      errors: [
        {
          path: 'stringData.password',
          line: 8,
          resource: 'Secret/apps/db',
          message:
            /^the value of secret variable APP_DB_PASSWORD appears in the plan at case\.yaml:8 \(plain\); keep secret values out of the plan/,
        },
      ],
    },
    {
      name: 'several places and encodings of one secret: still one finding, listing them all',
      yaml: {
        'a-base64.yaml': secretObject(`data:\n  password: ${b64(SECRET)}\n`),
        'b-docker.yaml': secretObject(
          `data:\n  .dockerconfigjson: ${b64(JSON.stringify({ auths: { 'ghcr.io': { auth: b64(`bot:${SECRET}`) } } }))}\n`,
          'pull',
        ),
        'c-url.yaml': configMap(
          'conn',
          `  url: "mysql://app:${encodeURIComponent(SECRET)}@db:3306/shop"\n`,
        ),
        'd-json.yaml': configMap(
          'json',
          `  config.json: ${JSON.stringify(JSON.stringify({ password: SECRET }))}\n`,
        ),
        'e-comment.yaml': `# old password: ${SECRET}\n${configMap('clean', '  a: b\n')}`,
      },
      context: prd,
      errors: [
        {
          file: 'a-base64.yaml',
          path: 'data.password',
          message:
            /APP_DB_PASSWORD appears in the plan at a-base64\.yaml:8 \(base64\), b-docker\.yaml:8 \(base64, after base64 decoding\), c-url\.yaml:5 \(URL-encoded\), d-json\.yaml:5 \(JSON-escaped\), e-comment\.yaml:1 \(plain\);/,
        },
      ],
    },
    {
      name: 'JSON escapes the way Go writes them (\\u003c, \\u0026, \\/)',
      yaml: configMap(
        'go-json',
        `  config.json: ${JSON.stringify(JSON.stringify({ p: SECRET }).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\//g, '\\/'))}\n`,
      ),
      context: prd,
      errors: [{ path: 'data["config.json"]', message: /\(JSON-escaped\)/ }],
    },
    {
      name: 'the message never shows the value, in any form',
      yaml: secretObject(`stringData:\n  password: ${JSON.stringify(SECRET)}\n`),
      context: prd,
      errors: [{ message: NEVER_SHOWN }],
    },
    {
      name: 'a secret that is an ordinary word of the plan: one finding, too weak, no places listed',
      yaml: Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [
          `cm${i}.yaml`,
          configMap(`x${i}`, '  owner: apps\n'),
        ]),
      ),
      context: {
        env: 'prd',
        secrets: [{ variable: 'APP_DB_PASSWORD', value: 'apps', paths: ['app.database.password'] }],
        values: { app: { namespace: 'apps', database: { password: 'apps' } } },
      },
      errors: [
        {
          message:
            /^the value of secret variable APP_DB_PASSWORD is also an ordinary value of the plan \(it appears in 22 places in 11 files\): too weak to be a secret; set APP_DB_PASSWORD to a value that appears nowhere else$/,
        },
      ],
    },
    {
      name: 'a secret too short to be checked',
      yaml: configMap('x', '  a: b\n'),
      context: {
        env: 'prd',
        secrets: [{ variable: 'APP_DB_PASSWORD', value: 'abc', paths: ['app.database.password'] }],
      },
      errors: [
        {
          resource: 'values',
          severity: 'error',
          message:
            /secret variable APP_DB_PASSWORD is set to a value of fewer than 4 characters: too short to be checked/,
        },
      ],
    },
    {
      name: 'credential-looking literals, without printing them',
      yaml: {
        'cm.yaml': configMap(
          'tools',
          `  AWS_ACCESS_KEY_ID: ${aws}\n  key.pem: "${privateKey}"\n  token: ${github}\n`,
        ),
      },
      context: { env: 'dev' },
      errors: [
        { path: 'data.AWS_ACCESS_KEY_ID', line: 5, message: /looks like an AWS access key id/ },
        { path: 'data["key.pem"]', line: 6, message: /looks like a private key/ },
        { path: 'data.token', line: 7, message: /^(?!.*ghp_a1B2).*looks like a GitHub token/ },
      ],
    },
    {
      name: 'credentials deep in a workload, in a map key, and only after base64 decoding',
      yaml: {
        'job.yaml': `apiVersion: batch/v1
kind: CronJob
metadata:
  name: sync
  namespace: apps
  annotations:
    ${slack}: set
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: sync
              image: shop/sync:1.0
              args: ["--key", "${aws}"]
`,
        'secret.yaml': secretObject(`data:\n  token: ${b64(github)}\n`, 'tokens'),
      },
      context: { env: 'dev' },
      errors: [
        { path: `metadata.annotations.${slack}`, line: 7, message: /looks like a Slack token/ },
        {
          path: 'spec.jobTemplate.spec.template.spec.containers[0].args[1]',
          line: 18,
          message: /looks like an AWS access key id/,
        },
        {
          file: 'secret.yaml',
          path: 'data.token',
          message: /^this field, after base64 decoding holds what looks like a GitHub token/,
        },
      ],
    },
    {
      name: 'literal passwords in a CronJob environment and on a line of a ConfigMap file',
      yaml: {
        'job.yaml': `apiVersion: batch/v1
kind: CronJob
metadata: {name: sync, namespace: apps}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: sync
              image: shop/sync:1.0
              env:
                - { name: LOG_LEVEL, value: info }
                - { name: DB_PASSWD, value: hunter22 }
`,
        'cm.yaml': configMap('settings', '  settings.ini: |\n    [db]\n    Password = hunter22\n'),
      },
      context: { env: 'dev' },
      errors: [
        {
          file: 'cm.yaml',
          path: 'data["settings.ini"]',
          message: /^"Password" holds a literal password in a ConfigMap/,
        },
        {
          file: 'job.yaml',
          path: 'spec.jobTemplate.spec.template.spec.containers[0].env[1].value',
          line: 16,
          message: /^"DB_PASSWD" holds a literal password \(environment dev\)/,
        },
      ],
    },
    {
      name: 'a literal password in a Secret is a warning in dev',
      yaml: secretObject('stringData:\n  password: dev-only-password\n'),
      context: { env: 'dev' },
      errors: [
        {
          severity: 'warning',
          path: 'stringData.password',
          line: 8,
          message: /"password" holds a literal password \(environment dev\)/,
        },
      ],
    },
    {
      name: 'a literal password in a base64 properties file is an error in prd',
      yaml: secretObject(
        `data:\n  db.properties: ${b64('scalar.db.username=ledger\nscalar.db.password=hunter22\n')}\n`,
      ),
      context: { env: 'prd' },
      errors: [
        {
          severity: 'error',
          path: 'data["db.properties"]',
          message: /"scalar\.db\.password" holds a literal password/,
        },
      ],
    },
  ],
});

describe('secret-leak encodings', () => {
  it('finds base64 of a secret inside longer encoded text at every byte alignment', () => {
    const needles = encodingsOf(SECRET).filter((n) => n.encoding === 'base64');
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:', 'x'.repeat(17)]) {
      for (const suffix of ['', '!', '@host:3306']) {
        const encoded = b64(prefix + SECRET + suffix);
        expect(
          needles.some((n) => encoded.includes(n.text)),
          `${prefix}|${suffix}`,
        ).toBe(true);
      }
    }
    expect(needles.some((n) => b64('something else entirely').includes(n.text))).toBe(false);
  });

  it('lists at most five places and counts the rest', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 8; i++)
      files[`f${i}.yaml`] = configMap(`c${i}`, `  v: ${JSON.stringify(SECRET)}\n`);
    const [finding] = runCase(secretLeakRule, { yaml: files, context: prd });
    expect(finding.message).toMatch(/f4\.yaml:5 \(plain\) and 3 more;/);
    expect(finding.message).not.toContain('f5.yaml');
  });
});

describe('secret-leak credential patterns', () => {
  it('matches nothing shorter than MIN_CREDENTIAL_LENGTH (the shortest of each pattern)', () => {
    const shortest = [
      'AKIA' + 'A'.repeat(16),
      '-----BEGIN PRIVATE KEY-----',
      'ghp_' + 'a'.repeat(20),
      'github_pat_' + 'a'.repeat(20),
      'xoxb-' + 'a'.repeat(10),
    ];
    for (const text of shortest) {
      expect(mayBeCredential(text), text).toBe(true);
      expect(text.length).toBeGreaterThanOrEqual(MIN_CREDENTIAL_LENGTH);
      // one character less and it is no credential
      expect(mayBeCredential(text.slice(0, -1)), text).toBe(false);
    }
    expect(Math.min(...shortest.map((t) => t.length))).toBe(MIN_CREDENTIAL_LENGTH);
  });
});
