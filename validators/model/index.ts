import type { Manifest } from '../../core/manifest.js';
import { indexConfig, type ConfigIndex } from './env.js';
import { ObjectIndex, TemplateIndex } from './references.js';
import {
  containerImages,
  podTemplates,
  type ContainerImage,
  type PodTemplate,
} from './workloads.js';

/**
 * What rules share about one set of manifests, built once per validation run (each part on first
 * use) instead of every rule walking every manifest again.
 */
export class ValidationModel {
  private podTemplatesCache?: PodTemplate[];
  private objectsCache?: ObjectIndex;
  private templatesCache?: TemplateIndex;
  private configCache?: ConfigIndex;
  private imagesCache?: ContainerImage[];

  constructor(readonly manifests: Manifest[]) {}

  /** Pod templates of every workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod...). */
  get podTemplates(): PodTemplate[] {
    return (this.podTemplatesCache ??= podTemplates(this.manifests));
  }

  /**
   * Pod templates of these manifests: the model's own when they are its manifests, else worked
   * out for them alone (a rule checking some objects again, with the model holding the objects it
   * reads too, looks at the templates of those it checks).
   */
  podTemplatesOf(manifests: Manifest[]): PodTemplate[] {
    return manifests === this.manifests ? this.podTemplates : podTemplates(manifests);
  }

  /** Objects by kind, namespace and name. */
  get objects(): ObjectIndex {
    return (this.objectsCache ??= new ObjectIndex(this.manifests));
  }

  /** Pod templates by namespace and label, for selectors. */
  get templates(): TemplateIndex {
    return (this.templatesCache ??= new TemplateIndex(this.podTemplates));
  }

  /** ConfigMaps and Secrets by namespace/name. */
  get config(): ConfigIndex {
    return (this.configCache ??= indexConfig(this.manifests));
  }

  /** Every container image with its field path. */
  get images(): ContainerImage[] {
    return (this.imagesCache ??= containerImages(this.manifests));
  }
}
