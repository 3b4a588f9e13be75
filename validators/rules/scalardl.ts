import type { Manifest } from '../../core/manifest.js';
import type { FieldPath, Rule, RuleContext, RuleFinding } from '../types.js';
import { isAuditorSide, scalarDlPartOf, type ScalarDlPart } from '../model/components.js';
import { namespaceOf } from '../model/references.js';
import { candidateGroups, fitGroups, isDedicated } from '../cluster/scheduling.js';
import { podTemplateOf, selectorMatches, type PodTemplate } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';
import { parseImageRef } from '../model/images.js';

const MIN_KUBERNETES_MINOR = 19;
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const ARGO_HOOK = 'argocd.argoproj.io/hook';
const HELM_HOOK = 'helm.sh/hook';
const SERVER_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/**
 * Where each server's image reads its properties. The 3.x images start with
 * `dockerize -template ledger.properties.tmpl:/tmp/ledger.properties ... --config=/tmp/ledger.properties`
 * in WORKDIR /scalar/ledger (ledger/Dockerfile of scalar-labs/scalardl, v3.10.5 to v3.14.0), so the
 * file they read is rendered from the template; the Auditor image does the same in /scalar/auditor
 * (the scalardl-audit 2.x charts of scalar-labs/helm-charts mount auditor.properties.tmpl there).
 * The 4.x image runs `./bin/scalar-ledger --config=ledger.properties` without dockerize.
 */
const PROPERTIES_FILES = {
  ledger: {
    images: ['scalar-ledger', 'scalardl-ledger'],
    dir: '/scalar/ledger',
    file: 'ledger.properties',
    prefix: 'scalar.dl.ledger.',
  },
  auditor: {
    images: ['scalar-auditor', 'scalardl-auditor'],
    dir: '/scalar/auditor',
    file: 'auditor.properties',
    prefix: 'scalar.dl.auditor.',
  },
} as const;

interface Part {
  t: PodTemplate;
  part: ScalarDlPart;
}

/** One place that sets Ledger properties: a properties file in a ConfigMap/Secret, or env vars. */
interface LedgerSettings {
  manifest: Manifest;
  /** Path of the entry holding the settings. */
  path: FieldPath;
  proof?: boolean;
  auditor?: boolean;
}

function truthy(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (/^true$/i.test(v.trim())) return true;
    if (/^false$/i.test(v.trim())) return false;
  }
  return undefined;
}

/** Java properties text: `key=value`, `key: value` or `key value`; `#` and `!` start comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*(?:[=:]|\s)\s*(.*)$/.exec(line);
    if (m) out.set(m[1], m[2].trim());
    else out.set(line, '');
  }
  return out;
}

function decodeBase64(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return Buffer.from(v, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
}

/** Ledger settings found in rendered ConfigMaps/Secrets (properties files) and Ledger env vars. */
function ledgerSettings(manifests: Manifest[], ledgers: Part[]): LedgerSettings[] {
  const out: LedgerSettings[] = [];
  for (const m of manifests) {
    const obj = m.object as Obj;
    if (obj.kind !== 'ConfigMap' && obj.kind !== 'Secret') continue;
    const add = (path: FieldPath, text: string | undefined) => {
      if (!text || !text.includes('scalar.dl.ledger.')) return;
      const props = parseProperties(text);
      if (![...props.keys()].some((k) => k.startsWith('scalar.dl.ledger.'))) return;
      out.push({
        manifest: m,
        path,
        proof: truthy(props.get('scalar.dl.ledger.proof.enabled')) ?? false,
        auditor: truthy(props.get('scalar.dl.ledger.auditor.enabled')) ?? false,
      });
    };
    for (const [k, v] of Object.entries(obj.data ?? {}))
      add(
        ['data', k],
        obj.kind === 'Secret' ? decodeBase64(v) : typeof v === 'string' ? v : undefined,
      );
    for (const [k, v] of Object.entries(obj.stringData ?? {}))
      add(['stringData', k], typeof v === 'string' ? v : undefined);
  }
  for (const { t } of ledgers) {
    for (const [ci, c] of (Array.isArray(t.spec.containers) ? t.spec.containers : []).entries()) {
      const env: Obj[] = Array.isArray(c?.env) ? c.env : [];
      const get = (name: string) => env.find((e) => e?.name === name);
      const proof = get('SCALAR_DL_LEDGER_PROOF_ENABLED');
      const auditor = get('SCALAR_DL_LEDGER_AUDITOR_ENABLED');
      if (!proof && !auditor) continue;
      out.push({
        manifest: t.manifest,
        path: [...t.specPath, 'containers', ci, 'env'],
        proof: proof ? truthy(proof.value) : false,
        auditor: auditor ? truthy(auditor.value) : false,
      });
    }
  }
  return out;
}

