import { describe, expect, it } from 'vitest';
import type { Manifest } from '../core/manifest.js';
import { renderEnvironment } from '../generator/pipeline.js';
import { REPO_ROOT } from '../test/helpers.js';
import { checkSecretSubstitution } from './substitution.js';

const SECRETS = {
  APP_DB_PASSWORD: 'value-one',
  SCALARDL_DB_PASSWORD: 'value-two',
  SCALARDL_AUDITOR_DB_PASSWORD: 'value-three',
  ARGOCD_ECR_PASSWORD: 'value-four',
  SCALARDL_LEDGER_LICENSE_KEY: 'value-five',
  SCALARDL_AUDITOR_LICENSE_KEY: 'value-six',
};

function secret(data: Record<string, string>): Manifest {
  return {
    chart: 'c',
    file: 'c/ns/secret-s.yaml',
    line: 1,
    object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data },
  };
}
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('checkSecretSubstitution', () => {
  it('accepts the repository: the real render is the reviewed one with the values in place', () => {
    const reviewed = renderEnvironment(REPO_ROOT, 'prd', { environ: SECRETS }).release.manifests;
    const real = renderEnvironment(REPO_ROOT, 'prd', { secretMode: 'real', environ: SECRETS })
      .release.manifests;
    expect(() => checkSecretSubstitution(reviewed, real, SECRETS, 'prd')).not.toThrow();

    const tampered = structuredClone(real);
    const dep = tampered.find((m) => m.object.kind === 'Deployment')!;
    (dep.object.spec as { replicas: number }).replicas += 1;
    expect(() => checkSecretSubstitution(reviewed, tampered, SECRETS, 'prd')).toThrow(
      `beyond the secret values: release/prd/${dep.file} field spec.replicas`,
    );
  });

  it('accepts a placeholder inside a longer string and inside base64, nothing else', () => {
    const env = { DB_PASSWORD: 's3cret!' };
    const reviewed = [secret({ url: b64('mysql://app:<<secret:DB_PASSWORD>>@db/app'), raw: 'x' })];
    const ok = [secret({ url: b64('mysql://app:s3cret!@db/app'), raw: 'x' })];
    expect(() => checkSecretSubstitution(reviewed, ok, env, 'prd')).not.toThrow();
    const otherHost = [secret({ url: b64('mysql://app:s3cret!@elsewhere/app'), raw: 'x' })];
    expect(() => checkSecretSubstitution(reviewed, otherHost, env, 'prd')).toThrow(
      /field data\.url/,
    );
    const extraKey = [secret({ url: b64('mysql://app:s3cret!@db/app'), raw: 'x', more: 'y' })];
    expect(() => checkSecretSubstitution(reviewed, extraKey, env, 'prd')).toThrow(
      /field data \(keys\)/,
    );
    const plain = [secret({ url: 'a <<secret:DB_PASSWORD>> b', raw: 'x' })];
    expect(() =>
      checkSecretSubstitution(plain, [secret({ url: 'a s3cret! b', raw: 'x' })], env, 'prd'),
    ).not.toThrow();
    // The message names the field, never the value.
    const err = (() => {
      try {
        checkSecretSubstitution(plain, [secret({ url: 'a s3cret! c', raw: 'x' })], env, 'prd');
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(err).toContain('field data.url');
    expect(err).not.toContain('s3cret!');
  });
});
