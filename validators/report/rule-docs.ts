import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Rule } from '../types.js';

/** Markers around the generated rule section of the README. */
export const RULE_DOCS_BEGIN =
  '<!-- rules:begin (generated from the rules by `npm run docs:rules`) -->';
export const RULE_DOCS_END = '<!-- rules:end -->';

/** The anchor of a rule's paragraph in the README (GitHub's heading slug). */
export function ruleAnchor(id: string): string {
  return `rule-${id}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The README's rule table and one paragraph per rule, from the rules' metadata. */
export function renderRuleDocs(rules: readonly Rule[]): string {
  const lines = [
    RULE_DOCS_BEGIN,
    '',
    '| rule | severity | checks |',
    '| --- | --- | --- |',
    ...rules.map(
      (r) => `| [\`${r.id}\`](#${ruleAnchor(r.id)}) | ${r.severity} | ${cell(r.description)} |`,
    ),
    '',
    ...rules.flatMap((r) => [`#### rule ${r.id}`, '', r.docs, '']),
    RULE_DOCS_END,
  ];
  return lines.join('\n');
}

/** The README with its rule section replaced by a fresh one. */
export function replaceRuleDocs(readme: string, rules: readonly Rule[]): string {
  const begin = readme.indexOf(RULE_DOCS_BEGIN);
  const end = readme.indexOf(RULE_DOCS_END);
  if (begin < 0 || end < begin) throw new Error('README.md has no rule section markers');
  return readme.slice(0, begin) + renderRuleDocs(rules) + readme.slice(end + RULE_DOCS_END.length);
}

// `npm run docs:rules`: rewrite the README's rule section (prettier then pads the table).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { RULES } = await import('../rules/index.js');
  const readme = new URL('../../../README.md', import.meta.url);
  writeFileSync(readme, replaceRuleDocs(readFileSync(readme, 'utf8'), RULES));
}
