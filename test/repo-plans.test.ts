import { describe, expect, it } from 'vitest';
import { RULES } from '../validators/rules/index.js';
import { runRulesOnRepo } from '../validators/testing/helpers.js';
import type { Finding } from '../validators/types.js';
import { REPO_ROOT } from './helpers.js';

/**
 * The repository's own plans pass every rule. Each environment is rendered once, in memory (no
 * secret values), and every rule runs over it the way `validate --env` runs them.
 */

/** Rules that give the plans no finding at all, warnings included. */
const CLEAN = [
  'schedulable',
  'dedicated-pool',
  'mxtransporter',
  'storage-class',
  'kinesis-access',
  'image-registry',
  'service-selector',
  'selector-overlap',
  'hpa-target',
  'config-references',
  'istio-references',
  'argocd-chart',
  'resources',
];

const plans = new Map<string, Finding[]>();
function findingsOf(env: string): Finding[] {
  let findings = plans.get(env);
  if (!findings) {
    findings = runRulesOnRepo(RULES, env, REPO_ROOT);
    plans.set(env, findings);
  }
  return findings;
}

const listed = (findings: Finding[]) =>
  findings
    .map((f) => {
      const at = f.location ? `${f.location.file}:${f.location.line} ` : '';
      return `\n  ${at}${f.severity} [${f.ruleId}] ${f.resource} ${f.path}: ${f.message}`;
    })
    .join('');

describe.each(['dev', 'prd'])('the %s plan', (env) => {
  it('has no error findings from any rule', () => {
    const errors = findingsOf(env).filter((f) => f.severity === 'error');
    expect(errors, `error findings:${listed(errors)}`).toHaveLength(0);
  });

  it('has no findings of any severity from the rules that keep it clean (CLEAN)', () => {
    const findings = findingsOf(env).filter((f) => CLEAN.includes(f.ruleId));
    expect(findings, `findings:${listed(findings)}`).toHaveLength(0);
  });
});

it('the prd plan holds no literal password (dev may hold throwaway ones, as warnings)', () => {
  const findings = findingsOf('prd').filter((f) => f.ruleId === 'secret-leak');
  expect(findings, `findings:${listed(findings)}`).toHaveLength(0);
});

it('names only known rules as clean', () => {
  const ids = RULES.map((r) => r.id);
  expect(CLEAN.filter((id) => !ids.includes(id))).toEqual([]);
});