/**
 * Whether a properties text has a key starting with `prefix`. A key is part of the text, so a text
 * without the prefix anywhere has none, and is not parsed (most ConfigMap values of a plan).
 */
function holdsPropertyWithPrefix(text: string, prefix: string): boolean {
  return (
    text.includes(prefix) && [...parseProperties(text).keys()].some((k) => k.startsWith(prefix))
  );
}

/** Entries of ConfigMaps and Secrets (by namespace/kind/name) that hold properties with `prefix`. */
function propertyEntries(manifests: Manifest[], prefix: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const m of manifests) {
    const obj = m.object as Obj;
    if (obj.kind !== 'ConfigMap' && obj.kind !== 'Secret') continue;
    const entries = new Map<string, string>();
    for (const [k, v] of Object.entries(obj.data ?? {})) {
      const text = obj.kind === 'Secret' ? decodeBase64(v) : typeof v === 'string' ? v : undefined;
      if (text && holdsPropertyWithPrefix(text, prefix)) entries.set(k, text);
    }
    for (const [k, v] of Object.entries(obj.stringData ?? {}))
      if (typeof v === 'string' && holdsPropertyWithPrefix(v, prefix)) entries.set(k, v);
    if (entries.size > 0) out.set(`${namespaceOf(m)}/${obj.kind}/${obj.metadata?.name}`, entries);
  }
  return out;
}

function waveOf(obj: Obj): number {
  const v = Number.parseInt(String(obj.metadata?.annotations?.[SYNC_WAVE] ?? '0'), 10);
  return Number.isFinite(v) ? v : 0;
}

function hooksOf(obj: Obj, key: string): string[] {
  const v = obj.metadata?.annotations?.[key];
  return typeof v === 'string' ? v.split(',').map((s) => s.trim().toLowerCase()) : [];
}

/** Whether ArgoCD finishes the Job before it applies the server workload. */
function runsBefore(job: Obj, server: Obj): boolean {
  const argo = hooksOf(job, ARGO_HOOK);
  const helm = hooksOf(job, HELM_HOOK);
  if (argo.includes('presync')) return true;
  if (argo.length === 0 && (helm.includes('pre-install') || helm.includes('pre-upgrade')))
    return true;
  if (argo.some((h) => h !== 'sync')) return false; // PostSync, SyncFail, Skip...
  return waveOf(job) < waveOf(server);
}

function annotationPath(obj: Obj): FieldPath {
  const a = obj.metadata?.annotations;
  if (a && typeof a === 'object')
    return a[SYNC_WAVE] !== undefined
      ? ['metadata', 'annotations', SYNC_WAVE]
      : ['metadata', 'annotations'];
  return ['metadata'];
}

function describePart(p: ScalarDlPart): string {
  return {
    ledger: 'Ledger',
    envoy: 'Envoy',
    auditor: 'Auditor',
    'auditor-envoy': "Auditor's Envoy",
    'schema-loader': 'schema-loading Job',
    'auditor-schema-loader': "Auditor's schema-loading Job",
  }[p];
}

