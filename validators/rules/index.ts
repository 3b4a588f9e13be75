import type { Rule } from '../types.js';
import { schemaRule } from './schema.js';
import { schedulableRule } from './schedulable.js';
import { dedicatedPoolRule } from './dedicated-pool.js';
import { daemonSetEverywhereRule } from './daemonset-everywhere.js';
import { networkCidrRule } from './network-cidr.js';
import { scalarDlRule } from './scalardl.js';
import { mxTransporterRule } from './mxtransporter.js';
import { imageTagRule } from './image-tag.js';
import { imageRegistryRule } from './image-registry.js';

/** Every rule, in report order. Adding a rule: a file beside this one and a line here. */
export const RULES: Rule[] = [
  schemaRule,
  schedulableRule,
  dedicatedPoolRule,
  daemonSetEverywhereRule,
  networkCidrRule,
  scalarDlRule,
  mxTransporterRule,
  imageTagRule,
  imageRegistryRule,
];
