/**
 * `npm run bench`: generates a repository at three sizes in a temporary folder and measures the CLI
 * end to end (each command a child process), next to `helm template` of a chart emitting the same
 * documents, in the same run. Prints figures; it asserts nothing.
 *
 *   npm run bench [-- --json] [-- --profile] [-- --sizes 1000,10000,30000]
 *
 * Rows per size: render into an empty release folder (empty render cache), render with nothing
 * changed (from the cache, and with --no-cache), validate --env prd (from the run memo, and with
 * --no-cache), helm template (median of three runs), render after one
 * value changed, plan --env prd after one value changed (against the committed plan of the previous
 * render; from the cache, and with --no-cache as in CI), validation of the rendered objects in memory (a child process: its cold first pass and
 * its best warm pass, bench/validate-memory.ts); wall time, resources per second, peak RSS. Then
 * the CLI's cold start (--help).
 * --profile writes a CPU profile (node --cpu-prof) of a fresh render at the largest size.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReleaseFolder } from '../generator/release/write.js';
import { extractHelm } from './helm.js';
import { GENERATED_FILE, writeHelmChart } from './helm-chart.js';
import {
  changeOneValue,
  collectionItems,
  makeBenchProject,
  serviceItems,
  sizeFor,
} from './project.js';
import type { ValidationPass, ValidationThroughput } from './validate-memory.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const cli = join(repoRoot, 'dist/cli/main.js');
const validateMemory = join(here, 'validate-memory.js');
const TIME = '/usr/bin/time';

interface Measure {
  ms: number;
  rssMb: number;
  status: number | null;
  stdout: string;
}

interface Row {
  size: number;
  step: string;
  resources: number;
  ms: number;
  perSecond: number;
  rssMb: number;
  /** our time as a multiple of helm template's (render and plan rows) */
  helmRatio?: number;
  note?: string;
}

/** An exit hook that reports peak RSS when /usr/bin/time is missing. */
const RSS_HOOK =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nMaximum resident set size (kbytes): "+process.resourceUsage().maxRSS+"\\n"))';

