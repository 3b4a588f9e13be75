import { describe, expect, it } from 'vitest';
import type { OriginNode } from '../../generator/values/origins.js';
import type { ContextInput, Finding, Rule, Severity } from '../types.js';
import { runRuleOnYaml } from './helpers.js';

/** A message pattern: a regular expression, or text the message contains. */
export type MessagePattern = RegExp | string;

/** Manifest text: one file (`case.yaml`) or several, by file name. */
export type CaseFiles = string | Record<string, string>;

export interface RuleCase {
  /** Test name (defaults to the first line that names the object). */
  name?: string;
  /** The manifests (none for a case about values only). */
  yaml?: CaseFiles;
  /** Rule context beyond the defaults (cluster, values, env, secret values...). */
  context?: Partial<ContextInput>;
  /** Chart the manifests belong to: one for all files, or one per file name. */
  chart?: string | Record<string, string>;
  /** Origins of `context.values`, for values-level findings. */
  valueOrigins?: OriginNode;
}

export interface ExpectedFinding {
  /** Field path as reports show it (`spec.template.spec.containers[0].image`). */
  path?: string;
  /** Line in the finding's file. */
  line?: number;
  /** File (for cases with several files, or the values file of a values-level finding). */
  file?: string;
  /**
   * A pattern, or text the message contains (`exactly(text)` for the whole message); with a list,
   * the message must match each.
   */
  message?: MessagePattern | MessagePattern[];
  severity?: Severity;
  resource?: string;
}

export interface InvalidCase extends RuleCase {
  /** The findings expected, in report order; at least one. */
  errors: ExpectedFinding[];
}

export interface RuleTests {
  valid: (RuleCase | string)[];
  invalid: InvalidCase[];
}

function filesOf(yaml: CaseFiles = {}): Record<string, string> {
  return typeof yaml === 'string' ? { 'case.yaml': yaml } : yaml;
}

/** A message pattern that matches exactly this text (and shows as the text in failures). */
export function exactly(text: string): RegExp {
  const pattern = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return Object.defineProperty(pattern, 'toString', { value: () => `exactly "${text}"` });
}

function caseName(c: RuleCase, index: number): string {
  if (c.name) return c.name;
  const text = Object.values(filesOf(c.yaml)).join('\n');
  const kind = /^kind:\s*(\S+)/m.exec(text)?.[1] ?? 'document';
  const name = /^\s*name:\s*(\S+)/m.exec(text)?.[1] ?? String(index);
  return `${kind} ${name} (#${index + 1})`;
}

/** Runs one case through the runner, as `validate` would, and returns its findings. */
export function runCase(rule: Rule, c: RuleCase): Finding[] {
  return runRuleOnYaml(rule, filesOf(c.yaml), c.context ?? {}, {
    chart: c.chart,
    valueOrigins: c.valueOrigins,
  });
}

function matchesMessage(message: string, expected: MessagePattern | MessagePattern[]): boolean {
  return [expected]
    .flat()
    .every((e) => (typeof e === 'string' ? message.includes(e) : e.test(message)));
}

/** Why a finding does not match what was expected ('' when it does). */
function mismatch(f: Finding, e: ExpectedFinding): string {
  const wrong: string[] = [];
  if (e.path !== undefined && f.path !== e.path) wrong.push(`path ${f.path} (expected ${e.path})`);
  if (e.line !== undefined && f.location?.line !== e.line)
    wrong.push(`line ${f.location?.line} (expected ${e.line})`);
  if (e.file !== undefined && f.location?.file !== e.file)
    wrong.push(`file ${f.location?.file} (expected ${e.file})`);
  if (e.severity !== undefined && f.severity !== e.severity)
    wrong.push(`severity ${f.severity} (expected ${e.severity})`);
  if (e.resource !== undefined && f.resource !== e.resource)
    wrong.push(`resource ${f.resource} (expected ${e.resource})`);
  if (e.message !== undefined && !matchesMessage(f.message, e.message))
    wrong.push(`message "${f.message}" (expected ${[e.message].flat().map(String).join(' and ')})`);
  return wrong.join('; ');
}

/**
 * What is wrong with a rule's findings against the expected ones, in report order ([] when they
 * agree): a count that differs, a finding of another rule, a field that does not match.
 */
export function findingProblems(
  ruleId: string,
  findings: Finding[],
  expected: ExpectedFinding[],
): string[] {
  if (findings.length !== expected.length) {
    const listed = findings.map((f) => `\n  ${f.severity} ${f.path}: ${f.message}`).join('');
    return [`${findings.length} findings, expected ${expected.length}:${listed}`];
  }
  return findings.flatMap((f, n) => {
    const wrong = f.ruleId === ruleId ? mismatch(f, expected[n]) : `rule ${f.ruleId}`;
    return wrong ? [`finding ${n + 1}: ${wrong}`] : [];
  });
}

/**
 * Declares one vitest suite for a rule, in the spirit of ESLint's RuleTester: every `valid` case
 * must give no finding of this rule; every `invalid` case must give exactly the findings listed,
 * in report order (an invalid case that lists no finding fails).
 */
export function testRule(rule: Rule, tests: RuleTests): void {
  describe(`rule ${rule.id}`, () => {
    tests.valid.forEach((raw, i) => {
      const c: RuleCase = typeof raw === 'string' ? { yaml: raw } : raw;
      it(`valid: ${caseName(c, i)}`, () => {
        const findings = runCase(rule, c);
        expect(
          findings.map((f) => `${f.severity} ${f.path}: ${f.message}`),
          'a valid case gives no finding',
        ).toEqual([]);
      });
    });
    tests.invalid.forEach((c, i) => {
      it(`invalid: ${caseName(c, i)}`, () => {
        if (c.errors.length === 0) throw new Error('an invalid case lists at least one finding');
        expect(findingProblems(rule.id, runCase(rule, c), c.errors)).toEqual([]);
      });
    });
  });
}
