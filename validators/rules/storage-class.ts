import type { Manifest } from '../../core/manifest.js';
import type { DeclaredStorageClass, FieldPath, Rule, RuleFinding } from '../types.js';
import { describe, isObj, suggestion } from '../model/references.js';
import { WORKLOAD_KINDS, type PodTemplate } from '../model/workloads.js';
import type { Obj } from '../../core/object.js';

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

/** Provisioners of EBS volumes: the CSI driver's, and the in-tree one EKS migrates to it. */
const EBS_CSI = 'ebs.csi.aws.com';
const EBS_IN_TREE = 'kubernetes.io/aws-ebs';
const EBS_ADDON = 'aws-ebs-csi-driver';
/** Since Kubernetes 1.23 EKS serves kubernetes.io/aws-ebs through the CSI driver (CSIMigrationAWS). */
const IN_TREE_MIGRATED_MINOR = 23;

interface KnownClass {
  name: string;
  provisioner: string;
  isDefault: boolean;
  /** The StorageClass object when rendered; undefined when declared in the cluster declaration. */
  manifest?: Manifest;
}

/** A claim for a volume: a PVC, a StatefulSet's volumeClaimTemplate or a generic ephemeral volume. */
interface Claim {
  manifest: Manifest;
  /** Path of the claim's spec inside the object. */
  specPath: FieldPath;
  spec: Obj;
  what: string;
}

function claimsOf(manifests: Manifest[], templates: PodTemplate[]): Claim[] {
  const out: Claim[] = [];
  for (const m of manifests) {
    const obj = m.object as Obj;
    if (obj.kind === 'PersistentVolumeClaim' && isObj(obj.spec)) {
      out.push({ manifest: m, specPath: ['spec'], spec: obj.spec, what: 'PVC' });
    }
    if (obj.kind === 'StatefulSet' && Array.isArray(obj.spec?.volumeClaimTemplates)) {
      (obj.spec.volumeClaimTemplates as Obj[]).forEach((t, i) => {
        if (isObj(t?.spec))
          out.push({
            manifest: m,
            specPath: ['spec', 'volumeClaimTemplates', i, 'spec'],
            spec: t.spec,
            what: `volumeClaimTemplate ${t.metadata?.name ?? i}`,
          });
      });
    }
  }
  for (const t of templates) {
    const volumes: Obj[] = Array.isArray(t.spec.volumes) ? t.spec.volumes : [];
    volumes.forEach((v, i) => {
      const spec = v?.ephemeral?.volumeClaimTemplate?.spec;
      if (isObj(spec))
        out.push({
          manifest: t.manifest,
          specPath: [...t.specPath, 'volumes', i, 'ephemeral', 'volumeClaimTemplate', 'spec'],
          spec,
          what: `ephemeral volume ${v.name ?? i}`,
        });
    });
  }
  return out;
}

function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
}

/** Whether a ClusterConfig installs the EBS CSI driver add-on with an IAM role for it. */
function ebsAddon(config: Manifest): { installed: boolean; withRole: boolean } {
  const addons: Obj[] = Array.isArray((config.object as Obj).addons)
    ? (config.object as Obj).addons
    : [];
  const addon = addons.find((a) => a?.name === EBS_ADDON);
  if (!addon) return { installed: false, withRole: false };
  const policies: unknown[] = Array.isArray(addon.attachPolicyARNs) ? addon.attachPolicyARNs : [];
  const withRole =
    (typeof addon.serviceAccountRoleARN === 'string' && addon.serviceAccountRoleARN !== '') ||
    addon.wellKnownPolicies?.ebsCSIController === true ||
    policies.some((p) => typeof p === 'string' && p.endsWith('/AmazonEBSCSIDriverPolicy')) ||
    isObj(addon.attachPolicy) ||
    (Array.isArray(addon.podIdentityAssociations) && addon.podIdentityAssociations.length > 0) ||
    addon.useDefaultPodIdentityAssociations === true;
  return { installed: true, withRole };
}