/** Runs a command as a child, timing it and reading its peak RSS. */
function measure(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Measure {
  const useTime = existsSync(TIME);
  const isNode = cmd === process.execPath;
  const argv = useTime
    ? [TIME, '-v', cmd, ...args]
    : [cmd, ...(isNode ? ['--import', RSS_HOOK] : []), ...args];
  const t = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    env: env ?? { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  const ms = performance.now() - t;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${[cmd, ...args].join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  }
  return { ms, rssMb: rss ? Number(rss[1]) / 1024 : NaN, status: r.status, stdout: r.stdout };
}

function node(args: string[], cwd: string, extra: string[] = []): Measure {
  return measure(process.execPath, [...extra, cli, ...args], cwd);
}

function git(dir: string, args: string[]): void {
  const r = spawnSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.invalid',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.invalid',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/**
 * validateRendered on the objects of a render held in memory (what `render` runs before it writes),
 * in a child process so the first pass is cold: the first pass, and the best of three more.
 */
/** Each size's time per rule in the first and the best warm in-memory pass. */
const slowestRules = new Map<
  number,
  { first: Record<string, number>; best: Record<string, number> }
>();

function topRules(times: Record<string, number>, n: number): string {
  return Object.entries(times)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([id, ms]) => `${id} ${fmt(ms)}`)
    .join(', ');
}

function validationInMemory(target: number, dir: string): Row[] {
  const m = measure(process.execPath, [validateMemory, dir, '4'], dir);
  const result = JSON.parse(m.stdout) as ValidationThroughput;
  const [first, ...warm] = result.passes;
  const best = warm.reduce((a, b) => (b.ms < a.ms ? b : a));
  const of = (p: ValidationPass, step: string, note: string): Row => ({
    size: target,
    step,
    resources: result.resources,
    ms: p.ms,
    perSecond: (result.resources / p.ms) * 1000,
    // the harness holds the render and copies of the objects: its RSS is not a command's
    rssMb: NaN,
    note: `${note}; ${fmt(p.cpuMs)} ms CPU`,
  });
  slowestRules.set(target, { first: first.rules, best: best.rules });
  return [
    of(first, 'validate in memory (first pass)', 'cold: a fresh process'),
    of(best, 'validate in memory (best warm pass)', `best of ${warm.length} more passes`),
  ];
}

function hasCommand(name: string): boolean {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  return new RegExp(`^\\s+${name}\\b`, 'm').test(r.stdout);
}

function countDocuments(text: string): number {
  return (text.match(/^kind: /gm) ?? []).length;
}

async function benchSize(
  target: number,
  helm: string,
  withPlan: boolean,
  profileDir: string | undefined,
  leftovers: string[],
): Promise<Row[]> {
  const size = sizeFor(target);
  const dir = makeBenchProject(repoRoot, size);
  const rows: Row[] = [];
  try {
    const row = (step: string, resources: number, m: Measure, note?: string): Row => {
      const r: Row = {
        size: target,
        step,
        resources,
        ms: m.ms,
        perSecond: (resources / m.ms) * 1000,
        rssMb: m.rssMb,
        note,
      };
      rows.push(r);
      return r;
    };
    const fresh = node(['render', '--env', 'prd'], dir);
    const rendered = Number(/rendered (\d+) resources/.exec(fresh.stdout)?.[1] ?? NaN);
    const findings = /: (\d+) errors?, (\d+) warning/.exec(fresh.stdout);
    const freshRow = row(
      'render (fresh)',
      rendered,
      fresh,
      findings ? `${findings[1]} errors, ${findings[2]} warnings` : undefined,
    );
    const again = node(['render', '--env', 'prd'], dir);
    row('render (nothing changed)', rendered, again, 'every chart from the cache');
    const uncached = node(['render', '--env', 'prd', '--no-cache'], dir);
    row('render (nothing changed, --no-cache)', rendered, uncached);
    // right after the renders of the same plan: the run memo serves it
    const validate = node(['validate', '--env', 'prd'], dir);
    row('validate', rendered, validate, 'after render: from the run memo');
    const validateAll = node(['validate', '--env', 'prd', '--no-cache'], dir);
    row('validate (--no-cache)', rendered, validateAll, 'every object, every rule');
    rows.push(...validationInMemory(target, dir));

    // helm template of the equivalent chart.
    const files = readReleaseFolder(join(dir, 'release/prd'));
    const statics = new Map([...files].filter(([p]) => !GENERATED_FILE.test(p)));
    const chartDir = join(dir, 'helm-chart');
    writeHelmChart(
      chartDir,
      { services: serviceItems(size), collections: collectionItems(size) },
      statics,
    );
    const home = join(dir, 'helm-home');
    mkdirSync(home, { recursive: true });
    // the median of three runs, as for the plan row: the ratios divide by it
    const helmRuns: Measure[] = [];
    for (let run = 0; run < 3; run++) {
      const h = measure(helm, ['template', 'bench', chartDir], dir, {
        PATH: process.env.PATH,
        HOME: home,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
      });
      if (h.status !== 0) throw new Error(`helm template failed`);
      helmRuns.push(h);
    }
    const h = [...helmRuns].sort((a, b) => a.ms - b.ms)[1];
    const helmDocs = countDocuments(h.stdout);
    const helmRow = row(
      'helm template',
      helmDocs,
      h,
      `${helmDocs === rendered ? 'same document count' : `${rendered} documents expected`}; median of 3: ${helmRuns.map((m) => Math.round(m.ms).toLocaleString('en-US')).join(', ')} ms`,
    );
    freshRow.helmRatio = fresh.ms / helmRow.ms;

    // one value changed: the app chart and the charts that read every chart's values render again
    git(dir, ['init', '-q', '-b', 'main']);
    git(dir, ['add', '-A', 'charts', 'values', 'release/prd']);
    git(dir, ['commit', '-q', '-m', 'plan']);
    changeOneValue(dir, 1);
    const changed = node(['render', '--env', 'prd'], dir);
    const changedFiles = /(\d+) changed/.exec(changed.stdout)?.[1] ?? '?';
    row('render (one value changed)', rendered, changed, `${changedFiles} file(s) changed`);
    git(dir, ['checkout', '-q', '--', 'values', 'release/prd']);
    node(['render', '--env', 'prd'], dir);

    if (withPlan) {
      // the median of three plans, each after a new change of the value (so no run is served whole
      // from the cache the one before stored)
      const plans: Measure[] = [];
      for (let round = 2; round < 5; round++) {
        changeOneValue(dir, round);
        plans.push(node(['plan', '--env', 'prd'], dir));
      }
      const plan = [...plans].sort((a, b) => a.ms - b.ms)[1];
      const p = row(
        'plan (one value changed)',
        rendered,
        plan,
        `median of 3: ${plans.map((m) => Math.round(m.ms).toLocaleString('en-US')).join(', ')} ms`,
      );
      p.helmRatio = plan.ms / helmRow.ms;
      // as CI runs it: no cache is read or written there (CI set), so every chart renders and every
      // object is checked again
      changeOneValue(dir, 5);
      const ci = node(['plan', '--env', 'prd', '--no-cache'], dir);
      const c = row('plan (one value changed, --no-cache)', rendered, ci, 'as in CI');
      c.helmRatio = ci.ms / helmRow.ms;
    } else {
      rows.push({
        size: target,
        step: 'plan (one value changed)',
        resources: rendered,
        ms: NaN,
        perSecond: NaN,
        rssMb: NaN,
        note: 'n/a: no plan command in this build',
      });
    }

    if (profileDir) {
      // a fresh render: no release folder, no render cache (moved aside, not deleted: see below)
      renameSync(join(dir, 'release'), join(dir, 'release.before-profile'));
      renameSync(join(dir, '.manifests-cache'), join(dir, 'cache.before-profile'));
      mkdirSync(profileDir, { recursive: true });
      node(['render', '--env', 'prd'], dir, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
    }
  } finally {
    // Removed when every size was measured: on an ext4 disk without a journal, creating files
    // in the minutes after many were deleted is slow (the inode allocator skips recently freed
    // inodes), which would make the next size's fresh render measure the cleanup of this one.
    leftovers.push(dir);
  }
  return rows;
}

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

function table(rows: Row[]): string {
  const head = ['size', 'step', 'resources', 'ms', 'resources/s', 'peak RSS MB', 'x helm', 'note'];
  const body = rows.map((r) => [
    fmt(r.size),
    r.step,
    fmt(r.resources),
    fmt(r.ms),
    fmt(r.perSecond),
    fmt(r.rssMb),
    r.helmRatio === undefined ? '' : fmt(r.helmRatio, 2),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 7 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const profile = args.includes('--profile');
  const sizesArg = args[args.indexOf('--sizes') + 1];
  const sizes =
    args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [1000, 10000, 30000];
  const log = (s: string) => {
    if (!json) console.log(s);
  };
  const loadBefore = loadavg();
  const helm = await extractHelm(repoRoot);
  const withPlan = hasCommand('plan');
  const profileDir = profile ? join(repoRoot, '.bench-profiles') : undefined;
  log(
    `bench: ${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const rows: Row[] = [];
  const leftovers: string[] = [];
  try {
    for (const [i, target] of sizes.entries()) {
      const last = i === sizes.length - 1;
      const r = await benchSize(target, helm, withPlan, last ? profileDir : undefined, leftovers);
      rows.push(...r);
      log(table(r));
    }
  } finally {
    for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
  }
  const help: number[] = [];
  for (let i = 0; i < 5; i++) help.push(node(['--help'], repoRoot).ms);
  help.sort((a, b) => a - b);
  const coldStartMs = help[Math.floor(help.length / 2)];
  const loadAfter = loadavg();
  const profiles =
    profileDir && existsSync(profileDir)
      ? readdirSync(profileDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(profileDir, f))
      : [];
  if (json) {
    const rules = Object.fromEntries(slowestRules);
    const out = { cpus: cpus().length, loadBefore, loadAfter, rows, rules, coldStartMs, profiles };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  for (const [size, { first, best }] of slowestRules) {
    console.log(
      `\nslowest rules in memory at ${fmt(size)} (ms), first pass: ${topRules(first, 8)}`,
    );
    console.log(`  best warm pass: ${topRules(best, 8)}`);
  }
  console.log(`\nmanifests --help (cold start): median ${fmt(coldStartMs)} ms of 5`);
  console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  if (profiles.length) console.log(`CPU profiles: ${profiles.join(', ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
