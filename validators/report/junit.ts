import type { Rule, Finding } from '../types.js';

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[^\t\n\r\u0020-\u{10FFFF}]/gu, '');
}

/** JUnit XML: one test suite per rule, one failing test case per error, a passing case when clean. */
export function formatJunit(findings: Finding[], rules: Rule[], skipped: string[] = []): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = findings.filter((f) => f.severity === 'error').length;
  out.push(
    `<testsuites name="manifests validate" tests="${Math.max(findings.length, rules.length)}" failures="${failures}">`,
  );
  for (const rule of rules) {
    const mine = findings.filter((f) => f.ruleId === rule.id);
    const fails = mine.filter((f) => f.severity === 'error').length;
    out.push(
      `  <testsuite name="${xml(rule.id)}" tests="${Math.max(1, mine.length)}" failures="${fails}">`,
    );
    if (mine.length === 0)
      out.push(`    <testcase name="${xml(rule.description)}" classname="${xml(rule.id)}"/>`);
    for (const f of mine) {
      const where = f.location
        ? `${f.location.file}${f.location.line ? `:${f.location.line}` : ''}`
        : '';
      const name = xml(`${f.resource} ${f.path}`.trim());
      if (f.severity === 'error') {
        out.push(
          `    <testcase name="${name}" classname="${xml(rule.id)}" file="${xml(f.location?.file ?? '')}">`,
        );
        out.push(
          `      <failure message="${xml(f.message)}" type="${xml(rule.id)}">${xml(`${where} ${f.message}`)}</failure>`,
        );
        out.push('    </testcase>');
      } else {
        out.push(
          `    <testcase name="${name}" classname="${xml(rule.id)}" file="${xml(f.location?.file ?? '')}">`,
        );
        out.push(`      <system-out>${xml(`${f.severity}: ${where} ${f.message}`)}</system-out>`);
        out.push('    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  if (skipped.length > 0) {
    out.push(
      `  <testsuite name="skipped" tests="${skipped.length}" failures="0" skipped="${skipped.length}">`,
    );
    for (const id of skipped)
      out.push(
        `    <testcase name="${xml(id)}" classname="${xml(id)}"><skipped message="skipped by validation.yaml"/></testcase>`,
      );
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
