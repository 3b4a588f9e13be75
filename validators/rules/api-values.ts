import type { FieldPath, Rule } from '../types.js';
import {
  at,
  apiObjectOf,
  Findings,
  builtInKind,
  kubernetesMinor,
  podSpecRejection,
  REJECTS,
  show,
} from '../model/api-server.js';
import {
  checkContainerResourceName,
  checkCronSchedule,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkEnvVarName,
  checkPortName,
  checkPortNumber,
  checkPortNumOrName,
  checkQualifiedName,
  checkRelaxedEnvVarName,
  checkTimeZone,
  checkUnixId,
  compareQuantities,
  isCidr,
  isExtendedResource,
  isIpAddress,
  isOvercommitAllowed,
  isPercent,
  isWholeQuantity,
  quantityOf,
  quantitySign,
  suggestDnsName,
  type Quantity,
} from '../model/k8s-syntax.js';
import { isObj } from '../model/references.js';

type Obj = Record<string, any>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const MAX_INT32 = 2147483647;
/** The default --service-node-port-range (EKS does not change it). */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
/** core.MaxClientIPServiceAffinitySeconds. */
const MAX_CLIENT_IP_AFFINITY = 86400;

const PROBE_SECONDS = new Set([
  'initialDelaySeconds',
  'timeoutSeconds',
  'periodSeconds',
  'successThreshold',
  'failureThreshold',
]);
const JOB_COUNTS = new Set([
  'parallelism',
  'completions',
  'activeDeadlineSeconds',
  'backoffLimit',
  'ttlSecondsAfterFinished',
  'backoffLimitPerIndex',
  'maxFailedIndexes',
]);
const WORKLOAD_COUNTS = new Set([
  'replicas',
  'minReadySeconds',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
]);
const CRON_JOB_COUNTS = new Set([
  'startingDeadlineSeconds',
  'successfulJobsHistoryLimit',
  'failedJobsHistoryLimit',
]);
const HOOKS = ['postStart', 'preStop'] as const;
const ID_FIELDS = new Set(['runAsUser', 'runAsGroup', 'fsGroup']);
const MODE_SOURCES = new Set(['secret', 'configMap', 'downwardAPI', 'projected']);
const POD_AFFINITIES = ['podAffinity', 'podAntiAffinity'] as const;
/** Pod spec fields that name objects: the name rule and the upstream function. */
const POD_NAMES = new Map<string, { check: (v: string) => string | undefined; rule: string }>([
  ['serviceAccountName', { check: checkDns1123Subdomain, rule: 'ValidateServiceAccountName' }],
  ['hostname', { check: checkDns1123Label, rule: 'ValidateDNS1123Label' }],
  ['subdomain', { check: checkDns1123Label, rule: 'ValidateDNS1123Label' }],
  ['priorityClassName', { check: checkDns1123Subdomain, rule: 'ValidatePriorityClassName' }],
  ['nodeName', { check: checkDns1123Subdomain, rule: 'ValidateNodeName' }],
  ['runtimeClassName', { check: checkDns1123Subdomain, rule: 'ValidateRuntimeClassName' }],
]);

const SPEC: FieldPath = ['spec'];
const WORKLOAD_RULES: Record<string, string> = {
  Deployment: 'ValidateDeploymentSpec',
  ReplicaSet: 'ValidateReplicaSetSpec',
  StatefulSet: 'ValidateStatefulSetSpec',
  DaemonSet: 'ValidateDaemonSetSpec',
};

interface Ctx {
  f: Findings;
  /** How the finding starts ("the API server rejects this", or who is rejected instead). */
  who: string;
  strictEnvNames: boolean;
}

/** ValidateNonnegativeField. */
function nonNegative(c: Ctx, obj: Obj, key: string, path: FieldPath, rule: string): void {
  const v = obj[key];
  if (isNum(v) && v < 0)
    c.f.add(
      [...path, key],
      `${c.who}: ${at([...path, key])} must be greater than or equal to 0, got ${v} (${rule}, ValidateNonnegativeField); use 0 or a positive number`,
    );
}

/**
 * ValidateNonnegativeField on those of `keys` that `obj` sets. Scans the keys the object has
 * (usually a few) rather than looking up every key of the list, which is cheaper in code that runs
 * once per object.
 */
function nonNegativeFields(
  c: Ctx,
  obj: Obj,
  keys: ReadonlySet<string>,
  path: FieldPath,
  rule: string,
): void {
  for (const key in obj) {
    const v = obj[key];
    if (typeof v === 'number' && v < 0 && keys.has(key)) nonNegative(c, obj, key, path, rule);
  }
}

/** ValidatePositiveIntOrPercent, optionally with IsNotMoreThan100Percent. */
function intOrPercent(
  c: Ctx,
  obj: Obj,
  key: string,
  path: FieldPath,
  rule: string,
  max100: boolean,
): void {
  const v = obj[key];
  const p = [...path, key];
  if (typeof v === 'string') {
    if (!isPercent(v))
      c.f.add(
        p,
        `${c.who}: ${at(p)} ${show(v)} must be an integer or a percentage such as "25%" (${rule}, ValidatePositiveIntOrPercent, IsValidPercent); write a whole number or digits followed by %`,
      );
    else if (max100 && Number(v.slice(0, -1)) > 100)
      c.f.add(
        p,
        `${c.who}: ${at(p)} ${show(v)} must not be greater than 100% (${rule}, IsNotMoreThan100Percent); use at most "100%"`,
      );
  } else if (isNum(v) && v < 0)
    c.f.add(
      p,
      `${c.who}: ${at(p)} must be greater than or equal to 0, got ${v} (${rule}, ValidatePositiveIntOrPercent); use 0 or a positive number`,
    );
}

function quantity(c: Ctx, value: unknown, path: FieldPath, rule: string): Quantity | undefined {
  const q = quantityOf(value);
  if (typeof q === 'string') {
    c.f.add(
      path,
      `${c.who}: ${at(path)}: ${q} (${rule}, resource.ParseQuantity); use a number with an optional suffix: m for milli, k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent like 1e3`,
    );
    return undefined;
  }
  return q;
}

// ---------------------------------------------------------------------------------------------
// Pods

