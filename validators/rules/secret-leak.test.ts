import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/helpers.js';
import type { Finding } from '../types.js';
import { encodingsOf, secretLeakRule } from './secret-leak.js';
import { runRuleOnYaml, runRulesOnRepo } from '../testing/helpers.js';

const SECRET = 'Pa$$w0rd"with/odd+chars';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const secretObject = (body: string) => `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
type: Opaque
${body}`;

function expectNoSecretIn(findings: Finding[]): void {
  for (const f of findings) {
    expect(f.message).not.toContain(SECRET);
    for (const n of encodingsOf(SECRET)) expect(f.message).not.toContain(n.text);
  }
}

describe('secret-leak', () => {
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

  it('reports a secret value in plain text, base64, URL-encoded and JSON-escaped forms', () => {
    const files = {
      'plain.yaml': secretObject(`stringData:\n  password: ${JSON.stringify(SECRET)}\n`),
      'base64.yaml': secretObject(`data:\n  password: ${b64(SECRET)}\n`),
      'docker.yaml': secretObject(
        `data:\n  .dockerconfigjson: ${b64(JSON.stringify({ auths: { 'ghcr.io': { auth: b64(`bot:${SECRET}`) } } }))}\n`,
      ),
      'url.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: conn, namespace: apps}
data:
  url: "mysql://app:${encodeURIComponent(SECRET)}@db:3306/shop"
`,
      'json.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: json, namespace: apps}
data:
  config.json: ${JSON.stringify(JSON.stringify({ password: SECRET }))}
`,
      'comment.yaml': `# old password: ${SECRET}
apiVersion: v1
kind: ConfigMap
metadata: {name: clean, namespace: apps}
data: {a: b}
`,
    };
    const findings = runRuleOnYaml(secretLeakRule, files, {
      env: 'prd',
      secretValues: [SECRET, 'abc'],
      values: { app: { database: { password: SECRET } } },
    });
    expect(findings).toHaveLength(6);
    const byFile = Object.fromEntries(findings.map((f) => [f.location?.file, f]));
    expect(Object.keys(byFile).sort()).toEqual([
      'base64.yaml',
      'comment.yaml',
      'docker.yaml',
      'json.yaml',
      'plain.yaml',
      'url.yaml',
    ]);
    expect(findings.every((f) => f.severity === 'error' && f.ruleId === 'secret-leak')).toBe(true);
    expect(byFile['plain.yaml']).toMatchObject({
      resource: 'Secret/apps/db',
      path: 'stringData.password',
      location: { line: 8 },
    });
    expect(byFile['plain.yaml'].message).toContain(
      'the secret value of app.database.password appears in this field (encoding: plain)',
    );
    expect(byFile['base64.yaml'].message).toContain('(encoding: base64)');
    expect(byFile['docker.yaml'].message).toContain('(after base64 decoding) (encoding: base64)');
    expect(byFile['url.yaml']).toMatchObject({ resource: 'ConfigMap/apps/conn', path: 'data.url' });
    expect(byFile['url.yaml'].message).toContain('(encoding: URL-encoded)');
    expect(byFile['json.yaml'].message).toContain('(encoding: JSON-escaped)');
    expect(byFile['comment.yaml'].message).toContain(
      'appears in file comment.yaml at line 1, outside any field value',
    );
    expectNoSecretIn(findings);
  });

  it('ignores secret values shorter than 4 characters and accepts placeholders', () => {
    const files = {
      'db.yaml': secretObject(
        'stringData:\n  password: "<<secret:APP_DB_PASSWORD>>"\n  user: abc\n',
      ),
    };
    expect(
      runRuleOnYaml(secretLeakRule, files, { env: 'prd', secretValues: [SECRET, 'abc'] }),
    ).toEqual([]);
  });

  it('reports credential-looking literals without printing them', () => {
    const aws = 'AKIA' + 'Q3EXAMPLEKEY7ABC';
    const github = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    const key = [
      '-----BEGIN',
      'RSA PRIVATE KEY-----\\nMIIEow\\n-----END RSA PRIVATE KEY-----',
    ].join(' ');
    const files = {
      'cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: tools, namespace: apps}
data:
  AWS_ACCESS_KEY_ID: ${aws}
  key.pem: "${key}"
`,
      'deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: bot, namespace: apps}
spec:
  selector: {matchLabels: {app: bot}}
  template:
    metadata: {labels: {app: bot}}
    spec:
      containers:
        - name: bot
          image: bot:1.0
          args: ["--token=${github}", "--slack=${'xoxb-' + '123456789012-abcdefghij'}"]
`,
    };
    const findings = runRuleOnYaml(secretLeakRule, files, { env: 'dev' });
    expect(findings.map((f) => [f.resource, f.path, f.severity, f.location?.line])).toEqual([
      ['ConfigMap/apps/tools', 'data.AWS_ACCESS_KEY_ID', 'error', 5],
      ['ConfigMap/apps/tools', 'data["key.pem"]', 'error', 6],
      ['Deployment/apps/bot', 'spec.template.spec.containers[0].args[0]', 'error', 12],
      ['Deployment/apps/bot', 'spec.template.spec.containers[0].args[1]', 'error', 12],
    ]);
    expect(findings[0].message).toContain('looks like an AWS access key id');
    expect(findings[1].message).toContain('looks like a private key');
    expect(findings[2].message).toContain('looks like a GitHub token');
    expect(findings[3].message).toContain('looks like a Slack token');
    for (const f of findings) {
      expect(f.message).not.toContain(aws);
      expect(f.message).not.toContain(github);
    }
  });

  it('flags a literal password in a Secret: a warning in dev, an error in prd', () => {
    const files = {
      'db.yaml': secretObject(
        `stringData:\n  password: dev-only-password\n  db.properties: |\n    scalar.db.username=ledger\n    scalar.db.password=\${env:DB_PASSWORD}\n`,
      ),
    };
    const dev = runRuleOnYaml(secretLeakRule, files, { env: 'dev' });
    expect(dev).toMatchObject([
      {
        severity: 'warning',
        resource: 'Secret/apps/db',
        path: 'stringData.password',
        location: { file: 'db.yaml', line: 8 },
        message: expect.stringContaining('"password" holds a literal password (environment dev)'),
      },
    ]);
    const prd = runRuleOnYaml(secretLeakRule, files, {
      env: 'prd',
    });
    expect(prd).toMatchObject([{ severity: 'error', path: 'stringData.password' }]);
    const properties = runRuleOnYaml(
      secretLeakRule,
      {
        'db.yaml': secretObject(
          `data:\n  db.properties: ${b64('scalar.db.username=ledger\nscalar.db.password=hunter22\n')}\n`,
        ),
      },
      { env: 'prd' },
    );
    expect(properties).toMatchObject([
      {
        severity: 'error',
        path: 'data["db.properties"]',
        message: expect.stringContaining('"scalar.db.password" holds a literal password'),
      },
    ]);
  });

  it('finds nothing to fix in the repository plans (errors; dev holds throwaway passwords)', () => {
    for (const env of ['dev', 'prd']) {
      const findings = runRulesOnRepo([secretLeakRule], env, REPO_ROOT);
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      if (env === 'prd') expect(findings).toEqual([]);
    }
  });
});
