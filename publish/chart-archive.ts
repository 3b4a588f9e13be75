import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { emitYaml } from '../core/emit.js';

/**
 * Helm's OCI media types (helm/helm pkg/registry/constants.go): the config blob holds the chart's
 * Chart.yaml metadata as JSON, the one layer the chart archive. Argo CD's repo-server expects a
 * single chart layer.
 */
export const HELM_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** What goes into one chart archive. Template text is already escaped for Helm. */
export interface ChartContent {
  name: string;
  version: string;
  description: string;
  /** A semver constraint such as `>=1.31.0-0`. */
  kubeVersion: string;
  /** The chart's merged values (written as values.yaml). */
  values: unknown;
  /** Path under templates/ -> template text. */
  templates: Map<string, string>;
}

/** A packaged chart: the archive, its config and manifest, with their digests. */
export interface ChartArtifact {
  name: string;
  version: string;
  /** The uncompressed tar (compared with a registry's copy when digests differ). */
  tar: Buffer;
  archive: Buffer;
  archiveDigest: string;
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
  /** RFC 3339 time in the tar headers and the `org.opencontainers.image.created` annotation. */
  created: string;
  /** Number of template files. */
  templateCount: number;
}

export function sha256Digest(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** `>=1.31.0-0` from a declared `1.31`: that minor and later, including EKS's pre-release-style builds. */
export function kubeVersionConstraint(declared: string): string {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(declared.trim());
  if (!m) throw new Error(`not a Kubernetes version: ${declared}`);
  return `>=${m[1]}.${m[2]}.${m[3] ?? '0'}-0`;
}

/**
 * JSON as Go's encoding/json writes it for a struct: no spaces, and <, >, &, U+2028 and U+2029
 * escaped (encoding/json escapes HTML characters by default).
 */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/**
 * The config blob: the chart metadata as `helm push` writes it (json.Marshal of chart.Metadata in
 * helm/helm pkg/registry/client.go Push), fields in the struct's order (pkg/chart/metadata.go:
 * name, ..., version, description, ..., apiVersion, ..., kubeVersion, ..., type), empty ones omitted.
 */
export function helmConfigJson(c: ChartContent): string {
  const meta: Record<string, string> = { name: c.name, version: c.version };
  if (c.description) meta.description = c.description;
  meta.apiVersion = 'v2';
  meta.kubeVersion = c.kubeVersion;
  meta.type = 'application';
  return goJson(meta);
}

export function chartYaml(c: ChartContent): string {
  const meta: Record<string, string> = { apiVersion: 'v2', name: c.name, version: c.version };
  meta.kubeVersion = c.kubeVersion;
  if (c.description) meta.description = c.description;
  meta.type = 'application';
  return emitYaml(meta);
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Seconds since the epoch -> RFC 3339 in UTC without fractions, as Go's time.RFC3339 prints it. */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The tar of a chart, reproducible: entries sorted by path, file entries only (as `helm package`
 * writes them, pkg/chartutil/save.go), mode 0644, uid/gid 0, empty user and group names, one fixed
 * mtime.
 */
export async function chartTar(files: Map<string, string>, mtime: Date): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const path of [...files.keys()].sort(byCodePoint)) {
    pack.entry(
      { name: path, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime, type: 'file' },
      Buffer.from(files.get(path)!, 'utf8'),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * gzip with a constant header: node:zlib writes MTIME 0 and no file name; the OS byte (which zlib
 * sets from the platform it was built for) is fixed to 3 (Unix, RFC 1952) so every platform gives the
 * same bytes. The deflate stream itself depends on the zlib build; publish compares uncompressed
 * content when a registry's digest differs, so that never reads as a content change.
 */
export function reproducibleGzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  if (gz.readUInt32LE(4) !== 0) throw new Error('gzip header has a timestamp');
  gz[9] = 3;
  return gz;
}

export async function buildChartArtifact(
  c: ChartContent,
  epochSeconds: number,
): Promise<ChartArtifact> {
  const mtime = new Date(epochSeconds * 1000);
  const created = rfc3339(epochSeconds);
  const files = new Map<string, string>();
  files.set(`${c.name}/Chart.yaml`, chartYaml(c));
  files.set(`${c.name}/values.yaml`, emitYaml(c.values ?? {}, byCodePoint));
  for (const [path, text] of c.templates) files.set(`${c.name}/templates/${path}`, text);
  const tarBytes = await chartTar(files, mtime);
  const archive = reproducibleGzip(tarBytes);
  const config = Buffer.from(helmConfigJson(c), 'utf8');
  const archiveDigest = sha256Digest(archive);
  const configDigest = sha256Digest(config);
  // Annotations as helm's generateChartOCIAnnotations (pkg/registry/util.go) sets them, with
  // `created` from the inputs instead of the clock. Keys in code-point order, as Go marshals maps.
  const annotations: Record<string, string> = {
    'org.opencontainers.image.created': created,
  };
  if (c.description) annotations['org.opencontainers.image.description'] = c.description;
  annotations['org.opencontainers.image.title'] = c.name;
  annotations['org.opencontainers.image.version'] = c.version;
  const manifest = Buffer.from(
    goJson({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: { mediaType: HELM_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
      layers: [
        { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, digest: archiveDigest, size: archive.length },
      ],
      annotations,
    }),
    'utf8',
  );
  return {
    name: c.name,
    version: c.version,
    tar: tarBytes,
    archive,
    archiveDigest,
    config,
    configDigest,
    manifest,
    manifestDigest: sha256Digest(manifest),
    created,
    templateCount: c.templates.size,
  };
}