function handlerPorts(c: Ctx, handler: Obj, path: FieldPath, rule: string): void {
  const httpGet = handler.httpGet;
  if (httpGet !== undefined && isObj(httpGet)) {
    handlerPort(c, httpGet, 'httpGet', path, rule);
    const headers = httpGet.httpHeaders;
    if (Array.isArray(headers))
      for (let i = 0; i < headers.length; i++) {
        const hdr: unknown = headers[i];
        if (isObj(hdr) && typeof hdr.name === 'string' && !/^[-A-Za-z0-9]+$/.test(hdr.name))
          c.f.add(
            [...path, 'httpGet', 'httpHeaders', i, 'name'],
            `${c.who}: HTTP header name ${show(hdr.name)} must consist of letters, digits and '-' (validateHTTPGetAction, IsHTTPHeaderName); rename the header`,
          );
      }
  }
  const tcpSocket = handler.tcpSocket;
  if (tcpSocket !== undefined && isObj(tcpSocket))
    handlerPort(c, tcpSocket, 'tcpSocket', path, rule);
  const grpc = handler.grpc;
  if (isObj(grpc) && isNum(grpc.port)) {
    const problem = checkPortNumber(grpc.port);
    if (problem)
      c.f.add(
        [...path, 'grpc', 'port'],
        `${c.who}: ${at([...path, 'grpc', 'port'])} ${grpc.port} ${problem} (validateGRPCAction, IsValidPortNum); use the container's gRPC port`,
      );
  }
}

/** ValidatePortNumOrName on an httpGet or tcpSocket handler's port. */
function handlerPort(c: Ctx, h: Obj, kind: string, path: FieldPath, rule: string): void {
  if (h.port === undefined) return;
  const problem = checkPortNumOrName(h.port);
  if (problem)
    c.f.add(
      [...path, kind, 'port'],
      `${c.who}: ${at([...path, kind, 'port'])} ${show(h.port)} ${problem} (${rule}, ValidatePortNumOrName: IsValidPortNum or IsValidPortName); use a port number from 1 to 65535 or the name of a container port`,
    );
}

function probe(c: Ctx, p: Obj, path: FieldPath): void {
  handlerPorts(c, p, path, 'validateProbe');
  nonNegativeFields(c, p, PROBE_SECONDS, path, 'validateProbe');
  if (isNum(p.terminationGracePeriodSeconds) && p.terminationGracePeriodSeconds <= 0)
    c.f.add(
      [...path, 'terminationGracePeriodSeconds'],
      `${c.who}: ${at([...path, 'terminationGracePeriodSeconds'])} must be greater than 0, got ${p.terminationGracePeriodSeconds} (validateProbe); remove it or use a positive number of seconds`,
    );
}

const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** One entry of resources.limits or resources.requests: name, quantity, sign, integer-ness. */
function resourceEntry(
  c: Ctx,
  name: string,
  value: unknown,
  path: FieldPath,
  section: string,
): Quantity | undefined {
  if (!STANDARD_RESOURCES.has(name)) {
    const nameProblem = checkContainerResourceName(name);
    if (nameProblem)
      c.f.add(
        [...path, section, name],
        `${c.who}: resource name ${show(name)} ${nameProblem} (validateResourceRequirements, validateContainerResourceName); use cpu, memory, ephemeral-storage, hugepages-<size> or a domain-prefixed extended resource such as nvidia.com/gpu`,
      );
  }
  const q = quantityOf(value);
  if (q === undefined) return undefined;
  if (typeof q === 'string') {
    c.f.add(
      [...path, section, name],
      `${c.who}: ${section}.${name}: ${q} (validateResourceRequirements, resource.ParseQuantity); use a number with an optional suffix: m for milli, k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent like 1e3`,
    );
    return undefined;
  }
  if (q.negative && quantitySign(q) < 0)
    c.f.add(
      [...path, section, name],
      `${c.who}: ${section}.${name} ${show(value)} must be greater than or equal to 0 (ValidateResourceQuantityValue, ValidateNonnegativeQuantity); use a positive quantity`,
    );
  else if (!STANDARD_RESOURCES.has(name) && isExtendedResource(name) && !isWholeQuantity(q))
    c.f.add(
      [...path, section, name],
      `${c.who}: ${section}.${name} ${show(value)} must be an integer for the extended resource ${name} (ValidateResourceQuantityValue); use a whole number`,
    );
  return q;
}

/** validateResourceRequirements: names, quantities, requests ≤ limits (= for non-overcommitable resources). */
function resources(c: Ctx, res: Obj, path: FieldPath): void {
  const limits = isObj(res.limits) ? res.limits : undefined;
  const requests = isObj(res.requests) ? res.requests : undefined;
  if (limits) for (const name in limits) resourceEntry(c, name, limits[name], path, 'limits');
  if (!requests) return;
  for (const name in requests) {
    const value = requests[name];
    const q = resourceEntry(c, name, value, path, 'requests');
    if (!q) continue;
    const overcommit = STANDARD_RESOURCES.has(name) || isOvercommitAllowed(name);
    const limitValue = limits?.[name];
    if (limitValue === undefined) {
      if (!overcommit)
        c.f.add(
          [...path, 'requests', name],
          `${c.who}: ${name} is requested without a limit (validateResourceRequirements: a limit must be set for resources that cannot be overcommitted); add resources.limits.${name} equal to the request`,
        );
      continue;
    }
    const limit = quantityOf(limitValue);
    if (!limit || typeof limit === 'string') continue;
    const cmp = compareQuantities(q, limit);
    if (cmp !== 0 && !overcommit)
      c.f.add(
        [...path, 'requests', name],
        `${c.who}: requests.${name} ${show(value)} must be equal to the ${name} limit of ${show(limitValue)} (validateResourceRequirements: ${name} cannot be overcommitted); make the request and the limit the same`,
      );
    else if (cmp > 0)
      c.f.add(
        [...path, 'requests', name],
        `${c.who}: requests.${name} ${show(value)} must be less than or equal to the ${name} limit of ${show(limitValue)} (validateResourceRequirements); lower the request or raise the limit`,
      );
  }
}