function secretNamesOf(t: PodTemplate): string[] {
  const names: string[] = [];
  for (const v of Array.isArray(t.spec.volumes) ? t.spec.volumes : []) {
    if (v?.secret?.secretName) names.push(v.secret.secretName);
    for (const s of Array.isArray(v?.projected?.sources) ? v.projected.sources : [])
      if (s?.secret?.name) names.push(s.secret.name);
  }
  for (const field of ['initContainers', 'containers']) {
    for (const c of Array.isArray(t.spec[field]) ? t.spec[field] : []) {
      for (const e of Array.isArray(c?.env) ? c.env : [])
        if (e?.valueFrom?.secretKeyRef?.name) names.push(e.valueFrom.secretKeyRef.name);
      for (const e of Array.isArray(c?.envFrom) ? c.envFrom : [])
        if (e?.secretRef?.name) names.push(e.secretRef.name);
    }
  }
  return names;
}

class ScalarDlCheck {
  readonly out: RuleFinding[] = [];
  readonly values: Obj | undefined;
  readonly parts: Part[];

  constructor(
    private readonly manifests: Manifest[],
    private readonly ctx: RuleContext,
  ) {
    const v = ctx.values?.scalardl;
    this.values = v && typeof v === 'object' ? (v as Obj) : undefined;
    this.parts = ctx.model.podTemplates
      .map((t) => ({ t, part: scalarDlPartOf(t) }))
      .filter((p): p is Part => p.part !== undefined);
  }

  private of(...kinds: ScalarDlPart[]): Part[] {
    return this.parts.filter((p) => kinds.includes(p.part));
  }

  applies(): boolean {
    return this.parts.length > 0 || this.values !== undefined;
  }

  /**
   * The Ledger's and the Auditor's properties are mounted where their image reads them: for 3.x
   * images the `.tmpl` file dockerize renders at start (a file mounted as ledger.properties is
   * never read), with no `{{` in it (dockerize would take it for a template action).
   */
  propertiesFiles(): void {
    for (const part of ['ledger', 'auditor'] as const) {
      const want = PROPERTIES_FILES[part];
      const parts = this.of(part);
      if (parts.length === 0) continue;
      const sources = propertyEntries(this.manifests, want.prefix);
      for (const { t } of parts) {
        const ns = namespaceOf(t.manifest);
        const volumes = new Map<string, Obj>(
          (Array.isArray(t.spec.volumes) ? t.spec.volumes : []).map((v: Obj) => [v?.name, v]),
        );
        const containers: Obj[] = Array.isArray(t.spec.containers) ? t.spec.containers : [];
        containers.forEach((c, ci) => {
          const ref = parseImageRef(c?.image);
          if (!ref || !(want.images as readonly string[]).includes(ref.name)) return;
          const major = /^v?(\d+)\./.exec(ref.tag ?? '')?.[1];
          if (major === undefined) return; // a digest or no tag: the start-up is unknown
          const template = Number(major) < 4;
          const expected = `${want.dir}/${want.file}${template ? '.tmpl' : ''}`;
          const mounts: Obj[] = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
          mounts.forEach((mount, mi) => {
            const volume = volumes.get(mount?.name);
            const source = volume?.configMap
              ? `${ns}/ConfigMap/${volume.configMap.name}`
              : volume?.secret
                ? `${ns}/Secret/${volume.secret.secretName}`
                : undefined;
            const entries = source ? sources.get(source) : undefined;
            if (!entries) return;
            const listed = (volume?.configMap ?? volume?.secret)?.items;
            const items: Obj[] = Array.isArray(listed) ? listed : [];
            const pathOf = (key: string) => items.find((i) => i?.key === key)?.path ?? key;
            const mountPath = String(mount.mountPath ?? '').replace(/\/+$/, '');
            const path = [...t.specPath, 'containers', ci, 'volumeMounts', mi, 'mountPath'];
            for (const [key, text] of entries) {
              const file =
                typeof mount.subPath === 'string' && mount.subPath !== ''
                  ? mount.subPath === pathOf(key)
                    ? mountPath
                    : undefined
                  : `${mountPath}/${pathOf(key)}`;
              if (file === undefined) continue; // this mount carries another key of the volume
              if (file !== expected) {
                this.out.push({
                  manifest: t.manifest,
                  path,
                  message: template
                    ? `the ${describePart(part)} properties are mounted at ${file}, but the ${ref.name}:${ref.tag} image renders ${expected} into the file it reads at start (dockerize -template ${want.file}.tmpl:/tmp/${want.file}), so these settings are ignored: mount them at ${expected} (subPath ${want.file}.tmpl)`
                    : `the ${describePart(part)} properties are mounted at ${file}, but the ${ref.name}:${ref.tag} image reads ${expected}: mount them there`,
                });
              } else if (!mount.subPath && mountPath === want.dir) {
                this.out.push({
                  manifest: t.manifest,
                  path,
                  message: `the ${describePart(part)} properties volume is mounted over ${want.dir}, hiding the server the image keeps there: mount only the file, with subPath`,
                });
              } else if (template && text.includes('{{')) {
                this.out.push({
                  manifest: t.manifest,
                  path,
                  message: `the ${describePart(part)} properties (${source} ${key}) contain "{{", which dockerize reads as a Go template action when it renders ${expected} at start: remove it, or pass the value through an environment variable (\${env:NAME})`,
                });
              }
            }
          });
        });
      }
    }
  }

