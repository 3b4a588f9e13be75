import { InputError } from '../core/errors.js';
import { isEksctlDocument } from '../core/manifest.js';
import type { RenderResult } from '../generator/pipeline.js';
import { kubeVersionConstraint, type ChartContent } from './chart-archive.js';
import { escapeForHelm } from './escape.js';

/**
 * Helm's archive loader limits (helm/helm pkg/chart/loader/archive.go): 5 MiB per file, 100 MiB for
 * the whole decompressed chart.
 */
export const HELM_MAX_FILE_BYTES = 5 * 1024 * 1024;
export const HELM_MAX_CHART_BYTES = 100 * 1024 * 1024;

export interface PackagedChartContent extends ChartContent {
  /** Release files left out of the chart (eksctl config files are not Kubernetes resources). */
  excluded: string[];
}

/**
 * The content of each chart's archive from a render: Chart.yaml fields, the chart's merged values,
 * and every rendered release file of the chart as an escaped template under templates/ (the
 * release-relative path below the chart folder). eksctl ClusterConfig files are used by eksctl
 * before the cluster exists; applied by Helm or Argo CD they would fail (no such API), so they stay
 * out of the chart and are reported.
 */
export function chartContents(render: RenderResult, env: string): PackagedChartContent[] {
  const { project, loaded, release } = render;
  const declared = (
    loaded.values.global as { clusters?: Record<string, { kubernetesVersion?: string }> }
  )?.clusters?.[env]?.kubernetesVersion;
  if (!declared) {
    throw new InputError(
      `no Kubernetes version declared for ${env} (global.clusters.${env}.kubernetesVersion); a published chart needs its kubeVersion`,
      { file: 'values/shared/' },
    );
  }
  const kubeVersion = kubeVersionConstraint(declared);
  const eksctlFiles = new Set(
    release.manifests.filter((m) => isEksctlDocument(m.object)).map((m) => m.file),
  );
  return project.charts.map((chart) => {
    const templates = new Map<string, string>();
    const excluded: string[] = [];
    let total = 0;
    const prefix = chart.name + '/';
    for (const [path, text] of release.files) {
      if (!path.startsWith(prefix)) continue;
      const display = `release/${env}/${path}`;
      if (eksctlFiles.has(path)) {
        excluded.push(display);
        continue;
      }
      const rest = path.slice(prefix.length);
      if (rest.split('/').pop()!.startsWith('_')) {
        // Helm treats templates whose file name starts with "_" as partials and renders nothing.
        throw new InputError('file name starts with "_"; Helm would not render it', {
          file: display,
        });
      }
      const escaped = escapeForHelm(text, display);
      const size = Buffer.byteLength(escaped);
      if (size > HELM_MAX_FILE_BYTES) {
        throw new InputError(
          `is ${size} bytes as a Helm template; Helm loads no chart file over ${HELM_MAX_FILE_BYTES} bytes`,
          { file: display },
        );
      }
      total += size;
      templates.set(rest, escaped);
    }
    if (total > HELM_MAX_CHART_BYTES) {
      throw new InputError(
        `chart ${chart.name} is ${total} bytes uncompressed; Helm loads no chart over ${HELM_MAX_CHART_BYTES} bytes`,
        { file: `release/${env}/${chart.name}/` },
      );
    }
    return {
      name: chart.name,
      version: chart.version,
      description: chart.description,
      kubeVersion,
      values: loaded.values[chart.name] ?? {},
      templates,
      excluded,
    };
  });
}
