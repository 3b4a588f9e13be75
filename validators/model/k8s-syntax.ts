/**
 * The syntax checks the Kubernetes API server applies to names, labels, ports, quantities, cron
 * schedules and the like, re-implemented from the upstream sources so a plan can be checked
 * offline. Each function names the upstream function it follows; the behaviour (including quirks)
 * is the upstream one, the code is our own.
 *
 * Sources (kubernetes/apimachinery unless noted):
 * - `pkg/util/validation/validation.go`: IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label,
 *   IsValidPortNum, IsValidPortName, IsConfigMapKey, IsEnvVarName, IsRelaxedEnvVarName,
 *   IsValidPercent, IsValidUserID/IsValidGroupID.
 * - `pkg/api/validate/content/kube.go`: IsLabelKey (= IsQualifiedName), IsLabelValue.
 * - `pkg/api/validation/generic.go`: NameIsDNSSubdomain, NameIsDNSLabel, NameIsDNS1035Label and
 *   maskTrailingDash (generateName prefixes).
 * - `pkg/api/validation/path/name.go`: IsValidPathSegmentName (RBAC object names).
 * - `pkg/api/resource/quantity.go` + `suffix.go`: ParseQuantity.
 * - robfig/cron v3 `parser.go` (ParseStandard), the parser kubernetes/kubernetes
 *   `pkg/apis/batch/validation/validation.go` (validateScheduleFormat) calls for CronJob schedules.
 * - Go's `time.ParseDuration` (for `@every <duration>`) and `encoding/base64` StdEncoding (how
 *   the API server decodes `[]byte` fields such as Secret `data`).
 *
 * Every checker returns `undefined` when the value is valid, else a short phrase saying what is
 * wrong (phrased to follow "must ..."). They never throw.
 */
import { boundedMemo } from '../../core/memo.js';

// ---------------------------------------------------------------------------------------------
// DNS names (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label)

// The upstream patterns, rewritten so a regular expression engine never backtracks (runs of
// alphanumerics separated by runs of separators, the classes being disjoint); they match exactly
// the same strings:
// dns1123LabelFmt [a-z0-9]([-a-z0-9]*[a-z0-9])?, dns1123SubdomainFmt (label)(\.(label))*,
// dns1035LabelFmt [a-z]([-a-z0-9]*[a-z0-9])?, labelKeyFmt ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9].
const DNS1123_LABEL = /^[a-z0-9]+(?:-+[a-z0-9]+)*$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)*$/;
const DNS1035_LABEL = /^[a-z][a-z0-9]*(?:-+[a-z0-9]+)*$/;
const LABEL_NAME = /^[A-Za-z0-9]+(?:[-_.]+[A-Za-z0-9]+)*$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9]+(?:[-_.]+[A-Za-z0-9]+)*)?$/;

/** Byte length as Go's `len()` counts it. */
export function byteLength(s: string): number {
  // ASCII fast path: every character is one byte.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

function join(problems: string[]): string | undefined {
  return problems.length === 0 ? undefined : problems.join(' and ');
}

/** IsDNS1123Label: at most 63 characters, lowercase alphanumerics and '-', alphanumeric at both ends. */
export function checkDns1123Label(value: string): string | undefined {
  if (value.length <= 63 && DNS1123_LABEL.test(value)) return undefined;
  const problems: string[] = [];
  if (byteLength(value) > 63) problems.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(value)) {
    problems.push(
      DNS1123_SUBDOMAIN.test(value)
        ? 'must not contain dots'
        : "must be a lowercase RFC 1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)",
    );
  }
  return join(problems);
}

/** IsDNS1123Subdomain: at most 253 characters, dot-separated RFC 1123 labels. */
export function checkDns1123Subdomain(value: string): string | undefined {
  if (value.length <= 253 && DNS1123_SUBDOMAIN.test(value)) return undefined;
  const problems: string[] = [];
  if (byteLength(value) > 253) problems.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) {
    problems.push(
      "must be a lowercase RFC 1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)",
    );
  }
  return join(problems);
}

/** IsDNS1035Label: like a DNS-1123 label but starting with a letter. */
export function checkDns1035Label(value: string): string | undefined {
  if (value.length <= 63 && DNS1035_LABEL.test(value)) return undefined;
  const problems: string[] = [];
  if (byteLength(value) > 63) problems.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(value)) {
    problems.push(
      "must be a DNS-1035 label (lowercase letters, digits and '-', starting with a letter and ending with a letter or digit)",
    );
  }
  return join(problems);
}

