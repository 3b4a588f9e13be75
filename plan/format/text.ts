import { formatFindings } from '../../validators/report/index.js';
import type { PlanDiff } from '../types.js';
import { baseLabel, byChart, changeLines, renameCount, summaryLine, SYMBOL } from './common.js';

const COLOUR = {
  add: '\x1b[32m',
  change: '\x1b[33m',
  replace: '\x1b[35m',
  destroy: '\x1b[31m',
  risk: '\x1b[31m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};

/** A Terraform-like plan: the summary, then every changed resource grouped by chart, then findings. */
export function formatPlanText(diff: PlanDiff, opts: { colour?: boolean } = {}): string {
  const c = (k: keyof typeof COLOUR, s: string) => (opts.colour ? COLOUR[k] + s + COLOUR.reset : s);
  const lines: string[] = [];
  const renames = renameCount(diff);
  lines.push(
    c('bold', `Plan for ${diff.env} against ${baseLabel(diff)}: ${summaryLine(diff.summary)}`) +
      ` (${diff.summary.unchanged} unchanged${renames ? `, ${renames} of the adds are renames` : ''})`,
  );
  const risky = diff.resources.filter((r) => r.risks.length > 0);
  if (risky.length > 0) {
    lines.push('', c('risk', `Risks (${risky.reduce((n, r) => n + r.risks.length, 0)}):`));
    for (const r of risky) {
      for (const k of r.risks) lines.push(`  ${c('risk', '!')} ${k.code} ${r.id}: ${k.reason}`);
    }
  }
  for (const [chart, resources] of byChart(diff.resources)) {
    lines.push('', c('bold', `chart ${chart || '(none)'}`));
    for (const r of resources) {
      const sym = c(r.action, SYMBOL[r.action].padStart(3));
      const extra = r.renamedFrom ? ` (renamed from ${r.renamedFrom})` : '';
      lines.push(`${sym} ${r.id}${extra}  ${c('dim', r.file)}`);
      for (const k of r.risks) lines.push(`      ${c('risk', `! ${k.code}`)}`);
      for (const ch of r.changes) for (const l of changeLines(ch)) lines.push(`      ${l}`);
    }
  }
  if (diff.resources.length === 0) lines.push('', 'No changes: the plan matches the base.');
  lines.push('');
  lines.push('Validation of the new plan:');
  return (
    lines.join('\n') + '\n' + formatFindings('text', diff.findings, [], { colour: opts.colour })
  );
}
