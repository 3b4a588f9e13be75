import type { Finding } from '../types.js';

/** Escapes a workflow-command property value (file, title). */
function prop(s: string): string {
  return s
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/:/g, '%3A')
    .replace(/,/g, '%2C');
}

/** Escapes a workflow-command message. */
function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub Actions workflow commands (`::error file=...,line=...::message`), one per finding. */
export function formatGithub(
  findings: Finding[],
  opts: { uriPrefix?: (file: string) => string; skipped?: string[] } = {},
): string {
  const uri = opts.uriPrefix ?? ((f: string) => f);
  const cmd = { error: 'error', warning: 'warning', info: 'notice' } as const;
  const skipped = opts.skipped?.length
    ? [`::notice title=manifests::${data(`skipped: ${opts.skipped.join(', ')} (validation.yaml)`)}`]
    : [];
  return findings
    .map((f) => {
      const props = [
        f.location ? `file=${prop(uri(f.location.file))}` : '',
        f.location?.line ? `line=${f.location.line}` : '',
        `title=${prop(`${f.ruleId}: ${f.resource}${f.path ? ` ${f.path}` : ''}`)}`,
      ].filter(Boolean);
      return `::${cmd[f.severity]} ${props.join(',')}::${data(f.message)}`;
    })
    .concat(skipped)
    .join('\n')
    .concat(findings.length + skipped.length ? '\n' : '');
}
