/**
 * Hand-written JSON Schemas for objects that the model packages do not describe:
 *
 * - `install.istio.io/v1alpha1 IstioOperator`: @kubernetes-models/istio 2.3.0 only models its
 *   metadata. Field names follow Istio's `operator/pkg/apis/types.go` (IstioOperatorSpec,
 *   IstioComponentSpec, ComponentSpec, GatewayComponentSpec, KubernetesResources) and
 *   `mesh/v1alpha1/config.proto` (MeshConfig). Kubernetes-typed fields (`k8s.affinity`,
 *   `k8s.tolerations`, `k8s.service`, `k8s.hpaSpec`, ...) reuse the pinned Kubernetes
 *   definitions through the `x-k8s-type` keyword (types checked by the compiled kubernetes-models
 *   validator, unknown fields by the generated field map). `values`, `unvalidatedValues` and
 *   `meshConfig.defaultConfig` (ProxyConfig) are free-form.
 * - `eksctl.io/v1alpha5 ClusterConfig`: not a Kubernetes API object. Field names follow eksctl's
 *   published config-file schema. The sections a team edits (metadata, vpc, iam, node groups,
 *   addons, cloudWatch, secretsEncryption, kubernetesNetworkConfig, ...) are fully described; the
 *   remaining top-level sections are accepted as free-form objects/arrays.
 *
 * Unknown fields are NOT rejected by these schemas (no `additionalProperties: false`): the strict
 * pass derives a field map from the same schema (`shapeFromSchema`) so that `strict: false` can
 * turn it off and unknown fields get did-you-mean suggestions like everywhere else.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { ShapeNode, ShapeRef } from './field-map.js';

export type JsonSchema = { [key: string]: unknown };

const str: JsonSchema = { type: 'string' };
const bool: JsonSchema = { type: 'boolean' };
const int: JsonSchema = { type: 'integer' };
const nonNegInt: JsonSchema = { type: 'integer', minimum: 0 };
const strList: JsonSchema = { type: 'array', items: str };
const strMap: JsonSchema = { type: 'object', additionalProperties: str };
/** any keys, any values */
const freeObject: JsonSchema = { type: 'object' };
const freeArray: JsonSchema = { type: 'array' };
const anyValue: JsonSchema = {};
const obj = (properties: Record<string, JsonSchema>, required?: string[]): JsonSchema => ({
  type: 'object',
  properties,
  ...(required ? { required } : {}),
});
const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const oneOfStrings = (values: string[]): JsonSchema => ({ type: 'string', enum: values });
/** A Kubernetes definition from kubernetes-models / apimachinery, by canonical name. */
const k8s = (name: string): JsonSchema => ({ 'x-k8s-type': name });
const k8sList = (name: string): JsonSchema => list(k8s(name));

// ---------------------------------------------------------------------------------------------
// IstioOperator
// ---------------------------------------------------------------------------------------------

const kubernetesResources = obj({
  affinity: k8s('IoK8sApiCoreV1Affinity'),
  env: k8sList('IoK8sApiCoreV1EnvVar'),
  hpaSpec: k8s('IoK8sApiAutoscalingV2HorizontalPodAutoscalerSpec'),
  imagePullPolicy: str,
  nodeSelector: strMap,
  podDisruptionBudget: k8s('IoK8sApiPolicyV1PodDisruptionBudgetSpec'),
  podAnnotations: strMap,
  priorityClassName: str,
  readinessProbe: k8s('IoK8sApiCoreV1Probe'),
  replicaCount: nonNegInt,
  resources: k8s('IoK8sApiCoreV1ResourceRequirements'),
  service: k8s('IoK8sApiCoreV1ServiceSpec'),
  strategy: k8s('IoK8sApiAppsV1DeploymentStrategy'),
  tolerations: k8sList('IoK8sApiCoreV1Toleration'),
  serviceAnnotations: strMap,
  securityContext: k8s('IoK8sApiCoreV1PodSecurityContext'),
  volumes: k8sList('IoK8sApiCoreV1Volume'),
  volumeMounts: k8sList('IoK8sApiCoreV1VolumeMount'),
  overlays: list(
    obj({
      apiVersion: str,
      kind: str,
      name: str,
      patches: list(obj({ path: str, value: anyValue })),
    }),
  ),
});