function container(c: Ctx, ctr: Obj, path: FieldPath): void {
  if (typeof ctr.name === 'string') {
    const problem = ctr.name === '' ? 'must be non-empty' : checkDns1123Label(ctr.name);
    if (problem)
      c.f.add(
        [...path, 'name'],
        `${c.who}: container name ${show(ctr.name)} ${problem} (validateContainerCommon, ValidateDNS1123Label); use e.g. ${show(suggestDnsName(ctr.name))}`,
      );
  }
  if (ctr.image === undefined || ctr.image === '')
    c.f.add(
      ctr.image === undefined ? [...path, 'name'] : [...path, 'image'],
      `${c.who}: container ${show(ctr.name ?? '')} has no image (validateContainerCommon: image is required); set image`,
    );
  if (Array.isArray(ctr.ports))
    for (let i = 0; i < ctr.ports.length; i++) {
      const port = ctr.ports[i];
      if (!isObj(port)) continue;
      if (typeof port.name === 'string' && port.name !== '') {
        const problem = checkPortName(port.name);
        if (problem)
          c.f.add(
            [...path, 'ports', i, 'name'],
            `${c.who}: container port name ${show(port.name)} ${problem} (validateContainerPorts, IsValidPortName: an IANA service name); use e.g. ${show(suggestDnsName(port.name, 15).replace(/^[0-9-]+(?=[a-z])/, ''))}`,
          );
      }
      const cp = port.containerPort;
      if (cp === undefined || cp === 0)
        c.f.add(
          [...path, 'ports', i, cp === undefined ? 'name' : 'containerPort'],
          `${c.who}: a container port needs containerPort (validateContainerPorts: Required value); set the port the process listens on`,
        );
      else if (isNum(cp) && (cp < 1 || cp > 65535 || !Number.isInteger(cp)))
        c.f.add(
          [...path, 'ports', i, 'containerPort'],
          `${c.who}: containerPort ${cp} must be between 1 and 65535, inclusive (validateContainerPorts, IsValidPortNum); use the port the process listens on`,
        );
      const hp = port.hostPort;
      if (isNum(hp) && hp !== 0 && checkPortNumber(hp))
        c.f.add(
          [...path, 'ports', i, 'hostPort'],
          `${c.who}: hostPort ${hp} must be between 1 and 65535, inclusive (validateContainerPorts, IsValidPortNum); use a port from 1 to 65535 or remove hostPort`,
        );
    }
  const envName = c.strictEnvNames ? checkEnvVarName : checkRelaxedEnvVarName;
  const envRule = c.strictEnvNames
    ? 'ValidateEnv, IsEnvVarName (before Kubernetes 1.32)'
    : 'ValidateEnv, IsRelaxedEnvVarName';
  if (Array.isArray(ctr.env))
    for (let i = 0; i < ctr.env.length; i++) {
      const e: unknown = ctr.env[i];
      if (!isObj(e) || typeof e.name !== 'string') continue;
      const problem = isPlainEnvName(e.name) ? undefined : envName(e.name);
      if (problem)
        c.f.add(
          [...path, 'env', i, 'name'],
          `${c.who}: environment variable name ${show(e.name)} ${problem} (${envRule}); rename it, e.g. ${show(e.name.replace(/[^-._a-zA-Z0-9]+/g, '_').replace(/^(?=[0-9])/, '_'))}`,
        );
    }
  if (Array.isArray(ctr.envFrom))
    for (let i = 0; i < ctr.envFrom.length; i++) {
      const e: unknown = ctr.envFrom[i];
      if (!isObj(e) || typeof e.prefix !== 'string' || e.prefix === '') continue;
      const problem = envName(e.prefix);
      if (problem)
        c.f.add(
          [...path, 'envFrom', i, 'prefix'],
          `${c.who}: envFrom prefix ${show(e.prefix)} ${problem} (ValidateEnvFrom, ${envRule.split(', ')[1]}); use letters, digits and '_'`,
        );
    }
  if (isObj(ctr.resources)) resources(c, ctr.resources, [...path, 'resources']);
  const { livenessProbe, readinessProbe, startupProbe } = ctr;
  if (livenessProbe !== undefined && isObj(livenessProbe))
    probe(c, livenessProbe, [...path, 'livenessProbe']);
  if (readinessProbe !== undefined && isObj(readinessProbe))
    probe(c, readinessProbe, [...path, 'readinessProbe']);
  if (startupProbe !== undefined && isObj(startupProbe))
    probe(c, startupProbe, [...path, 'startupProbe']);
  if (isObj(ctr.lifecycle))
    for (let k = 0; k < HOOKS.length; k++) {
      const hook = HOOKS[k];
      if (isObj(ctr.lifecycle[hook]))
        handlerPorts(c, ctr.lifecycle[hook], [...path, 'lifecycle', hook], 'validateLifecycle');
    }
  if (isObj(ctr.securityContext)) ids(c, ctr.securityContext, [...path, 'securityContext']);
  if (Array.isArray(ctr.volumeMounts))
    for (let i = 0; i < ctr.volumeMounts.length; i++) {
      const vm: unknown = ctr.volumeMounts[i];
      if (!isObj(vm)) continue;
      if (vm.subPath !== undefined) subPath(c, vm, 'subPath', path, i);
      if (vm.subPathExpr !== undefined) subPath(c, vm, 'subPathExpr', path, i);
    }
}

/** ValidateVolumeMounts: subPath and subPathExpr are local descending paths. */
function subPath(c: Ctx, vm: Obj, key: string, path: FieldPath, i: number): void {
  const v = vm[key];
  if (typeof v !== 'string' || v === '') return;
  const problem = localDescendingPath(v);
  if (problem)
    c.f.add(
      [...path, 'volumeMounts', i, key],
      `${c.who}: ${key} ${show(v)} ${problem} (ValidateVolumeMounts, validateLocalDescendingPath); use a relative path inside the volume`,
    );
}

/** [A-Za-z_][A-Za-z0-9_]*: valid under both env name rules (a fast path). */
function isPlainEnvName(name: string): boolean {
  return PLAIN_ENV_NAME.test(name);
}

const PLAIN_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** validateLocalDescendingPath: relative, no '..' element. */
function localDescendingPath(p: string): string | undefined {
  if (p.startsWith('/')) return 'must be a relative path';
  if (p.split('/').includes('..')) return "must not contain '..'";
  return undefined;
}

/** ValidateLocalNonReservedPath: validateLocalDescendingPath and not starting with '..'. */
function localNonReservedPath(p: string): string | undefined {
  return localDescendingPath(p) ?? (p.startsWith('..') ? "must not start with '..'" : undefined);
}

function ids(c: Ctx, sc: Obj, path: FieldPath): void {
  for (const key in sc) {
    if (!ID_FIELDS.has(key) || !isNum(sc[key])) continue;
    const problem = checkUnixId(sc[key]);
    if (problem)
      c.f.add(
        [...path, key],
        `${c.who}: ${at([...path, key])} ${sc[key]} ${problem} (${key === 'runAsUser' ? 'IsValidUserID' : 'IsValidGroupID'}); use an ID from 0 to 2147483647`,
      );
  }
  if (Array.isArray(sc.supplementalGroups))
    for (let i = 0; i < sc.supplementalGroups.length; i++) {
      const g: unknown = sc.supplementalGroups[i];
      if (isNum(g) && checkUnixId(g))
        c.f.add(
          [...path, 'supplementalGroups', i],
          `${c.who}: supplemental group ${g} must be between 0 and 2147483647 (IsValidGroupID); use a valid group ID`,
        );
    }
}

const FILE_MODE_MAX = 0o777;

function fileMode(c: Ctx, obj: Obj, key: string, path: FieldPath): void {
  const v = obj[key];
  if (isNum(v) && (v < 0 || v > FILE_MODE_MAX))
    c.f.add(
      [...path, key],
      `${c.who}: ${at([...path, key])} ${v} must be a number between 0 and 0777 (octal), both inclusive (fileModeErrorMsg, e.g. validateSecretVolumeSource); in YAML write 0644 as 420 or 0o644`,
    );
}

