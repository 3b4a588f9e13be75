import type { Finding } from '../types.js';

const COLOURS = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[36m',
  dim: '\x1b[2m',
  reset: '\x1b[0m',
};

/** Findings grouped by file, one line each, with a summary line; coloured for a terminal. */
/**
 * Control characters from the input (newlines, escape sequences) shown as escapes, so a field name
 * or value can neither forge report lines nor inject workflow commands (`::error`) into a CI log.
 */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export function formatText(
  findings: Finding[],
  opts: { colour: boolean; resources?: number; kubernetesVersion?: string; skipped?: string[] },
): string {
  const c = (k: keyof typeof COLOURS, s: string) =>
    opts.colour ? COLOURS[k] + s + COLOURS.reset : s;
  const lines: string[] = [];
  let current: string | undefined;
  for (const f of findings) {
    const file = visible(f.location?.file ?? '(no file)');
    if (file !== current) {
      if (current !== undefined) lines.push('');
      lines.push(c('dim', file));
      current = file;
    }
    const line = f.location?.line ? String(f.location.line).padStart(4) : '   -';
    const sev = c(f.severity, f.severity.padEnd(7));
    const where = visible(f.path ? `${f.resource} ${f.path}` : f.resource);
    lines.push(`${line}  ${sev} ${visible(f.message)}  ${c('dim', `[${f.ruleId}] ${where}`)}`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (lines.length) lines.push('');
  if (opts.skipped?.length) lines.push(`skipped: ${opts.skipped.join(', ')} (validation.yaml)`);
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