  kubernetesVersion(): void {
    const version = this.ctx.cluster?.kubernetesVersion;
    if (version === undefined) return;
    const m = /^v?(\d+)\.(\d+)/.exec(String(version));
    if (!m) return;
    if (Number(m[1]) === 1 && Number(m[2]) < MIN_KUBERNETES_MINOR) {
      this.out.push({
        valuePath: [...this.ctx.clusterPath, 'kubernetesVersion'],
        message: `Scalar DL needs Kubernetes 1.${MIN_KUBERNETES_MINOR} or later; the cluster declares ${version}: upgrade the cluster`,
      });
    }
  }

  /** The Auditor needs the Ledger's Asset Proofs and its Auditor mode; proofs and the Auditor need their keys. */
  auditorAndProofs(): void {
    const ledgers = this.of('ledger');
    const auditors = this.of('auditor');
    const auditorEnabled = auditors.length > 0 || truthy(this.values?.auditor?.enabled) === true;
    const rendered = ledgerSettings(this.manifests, ledgers);
    const fromValues = {
      // The chart's key names first, then spellings other Scalar DL charts use.
      proof: truthy(
        this.values?.ledger?.ledgerProofEnabled ??
          this.values?.ledgerProofEnabled ??
          this.values?.ledger?.proofEnabled ??
          this.values?.ledger?.proof?.enabled,
      ),
      auditor: truthy(
        this.values?.ledger?.ledgerAuditorEnabled ??
          this.values?.ledgerAuditorEnabled ??
          this.values?.ledger?.auditorEnabled ??
          this.values?.ledger?.auditor?.enabled,
      ),
    };
    let proofOn = false;
    if (rendered.length > 0) {
      for (const s of rendered) {
        proofOn ||= s.proof === true;
        const needsProof = auditorEnabled || s.auditor === true;
        if (needsProof && s.proof === false) {
          this.out.push({
            manifest: s.manifest,
            path: s.path,
            message: `${auditorEnabled ? 'an Auditor is deployed' : 'the Ledger works with an Auditor'} but the Ledger's scalar.dl.ledger.proof.enabled is not true: enable Asset Proofs (scalardl.ledger.ledgerProofEnabled: true)`,
          });
        }
        if (auditorEnabled && s.auditor === false) {
          this.out.push({
            manifest: s.manifest,
            path: s.path,
            message: `an Auditor is deployed but the Ledger's scalar.dl.ledger.auditor.enabled is not true: enable it (scalardl.ledger.ledgerAuditorEnabled: true)`,
          });
        }
      }
    } else if (this.values) {
      proofOn = fromValues.proof === true;
      const needsProof = auditorEnabled || fromValues.auditor === true;
      if (needsProof && fromValues.proof !== true) {
        this.out.push({
          valuePath: ['scalardl', 'ledger', 'ledgerProofEnabled'],
          message: `${auditorEnabled ? 'the Auditor' : 'ledgerAuditorEnabled'} requires the Ledger's Asset Proofs: set scalardl.ledger.ledgerProofEnabled: true`,
        });
      }
      if (auditorEnabled && fromValues.auditor !== true) {
        this.out.push({
          valuePath: ['scalardl', 'ledger', 'ledgerAuditorEnabled'],
          message:
            'the Auditor requires the Ledger to work with it: set scalardl.ledger.ledgerAuditorEnabled: true',
        });
      }
    }
    if (proofOn) {
      this.keys(
        ledgers,
        String(this.values?.ledger?.keysSecret ?? 'ledger-keys'),
        ['private-key'],
        this.values?.namespace ?? 'scalardl',
        'Asset Proofs are enabled',
        ['scalardl', 'ledger', 'ledgerProofEnabled'],
      );
    }
    if (auditorEnabled) {
      this.keys(
        auditors,
        String(this.values?.auditor?.keysSecret ?? 'auditor-keys'),
        ['certificate', 'private-key'],
        this.values?.auditor?.namespace ?? 'scalardl-auditor',
        'an Auditor is deployed',
        ['scalardl', 'auditor', 'enabled'],
      );
    }
  }