/**
 * maskTrailingDash (generic.go): a generateName prefix may end in '-' because characters are
 * appended to it. Upstream replaces the last TWO characters by "a" when the prefix is longer than
 * one character and ends in '-'; we do the same so the verdicts agree.
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
}

/** A name rule of ObjectMeta validation (a ValidateNameFunc): `prefix` for generateName. */
export type NameCheck = (name: string, prefix: boolean) => string | undefined;

/** NameIsDNSSubdomain. */
export const nameIsDnsSubdomain: NameCheck = (name, prefix) =>
  checkDns1123Subdomain(prefix ? maskTrailingDash(name) : name);
/** NameIsDNSLabel (Namespaces, StatefulSets). */
export const nameIsDnsLabel: NameCheck = (name, prefix) =>
  checkDns1123Label(prefix ? maskTrailingDash(name) : name);
/** NameIsDNS1035Label (Services). */
export const nameIsDns1035Label: NameCheck = (name, prefix) =>
  checkDns1035Label(prefix ? maskTrailingDash(name) : name);

/** IsValidPathSegmentName (apimachinery `pkg/api/validation/path/name.go`), used for RBAC names. */
export function checkPathSegmentName(name: string): string | undefined {
  if (name === '.' || name === '..') return `may not be '${name}'`;
  const bad = ['/', '%'].filter((c) => name.includes(c));
  return bad.length > 0 ? `may not contain ${bad.map((c) => `'${c}'`).join(' or ')}` : undefined;
}
/** minimalNameRequirements (kubernetes `pkg/apis/rbac/validation/validation.go`). */
export const nameIsPathSegment: NameCheck = (name) => checkPathSegmentName(name);

/**
 * The ValidateNameFunc the API server applies to `metadata.name` of a kind, with the upstream
 * function it comes from. Built-in kinds follow their `Validate<Kind>` function in
 * kubernetes/kubernetes `pkg/apis/<group>/validation`; custom resources (Istio, Argo CD, ...) get
 * NameIsDNSSubdomain from the apiextensions-apiserver's customResourceValidator.
 */
export function nameRuleOf(kind: string, group: string): NameRule {
  if (group === '' && kind === 'Namespace') return NAMESPACE_NAME;
  if (group === '' && kind === 'Service') return SERVICE_NAME;
  if (group === 'apps' && kind === 'StatefulSet') return STATEFUL_SET_NAME;
  if (group === 'rbac.authorization.k8s.io' && RBAC_KINDS.has(kind)) return RBAC_NAME;
  return SUBDOMAIN_NAME;
}

/** A kind's name rule: the check, the upstream function, and what the name must be. */
export interface NameRule {
  readonly check: NameCheck;
  readonly rule: string;
  readonly what: string;
}

const NAMESPACE_NAME: NameRule = {
  check: nameIsDnsLabel,
  rule: 'ValidateNamespaceName',
  what: 'DNS-1123 label',
};
const SERVICE_NAME: NameRule = {
  check: nameIsDns1035Label,
  rule: 'ValidateServiceName',
  what: 'DNS-1035 label',
};
const STATEFUL_SET_NAME: NameRule = {
  check: nameIsDnsLabel,
  rule: 'ValidateStatefulSetName',
  what: 'DNS-1123 label',
};
const RBAC_NAME: NameRule = {
  check: nameIsPathSegment,
  rule: 'minimalNameRequirements',
  what: 'path segment',
};
const SUBDOMAIN_NAME: NameRule = {
  check: nameIsDnsSubdomain,
  rule: 'NameIsDNSSubdomain',
  what: 'DNS-1123 subdomain',
};
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/**
 * A valid DNS name close to `value` (lowercased, invalid runs replaced by '-'), for messages;
 * `letterFirst` for DNS-1035 labels.
 */
export function suggestDnsName(
  value: string,
  maxLength = 63,
  allowDots = false,
  letterFirst = false,
): string {
  const allowed = allowDots ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g;
  let s = value.toLowerCase().replace(allowed, '-').replace(/-+/g, '-');
  s = s.replace(letterFirst ? /^[^a-z]+/ : /^[^a-z0-9]+/, '').slice(0, maxLength);
  s = s.replace(/[^a-z0-9]+$/, '');
  return s === '' ? 'name' : s;
}