function minorOf(version: unknown): number | undefined {
  const m = /^v?1\.(\d+)/.exec(String(version ?? ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * Every PVC, volumeClaimTemplate and generic ephemeral volume names a StorageClass that exists
 * (rendered, declared in `storageClasses` of the cluster declaration, or the default for claims
 * that name none), and EBS classes have the EBS CSI driver add-on in the eksctl ClusterConfig.
 */
export const storageClassRule: Rule = {
  id: 'storage-class',
  description:
    'Volume claims name a StorageClass that is rendered, declared or the default, and EBS classes have the EBS CSI driver add-on',
  severity: 'error',
  docs:
    'Catches a PersistentVolumeClaim, StatefulSet volumeClaimTemplate or generic ephemeral volume ' +
    'whose StorageClass does not exist in the cluster (not rendered in the plan, not declared in ' +
    'storageClasses of the cluster declaration, or no default class for a claim that names none), ' +
    'and EBS-backed classes (provisioner ebs.csi.aws.com, or kubernetes.io/aws-ebs on Kubernetes ' +
    '1.23 and later) when the eksctl ClusterConfig of the plan installs no aws-ebs-csi-driver ' +
    'add-on with an IAM role. Such a claim stays Pending and its pod never starts; for a ' +
    'StatefulSet the claim template cannot be changed afterwards. Amazon EKS serves EBS volumes ' +
    'only through the EBS CSI driver since 1.23, and the driver needs the AmazonEBSCSIDriverPolicy ' +
    'permissions through IRSA (Amazon EKS user guide: "Amazon EBS CSI migration frequently asked ' +
    'questions", "Amazon EBS CSI driver" add-on). Fix: name a class the cluster has, render one ' +
    '(the eks chart renders gp3), or declare the ones the provider creates; add the add-on to the ' +
    'ClusterConfig with wellKnownPolicies.ebsCSIController: true (or serviceAccountRoleARN).',
  kinds: [
    'PersistentVolumeClaim',
    'StatefulSet',
    'StorageClass',
    'ClusterConfig',
    ...WORKLOAD_KINDS,
  ],
  // a claim's findings read the StorageClasses, the ClusterConfig's add-ons and the declaration
  scope: 'object',
  reads: {
    kinds: ['StorageClass', 'ClusterConfig'],
    context: (ctx) => [ctx.cluster ?? null, ctx.complete],
  },
  check(manifests, ctx) {
    const out: RuleFinding[] = [];
    const claims = claimsOf(manifests, ctx.model.podTemplates);
    if (claims.length === 0) return out;

    const classes = new Map<string, KnownClass>();
    for (const d of (ctx.cluster?.storageClasses ?? []) as DeclaredStorageClass[]) {
      if (d && typeof d.name === 'string')
        classes.set(d.name, {
          name: d.name,
          provisioner: String(d.provisioner ?? ''),
          isDefault: d.default === true,
        });
    }
    for (const m of ctx.model.objects.ofKind('StorageClass')) {
      const obj = m.object as Obj;
      const annotations = obj.metadata?.annotations ?? {};
      classes.set(obj.metadata.name, {
        name: obj.metadata.name,
        provisioner: String(obj.provisioner ?? ''),
        isDefault:
          isTrue(annotations[DEFAULT_CLASS_ANNOTATION]) ||
          isTrue(annotations[BETA_DEFAULT_CLASS_ANNOTATION]),
        manifest: m,
      });
    }
    const defaults = [...classes.values()].filter((c) => c.isDefault);
    // Without the cluster declaration only rendered classes are known: an unknown name may exist.
    const complete = ctx.cluster !== undefined;
    // Among files given on the command line a class may be rendered in a file not given.
    const severity = ctx.complete ? undefined : 'warning';
    const configs = ctx.model.objects.ofKind('ClusterConfig');
    const minor = minorOf(
      ctx.cluster?.kubernetesVersion ?? (configs[0]?.object.metadata as Obj)?.version,
    );

    for (const claim of claims) {
      const named = claim.spec.storageClassName;
      // "" asks for no class at all: a pre-provisioned PersistentVolume binds statically.
      if (named === '') continue;
      let cls: KnownClass | undefined;
      const path: FieldPath =
        named === undefined ? claim.specPath : [...claim.specPath, 'storageClassName'];
      if (named === undefined || named === null) {
        if (!complete && defaults.length === 0) continue;
        if (defaults.length === 0) {
          out.push({
            manifest: claim.manifest,
            path,
            severity,
            message: `${claim.what} names no storageClassName and the cluster has no default StorageClass${ctx.complete ? '' : ' (none among the files given)'}, so it stays Pending: set storageClassName to one of ${[...classes.keys()].sort().join(', ') || '(none declared)'}, or declare the default class in storageClasses of the cluster declaration`,
          });
          continue;
        }
        cls = defaults[defaults.length - 1];
      } else {
        cls = classes.get(String(named));
        if (!cls) {
          if (!complete) continue;
          out.push({
            manifest: claim.manifest,
            path,
            severity,
            message: `${claim.what} asks for StorageClass "${String(named)}", which is neither rendered${ctx.complete ? '' : ' (among the files given)'} nor declared in storageClasses of the cluster declaration, so it stays Pending; ${suggestion(String(named), [...classes.keys()], 'classes the cluster has')}`,
          });
          continue;
        }
      }
      const ebs =
        cls.provisioner === EBS_CSI ||
        (cls.provisioner === EBS_IN_TREE &&
          (minor === undefined || minor >= IN_TREE_MIGRATED_MINOR));
      if (!ebs || configs.length === 0) continue;
      const addon = configs.map(ebsAddon).find((a) => a.installed) ?? {
        installed: false,
        withRole: false,
      };
      const via = cls.manifest ? describe(cls.manifest) : `StorageClass ${cls.name} (declared)`;
      if (!addon.installed) {
        out.push({
          manifest: claim.manifest,
          path,
          message: `${claim.what} uses ${via}, whose EBS volumes (${cls.provisioner}) need the EBS CSI driver, but the ClusterConfig installs no ${EBS_ADDON} add-on, so it stays Pending: add addons: [{name: ${EBS_ADDON}, wellKnownPolicies: {ebsCSIController: true}}] to the ClusterConfig`,
        });
      } else if (!addon.withRole) {
        out.push({
          manifest: claim.manifest,
          path,
          message: `${claim.what} uses ${via}, but the ClusterConfig's ${EBS_ADDON} add-on has no IAM role, so the driver cannot create volumes: set wellKnownPolicies.ebsCSIController: true (or serviceAccountRoleARN) on the add-on`,
        });
      }
    }
    return out;
  },
};
