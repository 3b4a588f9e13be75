import { InputError } from '../core/errors.js';

/**
 * Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation): a DNS-1123 label is at most 63
 * lowercase letters, digits and '-', starting and ending with a letter or digit; a DNS-1035 label
 * (what a Service name must be) also starts with a letter; a DNS-1123 subdomain is dot-separated
 * labels, at most 253 characters (ConfigMap and Deployment names). A label value is at most 63
 * characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
 */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
export const MAX_LABEL = 63;
const MAX_SUBDOMAIN = 253;

export function isLabelValue(v: string): boolean {
  return v.length <= MAX_LABEL && LABEL_VALUE.test(v);
}

/** Fails unless `value` (what `what` names, e.g. `--name`) is a DNS-1123 label. */
export function requireLabel(value: string, what: string): void {
  if (value.length > MAX_LABEL || !DNS1123_LABEL.test(value)) {
    throw new InputError(
      `${what} ${JSON.stringify(value)} is not a DNS-1123 label (at most ${MAX_LABEL} lowercase letters, digits and '-', starting and ending with a letter or digit)`,
    );
  }
}

/** Fails unless a derived name fits: `kind` is 'label' (DNS-1035 for Services), or 'subdomain'. */
export function requireDerivedName(
  value: string,
  kind: 'service' | 'label' | 'subdomain',
  what: string,
  hint: string,
): void {
  const max = kind === 'subdomain' ? MAX_SUBDOMAIN : MAX_LABEL;
  const re =
    kind === 'service' ? DNS1035_LABEL : kind === 'label' ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (value.length > max) {
    throw new InputError(
      `${what} "${value}" is ${value.length} characters, more than the ${max} Kubernetes allows; ${hint}`,
    );
  }
  if (!re.test(value)) {
    throw new InputError(
      `${what} "${value}" is not a valid ${kind === 'subdomain' ? 'DNS-1123 subdomain' : kind === 'service' ? 'DNS-1035 label' : 'DNS-1123 label'}; ${hint}`,
    );
  }
}
