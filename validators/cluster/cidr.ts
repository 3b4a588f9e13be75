/** IPv4 and IPv6 CIDR blocks: parsing, containment and overlap, with exact (bigint) arithmetic. */

export interface Cidr {
  family: 4 | 6;
  /** Address of the block as an integer (host bits may be set when parsed leniently). */
  address: bigint;
  prefix: number;
}

export type CidrResult =
  | { ok: true; cidr: Cidr }
  | {
      ok: false;
      problem: string;
      /** The block the text probably meant (host bits cleared), as text and parsed. */
      suggestion?: string;
      network?: Cidr;
    };

function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseIPv4(text: string): bigint | string {
  const parts = text.split('.');
  if (parts.length !== 4) return 'an IPv4 address has four dot-separated numbers';
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return `"${p}" is not a number from 0 to 255`;
    if (p.length > 1 && p.startsWith('0'))
      return `"${p}" has a leading zero (ambiguous: octal or decimal)`;
    const n = Number(p);
    if (n > 255) return `${p} is larger than 255`;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIPv6(text: string): bigint | string {
  if (text.includes('%')) return 'a zone index (%...) has no place in a CIDR block';
  const halves = text.split('::');
  if (halves.length > 2) return '"::" may appear only once';
  const groupsOf = (s: string): string[] | string => {
    if (s === '') return [];
    const raw = s.split(':');
    const out: string[] = [];
    for (let i = 0; i < raw.length; i++) {
      const g = raw[i];
      if (i === raw.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (typeof v4 === 'string') return v4;
        out.push(((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return `"${g}" is not a group of 1 to 4 hex digits`;
      out.push(g);
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  if (typeof head === 'string') return head;
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (typeof tail === 'string') return tail;
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return '"::" must stand for at least one group';
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return 'an IPv6 address has eight groups (or "::" for a run of zeros)';
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

export function formatAddress(family: 4 | 6, address: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((address >> s) & 0xffn).toString()).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((address >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (of two or more) zero groups becomes "::", the first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.address)}/${c.prefix}`;
}

function hostMask(c: Cidr): bigint {
  return (1n << BigInt(bitsOf(c.family) - c.prefix)) - 1n;
}

/** The network block of a CIDR (host bits cleared). */
export function networkOf(c: Cidr): Cidr {
  return { ...c, address: c.address & ~hostMask(c) };
}

/** Parses `address/prefix`; an address with host bits set is a problem naming the block meant. */
export function parseCidr(input: unknown): CidrResult {
  if (typeof input !== 'string' || input.trim() === '')
    return { ok: false, problem: 'is empty or not a string' };
  const text = input.trim();
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, problem: 'has no prefix length (e.g. /16)' };
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family: 4 | 6 = addrText.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIPv4(addrText) : parseIPv6(addrText);
  if (typeof address === 'string')
    return { ok: false, problem: `is not a valid IPv${family} block: ${address}` };
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText))
    return { ok: false, problem: `has an invalid prefix length "/${prefixText}"` };
  const prefix = Number(prefixText);
  if (prefix > bitsOf(family)) {
    return {
      ok: false,
      problem: `has prefix /${prefix}, longer than the ${bitsOf(family)} bits of an IPv${family} address`,
    };
  }
  const cidr: Cidr = { family, address, prefix };
  if ((address & hostMask(cidr)) !== 0n) {
    const network = networkOf(cidr);
    const suggestion = formatCidr(network);
    return { ok: false, problem: `has host bits set; use ${suggestion}`, suggestion, network };
  }
  return { ok: true, cidr };
}

/** Whether `outer` contains every address of `inner` (never across address families). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const shift = BigInt(bitsOf(outer.family) - outer.prefix);
  return outer.address >> shift === inner.address >> shift;
}

/** Whether two blocks share an address (blocks of different families never do). */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

export function sameCidr(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.prefix === b.prefix && a.address === b.address;
}
