import { describe, expect, it } from 'vitest';
import { renderRepo } from '../../test/helpers.js';
import { clone, diffYaml } from '../../test/plan-helpers.js';
import type { Finding } from '../../validators/types.js';
import type { PlanObject } from '../types.js';
import { COMMENT_LIMIT, formatPlanMarkdown, planMarker } from './markdown.js';

type Obj = Record<string, any>;

function repoObjects(): PlanObject[] {
  return renderRepo('prd').map((m) => ({
    object: m.object,
    chart: m.chart,
    file: `release/prd/${m.file}`,
  }));
}

describe('the pull request comment', () => {
  it('starts with the marker and the summary, then risks, tables, findings, diffs and the graph', () => {
    const base = repoObjects();
    const next = base.map((o) => ({ ...o, object: clone(o.object) }));
    const orders = next.find(
      (o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'orders',
    )!;
    (orders.object as Obj).spec.template.spec.containers[0].image = (
      orders.object as Obj
    ).spec.template.spec.containers[0].image.replace('1.9.0', '1.8.0');
    const finding: Finding = {
      ruleId: 'image-tag',
      severity: 'warning',
      resource: 'Deployment/apps/orders',
      path: 'spec.template.spec.containers[0].image',
      message: 'a | pipe in a message',
      location: { file: orders.file, line: 30 },
    };
    const md = formatPlanMarkdown(diffYaml(base, next, { findings: [finding] }));
    const lines = md.split('\n');
    expect(lines[0]).toBe(planMarker('prd'));
    expect(lines[1]).toBe('### Plan for `prd`: 0 to add, 1 to change, 0 to replace, 0 to destroy');
    const order = [
      '#### ⚠️ 1 risk',
      '#### Chart `app`',
      '#### Validation of the new plan',
      '#### Changes',
      '```mermaid',
    ];
    const at = order.map((h) => md.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(md).toContain('**image-downgrade** `Deployment/apps/orders` (change)');
    expect(md).toContain('a \\| pipe in a message');
    expect(md).toContain('<details><summary>~ Deployment/apps/orders (change)</summary>');
    // The picture follows traffic from the Gateway to the changed workload and what it uses.
    const graph = md.slice(md.indexOf('```mermaid'));
    for (const node of [
      'Gateway<br/>istio-system/public-gateway',
      'VirtualService<br/>apps/orders',
      'Service<br/>apps/orders',
      'Deployment<br/>apps/orders"]:::change',
      'ConfigMap<br/>apps/orders-config',
      'Secret<br/>apps/db-credentials',
    ]) {
      expect(graph).toContain(node);
    }
    const id = (label: string) =>
      /(n\d+)\["/.exec(graph.split('\n').find((l) => l.includes(`["${label}`))!)![1];
    for (const [from, to] of [
      ['Gateway<br/>', 'VirtualService<br/>apps/orders'],
      ['VirtualService<br/>apps/orders', 'Service<br/>apps/orders"'],
      ['Service<br/>apps/orders"', 'Deployment<br/>apps/orders'],
      ['Deployment<br/>apps/orders', 'ConfigMap<br/>apps/orders-config'],
    ]) {
      expect(graph).toContain(`${id(from)} --> ${id(to)}`);
    }
    expect(md).not.toContain('Cut to stay under');
  });

  it('stays under the limit for thousands of changes, keeping the summary and every risk', () => {
    const cm = (i: number, v: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-${i}, namespace: apps}\ndata:\n  app.properties: "${Array.from({ length: 20 }, (_, j) => `key${j}=${v}${j}`).join('\\n')}"\n`;
    const deploy = (i: number, replicas: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-${i}, namespace: apps}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: web-${i}}}\n  template:\n    metadata: {labels: {app: web-${i}}}\n    spec: {containers: [{name: web, image: "w:1"}]}\n`;
    const n = 4000;
    const risky = 40;
    const base = [
      ...Array.from({ length: n }, (_, i) => cm(i, 'old')),
      ...Array.from({ length: risky }, (_, i) => deploy(i, 3)),
    ];
    const next = [
      ...Array.from({ length: n }, (_, i) => cm(i, 'new')),
      ...Array.from({ length: risky }, (_, i) => deploy(i, 0)),
    ];
    const findings: Finding[] = Array.from({ length: 3000 }, (_, i) => ({
      ruleId: 'resources',
      severity: i % 10 === 0 ? 'error' : 'warning',
      resource: `ConfigMap/apps/config-${i}`,
      path: 'data',
      message: 'a finding with a message long enough to matter for the size of the comment',
      location: { file: `release/prd/app/apps/configmap-config-${i}.yaml`, line: 1 },
    }));
    const diff = diffYaml(base, next, { findings });
    expect(diff.summary.change).toBe(n + risky);
    const md = formatPlanMarkdown(diff);
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(md.split('\n')[1]).toBe(
      `### Plan for \`prd\`: 0 to add, ${n + risky} to change, 0 to replace, 0 to destroy`,
    );
    for (let i = 0; i < risky; i++) {
      expect(md).toContain(
        `- **scale-to-zero** \`Deployment/apps/web-${i}\` (change): replicas goes from 3 to 0`,
      );
    }
    expect(md).toMatch(
      /Cut to stay under GitHub's 65,536-character comment limit: the diffs of \d+ resources, the connection graph, \d+ table rows/,
    );
    // Counts survive the cut: the chart row says how many more resources it has.
    expect(md).toMatch(/\| \| … \d+ more resources of this chart \| \| \|/);
    expect(formatPlanMarkdown(diff)).toBe(md);
  });

  it('keeps the whole plan when it fits', () => {
    const diff = diffYaml(
      ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: apps}\ndata: {v: "1"}\n'],
      ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: apps}\ndata: {v: "2"}\n'],
    );
    const md = formatPlanMarkdown(diff);
    expect(md).toContain('# data.v\n- "1"\n+ "2"');
    expect(md).toContain('Validation of the new plan: no findings.');
  });
});
