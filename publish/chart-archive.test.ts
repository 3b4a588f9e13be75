import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { renderEnvironment } from '../generator/pipeline.js';
import { REPO_ROOT } from '../test/helpers.js';
import {
  HELM_CHART_LAYER_MEDIA_TYPE,
  HELM_CONFIG_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  buildChartArtifact,
  kubeVersionConstraint,
  sha256Digest,
  type ChartArtifact,
  type ChartContent,
} from './chart-archive.js';
import { chartContents } from './package.js';

const SECRETS = {
  APP_DB_PASSWORD: 'p1',
  SCALARDL_DB_PASSWORD: 'p2',
  SCALARDL_AUDITOR_DB_PASSWORD: 'p3',
  ARGOCD_ECR_PASSWORD: 'p4',
  SCALARDL_LEDGER_LICENSE_KEY: 'p5',
  SCALARDL_AUDITOR_LICENSE_KEY: 'p6',
};

function repoCharts(environ: NodeJS.ProcessEnv = SECRETS): ChartContent[] {
  return chartContents(renderEnvironment(REPO_ROOT, 'prd', { secretMode: 'real', environ }), 'prd');
}

async function entries(archive: Buffer) {
  const out: { header: tar.Header; body: string }[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.push({ header, body: Buffer.concat(chunks).toString('utf8') });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from(gunzipSync(archive)).pipe(extract);
  await done;
  return out;
}

describe('chart archives', () => {
  it('are reproducible: the same inputs give the same archive, config and manifest digests', async () => {
    const a: ChartArtifact[] = [];
    const b: ChartArtifact[] = [];
    for (const c of repoCharts()) a.push(await buildChartArtifact(c, 0));
    // A second, independent render and packaging.
    for (const c of repoCharts()) b.push(await buildChartArtifact(c, 0));
    expect(a.map((x) => x.name)).toEqual([
      'app',
      'argocd',
      'eks',
      'istio',
      'logging',
      'mxtransporter',
      'scalardl',
    ]);
    expect(b.map((x) => [x.archiveDigest, x.configDigest, x.manifestDigest])).toEqual(
      a.map((x) => [x.archiveDigest, x.configDigest, x.manifestDigest]),
    );
    for (const x of a) {
      expect(sha256Digest(x.archive)).toBe(x.archiveDigest);
      expect(sha256Digest(x.manifest)).toBe(x.manifestDigest);
    }
  });

  it('change with content: another secret value changes only that chart', async () => {
    const base = await Promise.all(repoCharts().map((c) => buildChartArtifact(c, 0)));
    const other = await Promise.all(
      repoCharts({ ...SECRETS, APP_DB_PASSWORD: 'rotated' }).map((c) => buildChartArtifact(c, 0)),
    );
    const changed = base
      .filter((x, i) => x.manifestDigest !== other[i].manifestDigest)
      .map((x) => x.name);
    expect(changed).toEqual(['app']);
  });

  it('have constant gzip and tar headers: mtime from the input, mode 0644, uid/gid 0, no user names', async () => {
    const [app] = repoCharts();
    const x = await buildChartArtifact(app, 1_700_000_000);
    // RFC 1952: ID1 ID2 CM FLG MTIME(4) XFL OS
    expect([...x.archive.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(x.archive.readUInt32LE(4)).toBe(0);
    expect(x.archive[9]).toBe(3);
    const list = await entries(x.archive);
    const names = list.map((e) => e.header.name);
    expect(names).toEqual([...names].sort());
    expect(names.slice(0, 2)).toEqual([
      'app/Chart.yaml',
      'app/templates/_cluster/namespace-apps.yaml',
    ]);
    expect(names.at(-1)).toBe('app/values.yaml');
    for (const { header } of list) {
      expect(header.type).toBe('file');
      expect(header.mode).toBe(0o644);
      expect(header.uid).toBe(0);
      expect(header.gid).toBe(0);
      expect(header.uname).toBe('');
      expect(header.gname).toBe('');
      expect(header.mtime?.getTime()).toBe(1_700_000_000_000);
    }
    expect(list[0].body).toBe(
      'apiVersion: v2\nname: app\nversion: "1.0.0"\nkubeVersion: ">=1.31.0-0"\ndescription: The team\'s own microservices (Deployment, Service, ConfigMap each) and their database\ntype: application\n',
    );
    expect(list.at(-1)!.body).toContain('password: p1\n');
  });

  it('carry Helm metadata: config JSON like helm push writes it, one chart layer, created from the input', async () => {
    const [app] = repoCharts();
    const x = await buildChartArtifact(app, 1_700_000_000);
    expect(x.config.toString()).toBe(
      '{"name":"app","version":"1.0.0","description":"The team\'s own microservices (Deployment, Service, ConfigMap each) and their database","apiVersion":"v2","kubeVersion":"\\u003e=1.31.0-0","type":"application"}',
    );
    const manifest = JSON.parse(x.manifest.toString());
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: { mediaType: HELM_CONFIG_MEDIA_TYPE, digest: x.configDigest, size: x.config.length },
      layers: [
        { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, digest: x.archiveDigest, size: x.archive.length },
      ],
      annotations: {
        'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
        'org.opencontainers.image.description': app.description,
        'org.opencontainers.image.title': 'app',
        'org.opencontainers.image.version': '1.0.0',
      },
    });
    const later = await buildChartArtifact(app, 1_700_000_001);
    expect(later.configDigest).toBe(x.configDigest);
    expect(later.manifestDigest).not.toBe(x.manifestDigest);
  });

  it('leave eksctl config files out and take kubeVersion from the cluster declaration', () => {
    const eks = repoCharts().find((c) => c.name === 'eks')!;
    expect([...eks.templates.keys()].some((k) => k.startsWith('_eksctl/'))).toBe(false);
    expect((eks as { excluded?: string[] }).excluded).toEqual([
      'release/prd/eks/_eksctl/clusterconfig-shop-prd.yaml',
    ]);
    expect(eks.kubeVersion).toBe('>=1.31.0-0');
    expect(kubeVersionConstraint('1.33')).toBe('>=1.33.0-0');
  });
});