  /** The keys Secret is rendered or declared out of band in the server's namespace, and mounted. */
  private keys(
    servers: Part[],
    configured: string,
    keys: string[],
    defaultNs: string,
    why: string,
    valuePath: FieldPath,
  ): void {
    const cluster = this.ctx.cluster;
    const targets = servers.length > 0 ? servers : [undefined];
    for (const server of targets) {
      const ns = server ? namespaceOf(server.t.manifest) : String(defaultNs);
      const referenced = server ? secretNamesOf(server.t) : [];
      const name = referenced.includes(configured)
        ? configured
        : (referenced.find((n) => /key/i.test(n)) ?? configured);
      const at = server ? { manifest: server.t.manifest, path: server.t.specPath } : { valuePath };
      const rendered = this.manifests.find(
        (m) =>
          m.object.kind === 'Secret' && m.object.metadata.name === name && namespaceOf(m) === ns,
      );
      const declared = (cluster?.outOfBandSecrets ?? []).find(
        (s) => s?.name === name && s?.namespace === ns,
      );
      // Without the cluster declaration, out-of-band Secrets are unknown: only a rendered one counts.
      if (!rendered && !declared && cluster) {
        this.out.push({
          ...at,
          message: `${why}, which needs Secret ${name} (keys ${keys.join(', ')}) in namespace ${ns}, but it is neither rendered nor declared in outOfBandSecrets: create it out of band and declare it there`,
        });
      }
      const have = rendered
        ? [
            ...Object.keys((rendered.object as Obj).data ?? {}),
            ...Object.keys((rendered.object as Obj).stringData ?? {}),
          ]
        : Array.isArray(declared?.keys)
          ? declared.keys
          : undefined;
      const missing = have ? keys.filter((k) => !have.includes(k)) : [];
      if (missing.length > 0) {
        this.out.push({
          ...at,
          message: `Secret ${name} in namespace ${ns} lacks key${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (${why})`,
        });
      }
      if (server && !referenced.includes(name)) {
        this.out.push({
          manifest: server.t.manifest,
          path: server.t.specPath,
          message: `${why} but the ${describePart(server.part)} does not mount Secret ${name}: mount it (e.g. at /keys)`,
        });
      }
    }
  }

