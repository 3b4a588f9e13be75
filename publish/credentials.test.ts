import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers.js';
import { basicCredentials } from './credentials.js';
import { parseRegistryTarget } from './reference.js';

const target = parseRegistryTarget('oci://registry.internal:5000/charts', false);

function dockerConfig(config: unknown): string {
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

describe('basic credentials', () => {
  it('come from the two variables first', () => {
    const c = basicCredentials(target, {
      MANIFESTS_REGISTRY_USERNAME: 'u',
      MANIFESTS_REGISTRY_PASSWORD: 'p',
    });
    expect(c).toEqual({
      username: 'u',
      password: 'p',
      source: 'MANIFESTS_REGISTRY_USERNAME/MANIFESTS_REGISTRY_PASSWORD',
    });
  });

  it('need both variables', () => {
    expect(() => basicCredentials(target, { MANIFESTS_REGISTRY_PASSWORD: 'secret-value' })).toThrow(
      /set both MANIFESTS_REGISTRY_USERNAME and MANIFESTS_REGISTRY_PASSWORD, or neither \(only MANIFESTS_REGISTRY_PASSWORD is set\)/,
    );
  });

  it('else come from the Docker config auths entry of the host, in any of its key forms', () => {
    const auth = Buffer.from('robot:pa:ss').toString('base64');
    for (const key of [
      'registry.internal:5000',
      'https://registry.internal:5000',
      'https://registry.internal:5000/v1/',
    ]) {
      const file = dockerConfig({ auths: { 'other:5000': { auth: 'eDp5' }, [key]: { auth } } });
      expect(basicCredentials(target, {}, file)).toEqual({
        username: 'robot',
        password: 'pa:ss',
        source: `${file} (auths.${key})`,
      });
    }
    const fields = dockerConfig({
      auths: { 'registry.internal:5000': { username: 'a', password: 'b' } },
    });
    expect(basicCredentials(target, {}, fields)).toMatchObject({ username: 'a', password: 'b' });
  });

  it('are absent (anonymous) without variables or a matching entry', () => {
    expect(basicCredentials(target, {})).toBeUndefined();
    expect(basicCredentials(target, {}, join(tempDir(), 'missing.json'))).toBeUndefined();
    expect(basicCredentials(target, {}, dockerConfig({ credsStore: 'desktop' }))).toBeUndefined();
  });

  it('report an unreadable Docker config file by name', () => {
    const file = dockerConfig('{not json');
    expect(() => basicCredentials(target, {}, file)).toThrow(/cannot read the Docker config file/);
  });
});
