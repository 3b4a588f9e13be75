import { serializeDocument } from '../../generator/release/serialize.js';
import type { Finding } from '../../validators/types.js';
import { connectionGraph, mermaid } from '../graph.js';
import { isSecret, redactSecret } from '../secrets.js';
import type { FieldChange, PlanAction, PlanDiff, ResourceChange } from '../types.js';
import { baseLabel, byChart, changeLines, renameCount, summaryLine, SYMBOL } from './common.js';
import type { KubeObject } from '../../core/manifest.js';

/** GitHub's limit on the body of an issue or pull request comment, in characters. */
export const COMMENT_LIMIT = 65_536;

/** The hidden marker that finds the plan comment of an environment among a PR's comments. */
export function planMarker(env: string): string {
  return `<!-- manifests-plan:${env} -->`;
}

export interface MarkdownOptions {
  /** Maximum length (default a little under COMMENT_LIMIT, leaving room for a footer). */
  limit?: number;
  /** A line added at the end (e.g. which commit the plan was computed at); never cut. */
  footer?: string;
}

const DEFAULT_LIMIT = COMMENT_LIMIT - 1_000;
const MAX_DIFF_CHARS = 4_000;
const MAX_FIELDS_IN_ROW = 3;

const ACTION_WORD: Record<PlanAction, string> = {
  add: 'add',
  change: 'change',
  replace: 'replace',
  destroy: 'destroy',
};

function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(s: string): string {
  const ticks = s.includes('`') ? '``' : '`';
  return `${ticks}${s}${ticks}`;
}

function fence(body: string, lang: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${body}\n${f}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function chartCounts(list: ResourceChange[]): string {
  const parts: string[] = [];
  for (const a of ['add', 'change', 'replace', 'destroy'] as const) {
    const n = list.filter((r) => r.action === a).length;
    if (n > 0) parts.push(`${n} to ${a}`);
  }
  return parts.join(', ');
}

function riskLines(diff: PlanDiff, compact: boolean): string[] {
  const lines: string[] = [];
  const seen = new Map<string, number>();
  for (const r of diff.resources) {
    for (const k of r.risks) {
      if (!compact) {
        lines.push(`- **${k.code}** ${code(r.id)} (${r.action}): ${k.reason}`);
        continue;
      }
      // Compact form: one line per risk, the reason written once per code.
      const n = seen.get(k.code) ?? 0;
      seen.set(k.code, n + 1);
      lines.push(
        n === 0 ? `- **${k.code}** ${code(r.id)}: ${k.reason}` : `- **${k.code}** ${code(r.id)}`,
      );
    }
  }
  return lines;
}

function fieldsCell(r: ResourceChange): string {
  if (r.action === 'add' && !r.renamedFrom) return 'new';
  if (r.action === 'destroy') return 'removed';
  const paths = r.changes.map((c) => c.path);
  const shown = paths
    .slice(0, MAX_FIELDS_IN_ROW)
    .map((p) => code(p.length > 70 ? `…${p.slice(-69)}` : p))
    .join(', ');
  const more = paths.length > MAX_FIELDS_IN_ROW ? ` (+${paths.length - MAX_FIELDS_IN_ROW})` : '';
  const renamed = r.renamedFrom
    ? `renamed from ${code(r.renamedFrom)}${paths.length ? '; ' : ''}`
    : '';
  return cell(renamed + shown + more);
}

function row(r: ResourceChange): string {
  const risks = r.risks.map((k) => `⚠️ ${k.code}`).join(', ');
  return `| ${SYMBOL[r.action]} ${ACTION_WORD[r.action]} | ${code(r.id)} | ${fieldsCell(r)} | ${risks} |`;
}

function findingRow(f: Finding): string {
  const where = f.location
    ? `${f.location.file}${f.location.line ? `:${f.location.line}` : ''}`
    : '';
  return `| ${f.severity} | ${code(f.ruleId)} | ${code(f.resource)} | ${cell(f.message)} | ${where ? code(where) : ''} |`;
}

function objectLines(obj: KubeObject, sign: '+' | '-'): string[] {
  const shown = isSecret(obj) ? redactSecret(obj) : obj;
  return serializeDocument(shown)
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `${sign} ${l}`);
}

function yamlLines(v: unknown, sign: '+' | '-'): string[] {
  if (v === undefined) return [];
  if (v === null || typeof v !== 'object') return [`${sign} ${JSON.stringify(v)}`];
  return serializeDocument(v)
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `${sign} ${l}`);
}

