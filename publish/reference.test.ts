import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseRegistryTarget, repositoryFor } from './reference.js';

describe('registry references', () => {
  it('parses oci://HOST[:PORT]/PATH and recognises ECR hosts', () => {
    expect(
      parseRegistryTarget('oci://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/charts', false),
    ).toEqual({
      host: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
      hostname: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
      path: 'charts',
      scheme: 'https',
      ecr: { accountId: '123456789012', region: 'ap-northeast-1' },
    });
    const local = parseRegistryTarget('oci://127.0.0.1:5000/team/charts/', true);
    expect(local).toMatchObject({
      host: '127.0.0.1:5000',
      path: 'team/charts',
      scheme: 'http',
      ecr: undefined,
    });
    expect(repositoryFor(local, 'app')).toBe('team/charts/app');
    expect(repositoryFor(parseRegistryTarget('oci://ghcr.io', false), 'app')).toBe('app');
    expect(
      parseRegistryTarget('oci://123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/c', false).ecr,
    ).toEqual({
      accountId: '123456789012',
      region: 'us-east-1',
    });
    expect(
      parseRegistryTarget('oci://dkr.ecr.us-east-1.amazonaws.com.example.org/c', false).ecr,
    ).toBeUndefined();
  });

  it('allows plain HTTP only to loopback hosts', () => {
    for (const h of [
      '127.0.0.1',
      '127.4.5.6',
      'localhost',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of [
      '10.0.0.1',
      '128.0.0.1',
      'registry.example.com',
      '::2',
      'localhost.example.com',
      '0.0.0.0',
    ])
      expect(isLoopbackHost(h)).toBe(false);
    expect(() => parseRegistryTarget('oci://[::1]:5000/charts', true)).not.toThrow();
    expect(() => parseRegistryTarget('oci://192.168.1.10:5000/charts', true)).toThrow(
      /--plain-http is only allowed for a registry on this machine .* not 192\.168\.1\.10/,
    );
  });

  it('rejects malformed references with one clear line', () => {
    expect(() => parseRegistryTarget('https://ghcr.io/charts', false)).toThrow(
      /must look like oci:\/\/HOST\/PATH/,
    );
    expect(() => parseRegistryTarget('oci://user:pw@ghcr.io/charts', false)).toThrow(
      /must not hold credentials/,
    );
    expect(() => parseRegistryTarget('oci://ghcr.io/Charts', false)).toThrow(
      /not a valid repository path/,
    );
    expect(() => parseRegistryTarget('oci://ghcr.io:99999/c', false)).toThrow(/invalid host/);
  });
});
