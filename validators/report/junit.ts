import type { Finding, Rule } from '../types.js';
import type { CheckedResource } from '../validate.js';

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[^\t\n\r\u0020-\u{10FFFF}]/gu, '');
}

interface Case {
  name: string;
  classname: string;
  file: string;
  findings: Finding[];
}

function where(f: Finding): string {
  if (!f.location) return '';
  return `${f.location.file}${f.location.line ? `:${f.location.line}` : ''} `;
}

function describe(f: Finding): string {
  return `${where(f)}[${f.ruleId}]${f.path ? ` ${f.path}` : ''}: ${f.message}`;
}

/**
 * JUnit XML in the shape kubeconform writes, so CI dashboards count resources: one test suite per
 * file, one test case per validated resource (passing ones too) named `Kind/namespace/name`, with
 * classname `Kind@apiVersion` and the `file` attribute. A resource with error findings fails (one
 * `<failure>` listing them all; its message is the first); warnings and notes go to
 * `<system-out>`. Findings about no validated resource (values files, documents that are not
 * objects) get a test case of their own in their file's suite.
 */
export function formatJunit(
  findings: Finding[],
  rules: Rule[],
  opts: { checked?: CheckedResource[]; skipped?: string[] } = {},
): string {
  const known = new Set(rules.map((r) => r.id));
  const suites = new Map<string, Map<string, Case>>();
  const caseOf = (file: string, key: string, make: () => Case): Case => {
    let suite = suites.get(file);
    if (!suite) suites.set(file, (suite = new Map()));
    let c = suite.get(key);
    if (!c) suite.set(key, (c = make()));
    return c;
  };
  for (const r of opts.checked ?? []) {
    caseOf(r.file, r.resource, () => ({
      name: r.resource,
      classname: `${r.kind}@${r.apiVersion}`,
      file: r.file,
      findings: [],
    }));
  }
  const extraFiles = new Set<string>();
  for (const f of findings) {
    const file = f.location?.file ?? '';
    if (!suites.has(file)) extraFiles.add(file);
    caseOf(file, f.resource, () => ({
      name: f.resource,
      classname: known.has(f.ruleId) ? f.ruleId : 'manifests',
      file,
      findings: [],
    })).findings.push(f);
  }
  // files with validated resources first (in file order), then the others by name
  const order = [
    ...[...suites.keys()].filter((k) => !extraFiles.has(k)),
    ...[...extraFiles].sort(),
  ];

  let tests = 0;
  let failures = 0;
  const body: string[] = [];
  for (const file of order) {
    const cases = [...suites.get(file)!.values()];
    const failing = cases.filter((c) => c.findings.some((f) => f.severity === 'error')).length;
    tests += cases.length;
    failures += failing;
    body.push(
      `  <testsuite name="${xml(file || '(no file)')}" tests="${cases.length}" failures="${failing}">`,
    );
    for (const c of cases) {
      const attrs = `name="${xml(c.name)}" classname="${xml(c.classname)}" file="${xml(c.file)}"`;
      if (c.findings.length === 0) {
        body.push(`    <testcase ${attrs}/>`);
        continue;
      }
      body.push(`    <testcase ${attrs}>`);
      const errors = c.findings.filter((f) => f.severity === 'error');
      if (errors.length > 0) {
        const first = errors[0];
        const message = `${first.ruleId}${first.path ? ` ${first.path}` : ''}: ${first.message}`;
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
        body.push(
          `      <failure message="${xml(message + more)}" type="${xml(first.ruleId)}">${xml(errors.map(describe).join('\n'))}</failure>`,
        );
      }
      const others = c.findings.filter((f) => f.severity !== 'error');
      if (others.length > 0) {
        body.push(
          `      <system-out>${xml(others.map((f) => `${f.severity}: ${describe(f)}`).join('\n'))}</system-out>`,
        );
      }
      body.push('    </testcase>');
    }
    body.push('  </testsuite>');
  }
  const skipped = opts.skipped ?? [];
  if (skipped.length > 0) {
    // Rules validation.yaml skips, as skipped test cases so dashboards show them.
    tests += skipped.length;
    body.push(
      `  <testsuite name="skipped rules" tests="${skipped.length}" failures="0" skipped="${skipped.length}">`,
    );
    for (const id of skipped)
      body.push(
        `    <testcase name="${xml(id)}" classname="rule"><skipped message="skipped by validation.yaml"/></testcase>`,
      );
    body.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="manifests validate" tests="${tests}" failures="${failures}">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}