/** Lines of one field change: `# path`, then the old value as `-` lines and the new as `+`. */
function changeBlock(c: FieldChange): string[] {
  if (c.note) return [`# ${changeLines(c)[0]}`];
  const multiline = (v: unknown) => typeof v === 'string' && v.includes('\n');
  if (multiline(c.old) || multiline(c.new)) {
    const [head, ...rest] = changeLines(c);
    return [`# ${head}`, ...rest.map((l) => l.slice(4))];
  }
  return [`# ${c.path}`, ...yamlLines(c.old, '-'), ...yamlLines(c.new, '+')];
}

/** The `diff` block of one resource: field by field, or the whole object for add and destroy. */
function diffBody(r: ResourceChange, diff: PlanDiff): string {
  let lines: string[] = [];
  if (r.action === 'add' && !r.renamedFrom) {
    const o = diff.graph.next.get(r.key);
    if (o) lines = objectLines(o.object, '+');
  } else if (r.action === 'destroy') {
    const o = diff.graph.gone.get(r.key);
    if (o) lines = objectLines(o.object, '-');
  } else {
    for (const c of r.changes) lines.push(...changeBlock(c));
  }
  let body = '';
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    if (used + lines[i].length + 1 > MAX_DIFF_CHARS) {
      return `${body}\n# … ${plural(lines.length - i, 'more line')} not shown`;
    }
    body += (i ? '\n' : '') + lines[i];
    used += lines[i].length + 1;
  }
  return body;
}

function details(r: ResourceChange, diff: PlanDiff): string {
  const summary = `${SYMBOL[r.action]} ${r.id} (${r.action}${r.renamedFrom ? `, renamed from ${r.renamedFrom}` : ''})`;
  return `<details><summary>${html(summary)}</summary>\n\n${fence(diffBody(r, diff), 'diff')}\n\n</details>`;
}

interface Cut {
  diffs: number;
  graph: boolean;
  rows: number;
  findings: number;
  risks: 'full' | 'compact' | number;
}

/**
 * The plan as a pull request comment: the hidden marker and the summary first, then risks, a table
 * per chart, the validation findings, collapsible per-resource diffs and a Mermaid picture of what
 * changed and what it connects to. Always within the limit: detail is cut in a fixed order (diffs
 * from the last, the picture, table rows from the last, findings from the least severe), counts are
 * kept, a note says what was cut, and neither the summary nor a risk is ever cut.
 */
