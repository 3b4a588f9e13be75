import type { Rule } from '../types.js';
import { schemaRule } from './schema.js';
import { schedulableRule } from './schedulable.js';
import { dedicatedPoolRule } from './dedicated-pool.js';
import { daemonSetEverywhereRule } from './daemonset-everywhere.js';
import { networkCidrRule } from './network-cidr.js';
import { scalarDlRule } from './scalardl.js';
import { mxTransporterRule } from './mxtransporter.js';
import { storageClassRule } from './storage-class.js';
import { kinesisAccessRule } from './kinesis-access.js';
import { kinesisCapacityRule } from './kinesis-capacity.js';
import { loggingRule } from './logging.js';
import { imageTagRule } from './image-tag.js';
import { imageRegistryRule } from './image-registry.js';
import { serviceSelectorRule } from './service-selector.js';
import { selectorOverlapRule } from './selector-overlap.js';
import { hpaTargetRule } from './hpa-target.js';
import { configReferencesRule } from './config-references.js';
import { istioReferencesRule } from './istio-references.js';
import { argocdChartRule } from './argocd-chart.js';
import { secretLeakRule } from './secret-leak.js';
import { resourcesRule } from './resources.js';
import { apiMetadataRule } from './api-metadata.js';
import { apiValuesRule } from './api-values.js';
import { apiConsistencyRule } from './api-consistency.js';

/** Every rule, in report order. Adding a rule: a file beside this one and a line here. */
export const RULES: Rule[] = [
  schemaRule,
  schedulableRule,
  dedicatedPoolRule,
  daemonSetEverywhereRule,
  networkCidrRule,
  scalarDlRule,
  mxTransporterRule,
  storageClassRule,
  kinesisAccessRule,
  kinesisCapacityRule,
  loggingRule,
  imageTagRule,
  imageRegistryRule,
  serviceSelectorRule,
  selectorOverlapRule,
  hpaTargetRule,
  configReferencesRule,
  istioReferencesRule,
  argocdChartRule,
  secretLeakRule,
  resourcesRule,
  apiMetadataRule,
  apiValuesRule,
  apiConsistencyRule,
];