function items(c: Ctx, src: Obj, path: FieldPath): void {
  if (!Array.isArray(src.items)) return;
  for (let i = 0; i < src.items.length; i++) {
    const item: unknown = src.items[i];
    if (!isObj(item)) continue;
    fileMode(c, item, 'mode', [...path, 'items', i]);
    if (typeof item.path === 'string' && item.path !== '') {
      const problem = localNonReservedPath(item.path);
      if (problem)
        c.f.add(
          [...path, 'items', i, 'path'],
          `${c.who}: item path ${show(item.path)} ${problem} (validateKeyToPath, ValidateLocalNonReservedPath); use a relative file name`,
        );
    }
  }
}

function volume(c: Ctx, vol: Obj, path: FieldPath): void {
  if (typeof vol.name === 'string' && vol.name !== '') {
    const problem = checkDns1123Label(vol.name);
    if (problem)
      c.f.add(
        [...path, 'name'],
        `${c.who}: volume name ${show(vol.name)} ${problem} (ValidateVolumes, ValidateDNS1123Label); use e.g. ${show(suggestDnsName(vol.name))} (and the same name in volumeMounts)`,
      );
  }
  if (isObj(vol.emptyDir) && vol.emptyDir.sizeLimit !== undefined) {
    const q = quantity(
      c,
      vol.emptyDir.sizeLimit,
      [...path, 'emptyDir', 'sizeLimit'],
      'validateVolumeSource',
    );
    if (q && quantitySign(q) < 0)
      c.f.add(
        [...path, 'emptyDir', 'sizeLimit'],
        `${c.who}: emptyDir.sizeLimit must not be negative (validateVolumeSource); use a positive size such as 1Gi`,
      );
  }
  for (const key in vol) {
    if (!MODE_SOURCES.has(key)) continue;
    const src = vol[key];
    if (!isObj(src)) continue;
    fileMode(c, src, 'defaultMode', [...path, key]);
    items(c, src, [...path, key]);
    if (key === 'projected' && Array.isArray(src.sources))
      for (let i = 0; i < src.sources.length; i++) {
        const s: unknown = src.sources[i];
        if (!isObj(s)) continue;
        for (const inner of ['secret', 'configMap'])
          if (isObj(s[inner])) items(c, s[inner], [...path, key, 'sources', i, inner]);
        const token = s.serviceAccountToken;
        if (isObj(token) && isNum(token.expirationSeconds)) {
          const p = [...path, key, 'sources', i, 'serviceAccountToken', 'expirationSeconds'];
          if (token.expirationSeconds < 600)
            c.f.add(
              p,
              `${c.who}: a service account token's expirationSeconds may not be less than 10 minutes (600), got ${token.expirationSeconds} (validateProjectionSources); use 600 or more`,
            );
          else if (token.expirationSeconds > 2 ** 32)
            c.f.add(
              p,
              `${c.who}: a service account token's expirationSeconds may not be larger than 2^32 seconds (validateProjectionSources); use a shorter duration`,
            );
        }
      }
  }
  if (
    isObj(vol.hostPath) &&
    typeof vol.hostPath.path === 'string' &&
    vol.hostPath.path.split('/').includes('..')
  )
    c.f.add(
      [...path, 'hostPath', 'path'],
      `${c.who}: hostPath.path ${show(vol.hostPath.path)} must not contain '..' (validateHostPathVolumeSource, validatePathNoBacksteps); use a path without '..'`,
    );
}

function weights(c: Ctx, terms: unknown, path: FieldPath): void {
  if (!Array.isArray(terms)) return;
  for (let i = 0; i < terms.length; i++) {
    const t: unknown = terms[i];
    if (isObj(t) && isNum(t.weight) && (t.weight < 1 || t.weight > 100))
      c.f.add(
        [...path, i, 'weight'],
        `${c.who}: affinity weight ${t.weight} must be in the range 1-100 (ValidatePreferredSchedulingTerms, validateWeightedPodAffinityTerms); use 1 to 100`,
      );
  }
}