export function formatPlanMarkdown(diff: PlanDiff, opts: MarkdownOptions = {}): string {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const renames = renameCount(diff);
  const head = [
    planMarker(diff.env),
    `### Plan for \`${diff.env}\`: ${summaryLine(diff.summary)}`,
    '',
    `Compared with the committed plan at ${code(baseLabel(diff))}; ${plural(diff.summary.unchanged, 'resource')} unchanged` +
      (renames ? `; ${plural(renames, 'add is a rename', 'adds are renames')}` : '') +
      '.',
  ].join('\n');

  const riskTotal = diff.resources.reduce((n, r) => n + r.risks.length, 0);
  const charts = byChart(diff.resources);
  const rows = charts.flatMap(([chart, list]) => list.map((r) => ({ chart, r })));
  const findings = [...diff.findings].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity),
  );
  const graph = diff.resources.length > 0 ? connectionGraph(diff) : undefined;
  const errors = diff.findings.filter((f) => f.severity === 'error').length;
  const warnings = diff.findings.filter((f) => f.severity === 'warning').length;

  const detailMemo: string[] = [];
  const detailsOf = (i: number) => (detailMemo[i] ??= details(diff.resources[i], diff));
  const rowMemo = rows.map(({ r }) => row(r));
  const findingMemo = findings.map(findingRow);
  const graphText = graph ? fence(mermaid(diff, graph), 'mermaid') : '';

  const assemble = (cut: Cut): string => {
    const out: string[] = [head];
    const notes: string[] = [];
    if (cut.diffs < diff.resources.length)
      notes.push(`the diffs of ${plural(diff.resources.length - cut.diffs, 'resource')}`);
    if (graph && !cut.graph) notes.push('the connection graph');
    if (cut.rows < rows.length) notes.push(`${plural(rows.length - cut.rows, 'table row')}`);
    if (cut.findings < findings.length)
      notes.push(`${plural(findings.length - cut.findings, 'finding')}`);
    if (cut.risks === 'compact') notes.push('repeated risk reasons');
    if (typeof cut.risks === 'number')
      notes.push(`${plural(riskTotal - cut.risks, 'risk')} (see \`manifests plan --format json\`)`);
    if (notes.length > 0) {
      out.push(
        `> [!NOTE]\n> Cut to stay under GitHub's ${COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit: ${notes.join(', ')}. Run \`manifests plan --env ${diff.env} --base ${diff.base.ref}\` for the whole plan.`,
      );
    }
    if (riskTotal > 0) {
      let lines = riskLines(diff, cut.risks !== 'full');
      if (typeof cut.risks === 'number')
        lines = [...lines.slice(0, cut.risks), `- … ${plural(riskTotal - cut.risks, 'more risk')}`];
      out.push(`#### ⚠️ ${plural(riskTotal, 'risk')}\n\n${lines.join('\n')}`);
    } else if (diff.resources.length > 0) out.push('No risks found.');
    let shownRows = 0;
    for (const [chart, list] of charts) {
      const lines = [
        `#### Chart ${code(chart || '(none)')}: ${chartCounts(list)}`,
        '',
        '| | Resource | Fields | Risks |',
        '| --- | --- | --- | --- |',
      ];
      let hidden = 0;
      for (let i = 0; i < list.length; i++) {
        if (shownRows < cut.rows) {
          lines.push(rowMemo[shownRows]);
          shownRows++;
        } else hidden++;
      }
      if (hidden > 0) lines.push(`| | … ${plural(hidden, 'more resource')} of this chart | | |`);
      out.push(lines.join('\n'));
    }
    if (diff.findings.length > 0) {
      const lines = [
        `#### Validation of the new plan: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
        '',
        '| Severity | Rule | Resource | Message | Where |',
        '| --- | --- | --- | --- | --- |',
        ...findingMemo.slice(0, cut.findings),
      ];
      if (cut.findings < findings.length)
        lines.push(`| | | | … ${plural(findings.length - cut.findings, 'more finding')} | |`);
      out.push(lines.join('\n'));
    } else out.push('Validation of the new plan: no findings.');
    if (cut.diffs > 0) {
      const blocks = Array.from({ length: cut.diffs }, (_, i) => detailsOf(i));
      out.push(['#### Changes', '', ...blocks].join('\n'));
    }
    if (graph && cut.graph) {
      const omitted =
        graph.omitted > 0
          ? `\n\n_The picture shows the first ${diff.resources.length - graph.omitted} changed resources._`
          : '';
      out.push(
        `#### What changed and what it connects to\n\n${graphText}\n\nGreen: added, yellow: changed, orange: replaced, red: destroyed, grey: unchanged.${omitted}`,
      );
    }
    if (opts.footer) out.push(opts.footer);
    return out.join('\n\n') + '\n';
  };

  const cut: Cut = {
    diffs: 0,
    graph: !!graph,
    rows: rows.length,
    findings: findings.length,
    risks: 'full',
  };
  const fits = () => assemble(cut).length <= limit;
  // Diffs first: as many as fit, in order (each block is built once, only while there is room).
  if (fits()) {
    let room = limit - assemble(cut).length - '\n\n#### Changes\n'.length;
    while (cut.diffs < diff.resources.length) {
      const block = detailsOf(cut.diffs);
      if (block.length + 1 > room) break;
      room -= block.length + 1;
      cut.diffs++;
    }
    while (cut.diffs > 0 && !fits()) cut.diffs--;
    return assemble(cut);
  }
  // Then the picture, table rows, findings; the risks only when they alone exceed the limit.
  const shrink = (max: number, set: (n: number) => void) => {
    let lo = 0;
    let hi = max;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      set(mid);
      if (fits()) lo = mid;
      else hi = mid - 1;
    }
    set(lo);
  };
  cut.graph = false;
  if (!fits()) shrink(rows.length, (n) => (cut.rows = n));
  if (!fits()) shrink(findings.length, (n) => (cut.findings = n));
  if (!fits()) cut.risks = 'compact';
  if (!fits()) shrink(riskTotal, (n) => (cut.risks = n));
  return assemble(cut);
}

function severityRank(s: Finding['severity']): number {
  return s === 'error' ? 0 : s === 'warning' ? 1 : 2;
}
