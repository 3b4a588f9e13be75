import { describe, expect, it } from 'vitest';
import {
  parseEnvironments,
  removeEndpoint,
  serializeEnvironments,
  upsertEndpoint,
} from './environments.js';

const T1 = new Date('2025-01-02T03:04:05.000Z');
const T2 = new Date('2025-01-02T03:05:00.000Z');

describe('environments.json (eden format)', () => {
  it('adds profiles to one environment and drops the entry with its last endpoint', () => {
    let f = parseEnvironments(undefined, 'e.json');
    f = upsertEndpoint(f, {
      env: 'dev',
      name: 'test',
      profile: 'api',
      host: 'api-test.z',
      now: T1,
    });
    f = upsertEndpoint(f, {
      env: 'dev',
      name: 'test',
      profile: 'admin',
      host: 'admin-test.z',
      now: T2,
    });
    expect(serializeEnvironments(f)).toBe(
      JSON.stringify(
        {
          environments: [
            {
              env: 'dev',
              name: 'test',
              admin_endpoint: 'admin-test.z',
              api_endpoint: 'api-test.z',
              updated_at: T2.toISOString(),
            },
          ],
        },
        null,
        2,
      ) + '\n',
    );
    f = removeEndpoint(f, { name: 'test', profile: 'api', now: T2 });
    expect(f.environments).toEqual([
      { env: 'dev', name: 'test', admin_endpoint: 'admin-test.z', updated_at: T2.toISOString() },
    ]);
    f = removeEndpoint(f, { name: 'test', profile: 'admin', now: T2 });
    expect(f).toEqual({ environments: [] });
  });

  it('keeps keys other tools wrote and orders entries by name', () => {
    const text = JSON.stringify({
      environments: [
        { env: 'dev', name: 'zz', web_endpoint: 'w.z', owner: 'team-a' },
        { env: 'dev', name: 'aa', api_endpoint: 'a.z' },
      ],
    });
    const f = upsertEndpoint(parseEnvironments(text, 'e.json'), {
      env: 'dev',
      name: 'zz',
      profile: 'api',
      host: 'api-zz.z',
      now: T1,
    });
    const out = JSON.parse(serializeEnvironments(f));
    expect(out.environments.map((e: { name: string }) => e.name)).toEqual(['aa', 'zz']);
    expect(Object.keys(out.environments[1])).toEqual([
      'env',
      'name',
      'api_endpoint',
      'web_endpoint',
      'owner',
      'updated_at',
    ]);
  });

  it('refuses a host another preview answers on, and another values environment', () => {
    const f = upsertEndpoint(parseEnvironments(undefined, 'e.json'), {
      env: 'dev',
      name: 'a',
      profile: 'api',
      host: 'h.z',
      now: T1,
    });
    expect(() =>
      upsertEndpoint(f, { env: 'dev', name: 'b', profile: 'api', host: 'h.z', now: T1 }),
    ).toThrow(/already the endpoint of profile api of preview environment a/);
    expect(() =>
      upsertEndpoint(f, { env: 'prd', name: 'a', profile: 'web', host: 'w.z', now: T1 }),
    ).toThrow(/created from environment dev/);
    // The same profile may keep its host (a redeploy).
    expect(() =>
      upsertEndpoint(f, { env: 'dev', name: 'a', profile: 'api', host: 'h.z', now: T2 }),
    ).not.toThrow();
  });

  it('names the file when it is not eden-shaped', () => {
    expect(() => parseEnvironments('{', 'release/preview/environments.json')).toThrow(
      /not valid JSON/,
    );
    expect(() => parseEnvironments('{"environments": {}}', 'f')).toThrow(
      /expected \{"environments"/,
    );
    expect(() => parseEnvironments('{"environments": [{"name": "x"}]}', 'f')).toThrow(
      /needs string "env" and "name"/,
    );
  });
});