// ---------------------------------------------------------------------------------------------
// Labels and annotations (IsLabelKey / IsQualifiedName, IsLabelValue)

/**
 * IsQualifiedName / IsLabelKey: an optional DNS-1123 subdomain prefix and '/', then a name of at
 * most 63 characters (alphanumerics, '-', '_', '.', alphanumeric at both ends).
 */
export function checkQualifiedName(value: string): string | undefined {
  // Label keys repeat across a plan's objects (app.kubernetes.io/name...): remember the verdicts.
  let verdict = qualifiedNameVerdicts.get(value);
  if (verdict === undefined) {
    verdict = qualifiedNameProblem(value) ?? '';
    if (qualifiedNameVerdicts.size >= 8192) qualifiedNameVerdicts.clear();
    qualifiedNameVerdicts.set(value, verdict);
  }
  return verdict === '' ? undefined : verdict;
}

const qualifiedNameVerdicts = new Map<string, string>();

function qualifiedNameProblem(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) {
    if (value.length <= 63 && LABEL_NAME.test(value)) return undefined;
  } else if (value.indexOf('/', slash + 1) >= 0) {
    return "must be a name with at most one '/' (an optional DNS subdomain prefix, e.g. 'example.com/name')";
  }
  const prefix = slash < 0 ? undefined : value.slice(0, slash);
  const name = slash < 0 ? value : value.slice(slash + 1);
  const problems: string[] = [];
  if (prefix !== undefined) {
    if (prefix === '') problems.push('prefix part must be non-empty');
    else {
      const p = checkDns1123Subdomain(prefix);
      if (p) problems.push(`prefix part ${p}`);
    }
  }
  if (name === '') problems.push('name part must be non-empty');
  else {
    if (byteLength(name) > 63) problems.push('name part must be no more than 63 characters');
    if (!LABEL_NAME.test(name))
      problems.push(
        "name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
      );
  }
  return join(problems);
}

/** IsLabelValue: empty, or at most 63 characters of alphanumerics, '-', '_', '.', alphanumeric ends. */
export function checkLabelValue(value: string): string | undefined {
  if (value.length <= 63 && LABEL_VALUE.test(value)) return undefined;
  const problems: string[] = [];
  if (byteLength(value) > 63) problems.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value))
    problems.push(
      "must be empty or consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
    );
  return join(problems);
}

/** TotalAnnotationSizeLimitB (apimachinery `pkg/api/validation/objectmeta.go`): 256 KiB. */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

/**
 * ValidateAnnotationsSize: the sum of the byte lengths of every key and value, when it is over
 * ANNOTATIONS_SIZE_LIMIT; undefined when within it.
 */
export function annotationsOverLimit(annotations: Record<string, unknown>): number | undefined {
  let chars = 0;
  for (const k in annotations) {
    const v = annotations[k];
    chars += k.length + (typeof v === 'string' ? v.length : String(v ?? '').length);
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only count bytes when that could exceed the limit.
  if (chars * 3 <= ANNOTATIONS_SIZE_LIMIT) return undefined;
  let total = 0;
  for (const [k, v] of Object.entries(annotations))
    total += byteLength(k) + byteLength(typeof v === 'string' ? v : String(v ?? ''));
  return total > ANNOTATIONS_SIZE_LIMIT ? total : undefined;
}

// ---------------------------------------------------------------------------------------------
// Ports, keys, environment variables, percents, IDs

/** IsValidPortNum: 1 to 65535. */
export function checkPortNumber(port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? undefined
    : 'must be between 1 and 65535, inclusive';
}

/**
 * IsValidPortName (an IANA service name, RFC 6335): at most 15 characters, only [-a-z0-9], at
 * least one letter, no leading, trailing or doubled '-'.
 */
export function checkPortName(name: string): string | undefined {
  if (isPortName(name)) return undefined;
  const problems: string[] = [];
  if (name.length > 15) problems.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name))
    problems.push('must contain only lowercase letters, digits and hyphens');
  if (!/[a-z]/.test(name)) problems.push('must contain at least one letter (a-z)');
  if (name.includes('--')) problems.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-'))
    problems.push('must not begin or end with a hyphen');
  return join(problems);
}

