import { gunzipSync } from 'node:zlib';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { Manifest } from '../core/manifest.js';
import { renderProject } from '../generator/pipeline.js';
import { openProject } from '../generator/project.js';
import { compareRelease, inspectReleaseFolder } from '../generator/release/write.js';
import {
  OCI_MANIFEST_MEDIA_TYPE,
  buildChartArtifact,
  type ChartArtifact,
} from './chart-archive.js';
import { basicCredentials } from './credentials.js';
import { defaultEcrClient, ecrCredentials, ensureEcrRepositories } from './ecr.js';
import { PublishError, RegistryError } from './errors.js';
import { chartContents } from './package.js';
import {
  chartReference,
  parseRegistryTarget,
  repositoryFor,
  type RegistryTarget,
} from './reference.js';
import { RegistryClient, type Credentials } from './registry-client.js';
import type { RetryPolicy } from './retry.js';
import { checkSecretSubstitution } from './substitution.js';

export interface PublishOptions {
  root: string;
  env: string;
  /** `oci://HOST/PATH`. */
  registry: string;
  plainHttp?: boolean;
  dryRun?: boolean;
  /** ECR only: create missing repositories (tag immutability on, scan on push). */
  createRepository?: boolean;
  /** Secret variables and registry credentials (the CLI passes process.env). */
  environ: NodeJS.ProcessEnv;
  /** Docker config file to look up Basic credentials in. */
  dockerConfigPath?: string;
  /**
   * Time written into the tar headers and the `org.opencontainers.image.created` annotation, in
   * seconds since the epoch. Default 0: a chart's bytes then depend on its content alone, so an
   * unchanged chart keeps its digest from one commit to the next.
   */
  epochSeconds?: number;
  /** Credentials to use instead of looking them up (ECR token, variables, Docker config). */
  credentials?: Credentials;
  /** Builds the ECR client for a region (tests point it at a loopback endpoint). */
  ecrClient?: (region: string) => ECRClient;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** Called with every secret value and registry password before use (to mask them in CI logs). */
  onSecret?: (value: string) => void;
  /** Progress lines (retries, created repositories). Never given a secret. */
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

export type ChartStatus = 'pushed' | 'unchanged' | 'same-content' | 'would-push';

export interface ChartOutcome {
  name: string;
  version: string;
  reference: string;
  status: ChartStatus;
  manifestDigest: string;
  archiveDigest: string;
  archiveBytes: number;
  templates: number;
  /** Blobs the registry already had (not uploaded again). */
  blobsSkipped: number;
  /** Release files left out of the chart (eksctl config). */
  excluded: string[];
  /** With status `same-content`: the digest the registry's copy has. */
  registryDigest?: string;
}

export interface PublishReport {
  target: RegistryTarget;
  dryRun: boolean;
  releaseFiles: number;
  secrets: number;
  createdRepositories: string[];
  charts: ChartOutcome[];
  /** Things worth a look that do not stop the publish. */
  notes: string[];
}

interface RemoteState {
  artifact: ChartArtifact;
  repository: string;
  state: 'missing' | 'same' | 'same-content';
  registryDigest?: string;
}

/**
 * Argo CD Applications of the plan that pull a chart of this publish from another repository (their
 * `repoURL` is host/path without `oci://`): publishing elsewhere is allowed (a mirror), but usually
 * a mistake, so it is said.
 */
function argoSourceNotes(manifests: Manifest[], target: RegistryTarget): string[] {
  const here = target.path ? `${target.host}/${target.path}` : target.host;
  const notes: string[] = [];
  for (const m of manifests) {
    if (m.object.kind !== 'Application' || !m.object.apiVersion.startsWith('argoproj.io/'))
      continue;
    const source = (
      m.object.spec as { source?: { repoURL?: unknown; chart?: unknown } } | undefined
    )?.source;
    if (typeof source?.chart !== 'string' || typeof source.repoURL !== 'string') continue;
    const repo = source.repoURL
      .replace(/^oci:\/\//, '')
      .replace(/\/+$/, '')
      .toLowerCase();
    if (repo !== here) {
      notes.push(
        `note: the Argo CD Application ${m.object.metadata.name} pulls chart ${source.chart} from ${repo}, not from ${here}`,
      );
    }
  }
  return notes;
}

/** Does the registry's manifest hold the same chart (same config, same uncompressed archive)? */
async function sameContent(
  client: RegistryClient,
  repository: string,
  remoteManifest: Buffer,
  artifact: ChartArtifact,
): Promise<boolean> {
  let m: { config?: { digest?: string }; layers?: { mediaType?: string; digest?: string }[] };
  try {
    m = JSON.parse(remoteManifest.toString('utf8'));
  } catch {
    return false;
  }
  if (m.config?.digest !== artifact.configDigest) return false;
  if (!Array.isArray(m.layers) || m.layers.length !== 1 || !m.layers[0].digest) return false;
  if (m.layers[0].digest === artifact.archiveDigest) return true;
  const blob = await client.getBlob(repository, m.layers[0].digest);
  try {
    return gunzipSync(blob).equals(artifact.tar);
  } catch {
    return false;
  }
}

/**
 * Publishes every chart of `env` as a Helm chart to an OCI registry.
 *
 * 1. The committed release/<env>/ must equal a fresh placeholder render (the reviewed plan).
 * 2. Every declared secret is read from `environ` (all missing ones reported at once, InputError).
 * 3. The real render must differ from the reviewed one only by the secret values.
 * 4. Each chart is packaged in memory (nothing holding a secret is written to disk).
 * 5. Every tag is looked up before anything is uploaded: a version that exists with other
 *    content stops the whole publish (versions are immutable), so nothing is half-published.
 * 6. Blobs first, the manifest (the tag) last, per chart.
 */
export async function publishCharts(opts: PublishOptions): Promise<PublishReport> {
  const target = parseRegistryTarget(opts.registry, !!opts.plainHttp);
  const { env } = opts;

  // One project read serves both renders (templates and schemas compile once).
  const project = openProject(opts.root);
  const reviewed = renderProject(project, env, { environ: opts.environ });
  const { added, removed, changed, irregular, wrongMode } = compareRelease(
    inspectReleaseFolder(reviewed.releaseDir),
    reviewed.release.files,
  );
  const drift = [
    ...changed.map((p) => `changed    release/${env}/${p}`),
    ...added.map((p) => `missing    release/${env}/${p}`),
    ...removed.map((p) => `unexpected release/${env}/${p}`),
    ...irregular.map((p) => `not a file release/${env}/${p}`),
    ...wrongMode.map((p) => `mode       release/${env}/${p}`),
  ];
  if (drift.length > 0) {
    throw new PublishError(
      `release/${env}/ is not what the charts and values render (${drift.length} files differ): only a reviewed plan is published; run manifests render --env ${env}, review and commit it`,
      [...drift.slice(0, 10), ...(drift.length > 10 ? [`and ${drift.length - 10} more`] : [])],
    );
  }

  const real = renderProject(project, env, { secretMode: 'real', environ: opts.environ });
  for (const s of real.loaded.secretVariables) opts.onSecret?.(s.value);
  checkSecretSubstitution(reviewed.release.manifests, real.release.manifests, opts.environ, env);

  const contents = chartContents(real, env);
  const epoch = opts.epochSeconds ?? 0;
  const artifacts: { artifact: ChartArtifact; excluded: string[] }[] = [];
  for (const c of contents) {
    artifacts.push({ artifact: await buildChartArtifact(c, epoch), excluded: c.excluded });
  }

  const notes = argoSourceNotes(real.release.manifests, target);

  const repositories = artifacts.map((a) => repositoryFor(target, a.artifact.name));
  let credentials = opts.credentials;
  let createdRepositories: string[] = [];
  if (target.ecr) {
    const ecr = (opts.ecrClient ?? defaultEcrClient)(target.ecr.region);
    if (opts.createRepository) {
      const r = await ensureEcrRepositories(ecr, target.ecr.accountId, repositories, {
        dryRun: opts.dryRun,
        signal: opts.signal,
      });
      createdRepositories = r.created;
      for (const name of r.created) {
        opts.log?.(
          `${opts.dryRun ? 'would create' : 'created'} ECR repository ${name} (tag immutability on, scan on push)`,
        );
      }
    }
    credentials ??= await ecrCredentials(ecr, opts.signal);
  } else {
    credentials ??= basicCredentials(target, opts.environ, opts.dockerConfigPath);
  }
  if (credentials) opts.onSecret?.(credentials.password);

  const client = new RegistryClient(target, {
    credentials,
    retry: opts.retry,
    signal: opts.signal,
    fetch: opts.fetch,
    onRetry: (what, attempt, delay, reason) =>
      opts.log?.(`${what}: ${reason}; retry ${attempt} in ${delay} ms`),
  });

  // Every tag first: refuse before uploading anything if any version holds other content.
  const states: RemoteState[] = [];
  const conflicts: string[] = [];
  for (const [i, { artifact }] of artifacts.entries()) {
    const repository = repositories[i];
    const remote = await client.getManifest(repository, artifact.version);
    if (!remote) states.push({ artifact, repository, state: 'missing' });
    else if (remote.digest === artifact.manifestDigest)
      states.push({ artifact, repository, state: 'same' });
    else if (await sameContent(client, repository, remote.body, artifact))
      states.push({ artifact, repository, state: 'same-content', registryDigest: remote.digest });
    else
      conflicts.push(
        `${chartReference(target, artifact.name, artifact.version)} is ${remote.digest}, this chart would be ${artifact.manifestDigest}: bump version in charts/${artifact.name}/chart.yaml`,
      );
  }
  if (conflicts.length > 0) {
    throw new PublishError(
      `${conflicts.length} chart version${conflicts.length > 1 ? 's are' : ' is'} already published with other content; published versions are immutable, so nothing was pushed`,
      conflicts,
    );
  }

  const charts: ChartOutcome[] = [];
  for (const [i, s] of states.entries()) {
    const { artifact, repository } = s;
    let status: ChartStatus =
      s.state === 'same' ? 'unchanged' : s.state === 'same-content' ? 'same-content' : 'would-push';
    let blobsSkipped = 0;
    if (s.state === 'missing' && !opts.dryRun) {
      for (const [digest, data] of [
        [artifact.configDigest, artifact.config],
        [artifact.archiveDigest, artifact.archive],
      ] as const) {
        if (await client.hasBlob(repository, digest)) blobsSkipped++;
        else await client.uploadBlob(repository, digest, data);
      }
      const stored = await client.putManifest(
        repository,
        artifact.version,
        artifact.manifest,
        OCI_MANIFEST_MEDIA_TYPE,
      );
      if (stored && stored !== artifact.manifestDigest) {
        throw new RegistryError(
          `${target.host} stored ${repository}:${artifact.version} as ${stored}, expected ${artifact.manifestDigest}`,
        );
      }
      status = 'pushed';
    }
    charts.push({
      name: artifact.name,
      version: artifact.version,
      reference: chartReference(target, artifact.name, artifact.version),
      status,
      manifestDigest: artifact.manifestDigest,
      archiveDigest: artifact.archiveDigest,
      archiveBytes: artifact.archive.length,
      templates: artifact.templateCount,
      blobsSkipped,
      excluded: artifacts[i].excluded,
      registryDigest: s.registryDigest,
    });
  }
  return {
    target,
    dryRun: !!opts.dryRun,
    releaseFiles: reviewed.release.files.size,
    secrets: real.loaded.secrets.length,
    createdRepositories,
    charts,
    notes,
  };
}

/** The report as lines for the terminal (digests, never a secret). */
export function formatPublishReport(r: PublishReport): string {
  const where = `oci://${r.target.host}${r.target.path ? '/' + r.target.path : ''}`;
  const lines = [
    `${r.dryRun ? 'dry run: nothing uploaded; ' : ''}${where}: release matches the reviewed plan (${r.releaseFiles} files), ${r.secrets} secret${r.secrets === 1 ? '' : 's'} from the environment`,
  ];
  const width = Math.max(...r.charts.map((c) => `${c.name} ${c.version}`.length), 0);
  const label: Record<ChartStatus, string> = {
    pushed: 'pushed      ',
    unchanged: 'unchanged   ',
    'same-content': 'unchanged   ',
    'would-push': 'would push  ',
  };
  for (const c of r.charts) {
    const note =
      c.status === 'unchanged'
        ? ' (already in the registry with this digest)'
        : c.status === 'same-content'
          ? ` (already in the registry as ${c.registryDigest} with the same chart content)`
          : ` (${c.templates} templates, ${c.archiveBytes} bytes, archive ${c.archiveDigest})`;
    lines.push(
      `  ${`${c.name} ${c.version}`.padEnd(width)}  ${label[c.status]}${c.manifestDigest}${note}`,
    );
    for (const f of c.excluded)
      lines.push(`    not packaged (eksctl config, not a Kubernetes resource): ${f}`);
  }
  lines.push(...r.notes);
  return lines.join('\n') + '\n';
}