function podSpec(c: Ctx, spec: Obj, path: FieldPath): void {
  const { initContainers, containers } = spec;
  if (Array.isArray(initContainers))
    for (let i = 0; i < initContainers.length; i++) {
      const ctr: unknown = initContainers[i];
      if (isObj(ctr)) container(c, ctr, [...path, 'initContainers', i]);
    }
  if (Array.isArray(containers))
    for (let i = 0; i < containers.length; i++) {
      const ctr: unknown = containers[i];
      if (isObj(ctr)) container(c, ctr, [...path, 'containers', i]);
    }
  if (Array.isArray(spec.volumes))
    for (let i = 0; i < spec.volumes.length; i++) {
      const v: unknown = spec.volumes[i];
      if (isObj(v)) volume(c, v, [...path, 'volumes', i]);
    }
  if (
    isNum(spec.activeDeadlineSeconds) &&
    (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_INT32)
  )
    c.f.add(
      [...path, 'activeDeadlineSeconds'],
      `${c.who}: activeDeadlineSeconds ${spec.activeDeadlineSeconds} must be between 1 and ${MAX_INT32}, inclusive (ValidatePodSpec); use a positive number of seconds`,
    );
  for (const key in spec) {
    const named = POD_NAMES.get(key);
    if (named === undefined) continue;
    const v = spec[key];
    if (typeof v !== 'string' || v === '') continue;
    const problem = named.check(v);
    if (problem)
      c.f.add(
        [...path, key],
        `${c.who}: ${key} ${show(v)} ${problem} (ValidatePodSpec, ${named.rule}); use the exact name of the object, e.g. ${show(suggestDnsName(v))}`,
      );
  }
  if (isObj(spec.securityContext)) ids(c, spec.securityContext, [...path, 'securityContext']);
  const affinity = spec.affinity;
  if (isObj(affinity)) {
    const na = affinity.nodeAffinity;
    if (isObj(na))
      weights(c, na.preferredDuringSchedulingIgnoredDuringExecution, [
        ...path,
        'affinity',
        'nodeAffinity',
        'preferredDuringSchedulingIgnoredDuringExecution',
      ]);
    for (let q = 0; q < POD_AFFINITIES.length; q++) {
      const kind = POD_AFFINITIES[q];
      if (isObj(affinity[kind]))
        weights(c, affinity[kind].preferredDuringSchedulingIgnoredDuringExecution, [
          ...path,
          'affinity',
          kind,
          'preferredDuringSchedulingIgnoredDuringExecution',
        ]);
    }
  }
  if (Array.isArray(spec.topologySpreadConstraints))
    for (let i = 0; i < spec.topologySpreadConstraints.length; i++) {
      const t: unknown = spec.topologySpreadConstraints[i];
      if (!isObj(t)) continue;
      const p = [...path, 'topologySpreadConstraints', i];
      if (isNum(t.maxSkew) && t.maxSkew <= 0)
        c.f.add(
          [...p, 'maxSkew'],
          `${c.who}: maxSkew ${t.maxSkew} must be greater than zero (ValidateMaxSkew); use 1 or more`,
        );
      if (isNum(t.minDomains) && t.minDomains <= 0)
        c.f.add(
          [...p, 'minDomains'],
          `${c.who}: minDomains ${t.minDomains} must be greater than zero (validateMinDomains); use 1 or more, or remove it`,
        );
    }
  const dns = spec.dnsConfig;
  if (isObj(dns) && Array.isArray(dns.nameservers)) {
    if (dns.nameservers.length > 3)
      c.f.add(
        [...path, 'dnsConfig', 'nameservers'],
        `${c.who}: dnsConfig.nameservers must not have more than 3 nameservers (validatePodDNSConfig, MaxDNSNameservers); keep at most 3`,
      );
    for (let i = 0; i < dns.nameservers.length; i++) {
      const ns: unknown = dns.nameservers[i];
      if (typeof ns === 'string' && !isIpAddress(ns))
        c.f.add(
          [...path, 'dnsConfig', 'nameservers', i],
          `${c.who}: nameserver ${show(ns)} must be a valid IP address (validatePodDNSConfig, IsValidIP); use an IP, not a host name`,
        );
    }
  }
  if (Array.isArray(spec.hostAliases))
    for (let i = 0; i < spec.hostAliases.length; i++) {
      const h: unknown = spec.hostAliases[i];
      if (!isObj(h)) continue;
      if (typeof h.ip === 'string' && !isIpAddress(h.ip))
        c.f.add(
          [...path, 'hostAliases', i, 'ip'],
          `${c.who}: hostAliases ip ${show(h.ip)} must be a valid IP address (ValidateHostAliases, IsValidIP); use an IP address`,
        );
      if (Array.isArray(h.hostnames))
        for (let j = 0; j < h.hostnames.length; j++) {
          const n: unknown = h.hostnames[j];
          if (typeof n === 'string' && checkDns1123Subdomain(n))
            c.f.add(
              [...path, 'hostAliases', i, 'hostnames', j],
              `${c.who}: host alias ${show(n)} ${checkDns1123Subdomain(n)} (ValidateHostAliases, ValidateDNS1123Subdomain); use a lowercase host name`,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Workloads, autoscalers, Services, claims

function jobSpec(c: Ctx, spec: Obj, path: FieldPath): void {
  nonNegativeFields(c, spec, JOB_COUNTS, path, 'validateJobSpec');
}

function cronJob(c: Ctx, spec: Obj): void {
  const schedule = spec.schedule;
  if (typeof schedule === 'string') {
    const p = ['spec', 'schedule'];
    if (schedule === '')
      c.f.add(
        p,
        `${c.who}: spec.schedule is required (validateCronJobSpec); set a cron schedule such as "0 3 * * *"`,
      );
    else {
      const problem = checkCronSchedule(schedule);
      if (problem)
        c.f.add(
          p,
          `${c.who}: schedule ${show(schedule)} is not a valid cron schedule: ${problem} (validateScheduleFormat, robfig/cron ParseStandard); use five fields "minute hour day-of-month month day-of-week" (e.g. "*/15 * * * *") or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>`,
        );
      if (schedule.includes('TZ'))
        c.f.add(
          p,
          `${c.who}: cannot use TZ or CRON_TZ in schedule ${show(schedule)} (validateScheduleFormat); remove it and set spec.timeZone instead, e.g. timeZone: Asia/Tokyo`,
        );
    }
  }
  if (typeof spec.timeZone === 'string') {
    const problem = checkTimeZone(spec.timeZone);
    if (problem)
      c.f.add(
        ['spec', 'timeZone'],
        `${c.who}: timeZone ${show(spec.timeZone)} ${problem.startsWith('unknown') ? 'is an ' + problem : problem} (validateTimeZone, time.LoadLocation); use an IANA zone name exactly as spelt in the tz database, e.g. Asia/Tokyo, Europe/Paris or UTC`,
      );
  }
  nonNegativeFields(c, spec, CRON_JOB_COUNTS, SPEC, 'validateCronJobSpec');
}

function metricTarget(c: Ctx, target: Obj, path: FieldPath): void {
  if (
    typeof target.type === 'string' &&
    !['Utilization', 'Value', 'AverageValue'].includes(target.type)
  )
    c.f.add(
      [...path, 'type'],
      `${c.who}: metric target type ${show(target.type)} must be either Utilization, Value, or AverageValue (validateMetricTarget); use one of them`,
    );
  for (const key of ['value', 'averageValue']) {
    if (target[key] === undefined) continue;
    const q = quantity(c, target[key], [...path, key], 'validateMetricTarget');
    if (q && quantitySign(q) !== 1)
      c.f.add(
        [...path, key],
        `${c.who}: ${at([...path, key])} ${show(target[key])} must be positive (validateMetricTarget); use a quantity above 0`,
      );
  }
  if (isNum(target.averageUtilization) && target.averageUtilization < 1)
    c.f.add(
      [...path, 'averageUtilization'],
      `${c.who}: averageUtilization ${target.averageUtilization} must be greater than 0 (validateMetricTarget); use a percentage of the request such as 80`,
    );
}

function hpa(c: Ctx, obj: Obj): void {
  const spec = obj.spec;
  if (!isObj(spec)) return;
  const min = isNum(spec.minReplicas) ? spec.minReplicas : undefined;
  const max = spec.maxReplicas;
  if (min !== undefined && min < 1)
    c.f.add(
      ['spec', 'minReplicas'],
      `${c.who}: minReplicas ${min} must be greater than or equal to 1 (validateHorizontalPodAutoscalerSpec; 0 needs the alpha HPAScaleToZero feature gate, which EKS does not enable); use 1 or more`,
    );
  if (isNum(max) && max < 1)
    c.f.add(
      ['spec', 'maxReplicas'],
      `${c.who}: maxReplicas ${max} must be greater than 0 (validateHorizontalPodAutoscalerSpec); use 1 or more`,
    );
  else if (isNum(max) && max < (min ?? 1))
    c.f.add(
      ['spec', 'maxReplicas'],
      `${c.who}: maxReplicas ${max} must be greater than or equal to minReplicas ${min ?? '1 (the default)'} (validateHorizontalPodAutoscalerSpec); raise maxReplicas or lower minReplicas`,
    );
  if (isNum(spec.targetCPUUtilizationPercentage) && spec.targetCPUUtilizationPercentage < 1)
    c.f.add(
      ['spec', 'targetCPUUtilizationPercentage'],
      `${c.who}: targetCPUUtilizationPercentage ${spec.targetCPUUtilizationPercentage} must be greater than 0 (validateMetricTarget, after conversion from autoscaling/v1); use a percentage such as 80`,
    );
  if (Array.isArray(spec.metrics))
    for (let i = 0; i < spec.metrics.length; i++) {
      const m: unknown = spec.metrics[i];
      if (!isObj(m)) continue;
      for (const key of ['resource', 'containerResource', 'pods', 'object', 'external']) {
        const src = m[key];
        if (isObj(src) && isObj(src.target))
          metricTarget(c, src.target, ['spec', 'metrics', i, key, 'target']);
      }
    }
  const behavior = spec.behavior;
  if (isObj(behavior))
    for (const dir of ['scaleUp', 'scaleDown']) {
      const rules = behavior[dir];
      if (!isObj(rules)) continue;
      const p = ['spec', 'behavior', dir];
      const w = rules.stabilizationWindowSeconds;
      if (isNum(w) && (w < 0 || w > 3600))
        c.f.add(
          [...p, 'stabilizationWindowSeconds'],
          `${c.who}: stabilizationWindowSeconds ${w} must be between 0 and 3600 (validateScalingRules, MaxStabilizationWindowSeconds); use at most an hour`,
        );
      if (Array.isArray(rules.policies)) {
        if (rules.policies.length === 0)
          c.f.add(
            [...p, 'policies'],
            `${c.who}: ${dir}.policies must specify at least one policy (validateScalingRules); add a policy or remove the empty list to get the defaults`,
          );
        for (let i = 0; i < rules.policies.length; i++) {
          const pol: unknown = rules.policies[i];
          if (!isObj(pol)) continue;
          const pp = [...p, 'policies', i];
          if (typeof pol.type === 'string' && pol.type !== 'Pods' && pol.type !== 'Percent')
            c.f.add(
              [...pp, 'type'],
              `${c.who}: scaling policy type ${show(pol.type)} is not supported (validateScalingPolicy); use Pods or Percent`,
            );
          if (isNum(pol.value) && pol.value <= 0)
            c.f.add(
              [...pp, 'value'],
              `${c.who}: scaling policy value ${pol.value} must be greater than zero (validateScalingPolicy); use 1 or more`,
            );
          if (isNum(pol.periodSeconds) && (pol.periodSeconds <= 0 || pol.periodSeconds > 1800))
            c.f.add(
              [...pp, 'periodSeconds'],
              `${c.who}: scaling policy periodSeconds ${pol.periodSeconds} must be between 1 and 1800 (validateScalingPolicy, MaxPeriodSeconds); use at most 30 minutes`,
            );
        }
      }
    }
}

/** ValidateNonSpecialIP. */
function specialIp(ip: string): string | undefined {
  if (ip === '0.0.0.0' || ip === '::') return 'may not be unspecified';
  if (/^127\./.test(ip) || ip === '::1')
    return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (/^169\.254\./.test(ip) || /^fe[89ab]/i.test(ip))
    return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (/^224\.0\.0\./.test(ip) || /^ff02:/i.test(ip))
    return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

function service(c: Ctx, spec: Obj): void {
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  if (Array.isArray(spec.ports))
    for (let i = 0; i < spec.ports.length; i++) {
      const port: unknown = spec.ports[i];
      if (!isObj(port)) continue;
      if (typeof port.name === 'string' && port.name !== '') {
        const problem = checkDns1123Label(port.name);
        if (problem)
          c.f.add(
            ['spec', 'ports', i, 'name'],
            `${c.who}: Service port name ${show(port.name)} ${problem} (validateServicePort, ValidateDNS1123Label); use e.g. ${show(suggestDnsName(port.name))}`,
          );
      }
      if (isNum(port.port)) {
        const problem = checkPortNumber(port.port);
        if (problem)
          c.f.add(
            ['spec', 'ports', i, 'port'],
            `${c.who}: Service port ${port.port} ${problem} (validateServicePort, IsValidPortNum); use a port from 1 to 65535`,
          );
      }
      // SetDefaults_Service turns a targetPort of 0 or "" into the port itself.
      if (port.targetPort !== undefined && port.targetPort !== 0 && port.targetPort !== '') {
        const problem = checkPortNumOrName(port.targetPort);
        if (problem)
          c.f.add(
            ['spec', 'ports', i, 'targetPort'],
            `${c.who}: targetPort ${show(port.targetPort)} ${problem} (validateServicePort, ValidatePortNumOrName: IsValidPortNum or IsValidPortName); use the container port number (1-65535) or the name of a container port`,
          );
      }
      if (
        isNum(port.nodePort) &&
        port.nodePort !== 0 &&
        (port.nodePort < NODE_PORT_MIN || port.nodePort > NODE_PORT_MAX)
      )
        c.f.add(
          ['spec', 'ports', i, 'nodePort'],
          `${c.who}: nodePort ${port.nodePort} is not in the valid range ${NODE_PORT_MIN}-${NODE_PORT_MAX} (the node port allocator, default --service-node-port-range, which EKS keeps); use a port in that range or leave nodePort out to get one assigned`,
        );
      if (typeof port.appProtocol === 'string') {
        const problem = checkQualifiedName(port.appProtocol);
        if (problem)
          c.f.add(
            ['spec', 'ports', i, 'appProtocol'],
            `${c.who}: appProtocol ${show(port.appProtocol)} ${problem} (validateServicePort, ValidateQualifiedName); use e.g. "http", "kubernetes.io/h2c" or "example.com/proto"`,
          );
      }
    }
  if (type === 'ExternalName' && typeof spec.externalName === 'string') {
    const cname = spec.externalName.replace(/\.$/, '');
    const problem = cname === '' ? undefined : checkDns1123Subdomain(cname);
    if (problem)
      c.f.add(
        ['spec', 'externalName'],
        `${c.who}: externalName ${show(spec.externalName)} ${problem} (ValidateService, ValidateDNS1123Subdomain); use a lowercase DNS name such as db.example.com`,
      );
  }
  if (type !== 'ExternalName') {
    if (
      typeof spec.clusterIP === 'string' &&
      spec.clusterIP !== '' &&
      spec.clusterIP !== 'None' &&
      !isIpAddress(spec.clusterIP)
    )
      c.f.add(
        ['spec', 'clusterIP'],
        `${c.who}: clusterIP ${show(spec.clusterIP)} must be a valid IP address or None (ValidateServiceClusterIPsRelatedFields, IsValidIP); use None for a headless Service or leave it out`,
      );
    if (Array.isArray(spec.clusterIPs))
      for (let i = 0; i < spec.clusterIPs.length; i++) {
        const ip: unknown = spec.clusterIPs[i];
        if (typeof ip === 'string' && !(i === 0 && ip === 'None') && !isIpAddress(ip))
          c.f.add(
            ['spec', 'clusterIPs', i],
            `${c.who}: clusterIPs[${i}] ${show(ip)} must be a valid IP address (ValidateServiceClusterIPsRelatedFields, IsValidIP); fix or remove it`,
          );
      }
  }
  if (Array.isArray(spec.externalIPs))
    for (let i = 0; i < spec.externalIPs.length; i++) {
      const ip: unknown = spec.externalIPs[i];
      if (typeof ip !== 'string') continue;
      const problem = isIpAddress(ip) ? specialIp(ip) : 'must be a valid IP address';
      if (problem)
        c.f.add(
          ['spec', 'externalIPs', i],
          `${c.who}: externalIPs[${i}] ${show(ip)} ${problem} (ValidateService, IsValidIP, ValidateNonSpecialIP); use a routable IP address`,
        );
    }
  if (Array.isArray(spec.loadBalancerSourceRanges))
    for (let i = 0; i < spec.loadBalancerSourceRanges.length; i++) {
      const r: unknown = spec.loadBalancerSourceRanges[i];
      if (typeof r === 'string' && !isCidr(r.trim()))
        c.f.add(
          ['spec', 'loadBalancerSourceRanges', i],
          `${c.who}: loadBalancerSourceRanges[${i}] ${show(r)} must be a valid CIDR (ValidateService, IsValidCIDR); write it like 10.0.0.0/8`,
        );
    }
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (isNum(timeout) && (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY))
    c.f.add(
      ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'],
      `${c.who}: sessionAffinityConfig.clientIP.timeoutSeconds ${timeout} must be greater than 0 and at most ${MAX_CLIENT_IP_AFFINITY} (validateAffinityTimeout); use at most a day`,
    );
  if (
    isNum(spec.healthCheckNodePort) &&
    spec.healthCheckNodePort !== 0 &&
    checkPortNumber(spec.healthCheckNodePort)
  )
    c.f.add(
      ['spec', 'healthCheckNodePort'],
      `${c.who}: healthCheckNodePort ${spec.healthCheckNodePort} must be between 1 and 65535, inclusive (validateServiceExternalTrafficPolicy, IsValidPortNum); leave it out to get one assigned`,
    );
}

const ACCESS_MODES = new Set([
  'ReadWriteOnce',
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOncePod',
]);

/** ValidatePersistentVolumeClaimSpec. */
function claimSpec(c: Ctx, spec: Obj, path: FieldPath): void {
  const modes = spec.accessModes;
  if (!Array.isArray(modes) || modes.length === 0)
    c.f.add(
      modes === undefined ? path : [...path, 'accessModes'],
      `${c.who}: a claim needs at least 1 access mode (ValidatePersistentVolumeClaimSpec); add accessModes: [ReadWriteOnce]`,
    );
  else if (
    modes.includes('ReadWriteOncePod') &&
    modes.some((m: unknown) => m !== 'ReadWriteOncePod' && ACCESS_MODES.has(String(m)))
  )
    c.f.add(
      [...path, 'accessModes'],
      `${c.who}: accessModes may not use ReadWriteOncePod with other access modes (ValidatePersistentVolumeClaimSpec); keep only ReadWriteOncePod or drop it`,
    );
  const storage =
    isObj(spec.resources) && isObj(spec.resources.requests)
      ? spec.resources.requests.storage
      : undefined;
  if (storage === undefined)
    c.f.add(
      isObj(spec.resources) ? [...path, 'resources'] : path,
      `${c.who}: a claim needs resources.requests.storage (ValidatePersistentVolumeClaimSpec: Required value); request a size such as 10Gi`,
    );
  else {
    const p = [...path, 'resources', 'requests', 'storage'];
    const q = quantity(c, storage, p, 'ValidatePersistentVolumeClaimSpec');
    if (q && quantitySign(q) !== 1)
      c.f.add(
        p,
        `${c.who}: the requested storage ${show(storage)} must be greater than zero (ValidatePositiveQuantityValue); request a size such as 10Gi`,
      );
  }
  if (typeof spec.storageClassName === 'string' && spec.storageClassName !== '') {
    const problem = checkDns1123Subdomain(spec.storageClassName);
    if (problem)
      c.f.add(
        [...path, 'storageClassName'],
        `${c.who}: storageClassName ${show(spec.storageClassName)} ${problem} (ValidatePersistentVolumeClaimSpec, ValidateClassName); use the StorageClass's exact name`,
      );
  }
}

function storageClass(c: Ctx, obj: Obj): void {
  const p = obj.provisioner;
  if (p === undefined || p === '')
    c.f.add(
      p === undefined ? [] : ['provisioner'],
      `${c.who}: a StorageClass needs a provisioner (validateProvisioner: Required value); set e.g. provisioner: ebs.csi.aws.com`,
    );
  else if (typeof p === 'string') {
    const problem = checkQualifiedName(p.toLowerCase());
    if (problem)
      c.f.add(
        ['provisioner'],
        `${c.who}: provisioner ${show(p)} ${problem} (validateProvisioner, ValidateQualifiedName); use the CSI driver name, e.g. ebs.csi.aws.com`,
      );
  }
  if (isObj(obj.parameters)) {
    const entries = Object.entries(obj.parameters);
    const size = entries.reduce((n, [k, v]) => n + k.length + String(v ?? '').length, 0);
    if (entries.length > 512 || size > 256 * 1024)
      c.f.add(
        ['parameters'],
        `${c.who}: StorageClass parameters are limited to 512 entries and 256 KiB (validateParameters); trim them`,
      );
  }
}

/** Everything a rule option depends on for one run. */
function ctxFor(f: Findings, who: string, strictEnvNames: boolean): Ctx {
  return { f, who, strictEnvNames };
}

/**
 * Ranges and formats the API server enforces on spec fields: ports, port and container names,
 * environment variable names, quantities and requests ≤ limits, replica counts, autoscaler bounds,
 * cron schedules and time zones, durations in seconds, percentages, IDs, modes, IP addresses.
 */
export const apiValuesRule: Rule = {
  id: 'api-values',
  description:
    'Ports, names, quantities, requests and limits, replica counts, HPA bounds, cron schedules, time zones, durations and other spec values are in the ranges and formats the API server accepts',
  severity: 'error',
  scope: 'object',
  docs:
    'Catches values the Kubernetes API server rejects although schemas accept their type: port numbers 1-65535 (IsValidPortNum: containerPort, hostPort, Service port and targetPort, probe and lifecycle ports) and node ports in the default 30000-32767 range, ' +
    'container port names as IANA service names (IsValidPortName: at most 15 characters, lowercase letters, digits and single inner hyphens, at least one letter), Service port, container and volume names as DNS-1123 labels, environment variable names (IsEnvVarName before Kubernetes 1.32, IsRelaxedEnvVarName after), ' +
    'quantities as resource.ParseQuantity reads them (so "1h", "1K" or "100mb" fail), non-negative requests and limits with requests ≤ limits and extended resources requested = limited (validateResourceRequirements), PVC storage requests (ValidatePersistentVolumeClaimSpec), ' +
    'replicas, minReadySeconds, revisionHistoryLimit and Job counts ≥ 0 (ValidateNonnegativeField), rollingUpdate and PodDisruptionBudget int-or-percent values (ValidatePositiveIntOrPercent, IsNotMoreThan100Percent), HPA minReplicas ≥ 1, maxReplicas ≥ minReplicas, metric targets and behavior windows (pkg/apis/autoscaling/validation), ' +
    'CronJob schedules as robfig/cron ParseStandard parses them (five fields or @hourly-style descriptors), no TZ= in the schedule and IANA timeZone names (validateScheduleFormat, validateTimeZone), probe and deadline seconds, file modes up to 0777, user and group IDs, IP addresses and CIDRs of Services and pods. ' +
    'Sources: kubernetes/kubernetes pkg/apis/core/validation/validation.go (validateContainers, validateContainerPorts, ValidateEnv, validateProbe, validateResourceRequirements, ValidateVolumes, ValidatePodSpec, ValidateService, ValidatePersistentVolumeClaimSpec), pkg/apis/apps, batch, autoscaling, policy and storage validation; kubernetes/apimachinery pkg/util/validation and pkg/api/resource; robfig/cron v3. ' +
    'A StatefulSet’s pod template is not validated when the StatefulSet is created (a TODO upstream): its problems are reported as rejections of the Pods it creates. Fix the value as the message says.',
  check(manifests, ctx) {
    const f = new Findings();
    const minor = kubernetesMinor(ctx);
    const strictEnv = minor !== undefined && minor < 32;
    const c = ctxFor(f, REJECTS, strictEnv);
    const stsPods = ctxFor(f, podSpecRejection('StatefulSet'), strictEnv);
    const stsClaims = ctxFor(
      f,
      'the API server rejects the PersistentVolumeClaims this StatefulSet creates',
      strictEnv,
    );
    for (const manifest of manifests) {
      const api = apiObjectOf(manifest, f);
      if (!api) continue;
      const { obj, kind, group, template } = api;
      if (template) podSpec(kind === 'StatefulSet' ? stsPods : c, template.spec, template.specPath);
      const spec = isObj(obj.spec) ? obj.spec : undefined;
      if (!spec && kind !== 'StorageClass') continue;
      switch (builtInKind(kind, group)) {
        case 'Deployment':
        case 'ReplicaSet':
        case 'StatefulSet':
        case 'DaemonSet': {
          const rule = WORKLOAD_RULES[kind];
          nonNegativeFields(c, spec!, WORKLOAD_COUNTS, SPEC, rule);
          const strategyKey = kind === 'Deployment' ? 'strategy' : 'updateStrategy';
          const ru = spec![strategyKey]?.rollingUpdate;
          if (isObj(ru)) {
            const p = ['spec', strategyKey, 'rollingUpdate'];
            if (kind === 'StatefulSet') {
              nonNegative(c, ru, 'partition', p, 'validateRollingUpdateStatefulSet');
              intOrPercent(c, ru, 'maxUnavailable', p, 'validateRollingUpdateStatefulSet', true);
              if (ru.maxUnavailable === 0 || ru.maxUnavailable === '0%')
                f.add(
                  [...p, 'maxUnavailable'],
                  `${REJECTS}: a StatefulSet's rollingUpdate.maxUnavailable cannot be 0 (validateRollingUpdateStatefulSet); use 1 or more, or leave it out`,
                );
            } else {
              intOrPercent(c, ru, 'maxUnavailable', p, `ValidateRollingUpdate${kind}`, true);
              intOrPercent(
                c,
                ru,
                'maxSurge',
                p,
                `ValidateRollingUpdate${kind}`,
                kind === 'DaemonSet',
              );
            }
          }
          if (kind === 'StatefulSet') {
            if (isObj(spec!.ordinals))
              nonNegative(c, spec!.ordinals, 'start', ['spec', 'ordinals'], rule);
            if (typeof spec!.serviceName === 'string' && spec!.serviceName !== '') {
              const problem = checkDns1123Label(spec!.serviceName);
              if (problem)
                f.add(
                  ['spec', 'serviceName'],
                  `${REJECTS}: serviceName ${show(spec!.serviceName)} ${problem} (ValidateStatefulSetSpec from Kubernetes 1.33; before, the Pods' spec.subdomain it becomes); use the headless Service's name`,
                );
            }
            if (Array.isArray(spec!.volumeClaimTemplates))
              spec!.volumeClaimTemplates.forEach((t: unknown, i: number) => {
                if (!isObj(t)) return;
                const name = t.metadata?.name;
                if (typeof name === 'string' && checkDns1123Label(name))
                  f.add(
                    ['spec', 'volumeClaimTemplates', i, 'metadata', 'name'],
                    `${podSpecRejection(kind)}: volumeClaimTemplate name ${show(name)} ${checkDns1123Label(name)} (it becomes a pod volume name: ValidateVolumes, ValidateDNS1123Label); use e.g. ${show(suggestDnsName(name))}`,
                  );
                if (isObj(t.spec))
                  claimSpec(stsClaims, t.spec, ['spec', 'volumeClaimTemplates', i, 'spec']);
              });
          }
          break;
        }
        case 'Job':
          jobSpec(c, spec!, ['spec']);
          break;
        case 'CronJob': {
          cronJob(c, spec!);
          const js = spec!.jobTemplate?.spec;
          if (isObj(js)) jobSpec(c, js, ['spec', 'jobTemplate', 'spec']);
          break;
        }
        case 'HorizontalPodAutoscaler':
          hpa(c, obj);
          break;
        case 'Service':
          service(c, spec!);
          break;
        case 'PersistentVolumeClaim':
          claimSpec(c, spec!, ['spec']);
          break;
        case 'PodDisruptionBudget':
          intOrPercent(c, spec!, 'minAvailable', ['spec'], 'ValidatePodDisruptionBudgetSpec', true);
          intOrPercent(
            c,
            spec!,
            'maxUnavailable',
            ['spec'],
            'ValidatePodDisruptionBudgetSpec',
            true,
          );
          break;
        case 'StorageClass':
          storageClass(c, obj);
          break;
      }
    }
    return f.out;
  },
};
