import type { Finding, Rule } from '../types.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export const FORMATS = ['text', 'json', 'junit', 'sarif', 'github'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export function formatFindings(
  format: ReportFormat,
  findings: Finding[],
  rules: Rule[],
  opts: {
    colour?: boolean;
    resources?: number;
    version?: string;
    informationUri?: string;
    /** Rules skipped by validation.yaml: every format lists them. */
    skipped?: string[];
  } = {},
): string {
  switch (format) {
    case 'json':
      return formatJson(findings, { resources: opts.resources, skipped: opts.skipped });
    case 'junit':
      return formatJunit(findings, rules, opts.skipped);
    case 'sarif':
      return formatSarif(findings, rules, {
        version: opts.version ?? '0.0.0',
        informationUri: opts.informationUri ?? 'README.md#validation',
        skipped: opts.skipped,
      });
    case 'github':
      return formatGithub(findings, { skipped: opts.skipped });
    default:
      return formatText(findings, {
        colour: !!opts.colour,
        resources: opts.resources,
        skipped: opts.skipped,
      });
  }
}
