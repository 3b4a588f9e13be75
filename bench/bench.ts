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
const cli = join(repoRoot, 'dist/cli/main.js');

interface ChildResult {
  ms: number;
  resources: number;
  maxRssMb: number;
  errors?: number;
  stages?: Record<string, number>;
}

/** One measurement in a fresh process, so peak memory is its own. */
async function child(mode: string, dir: string): Promise<void> {
  const stages: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    stages[name] = now - t;
    t = now;
  };
  const start = performance.now();
  let resources = 0;
  let errors: number | undefined;
  if (mode === 'render') {
    const { openProject } = await import('../generator/project.js');
    const { loadValues } = await import('../generator/values/load.js');
    const { renderAllCharts } = await import('../generator/render/render.js');
    const { buildRelease } = await import('../generator/release/build.js');
    const { readReleaseFolder, writeReleaseAtomically } =
      await import('../generator/release/write.js');
    lap('import');
    const project = openProject(dir);
    const loaded = loadValues(project, 'prd', { environ: {} });
    lap('values');
    const docs = renderAllCharts(project, loaded);
    lap('render+parse');
    const release = buildRelease(docs);
    lap('serialize');
    const target = join(dir, 'release/prd');
    const before = readReleaseFolder(target);
    await writeReleaseAtomically(target, release.files, before);
    lap('write');
    resources = release.files.size;
  } else if (mode === 'validate-disk') {
    const { validateCommand } = await import('../validators/validate.js');
    lap('import');
    const r = validateCommand({ root: dir, env: 'prd', environ: {} });
    lap('validate');
    resources = r.resources;
    errors = r.findings.filter((f) => f.severity === 'error').length;
  } else if (mode === 'validate-memory') {
    const { renderEnvironment } = await import('../generator/pipeline.js');
    const { validateRendered } = await import('../validators/validate.js');
    const r = renderEnvironment(dir, 'prd', { environ: {} });
    lap('render');
    const v = validateRendered(r.project, r.loaded, r.release.manifests, r.release.files, 'prd');
    lap('validate');
    resources = v.resources;
    errors = v.findings.filter((f) => f.severity === 'error').length;
  } else if (mode === 'floor') {
    // The machine's cost of creating the same files with plain sequential writes.
    const { readReleaseFolder } = await import('../generator/release/write.js');
    const files = readReleaseFolder(join(dir, 'release/prd'));
    const out = mkdtempSync(join(dir, 'floor-'));
    lap('read');
    for (const [p, text] of files) {
      const full = join(out, p);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    lap('write');
    resources = files.size;
    rmSync(out, { recursive: true, force: true });
  }
  const result: ChildResult = {
    ms: performance.now() - start,
    resources,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    errors,
    stages,
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
  writeFileSync(
    join(dir, 'values/secrets.yaml'),
    'secrets:\n  - { path: app.database.password, env: APP_DB_PASSWORD }\n',
  );
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
    const rate = (n: number, ms: number) => fmt((n / ms) * 1000);
    console.log(`bench: ${services} services of the app chart in a generated values set`);

    // Creating thousands of files costs this machine anywhere from a few hundred milliseconds to
    // several seconds from one run to the next, so fresh renders alternate with a plain-write
    // baseline of the same files and both ranges are printed.
    const fresh: ChildResult[] = [];
    const floors: number[] = [];
    for (let i = 0; i < 3; i++) {
      rmSync(join(dir, 'release'), { recursive: true, force: true });
      fresh.push(runChild('render', dir));
      floors.push(runChild('floor', dir).stages!['write']);
    }
    const best = fresh.reduce((a, b) => (a.ms < b.ms ? a : b));
    const st = best.stages!;
    const cpu = st['values'] + st['render+parse'] + st['serialize'];
    const n = best.resources;
    const writes = fresh.map((r) => r.stages!['write']);
    console.log(
      `render, fresh release folder (best of 3): ${fmt(n)} resources in ${fmt(best.ms)} ms = ${rate(n, best.ms)} resources/s; peak RSS ${fmt(Math.max(...fresh.map((r) => r.maxRssMb)))} MB`,
    );
    console.log(
      `  values ${fmt(st['values'])} ms, render+parse ${fmt(st['render+parse'])} ms, serialize ${fmt(st['serialize'])} ms ` +
        `(= ${rate(n, cpu)} resources/s before writing), start-up ${fmt(st['import'])} ms`,
    );
    console.log(
      `  write: ${fmt(Math.min(...writes))}-${fmt(Math.max(...writes))} ms; plain sequential writes of the same files on this machine: ` +
        `${fmt(Math.min(...floors))}-${fmt(Math.max(...floors))} ms`,
    );
    const again = [runChild('render', dir), runChild('render', dir)].reduce((a, b) =>
      a.ms < b.ms ? a : b,
    );
    console.log(
      `render, nothing changed: ${fmt(again.ms)} ms = ${rate(again.resources, again.ms)} resources/s (write stage ${fmt(again.stages!['write'])} ms)`,
    );

    const mem = [runChild('validate-memory', dir), runChild('validate-memory', dir)].reduce(
      (a, b) => (a.stages!['validate'] < b.stages!['validate'] ? a : b),
    );
    console.log(
      `validate in memory (schema + all ${'rules'}): ${fmt(mem.resources)} resources in ${fmt(mem.stages!['validate'])} ms = ` +
        `${rate(mem.resources, mem.stages!['validate'])} resources/s; ${mem.errors} error findings`,
    );
    const disk = [runChild('validate-disk', dir), runChild('validate-disk', dir)].reduce((a, b) =>
      a.ms < b.ms ? a : b,
    );
    console.log(
      `validate --env prd from disk (read + parse + values + schema + rules): ${fmt(disk.resources)} resources in ${fmt(disk.ms)} ms = ` +
        `${rate(disk.resources, disk.ms)} resources/s; peak RSS ${fmt(disk.maxRssMb)} MB`,
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
