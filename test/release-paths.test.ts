import { describe, expect, it } from 'vitest';
import { cleanSegment, releasePathFor, segmentByReplacements } from '../generator/release/paths.js';

/** A small deterministic generator (no flaky seeds). */
function* strings(count: number): Generator<string> {
  const alphabet = ['a', 'z', '0', '9', '.', '-', '_', 'A', ' ', '/', 'é', '--', '..'];
  let x = 12345;
  for (let i = 0; i < count; i++) {
    let s = '';
    const len = i % 17;
    for (let j = 0; j < len; j++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      s += alphabet[x % alphabet.length];
    }
    yield s;
  }
}

describe('release paths', () => {
  it('clean every segment as the replacements do, shortcut or not', () => {
    const cases = [
      ...strings(20_000),
      'web',
      'svc-0',
      'a.b',
      'a..b',
      'a.-b',
      '_x',
      '-x',
      'x-',
      'x.',
      '.x',
      '',
      'x'.repeat(100),
      'x'.repeat(101),
      'Deployment',
      '../../etc/passwd',
    ];
    for (const s of cases)
      expect(cleanSegment(s), JSON.stringify(s)).toBe(segmentByReplacements(s));
  });

  it('keep names inside the chart folder', () => {
    const obj = (name: string, namespace?: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, ...(namespace ? { namespace } : {}) },
    });
    expect(releasePathFor('app', obj('../../x', 'apps'))).toBe('app/apps/configmap-x.yaml');
    expect(releasePathFor('app', obj('web', '..'))).toBe('app/_/configmap-web.yaml');
    expect(releasePathFor('app', obj('web'))).toBe('app/_default/configmap-web.yaml');
  });
});
