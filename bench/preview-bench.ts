/**
 * `npm run bench:preview`: wall time of `manifests preview create` as a user runs it (a fresh CLI
 * process each time) on a temporary copy of this repository's charts and values: new previews,
 * then redeploys of an existing one, and `manifests --help` as the start-up baseline. Usage: node dist/bench/preview-bench.js [runs]   (default 10)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const cli = join(repoRoot, 'dist/cli/main.js');
const image = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/orders';

function timed(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`manifests ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

function summary(label: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)];
  return `${label}: median ${median.toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms over ${s.length} runs`;
}

const runs = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'manifests-preview-bench-'));
try {
  for (const part of ['charts', 'values'])
    cpSync(join(repoRoot, part), join(dir, part), { recursive: true });
  const fresh: number[] = [];
  const redeploy: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < runs; i++) {
    fresh.push(
      timed([
        '--root',
        dir,
        'preview',
        'create',
        '--name',
        `b${i}`,
        '--service',
        'orders',
        '--image',
        `${image}:${i}`,
      ]),
    );
    redeploy.push(
      timed([
        '--root',
        dir,
        'preview',
        'create',
        '--name',
        'b0',
        '--service',
        'orders',
        '--image',
        `${image}:r${i}`,
      ]),
    );
    help.push(timed(['--help']));
  }
  console.log(summary('preview create, new preview', fresh));
  console.log(summary('preview create, redeploy', redeploy));
  console.log(summary('manifests --help (start-up)', help));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
