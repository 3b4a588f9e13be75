import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** The lowest Node version of each range `package.json`'s engines field accepts (e.g. 20.19.0, 22.0.0). */
function lowestSupported(range: string): string[] {
  return new semver.Range(range).set.map((comparators) => {
    const low = semver.minVersion(comparators.map((c) => c.value).join(' '));
    if (!low) throw new Error(`no version satisfies ${range}`);
    return low.version;
  });
}

describe('engines', () => {
  it('every package the tool installs accepts the Node versions package.json names', () => {
    const versions = lowestSupported(pkg.engines.node);
    expect(versions).toEqual(['20.19.0', '22.0.0']);
    const refused: string[] = [];
    let checked = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      // the project itself, and what only development installs (test runners and linters name
      // their own Node ranges; `npm install --omit=dev` does not install them)
      if (path === '' || entry.dev) continue;
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!range) continue;
      checked++;
      for (const v of versions)
        if (!semver.satisfies(v, range))
          refused.push(
            `${path.replace(/^.*node_modules\//, '')}@${entry.version} needs Node ${range}, not ${v}`,
          );
    }
    expect(checked).toBeGreaterThan(20);
    // npm ci --engine-strict would refuse to install on these versions (as it did for content-type
    // 3.x, pinned to 2.1.0 in package.json's overrides)
    expect(refused).toEqual([]);
  });
});
