import type { PlanDiff } from '../types.js';
import { formatPlanJson } from './json.js';
import { formatPlanMarkdown } from './markdown.js';
import { formatPlanText } from './text.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

export function formatPlan(
  format: PlanFormat,
  diff: PlanDiff,
  opts: { colour?: boolean } = {},
): string {
  switch (format) {
    case 'json':
      return formatPlanJson(diff);
    case 'markdown':
      return formatPlanMarkdown(diff);
    default:
      return formatPlanText(diff, opts);
  }
}
