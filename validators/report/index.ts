import type { Finding, Rule } from '../types.js';
import type { CheckedResource } from '../validate.js';
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
    /** how many resources were validated */
    resources?: number;
    /** the validated resources (JUnit: a test case each); their count stands for `resources` */
    checked?: CheckedResource[];
    /** the Kubernetes minor objects were checked for */
    kubernetesVersion?: string;
    /** the tool's version (SARIF) */
    version?: string;
    /** where the rules are documented (SARIF) */
    informationUri?: string;
    /** Rules skipped by validation.yaml: every format lists them. */
    skipped?: string[];
  } = {},
): string {
  const resources = opts.resources ?? opts.checked?.length;
  switch (format) {
    case 'json':
      return formatJson(findings, {
        resources,
        kubernetesVersion: opts.kubernetesVersion,
        skipped: opts.skipped,
      });
    case 'junit':
      return formatJunit(findings, rules, { checked: opts.checked, skipped: opts.skipped });
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
        resources,
        kubernetesVersion: opts.kubernetesVersion,
        skipped: opts.skipped,
      });
  }
}
