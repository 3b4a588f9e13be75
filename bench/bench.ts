/**
 * `npm run bench`: generates a large values set in a temporary folder and prints throughput figures
 * for render+parse+write, validation (schema + every rule), peak memory, and CLI start-up time.
 * Usage: node dist/bench/bench.js [services]   (default 3400 services, about 10,000 resources)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const cli = join(repoRoot, 'dist/generator/cli/main.js');

interface ChildResult {
  ms: number;
  resources: number;
  maxRssMb: number;
  errors?: number;
}

async function child(mode: string, dir: string): Promise<void> {
  const start = performance.now();
  let resources = 0;
  let errors: number | undefined;
  if (mode === 'render') {
    const { renderAndWrite } = await import('../generator/pipeline.js');
    resources = (await renderAndWrite(dir, 'prd', { environ: {} })).files;
  } else {
    const { validateCommand } = await import('../validators/validate.js');
    const r = validateCommand({ root: dir, env: 'prd', environ: {} });
    resources = r.resources;
    errors = r.findings.filter((f) => f.severity === 'error').length;
  }
  const ms = performance.now() - start;
  const result: ChildResult = {
    ms,
    resources,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    errors,
  };
  process.stdout.write(JSON.stringify(result));
}

export function makeProject(services: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-bench-'));
  cpSync(join(repoRoot, 'charts/app'), join(dir, 'charts/app'), { recursive: true });
  mkdirSync(join(dir, 'values'), { recursive: true });
  cpSync(join(repoRoot, 'values/global.schema.json'), join(dir, 'values/global.schema.json'));
  cpSync(join(repoRoot, 'values/shared/global.yaml'), join(dir, 'values/shared.yaml'));
  const lines = [
    'app:',
    '  namespace: apps',
    '  database:',
    '    mode: aurora',
    '    host: db.example.internal',
    '    password: bench-only',
    '  services:',
  ];
  for (let i = 0; i < services; i++) {
    lines.push(
      `    - name: svc-${i}`,
      `      repository: shop/svc-${i}`,
      `      tag: "1.${i % 50}.${i % 7}"`,
      `      port: ${8000 + (i % 1000)}`,
      `      replicas: ${1 + (i % 3)}`,
      `      public: ${i % 2 === 0}`,
      `      pathPrefix: /svc-${i}`,
      '      env:',
      `        - { name: LOG_LEVEL, value: info }`,
      `        - { name: FEATURE_${i % 10}, value: "on" }`,
    );
  }
  writeFileSync(join(dir, 'values/prd.yaml'), lines.join('\n') + '\n');
  return dir;
}

function runChild(mode: string, dir: string): ChildResult {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  const services = Number(args[0] ?? 3400);
  const dir = makeProject(services);
  try {
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(`bench: ${services} services in a generated values set (${dir})`);

    const cold = runChild('render', dir);
    rmSync(join(dir, 'release'), { recursive: true, force: true });
    const renders = [runChild('render', dir)];
    rmSync(join(dir, 'release'), { recursive: true, force: true });
    renders.push(runChild('render', dir));
    const best = renders.reduce((a, b) => (a.ms < b.ms ? a : b));
    console.log(
      `render+parse+write: ${fmt(best.resources)} resources in ${fmt(best.ms)} ms = ${fmt((best.resources / best.ms) * 1000)} resources/s ` +
        `(first run ${fmt(cold.ms)} ms); peak RSS ${fmt(Math.max(...renders.map((r) => r.maxRssMb)))} MB`,
    );
    const again = runChild('render', dir);
    console.log(`re-render with nothing changed: ${fmt(again.ms)} ms`);

    const validations = [runChild('validate', dir), runChild('validate', dir)];
    const v = validations.reduce((a, b) => (a.ms < b.ms ? a : b));
    console.log(
      `validate (read from disk + schema + all rules): ${fmt(v.resources)} resources in ${fmt(v.ms)} ms = ${fmt((v.resources / v.ms) * 1000)} resources/s; ` +
        `peak RSS ${fmt(v.maxRssMb)} MB; ${v.errors} error findings`,
    );

    const helpTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
      helpTimes.push(performance.now() - t);
    }
    console.log(`manifests --help: median ${fmt(median(helpTimes))} ms over 10 runs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