  /** Replicas match the node count of the dedicated group the pods select (one per node). */
  replicasAndSpreading(): void {
    const cluster = this.ctx.cluster;
    for (const { t, part } of this.of('ledger', 'envoy', 'auditor', 'auditor-envoy')) {
      const obj = t.manifest.object as Obj;
      if (!SERVER_KINDS.has(obj.kind)) continue;
      let nodes: number | undefined;
      let groups = '';
      if (cluster) {
        const candidates = candidateGroups(fitGroups(t.spec, cluster));
        if (candidates.length > 0 && candidates.every((f) => isDedicated(f.group))) {
          nodes = candidates.reduce((n, f) => n + (Number(f.group.desiredSize) || 0), 0);
          groups = candidates.map((f) => f.group.name).join(', ');
        }
        const total = candidates.reduce((n, f) => n + (Number(f.group.desiredSize) || 0), 0);
        if (candidates.length > 0 && total <= 1) continue; // one node: nothing to balance
      }
      const replicas = typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1;
      if (nodes !== undefined && replicas !== nodes && replicas > 0) {
        this.out.push({
          manifest: t.manifest,
          path: obj.spec?.replicas !== undefined ? ['spec', 'replicas'] : ['spec'],
          severity: 'warning',
          message: `${describePart(part)} runs ${replicas} replica${replicas === 1 ? '' : 's'} but node group ${groups} has ${nodes} node${nodes === 1 ? '' : 's'} (desiredSize): run one per node (replicas: ${nodes})`,
        });
      }
      if (part === 'ledger' || part === 'envoy' || isAuditorSide(part)) this.antiAffinity(t, part);
    }
  }

  private antiAffinity(t: PodTemplate, part: ScalarDlPart): void {
    const anti = t.spec.affinity?.podAntiAffinity ?? {};
    const terms: Obj[] = [
      ...(Array.isArray(anti.preferredDuringSchedulingIgnoredDuringExecution)
        ? anti.preferredDuringSchedulingIgnoredDuringExecution.map((w: Obj) => w?.podAffinityTerm)
        : []),
      ...(Array.isArray(anti.requiredDuringSchedulingIgnoredDuringExecution)
        ? anti.requiredDuringSchedulingIgnoredDuringExecution
        : []),
    ];
    const spreads = terms.some(
      (term) =>
        term?.topologyKey === 'kubernetes.io/hostname' &&
        selectorMatches(term.labelSelector, t.labels),
    );
    if (spreads) return;
    this.out.push({
      manifest: t.manifest,
      path: t.spec.affinity ? [...t.specPath, 'affinity'] : t.specPath,
      severity: 'warning',
      message: `${describePart(part)} has no preferred pod anti-affinity on kubernetes.io/hostname matching its own labels: add podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution with topologyKey kubernetes.io/hostname so each node runs one`,
    });
  }

  /** Schema loading finishes before the Ledger (and the Auditor) start. */
  schemaOrder(): void {
    const pairs: [ScalarDlPart, ScalarDlPart][] = [
      ['ledger', 'schema-loader'],
      ['auditor', 'auditor-schema-loader'],
    ];
    for (const [serverPart, jobPart] of pairs) {
      const jobs = this.of(jobPart).filter((p) => p.t.manifest.object.kind === 'Job');
      for (const server of this.of(serverPart)) {
        const sObj = server.t.manifest.object as Obj;
        if (!SERVER_KINDS.has(sObj.kind)) continue;
        const ns = namespaceOf(server.t.manifest);
        const sameNs = jobs.filter((j) => namespaceOf(j.t.manifest) === ns);
        const related = sameNs.length > 0 ? sameNs : jobs;
        if (related.length === 0) {
          this.out.push({
            manifest: server.t.manifest,
            path: ['metadata'],
            severity: 'warning',
            message: `no ${describePart(jobPart)} found for this ${describePart(serverPart)}; its tables must exist before it starts: add a Job running scalardl-schema-loader in an earlier sync wave`,
          });
          continue;
        }
        if (related.some((j) => runsBefore(j.t.manifest.object as Obj, sObj))) continue;
        for (const j of related) {
          const jObj = j.t.manifest.object as Obj;
          const hook = hooksOf(jObj, ARGO_HOOK);
          this.out.push({
            manifest: j.t.manifest,
            path: annotationPath(jObj),
            message:
              `${describePart(jobPart)} is not ordered before ${sObj.kind} ${ns}/${sObj.metadata.name}: ` +
              (hook.length > 0 && !hook.includes('sync')
                ? `it is an ArgoCD ${jObj.metadata.annotations[ARGO_HOOK]} hook; make it a PreSync hook or a Sync hook in an earlier sync wave`
                : `it is in sync wave ${waveOf(jObj)}, the ${describePart(serverPart)} in wave ${waveOf(sObj)}; give the Job ${SYNC_WAVE}: "${waveOf(sObj) - 1}" (or ${ARGO_HOOK}: PreSync) so the tables exist before it starts`),
          });
        }
      }
    }
  }
}