/** `tag` is `any` upstream because `tag: 1.24` (a number) has always been accepted. */
const imageTag: JsonSchema = { type: ['string', 'number'] };

const componentProps = {
  enabled: bool,
  namespace: str,
  hub: str,
  tag: imageTag,
  k8s: kubernetesResources,
};
const component = obj(componentProps);
const gatewayComponent = obj({ ...componentProps, name: str, label: strMap });

const tlsConfig = obj({ minProtocolVersion: str, ecdhCurves: strList, cipherSuites: strList });

/** MeshConfig fields (camelCase JSON names of mesh/v1alpha1/config.proto). */
const meshConfigFields: Record<string, JsonSchema> = {
  proxyListenPort: int,
  proxyInboundListenPort: int,
  proxyHttpPort: int,
  connectTimeout: str,
  protocolDetectionTimeout: str,
  tcpKeepalive: freeObject,
  ingressClass: str,
  ingressService: str,
  ingressControllerMode: str,
  ingressSelector: str,
  enableTracing: bool,
  accessLogFile: str,
  accessLogFormat: str,
  accessLogEncoding: oneOfStrings(['TEXT', 'JSON']),
  enableEnvoyAccessLogService: bool,
  disableEnvoyListenerLog: bool,
  defaultConfig: freeObject,
  outboundTrafficPolicy: obj({ mode: str }),
  inboundTrafficPolicy: obj({ mode: str }),
  configSources: list(freeObject),
  enableAutoMtls: bool,
  trustDomain: str,
  trustDomainAliases: strList,
  caCertificates: list(freeObject),
  defaultServiceExportTo: strList,
  defaultVirtualServiceExportTo: strList,
  defaultDestinationRuleExportTo: strList,
  rootNamespace: str,
  localityLbSetting: freeObject,
  dnsRefreshRate: str,
  h2UpgradePolicy: str,
  inboundClusterStatName: str,
  outboundClusterStatName: str,
  certificates: list(freeObject),
  serviceSettings: list(freeObject),
  enablePrometheusMerge: bool,
  verifyCertificateAtClient: bool,
  ca: freeObject,
  extensionProviders: list(freeObject),
  defaultProviders: obj({ tracing: strList, metrics: strList, accessLogging: strList }),
  discoverySelectors: k8sList('IoK8sApimachineryPkgApisMetaV1LabelSelector'),
  pathNormalization: obj({ normalization: str }),
  defaultHttpRetryPolicy: freeObject,
  meshMTLS: tlsConfig,
  tlsDefaults: tlsConfig,
  compliancePolicy: str,
};

/** Protobuf JSON also accepts the original snake_case field names. */
function withSnakeCaseAliases(fields: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = { ...fields };
  for (const [name, schema] of Object.entries(fields)) {
    const snake = name.replace(/[A-Z]+/g, (m) => `_${m.toLowerCase()}`);
    if (snake !== name) out[snake] = schema;
  }
  return out;
}

export const istioOperatorSchema: JsonSchema = obj(
  {
    apiVersion: oneOfStrings(['install.istio.io/v1alpha1']),
    kind: oneOfStrings(['IstioOperator']),
    metadata: k8s('IoK8sApimachineryPkgApisMetaV1ObjectMeta'),
    spec: obj({
      profile: str,
      installPackagePath: str,
      hub: str,
      tag: imageTag,
      namespace: str,
      revision: str,
      compatibilityVersion: str,
      meshConfig: obj(withSnakeCaseAliases(meshConfigFields)),
      components: obj({
        base: obj({ enabled: bool, k8s: kubernetesResources }),
        pilot: component,
        cni: component,
        ztunnel: component,
        istiodRemote: component,
        ingressGateways: list(gatewayComponent),
        egressGateways: list(gatewayComponent),
        gateway: component,
      }),
      values: freeObject,
      unvalidatedValues: anyValue,
    }),
    status: freeObject,
  },
  ['apiVersion', 'kind'],
);

// ---------------------------------------------------------------------------------------------
// eksctl ClusterConfig
// ---------------------------------------------------------------------------------------------

/** IAM policy documents, kubelet extra config, Bottlerocket settings: arbitrary documents. */
const inlineDocument = freeObject;

