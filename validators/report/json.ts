import type { Finding } from '../types.js';

export function formatJson(
  findings: Finding[],
  opts: { resources?: number; kubernetesVersion?: string; skipped?: string[] } = {},
): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  return (
    JSON.stringify(
      {
        summary: {
          resources: opts.resources,
          kubernetesVersion: opts.kubernetesVersion,
          errors,
          warnings,
          findings: findings.length,
        },
        skipped: opts.skipped ?? [],
        findings,
      },
      null,
      2,
    ) + '\n'
  );
}
