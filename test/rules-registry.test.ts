import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../validators/rules/index.js';
import { renderRuleDocs, RULE_DOCS_BEGIN, RULE_DOCS_END } from '../validators/report/rule-docs.js';
import { REPO_ROOT } from './helpers.js';

const RULES_DIR = join(REPO_ROOT, 'validators/rules');

/** The README's rule section, with table padding folded so prettier's layout does not matter. */
function normalise(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((c) => (/^\s*-+\s*$/.test(c) ? '---' : c.trim()))
            .join('|')
        : line.trimEnd(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

describe('rule registry', () => {
  it('lists exactly the rule files of validators/rules/, each with its test, and nothing else', () => {
    const files = readdirSync(RULES_DIR).sort();
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size, 'rule ids are unique').toBe(ids.length);
    const expected = ['index.ts', ...ids.flatMap((id) => [`${id}.test.ts`, `${id}.ts`])].sort();
    expect(files).toEqual(expected);
  });

  it('gives every rule its metadata and a test written with the rule tester', () => {
    for (const rule of RULES) {
      expect(rule.id, 'id is kebab-case').toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(['error', 'warning', 'info']).toContain(rule.severity);
      expect(rule.description.length, `${rule.id} description`).toBeGreaterThan(20);
      expect(rule.description, `${rule.id} description is one line`).not.toContain('\n');
      expect(rule.docs.length, `${rule.id} docs`).toBeGreaterThan(120);
      const test = readFileSync(join(RULES_DIR, `${rule.id}.test.ts`), 'utf8');
      expect(test, `${rule.id}.test.ts uses testRule`).toMatch(/\btestRule\(/);
    }
  });

  it('matches the README rule section generated from the metadata (npm run docs:rules)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const begin = readme.indexOf(RULE_DOCS_BEGIN);
    const end = readme.indexOf(RULE_DOCS_END);
    expect(begin, 'README has the rule section markers').toBeGreaterThan(0);
    const section = readme.slice(begin, end + RULE_DOCS_END.length);
    expect(normalise(section)).toBe(normalise(renderRuleDocs(RULES)));
  });
});
