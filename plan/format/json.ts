import type { PlanDiff } from '../types.js';

/**
 * The stable machine form (documented in the README):
 * `{ env, base: { ref, commit }, summary: { add, change, replace, destroy, unchanged },
 *    resources: [{ id, chart, file, action, renamedFrom?, risks: [{ code, reason }],
 *                  changes: [{ path, old?, new?, note? }] }],
 *    findings: [{ ruleId, severity, resource, path, message, file?, line? }] }`.
 */
export function formatPlanJson(diff: PlanDiff): string {
  const out = {
    env: diff.env,
    base: diff.base,
    summary: diff.summary,
    resources: diff.resources.map((r) => ({
      id: r.id,
      apiVersion: r.apiVersion,
      chart: r.chart,
      file: r.file,
      action: r.action,
      ...(r.renamedFrom ? { renamedFrom: r.renamedFrom } : {}),
      risks: r.risks.map((k) => ({ code: k.code, reason: k.reason })),
      changes: r.changes.map((c) => ({
        path: c.path,
        ...(c.old !== undefined ? { old: c.old } : {}),
        ...(c.new !== undefined ? { new: c.new } : {}),
        ...(c.note ? { note: c.note } : {}),
      })),
    })),
    findings: diff.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      resource: f.resource,
      path: f.path,
      message: f.message,
      ...(f.location ? { file: f.location.file } : {}),
      ...(f.location?.line ? { line: f.location.line } : {}),
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