/** The fast path of checkPortName: [a-z0-9]+(-[a-z0-9]+)* with a letter, at most 15 characters. */
function isPortName(name: string): boolean {
  return name.length <= 15 && PORT_NAME.test(name) && /[a-z]/.test(name);
}

const PORT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** ValidatePortNumOrName: an int-or-string port is a valid number or a valid port name. */
export function checkPortNumOrName(port: unknown): string | undefined {
  if (typeof port === 'number') return checkPortNumber(port);
  if (typeof port === 'string') return checkPortName(port);
  return undefined; // a wrong type is the schema rule's finding
}

function chDirPrefix(value: string): string | undefined {
  if (value === '.') return "must not be '.'";
  if (value === '..') return "must not be '..'";
  if (value.startsWith('..')) return "must not start with '..'";
  return undefined;
}

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** IsConfigMapKey: at most 253 characters of [-._a-zA-Z0-9], not '.', '..' or starting with '..'. */
export function checkConfigMapKey(key: string): string | undefined {
  if (key.length <= 253 && CONFIG_MAP_KEY.test(key) && !key.startsWith('.')) return undefined;
  const problems: string[] = [];
  if (byteLength(key) > 253) problems.push('must be no more than 253 characters');
  if (!CONFIG_MAP_KEY.test(key)) problems.push("must consist of alphanumerics, '-', '_' or '.'");
  const dir = chDirPrefix(key);
  if (dir) problems.push(dir);
  return join(problems);
}

/**
 * IsEnvVarName (the rule before the RelaxedEnvironmentVariableValidation gate, default-on from
 * Kubernetes 1.32): [-._a-zA-Z][-._a-zA-Z0-9]*, not '.', '..' or starting with '..'.
 */
export function checkEnvVarName(name: string): string | undefined {
  const problems: string[] = [];
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name))
    problems.push("must consist of letters, digits, '_', '-' or '.', and not start with a digit");
  const dir = chDirPrefix(name);
  if (dir) problems.push(dir);
  return join(problems);
}

/** IsRelaxedEnvVarName (Kubernetes 1.32+): non-empty printable ASCII other than '='. */
export function checkRelaxedEnvVarName(name: string): string | undefined {
  if (name === '') return 'must be non-empty';
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name)
    ? undefined
    : "must consist only of printable ASCII characters other than '='";
}

/** IsValidPercent: digits followed by '%'. */
export function isPercent(value: string): boolean {
  return /^[0-9]+%$/.test(value);
}

/** IsValidUserID / IsValidGroupID: 0 to 2147483647. */
export function checkUnixId(id: number): string | undefined {
  return Number.isInteger(id) && id >= 0 && id <= 2147483647
    ? undefined
    : 'must be between 0 and 2147483647, inclusive';
}

// ---------------------------------------------------------------------------------------------
// Base64 as the API server decodes []byte fields (encoding/json uses base64.StdEncoding, which
// skips '\r' and '\n', needs padding, and does not insist on zero trailing bits).

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded byte length of standard base64 text, or undefined when Go's decoder rejects it. */
export function base64DecodedLength(text: string): number | undefined {
  const s = text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]/g, '') : text;
  if (s.length % 4 !== 0 || !BASE64.test(s)) return undefined;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

// ---------------------------------------------------------------------------------------------
// Quantities (resource.ParseQuantity)

/** A parsed quantity: sign, digits before and after the point, and a power of 10 or 2. */
export interface Quantity {
  negative: boolean;
  /** Integer digits (leading zeros stripped; "0" when none). */
  whole: string;
  /** Fraction digits. */
  fraction: string;
  base: 2 | 10;
  exponent: number;
  /** The value as a double, for a fast comparison. */
  approx: number;
}

