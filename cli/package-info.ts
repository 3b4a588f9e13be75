import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface PackageInfo {
  name: string;
  version: string;
  homepage?: string;
  /** The folder holding package.json (the installed package or the repository). */
  dir: string;
}

let cached: PackageInfo | undefined;

/** The tool's own package.json, found upwards from this module (works from dist/ and sources). */
export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const p = JSON.parse(readFileSync(file, 'utf8')) as Partial<PackageInfo>;
      if (p.name === 'microservices-manifests') {
        cached = { name: p.name, version: String(p.version), homepage: p.homepage, dir };
        return cached;
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json of microservices-manifests not found');
    dir = up;
  }
}

/**
 * Where the rule documentation lives, for SARIF's informationUri: the README of the repository on
 * GitHub when running in Actions, else the package's homepage, else the README file that ships
 * with the package.
 */
export function rulesDocumentationUri(
  environ: Readonly<Record<string, string | undefined>>,
): string {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = environ;
  if (server && repo) return `${server}/${repo}/blob/${sha || 'HEAD'}/README.md#validation`;
  const info = packageInfo();
  if (info.homepage) return `${info.homepage.replace(/#.*$/, '')}#validation`;
  return `${pathToFileURL(join(info.dir, 'README.md')).href}#validation`;
}