const wellKnownPolicies = obj({
  imageBuilder: bool,
  autoScaler: bool,
  awsLoadBalancerController: bool,
  externalDNS: bool,
  certManager: bool,
  ebsCSIController: bool,
  efsCSIController: bool,
});

const podIdentityAssociation = obj({
  namespace: str,
  serviceAccountName: str,
  roleARN: str,
  createServiceAccount: bool,
  roleName: str,
  permissionsBoundaryARN: str,
  permissionPolicyARNs: strList,
  permissionPolicyName: str,
  permissionPolicy: inlineDocument,
  wellKnownPolicies,
  tags: strMap,
  targetRoleARN: str,
  disableSessionTags: bool,
  policy: str,
});

const subnetSpec = obj({ id: str, az: str, cidr: str });
const subnetMapping: JsonSchema = { type: 'object', additionalProperties: subnetSpec };

const nodeGroupTaint = obj({
  key: str,
  value: str,
  effect: oneOfStrings(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const volumeType = oneOfStrings(['gp2', 'gp3', 'io1', 'io2', 'sc1', 'st1']);

/** amiFamily values accepted by current eksctl releases. */
const amiFamily = oneOfStrings([
  'AmazonLinux2023',
  'AmazonLinux2',
  'UbuntuPro2604',
  'Ubuntu2604',
  'UbuntuPro2404',
  'Ubuntu2404',
  'UbuntuPro2204',
  'Ubuntu2204',
  'UbuntuPro2004',
  'Ubuntu2004',
  'Bottlerocket',
  'BottlerocketFips',
  'WindowsServer2019CoreContainer',
  'WindowsServer2019FullContainer',
  'WindowsServer2022CoreContainer',
  'WindowsServer2022FullContainer',
  'WindowsServer2025CoreContainer',
  'WindowsServer2025FullContainer',
]);

const nodeGroupBase: Record<string, JsonSchema> = {
  name: str,
  amiFamily,
  instanceType: str,
  availabilityZones: strList,
  subnets: strList,
  instancePrefix: str,
  instanceName: str,
  desiredCapacity: nonNegInt,
  minSize: nonNegInt,
  maxSize: nonNegInt,
  volumeSize: { type: 'integer', minimum: 1 },
  ssh: obj({
    allow: bool,
    publicKeyPath: str,
    publicKey: str,
    publicKeyName: str,
    sourceSecurityGroupIds: strList,
    enableSsm: bool,
  }),
  labels: strMap,
  privateNetworking: bool,
  tags: strMap,
  iam: obj({
    attachPolicy: inlineDocument,
    attachPolicyARNs: strList,
    instanceProfileARN: str,
    instanceRoleARN: str,
    instanceRoleName: str,
    instanceRolePermissionsBoundary: str,
    withAddonPolicies: obj({
      imageBuilder: bool,
      autoScaler: bool,
      externalDNS: bool,
      certManager: bool,
      appMesh: bool,
      appMeshPreview: bool,
      ebs: bool,
      fsx: bool,
      efs: bool,
      awsLoadBalancerController: bool,
      albIngress: bool,
      xRay: bool,
      cloudWatch: bool,
    }),
  }),
  ami: str,
  securityGroups: obj({ attachIDs: strList, withShared: bool, withLocal: bool }),
  maxPodsPerNode: nonNegInt,
  asgSuspendProcesses: strList,
  ebsOptimized: bool,
  volumeType,
  volumeName: str,
  volumeEncrypted: bool,
  volumeKmsKeyID: str,
  volumeIOPS: nonNegInt,
  volumeThroughput: nonNegInt,
  additionalVolumes: list(
    obj({
      volumeSize: int,
      volumeType,
      volumeName: str,
      volumeEncrypted: bool,
      volumeKmsKeyID: str,
      volumeIOPS: int,
      volumeThroughput: int,
      snapshotID: str,
    }),
  ),
  preBootstrapCommands: strList,
  overrideBootstrapCommand: str,
  propagateASGTags: bool,
  disableIMDSv1: bool,
  disablePodIMDS: bool,
  placement: obj({ groupName: str, spreadLevel: str }),
  efaEnabled: bool,
  instanceSelector: obj({
    vCPUs: int,
    memory: str,
    gpus: int,
    neuron_devices: int,
    cpuArchitecture: oneOfStrings(['x86_64', 'amd64', 'arm64']),
    allow: str,
    deny: str,
  }),
  bottlerocket: obj({ enableAdminContainer: bool, settings: inlineDocument }),
  enableDetailedMonitoring: bool,
  capacityReservation: obj({
    capacityReservationPreference: str,
    capacityReservationTarget: obj({
      capacityReservationID: str,
      capacityReservationResourceGroupARN: str,
    }),
  }),
  instanceMarketOptions: obj({ marketType: str }),
  outpostARN: str,
  updateConfig: obj({ maxUnavailable: int, maxUnavailablePercentage: int }),
};

const managedNodeGroup = obj(
  {
    ...nodeGroupBase,
    instanceTypes: strList,
    spot: bool,
    taints: list(nodeGroupTaint),
    launchTemplate: obj({ id: str, version: str }, ['id']),
    releaseVersion: str,
    nodeRepairConfig: freeObject,
  },
  ['name'],
);

const nodeGroup = obj(
  {
    ...nodeGroupBase,
    instancesDistribution: obj(
      {
        instanceTypes: strList,
        maxPrice: { type: 'number' },
        onDemandBaseCapacity: int,
        onDemandPercentageAboveBaseCapacity: int,
        spotInstancePools: int,
        spotAllocationStrategy: str,
        capacityRebalance: bool,
      },
      ['instanceTypes'],
    ),
    asgMetricsCollection: list(obj({ granularity: str, metrics: strList }, ['granularity'])),
    cpuCredits: str,
    classicLoadBalancerNames: strList,
    targetGroupARNs: strList,
    // unmanaged node groups accept both a list of taints and a `key: value:effect` map
    taints: { anyOf: [list(nodeGroupTaint), strMap] },
    clusterDNS: str,
    kubeletExtraConfig: inlineDocument,
    containerRuntime: str,
    maxInstanceLifetime: int,
    localZones: strList,
    enclaveEnabled: bool,
  },
  ['name'],
);

export const eksctlClusterConfigSchema: JsonSchema = obj(
  {
    apiVersion: oneOfStrings(['eksctl.io/v1alpha5']),
    kind: oneOfStrings(['ClusterConfig']),
    metadata: obj(
      {
        name: str,
        region: str,
        version: str,
        tags: strMap,
        annotations: strMap,
        forceUpdateVersion: bool,
        rollbackConfig: obj({ timeoutMinutes: int }),
      },
      ['name', 'region'],
    ),
    kubernetesNetworkConfig: obj({
      ipFamily: oneOfStrings(['IPv4', 'IPv6']),
      serviceIPv4CIDR: str,
      serviceIPv6CIDR: str,
    }),
    iam: obj({
      serviceRoleARN: str,
      serviceRolePermissionsBoundary: str,
      fargatePodExecutionRoleARN: str,
      fargatePodExecutionRolePermissionsBoundary: str,
      withOIDC: bool,
      serviceAccounts: list(
        obj({
          metadata: obj({ name: str, namespace: str, labels: strMap, annotations: strMap }),
          attachPolicyARNs: strList,
          wellKnownPolicies,
          attachPolicy: inlineDocument,
          attachRoleARN: str,
          permissionsBoundary: str,
          status: freeObject,
          roleName: str,
          roleOnly: bool,
          tags: strMap,
          subjectPattern: str,
        }),
      ),
      podIdentityAssociations: list(podIdentityAssociation),
      vpcResourceControllerPolicy: bool,
    }),
    vpc: obj({
      id: str,
      cidr: str,
      ipv6Cidr: str,
      ipv6Pool: str,
      securityGroup: str,
      subnets: obj({ private: subnetMapping, public: subnetMapping }),
      hostnameType: str,
      extraCIDRs: strList,
      extraIPv6CIDRs: strList,
      sharedNodeSecurityGroup: str,
      manageSharedNodeSecurityGroupRules: bool,
      autoAllocateIPv6: bool,
      nat: obj({ gateway: oneOfStrings(['HighlyAvailable', 'Single', 'Disable']) }),
      clusterEndpoints: obj({ privateAccess: bool, publicAccess: bool }),
      publicAccessCIDRs: strList,
      controlPlaneSubnetIDs: strList,
      controlPlaneOnPrivateSubnets: bool,
      controlPlaneSecurityGroupIDs: strList,
      controlPlaneEgressMode: str,
    }),
    addons: list(
      obj(
        {
          name: str,
          version: str,
          serviceAccountRoleARN: str,
          attachPolicyARNs: strList,
          attachPolicy: inlineDocument,
          permissionsBoundary: str,
          wellKnownPolicies,
          tags: strMap,
          resolveConflicts: str,
          podIdentityAssociations: list(podIdentityAssociation),
          useDefaultPodIdentityAssociations: bool,
          configurationValues: str,
          namespaceConfig: obj({ namespace: str }),
          publishers: strList,
          types: strList,
          owners: strList,
        },
        ['name'],
      ),
    ),
    privateCluster: obj({
      enabled: bool,
      skipEndpointCreation: bool,
      additionalEndpointServices: strList,
    }),
    nodeGroups: list(nodeGroup),
    managedNodeGroups: list(managedNodeGroup),
    fargateProfiles: list(
      obj(
        {
          name: str,
          podExecutionRoleARN: str,
          selectors: list(obj({ namespace: str, labels: strMap }, ['namespace'])),
          subnets: strList,
          tags: strMap,
          status: str,
        },
        ['name'],
      ),
    ),
    availabilityZones: strList,
    localZones: strList,
    cloudWatch: obj({
      clusterLogging: obj({
        enableTypes: list(
          oneOfStrings([
            'api',
            'audit',
            'authenticator',
            'controllerManager',
            'scheduler',
            'all',
            '*',
          ]),
        ),
        logRetentionInDays: int,
      }),
    }),
    secretsEncryption: obj({ keyARN: str }, ['keyARN']),
    upgradePolicy: obj({ supportType: oneOfStrings(['STANDARD', 'EXTENDED']) }),
    karpenter: obj(
      {
        version: str,
        createServiceAccount: bool,
        defaultInstanceProfile: str,
        withSpotInterruptionQueue: bool,
      },
      ['version'],
    ),
    zonalShiftConfig: obj({ enabled: bool }),
    // less common sections: accepted as free-form documents
    accessConfig: freeObject,
    addonsConfig: freeObject,
    autoModeConfig: freeObject,
    capabilities: freeArray,
    controlPlaneScalingConfig: freeObject,
    gitops: freeObject,
    iamIdentityMappings: freeArray,
    identityProviders: freeArray,
    outpost: freeObject,
    remoteNetworkConfig: freeObject,
  },
  ['apiVersion', 'kind', 'metadata'],
);

// ---------------------------------------------------------------------------------------------
// Compilation (lazy: ajv is only loaded when one of these kinds is validated)
// ---------------------------------------------------------------------------------------------

export type CompiledValidator = (data: unknown) => { ok: boolean; errors: ErrorObject[] };

type K8sValidate = ((
  data: unknown,
  cxt: {
    instancePath: string;
    parentData?: unknown;
    parentDataProperty?: string | number;
    rootData: unknown;
  },
) => boolean) & { errors?: ErrorObject[] | null };

let ajvInstance: Ajv | undefined;

/** The options our ajv compiles the custom schemas with (the precompiled code uses them too). */
export const CUSTOM_AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: false,
  allowUnionTypes: true,
  // optimize: false: compiling these two large schemas costs more than their validation saves
  code: { optimize: false },
} as const;

/** A validation function as ajv calls a `validate` keyword: (schema, data, parentSchema, cxt). */
export type K8sTypeKeyword = ((
  name: string,
  data: unknown,
  parent?: unknown,
  cxt?: {
    instancePath: string;
    parentData: unknown;
    parentDataProperty: string | number;
    rootData: unknown;
  },
) => boolean) & { errors?: Partial<ErrorObject>[] | null };

/**
 * The `x-k8s-type` keyword: the value must pass the compiled kubernetes-models validator of the
 * named definition. ajv reads the keyword's errors from the function's `errors` property.
 */
export function k8sTypeKeyword(loadK8sValidator: (name: string) => K8sValidate): K8sTypeKeyword {
  const k8sType: K8sTypeKeyword = (name, data, _parent, cxt) => {
    if (data === null || data === undefined) return true; // null == absent
    const fn = loadK8sValidator(name);
    const ok = fn(data, {
      instancePath: cxt?.instancePath ?? '',
      parentData: cxt?.parentData,
      parentDataProperty: cxt?.parentDataProperty,
      rootData: cxt?.rootData ?? data,
    });
    // Embedded Kubernetes structs are decoded by Go's encoding/json, which does not enforce
    // the API server's "required" markers (e.g. hpaSpec without scaleTargetRef is fine).
    const errors = ok ? [] : (fn.errors ?? []).filter((e) => e.keyword !== 'required');
    k8sType.errors = errors.length > 0 ? errors : null;
    return errors.length === 0;
  };
  return k8sType;
}

/** An ajv instance with the options and the `x-k8s-type` keyword the custom schemas need. */
export function createCustomAjv(
  AjvCtor: new (opts: object) => Ajv,
  keyword: K8sTypeKeyword,
  code: object = {},
): Ajv {
  const ajv = new AjvCtor({
    ...CUSTOM_AJV_OPTIONS,
    code: { ...CUSTOM_AJV_OPTIONS.code, ...code },
  });
  ajv.addKeyword({
    keyword: 'x-k8s-type',
    schemaType: 'string',
    errors: true,
    validate: keyword as never,
  });
  return ajv;
}

function getAjv(loadK8sValidator: (name: string) => K8sValidate): Ajv {
  if (ajvInstance) return ajvInstance;
  const require = createRequire(import.meta.url);
  const mod = require('ajv') as { default?: unknown; Ajv?: unknown };
  const AjvCtor = (mod.Ajv ?? mod.default ?? mod) as new (opts: object) => Ajv;
  ajvInstance = createCustomAjv(AjvCtor, k8sTypeKeyword(loadK8sValidator));
  return ajvInstance;
}

export function compileCustomSchema(
  schema: JsonSchema,
  loadK8sValidator: (name: string) => K8sValidate,
): CompiledValidator {
  const fn: ValidateFunction = getAjv(loadK8sValidator).compile(schema);
  return (data) => {
    const ok = fn(data) as boolean;
    return { ok, errors: ok ? [] : [...(fn.errors ?? [])] };
  };
}

export type { K8sValidate };

/**
 * Field map (for the strict pass) derived from one of the schemas above. `properties` become
 * fields, `additionalProperties` a free-key map, `items` array items, `anyOf`/`oneOf` the union
 * of their branches, and `x-k8s-type` the generated Kubernetes definition. An object schema
 * without properties is free-form.
 */
export function shapeFromSchema(
  schema: JsonSchema,
  named: ReadonlyMap<string, ShapeNode>,
  memo: Map<JsonSchema, ShapeRef> = new Map(),
): ShapeRef {
  const cached = memo.get(schema);
  if (cached !== undefined) return cached;
  const k8sName = schema['x-k8s-type'];
  if (typeof k8sName === 'string') {
    const node = named.get(k8sName);
    if (!node) throw new Error(`unknown Kubernetes definition ${k8sName} in custom schema`);
    memo.set(schema, node);
    return node;
  }
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  const additional = schema.additionalProperties as JsonSchema | boolean | undefined;
  const items = schema.items as JsonSchema | undefined;
  if (!branches && !props && (additional === undefined || additional === true) && !items) {
    memo.set(schema, null);
    return null;
  }
  const node: ShapeNode = {};
  memo.set(schema, node);
  const parts: ShapeRef[] = branches ? branches.map((b) => shapeFromSchema(b, named, memo)) : [];
  if (parts.some((p) => p === null)) {
    memo.set(schema, null);
    return null;
  }
  if (props) {
    node.fields = new Map();
    for (const [k, v] of Object.entries(props)) node.fields.set(k, shapeFromSchema(v, named, memo));
    const required = (schema.required as string[] | undefined)?.filter(
      (k) => k !== 'apiVersion' && k !== 'kind',
    );
    if (required && required.length > 0) node.required = new Set(required);
  }
  if (additional === true) node.values = null;
  else if (additional && typeof additional === 'object') {
    node.values = shapeFromSchema(additional, named, memo);
  }
  if (items) node.items = shapeFromSchema(items, named, memo);
  for (const p of parts as ShapeNode[]) {
    if (p.fields) {
      node.fields ??= new Map();
      for (const [k, v] of p.fields) if (!node.fields.has(k)) node.fields.set(k, v);
    }
    if (p.values !== undefined && node.values === undefined) node.values = p.values;
    if (p.items !== undefined && node.items === undefined) node.items = p.items;
  }
  return node;
}
