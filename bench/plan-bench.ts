/**
 * `npm run bench:plan` (also run by `npm run bench`): `manifests plan` on a generated project of
 * 3,400 services (about 10,000 resources) whose plan is committed in a temporary git repository,
 * for three edits of the working tree: one value, every Deployment, every resource.
 * Usage: node dist/bench/plan-bench.js [services]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject } from './project.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(resolve(here, '..', '..'), 'dist/cli/main.js');
/** The CLI's environment: without CI, which turns the caches off (a developer's machine). */
const cliEnv: NodeJS.ProcessEnv = { ...process.env };
delete cliEnv.CI;

function git(dir: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd: dir,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
    },
  });
}

interface StageTimes {
  wall: number;
  mainCpu: number;
  render: number;
  validate: number;
  wait: number;
  diff: number;
  text: number;
  markdown: number;
  json: number;
  changed: number;
  resources: number;
}

/** CPU time of this thread (Linux), else of the process. */
function threadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

/**
 * One in-process measurement (fresh process) of the steps `manifests plan` takes: render and
 * validate while the base is read and parsed on a worker thread, wait for it, diff; then each
 * format.
 */
async function child(dir: string): Promise<void> {
  const { renderEnvironment } = await import('../generator/pipeline.js');
  const { preparePlan } = await import('../plan/plan.js');
  const { blobIdsOfFiles } = await import('../core/cache-files.js');
  const { startBaseRead } = await import('../plan/base-thread.js');
  const { diffPlans } = await import('../plan/diff.js');
  const { formatPlan } = await import('../plan/format/index.js');
  const start = performance.now();
  const cpu0 = threadCpuMs();
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const d = now - t;
    t = now;
    return d;
  };
  const read = startBaseRead(dir, 'prd', 'HEAD');
  // as the CLI runs by default: with the render cache and the findings cache
  const render = renderEnvironment(dir, 'prd', { environ: {}, cache: true });
  const renderMs = lap();
  const blobIds = blobIdsOfFiles(render.release.files);
  const base = read.select(blobIds);
  const rendered = preparePlan(render, { cache: true, blobIds });
  const validate = lap();
  const b = await base;
  const wait = lap();
  const next = render.release.manifests.map((m) => ({
    object: m.object,
    chart: m.chart,
    file: `release/prd/${m.file}`,
  }));
  const diff = diffPlans(
    { base: b.objects, next, sameFiles: new Set(b.sameFiles) },
    { env: 'prd', base: { ref: 'HEAD', commit: b.commit }, findings: rendered.validation.findings },
  );
  const diffMs = lap();
  const wall = performance.now() - start;
  const mainCpu = threadCpuMs() - cpu0;
  const fmt = (f: 'text' | 'markdown' | 'json') => {
    const s = performance.now();
    formatPlan(f, diff);
    return performance.now() - s;
  };
  const out: StageTimes = {
    wall,
    mainCpu,
    render: renderMs,
    validate,
    wait,
    diff: diffMs,
    text: fmt('text'),
    markdown: fmt('markdown'),
    json: fmt('json'),
    changed: diff.resources.length,
    resources: render.release.manifests.length,
  };
  process.stdout.write(JSON.stringify(out));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]);
  const services = Number(args[0] ?? 3400);
  const dir = makeProject(resolve(here, '..', '..'), services);
  try {
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    if (
      spawnSync(process.execPath, [cli, '--root', dir, 'render', '--env', 'prd', '--no-validate'], {
        env: cliEnv,
      }).status !== 0
    )
      throw new Error('render failed');
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base plan');
    const values = join(dir, 'values/prd.yaml');
    const labels = join(dir, 'charts/_partials/labels.hbs');
    const original = { values: readFileSync(values, 'utf8'), labels: readFileSync(labels, 'utf8') };
    // each run makes the change anew with another value, so no run is served whole from the
    // render cache a previous run stored
    const scenarios: [string, (run: number) => void][] = [
      [
        'one value changed',
        (run) =>
          writeFileSync(values, original.values.replace('replicas: 1\n', `replicas: ${4 + run}\n`)),
      ],
      [
        'every Deployment changed',
        (run) => writeFileSync(values, original.values.replace(/tag: "1\./g, `tag: "${2 + run}.`)),
      ],
      [
        'every resource changed',
        (run) =>
          writeFileSync(
            labels,
            original.labels.replace('managed-by: manifests', `managed-by: manifests-v${2 + run}`),
          ),
      ],
    ];
    console.log(
      `plan bench: ${services} services, committed plan in a git repository; median of 3 runs each`,
    );
    for (const [name, change] of scenarios) {
      let run = 0;
      const next = () => {
        writeFileSync(values, original.values);
        writeFileSync(labels, original.labels);
        change(run++);
      };
      // a first plan stores the render cache of the committed values (as a developer's last plan did)
      writeFileSync(values, original.values);
      writeFileSync(labels, original.labels);
      spawnSync(process.execPath, [cli, '--root', dir, 'plan', '--env', 'prd'], { env: cliEnv });
      const wall: number[] = [];
      for (let i = 0; i < 3; i++) {
        next();
        const t = performance.now();
        const r = spawnSync(process.execPath, [cli, '--root', dir, 'plan', '--env', 'prd'], {
          env: cliEnv,
          encoding: 'utf8',
          maxBuffer: 1 << 30,
        });
        wall.push(performance.now() - t);
        if (r.status !== 0 && r.status !== 1) throw new Error(`plan failed: ${r.stderr}`);
      }
      const stages: StageTimes[] = [];
      for (let i = 0; i < 3; i++) {
        next();
        const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dir], {
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
        stages.push(JSON.parse(r.stdout) as StageTimes);
      }
      const m = (k: keyof StageTimes) => median(stages.map((s) => s[k]));
      console.log(
        `${name} (${fmt(m('resources'))} resources, ${fmt(m('changed'))} changed): manifests plan --env prd ${fmt(median(wall))} ms wall; ` +
          `in process ${fmt(m('wall'))} ms (main thread CPU ${fmt(m('mainCpu'))} ms): render ${fmt(m('render'))}, ` +
          `validate ${fmt(m('validate'))} (the base is read from git and parsed on a worker thread meanwhile), wait ${fmt(m('wait'))}, diff ${fmt(m('diff'))}; ` +
          `formats: text ${fmt(m('text'))}, markdown ${fmt(m('markdown'))}, json ${fmt(m('json'))} ms`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