const SUFFIX_CHARS = 'eEinumkKMGTP';
const DECIMAL_SUFFIXES: Record<string, number> = {
  '': 0,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * ParseQuantity: `[+-]?digits[.digits]` then an optional suffix (n u m k M G T P E, Ki Mi Gi Ti
 * Pi Ei, or e/E with an integer exponent). Follows parseQuantityString's scanner, so its quirks
 * ("1.", ".5", "+" parse; "1K", "1h", "1.5e1.5" do not) are the API server's. Returns the parsed
 * value, or a string saying why it is rejected.
 */
function parseQuantityText(text: string): Quantity | string {
  const str = text.trim(); // Quantity.UnmarshalJSON trims spaces before parsing
  const bad = `"${text}" is not a Kubernetes quantity (a number with an optional suffix such as 100m, 1, 1.5, 512Mi, 1Gi or 1e3)`;
  if (str === '') return bad;
  if (str === '0') return quantity(false, '0', '', 10, 0);
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return quantity(negative, '0', '', 10, 0);
  let start = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const whole = str.slice(start, pos) || '0';
  let fraction = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    start = pos;
    while (pos < end && isDigit(str[pos])) pos++;
    fraction = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return bad; // a character that is neither a digit nor a valid exponent
  const suffix = str.slice(suffixStart);
  if (suffix in DECIMAL_SUFFIXES)
    return quantity(negative, whole, fraction, 10, DECIMAL_SUFFIXES[suffix]);
  if (suffix in BINARY_SUFFIXES)
    return quantity(negative, whole, fraction, 2, BINARY_SUFFIXES[suffix]);
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const exp = suffix.slice(1);
    if (/^[+-]?[0-9]+$/.test(exp) && Math.abs(Number(exp)) <= Number.MAX_SAFE_INTEGER)
      return quantity(negative, whole, fraction, 10, Number(exp));
  }
  return bad;
}

function quantity(
  negative: boolean,
  whole: string,
  fraction: string,
  base: 2 | 10,
  exponent: number,
): Quantity {
  const approx = (negative ? -1 : 1) * Number(`${whole}.${fraction || '0'}`) * base ** exponent;
  return { negative, whole, fraction, base, exponent, approx };
}

/** parseQuantityText with a cache: plans repeat the same few quantities thousands of times. */
export const parseQuantity: (text: string) => Quantity | string = boundedMemo(
  parseQuantityText,
  4096,
);

/** A quantity from a YAML value (numbers are quantities too, as in JSON). */
export function quantityOf(value: unknown): Quantity | string | undefined {
  if (typeof value === 'string') return parseQuantity(value);
  if (typeof value === 'number' && Number.isFinite(value)) return parseQuantity(String(value));
  return undefined;
}

function isZero(q: Quantity): boolean {
  return /^0*$/.test(q.whole) && /^0*$/.test(q.fraction);
}

/** The sign of a quantity: -1, 0 or 1. */
export function quantitySign(q: Quantity): -1 | 0 | 1 {
  if (isZero(q)) return 0;
  return q.negative ? -1 : 1;
}

/** value = digits * 10^pow10 * 2^pow2 */
function scaled(q: Quantity): { digits: bigint; pow10: number; pow2: number } {
  const digits = BigInt((q.whole + q.fraction).replace(/^0+(?=\d)/, '') || '0');
  const pow10 = (q.base === 10 ? q.exponent : 0) - q.fraction.length;
  return { digits: q.negative ? -digits : digits, pow10, pow2: q.base === 2 ? q.exponent : 0 };
}

/** Compares two quantities by value (Quantity.Cmp): -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const d = a.approx - b.approx;
  const scale = Math.max(Math.abs(a.approx), Math.abs(b.approx));
  if (Number.isFinite(d) && Math.abs(d) > scale * 1e-9) return d < 0 ? -1 : 1;
  const x = scaled(a);
  const y = scaled(b);
  const low = Math.min(x.pow10, y.pow10);
  if (Math.max(x.pow10, y.pow10) - low > 2000) {
    // Absurd exponents: compare approximately rather than build huge integers.
    const approx = (s: typeof x) => Number(s.digits) * Math.pow(10, s.pow10) * Math.pow(2, s.pow2);
    const d = approx(x) - approx(y);
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }
  const vx = x.digits * 10n ** BigInt(x.pow10 - low) * 2n ** BigInt(x.pow2);
  const vy = y.digits * 10n ** BigInt(y.pow10 - low) * 2n ** BigInt(y.pow2);
  return vx < vy ? -1 : vx > vy ? 1 : 0;
}

/** Whether a quantity is a whole number (ValidateResourceQuantityValue for integer resources). */
export function isWholeQuantity(q: Quantity): boolean {
  const s = scaled(q);
  if (s.pow10 >= 0 || s.digits === 0n) return true;
  if (s.pow10 < -2000) return false;
  return (s.digits * 2n ** BigInt(s.pow2)) % 10n ** BigInt(-s.pow10) === 0n;
}

