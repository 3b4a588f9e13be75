import type { Finding } from '../types.js';

const COLOURS = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[36m',
  dim: '\x1b[2m',
  reset: '\x1b[0m',
};

/** Findings grouped by file, one line each, with a summary line; coloured for a terminal. */
export function formatText(
  findings: Finding[],
  opts: { colour: boolean; resources?: number; kubernetesVersion?: string },
): string {
  const c = (k: keyof typeof COLOURS, s: string) =>
    opts.colour ? COLOURS[k] + s + COLOURS.reset : s;
  const lines: string[] = [];
  let current: string | undefined;
  for (const f of findings) {
    const file = f.location?.file ?? '(no file)';
    if (file !== current) {
      if (current !== undefined) lines.push('');
      lines.push(c('dim', file));
      current = file;
    }
    const line = f.location?.line ? String(f.location.line).padStart(4) : '   -';
    const sev = c(f.severity, f.severity.padEnd(7));
    const where = f.path ? `${f.resource} ${f.path}` : f.resource;
    lines.push(`${line}  ${sev} ${f.message}  ${c('dim', `[${f.ruleId}] ${where}`)}`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (lines.length) lines.push('');
  const against = opts.kubernetesVersion ? ` for Kubernetes ${opts.kubernetesVersion}` : '';
  const checked =
    opts.resources !== undefined ? `${opts.resources} resources checked${against}: ` : '';
  lines.push(
    errors
      ? c('error', `${checked}${errors} error(s), ${warnings} warning(s)`)
      : `${checked}${errors} errors, ${warnings} warning(s)`,
  );
  return lines.join('\n') + '\n';
}
