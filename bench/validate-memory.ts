/**
 * In-memory validation throughput, run by `npm run bench` as a child process per size so its first
 * pass is cold (no module loaded, nothing compiled yet), as in `manifests render`, which validates
 * the objects it has just rendered:
 *
 *   node dist/bench/validate-memory.js <project dir> [passes]
 *
 * Renders `prd` in memory (not timed), then runs validateRendered `passes` times (default 4) and
 * prints one JSON line: { resources, findings, passes: [{ ms, cpuMs }] }. The first pass includes
 * loading the schema validators and the field map; the later ones, each on fresh copies of the
 * objects, show the steady state.
 */
import { pathToFileURL } from 'node:url';
import { renderEnvironment } from '../generator/pipeline.js';
import { validateRendered } from '../validators/validate.js';
import { RULES } from '../validators/rules/index.js';

export interface ValidationPass {
  /** wall time */
  ms: number;
  /** CPU time of the process (all threads: the compiler and GC threads too) */
  cpuMs: number;
  /** wall time inside each rule's check, by rule id */
  rules: Record<string, number>;
}

export interface ValidationThroughput {
  resources: number;
  findings: number;
  passes: ValidationPass[];
}

/** Times each rule's check (the runner calls the registry's rule objects). */
function timeRules(times: Map<string, number>): void {
  for (const rule of RULES) {
    const check = rule.check;
    rule.check = function (manifests, ctx) {
      const t = performance.now();
      try {
        return check.call(this, manifests, ctx);
      } finally {
        times.set(rule.id, (times.get(rule.id) ?? 0) + performance.now() - t);
      }
    };
  }
}

export function measureValidation(dir: string, passes: number): ValidationThroughput {
  const times = new Map<string, number>();
  timeRules(times);
  const r = renderEnvironment(dir, 'prd', { environ: {}, cache: false });
  const out: ValidationThroughput = {
    resources: r.release.manifests.length,
    findings: 0,
    passes: [],
  };
  for (let i = 0; i < passes; i++) {
    // Later passes get copies of the objects: answers the rules keep per object (by identity) are
    // then worked out again, as in a run of its own; only the loaded modules and V8's compiled
    // code carry over.
    const manifests = i === 0 ? r.release.manifests : structuredClone(r.release.manifests);
    times.clear();
    const cpu = process.cpuUsage();
    const t = performance.now();
    const v = validateRendered(r.project, r.loaded, manifests, r.release.files, 'prd');
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    out.findings = v.findings.length;
    out.passes.push({
      ms,
      cpuMs: (used.user + used.system) / 1000,
      rules: Object.fromEntries([...times].map(([id, t]) => [id, Math.round(t)])),
    });
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, passes] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(measureValidation(dir, Number(passes ?? 4))) + '\n');
}