// ---------------------------------------------------------------------------------------------
// Container resource names (validateContainerResourceName, kubernetes
// `pkg/apis/core/validation/validation.go`, with the helpers of `pkg/apis/core/helper/helpers.go`)

/** IsNativeResource: unprefixed, or in the kubernetes.io/ namespace. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** IsHugePageResourceName. */
export function isHugePagesResource(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** IsOvercommitAllowed: native and not hugepages (requests may then be below limits). */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePagesResource(name);
}

/** IsExtendedResourceName. */
export function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return checkQualifiedName(`requests.${name}`) === undefined;
}

/** validateContainerResourceName: cpu, memory, ephemeral-storage, hugepages-*, or an extended resource. */
export function checkContainerResourceName(name: string): string | undefined {
  const q = checkQualifiedName(name);
  if (q) return q;
  if (!name.includes('/')) {
    if (['cpu', 'memory', 'ephemeral-storage'].includes(name) || isHugePagesResource(name))
      return undefined;
    return 'must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or a fully qualified extended resource';
  }
  if (!isNativeResource(name) && !isExtendedResource(name))
    return "doesn't follow the extended resource name standard";
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Go durations (time.ParseDuration), for `@every` schedules

/** 2^63 - 1 (Go's int64 limit), as the nearest double. */
const INT64_MAX_APPROX = 2 ** 63;

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5
  μs: 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration: `[-+]?(digits[.digits]unit)+` or "0"; returns why it is rejected, if it is. */
export function checkGoDuration(text: string): string | undefined {
  let s = text;
  const invalid = `invalid duration "${text}" (e.g. 90s, 1h30m)`;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return undefined;
  if (s === '') return invalid;
  let total = 0;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const pre = m[1] !== '';
    const post = m[2] !== undefined && m[2] !== '';
    if (!pre && !post) return invalid;
    s = s.slice(m[0].length);
    const u = /^[^0-9.]*/.exec(s)![0];
    if (u === '') return `missing unit in duration "${text}"`;
    if (!(u in DURATION_UNITS)) return `unknown unit "${u}" in duration "${text}"`;
    s = s.slice(u.length);
    total += Number(`${m[1] || '0'}.${m[2] || '0'}`) * DURATION_UNITS[u];
    if (total > INT64_MAX_APPROX) return invalid;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Cron schedules: robfig/cron v3 ParseStandard (5 fields, or a descriptor)

interface CronBounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
];
const DOW_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const CRON_FIELDS: { name: string; bounds: CronBounds }[] = [
  { name: 'minute', bounds: { min: 0, max: 59 } },
  { name: 'hour', bounds: { min: 0, max: 23 } },
  { name: 'day of month', bounds: { min: 1, max: 31 } },
  {
    name: 'month',
    bounds: { min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])) },
  },
  {
    name: 'day of week',
    bounds: { min: 0, max: 6, names: Object.fromEntries(DOW_NAMES.map((n, i) => [n, i])) },
  },
];
const CRON_DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
/** Go's unicode.IsSpace, which strings.Fields splits on. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** strconv.Atoi then the parser's non-negative check (mustParseInt). */
function cronInt(expr: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(expr)) return `failed to parse int from ${expr}`;
  const n = Number(expr);
  if (!Number.isSafeInteger(n) && Math.abs(n) > INT64_MAX_APPROX)
    return `failed to parse int from ${expr}: value out of range`;
  if (n < 0) return `negative number (${n}) not allowed: ${expr}`;
  return n;
}

