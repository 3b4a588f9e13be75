import type { Rule } from '../types.js';
import { schemaRule } from './schema.js';

/** Every rule, in report order. Adding a rule: a file beside this one and a line here. */
export const RULES: Rule[] = [schemaRule];