/**
 * Scalar DL facts, wherever Scalar DL appears (recognised by image, labels and names, or by
 * `values.scalardl`): the Auditor needs Asset Proofs and the Auditor mode on the Ledger (read from
 * the rendered ledger properties, else the values); proofs need Secret ledger-keys and the Auditor
 * Secret auditor-keys (rendered or declared out of band, and mounted); Kubernetes 1.19 or later;
 * replicas of Ledger, Envoy and Auditor equal to the node count of their dedicated group (warning)
 * and spread by a pod anti-affinity on kubernetes.io/hostname (warning, skipped on one node); the
 * schema-loading Job ordered before the Ledger (ArgoCD sync wave or hook).
 */
export const scalarDlRule: Rule = {
  id: 'scalardl',
  description:
    'Scalar DL: properties mounted where the image reads them, Auditor prerequisites on the Ledger, key Secrets, Kubernetes >= 1.19, one replica per dedicated node, schema loading before the Ledger',
  severity: 'error',
  docs:
    'Catches a Scalar DL deployment that starts but does not work. The 3.x Ledger and Auditor images ' +
    'render their properties at start with dockerize from ledger.properties.tmpl (auditor.properties.tmpl) ' +
    'in /scalar/ledger (/scalar/auditor) and read only the rendered copy (ledger/Dockerfile of ' +
    'scalar-labs/scalardl; the scalardl 4.9 and scalardl-audit 2.9 charts of scalar-labs/helm-charts mount ' +
    'the .tmpl file): properties mounted as ledger.properties are ignored, and the Ledger runs with empty ' +
    'contact points and proofs off. Fix: mount the ConfigMap key at the .tmpl path with subPath. Also: ' +
    'the Auditor needs Asset Proofs and the Auditor mode on the Ledger; proofs need Secret ledger-keys ' +
    '(private-key) and the Auditor auditor-keys (certificate, private-key), rendered or declared out of ' +
    'band and mounted; Kubernetes 1.19 or later; one Ledger, Envoy and Auditor per node of their ' +
    'dedicated group, spread by a pod anti-affinity on kubernetes.io/hostname (warnings); the ' +
    'schema-loading Job in an earlier Argo CD sync wave than the server it creates tables for.',
  // what it reads: the pods of Scalar DL whole (and of every other workload that it is none),
  // Secrets whole (key Secrets, properties), a ConfigMap's texts that may hold Scalar DL
  // properties, the values and the cluster
  memo: {
    project: (m, p) => {
      const kind = m.object.kind;
      if (kind === 'Secret') return p.with(m, [m.object]);
      if (kind === 'ConfigMap') {
        const texts = (field: string) =>
          Object.entries(((m.object as Obj)[field] as Obj | undefined) ?? {}).filter(
            ([, v]) => typeof v === 'string' && v.includes('scalar.dl.'),
          );
        return p.with(m, [texts('data'), texts('stringData')]);
      }
      const t = podTemplateOf(m);
      if (!t) return undefined;
      const part = scalarDlPartOf(t);
      return part === undefined ? '-' : p.with(m, [part, m.object]);
    },
    context: (ctx) => [ctx.values?.scalardl, ctx.cluster, ctx.clusterPath],
  },
  check(manifests, ctx) {
    const check = new ScalarDlCheck(manifests, ctx);
    if (!check.applies()) return [];
    check.kubernetesVersion();
    check.propertiesFiles();
    check.auditorAndProofs();
    check.replicasAndSpreading();
    check.schemaOrder();
    return check.out;
  },
};