function cronRange(expr: string, b: CronBounds): string | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
  } else {
    const named = (e: string) => b.names?.[e.toLowerCase()] ?? cronInt(e);
    const s = named(lowAndHigh[0]);
    if (typeof s === 'string') return s;
    start = s;
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) {
      const e = named(lowAndHigh[1]);
      if (typeof e === 'string') return e;
      end = e;
    } else return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const s = cronInt(rangeAndStep[1]);
    if (typeof s === 'string') return s;
    step = s;
    if (single) end = b.max; // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < b.min) return `beginning of range (${start}) below minimum (${b.min}): ${expr}`;
  if (end > b.max) return `end of range (${end}) above maximum (${b.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return undefined;
}

/**
 * cron.ParseStandard (robfig/cron v3): five fields (minute hour day-of-month month day-of-week,
 * each a comma list of `*`, `?`, `N`, `N-M`, with `/step`; month and weekday names allowed), or
 * one of @yearly @annually @monthly @weekly @daily @midnight @hourly, or `@every <duration>`.
 * Returns the parser's complaint, or undefined when it accepts the schedule. (A `TZ=`/`CRON_TZ=`
 * prefix is the caller's concern: Kubernetes rejects any schedule containing "TZ".)
 */
export function checkCronSchedule(text: string): string | undefined {
  let spec = text;
  if (spec === '') return 'empty spec string';
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    // The parser reads and strips a leading time zone (Kubernetes then rejects it anyway).
    const space = spec.indexOf(' ');
    const zone = spec.slice(spec.indexOf('=') + 1, space < 0 ? undefined : space);
    if (space < 0 || checkTimeZone(zone)) return `provided bad location ${zone}`;
    spec = spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (CRON_DESCRIPTORS.has(spec)) return undefined;
    if (spec.startsWith('@every ')) {
      const d = checkGoDuration(spec.slice('@every '.length));
      return d ? `failed to parse duration ${spec}: ${d}` : undefined;
    }
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(GO_SPACE).filter((f) => f !== '');
  if (fields.length !== 5)
    return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    for (const expr of fields[i].split(',')) {
      if (expr === '') continue; // strings.FieldsFunc drops empty items
      const err = cronRange(expr, CRON_FIELDS[i].bounds);
      if (err) return `${CRON_FIELDS[i].name} field: ${err}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Time zones (validateTimeZone in kubernetes `pkg/apis/batch/validation/validation.go`)

const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;
const zoneVerdicts = new Map<string, string | undefined>();

/**
 * validateTimeZone: non-empty, each '/'-part 1-14 characters of [A-Za-z.-_0-9+] (not '.', '..' or
 * starting with '-'), not "Local", and a zone Go's time.LoadLocation finds in the IANA database.
 * The database lookup uses this runtime's ICU time zones (Intl), which know the IANA names and
 * their aliases; like Go's lookup it is case-sensitive (ICU itself is not, so a name whose case
 * differs from the zone ICU resolves, or a part not starting with a capital, is rejected).
 */
export function checkTimeZone(zone: string): string | undefined {
  if (zone === '') return 'must be unset or a non-empty time zone name';
  for (const part of zone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part))
      return `unknown time zone ${zone}`;
  }
  if (zone.toLowerCase() === 'local')
    return 'must be an explicit IANA time zone (e.g. Asia/Tokyo), not Local';
  if (zone === 'UTC') return undefined; // time.LoadLocation("UTC") needs no database
  if (zoneVerdicts.has(zone)) return zoneVerdicts.get(zone);
  let verdict: string | undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions()
      .timeZone;
    const caseOnly = resolved !== zone && resolved.toLowerCase() === zone.toLowerCase();
    const lowerPart = zone.split('/').some((p) => !/^[A-Z]/.test(p));
    verdict =
      caseOnly || lowerPart
        ? `unknown time zone ${zone} (zone names are case-sensitive${caseOnly ? `: ${resolved}` : ''})`
        : undefined;
  } catch {
    verdict = `unknown time zone ${zone}`;
  }
  zoneVerdicts.set(zone, verdict);
  return verdict;
}

// ---------------------------------------------------------------------------------------------
// IP addresses (validation.IsValidIP / IsValidCIDR, which parse "sloppily": IPv4 octets may have
// leading zeros, read as decimal)

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 or IPv6 address as netutils.ParseIPSloppy accepts it. */
export function isIpAddress(text: string): boolean {
  const m = IPV4.exec(text);
  if (m) return m.slice(1).every((o) => Number(o) <= 255);
  if (!text.includes(':')) return false;
  let s = text;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 address stands for the last two groups.
    if (!isIpAddress(tail)) return false;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const parts = s.split('::');
  if (parts.length > 2) return false;
  const groups = (p: string) => (p === '' ? [] : p.split(':'));
  const all = [...groups(parts[0]), ...(parts.length === 2 ? groups(parts[1]) : [])];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return parts.length === 2 ? all.length < 8 : all.length === 8;
}

/** A CIDR (address/prefix) as netutils.ParseCIDRSloppy accepts it. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!isIpAddress(addr) || !/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (addr.includes(':') ? 128 : 32);
}
