import type { FieldPath, Rule, RuleFinding, Subnet, Vpc } from '../types.js';
import {
  cidrContains,
  cidrOverlaps,
  formatCidr,
  parseCidr,
  sameCidr,
  type Cidr,
} from '../cluster/cidr.js';

/** Smallest sane subnet: a /24 for IPv4 (AWS keeps 5 addresses of each), a /64 for IPv6 (SLAAC). */
const MIN_SUBNET = { 4: 24, 6: 64 } as const;
/** AWS accepts IPv4 VPC blocks from /16 to /28. */
const AWS_VPC_PREFIX = { min: 16, max: 28 } as const;

interface Block {
  cidr: Cidr;
  text: string;
  path: FieldPath;
}

interface ParsedVpc {
  vpc: Vpc;
  index: number;
  blocks: Block[];
}

function shown(v: unknown): string {
  return typeof v === 'string' && v.trim() !== '' ? v : JSON.stringify(v ?? null);
}

function vpcLabel(vpc: Vpc): string {
  return vpc.role && vpc.role !== 'other'
    ? `VPC ${vpc.name} (role ${vpc.role})`
    : `VPC ${vpc.name}`;
}

/**
 * The network declaration of the cluster (`vpcs` of `global.clusters.<env>`):
 * - every CIDR parses (IPv4 or IPv6) and has no host bits set;
 * - no two VPCs overlap (ledger, auditor and client networks are peered), nor the blocks of one VPC;
 * - every subnet lies inside a block of its VPC, no two subnets of a VPC overlap, and each subnet is
 *   at least a /24 (IPv4) or a /64 (IPv6);
 * - a VPC with subnets spans at least 2 availability zones (error), 3 recommended (warning);
 * - on EKS, the cluster's VPC (`vpc`, else every VPC with subnets) has private subnets (warning),
 *   and IPv4 VPC blocks lie between /16 and /28.
 * Blocks of different address families never overlap.
 */
export const networkCidrRule: Rule = {
  id: 'network-cidr',
  description:
    'VPC and subnet CIDRs are valid, do not overlap, subnets lie in their VPC, are at least /24 and span 2+ availability zones',
  severity: 'error',
  docs: 'Checks the VPC and subnet declaration (values): CIDRs parse without host bits, peered VPCs (Ledger, Auditor, client) do not overlap, subnets lie inside their VPC without overlapping, each subnet is at least a /24, and subnets span at least 2 availability zones (3 recommended). Overlapping peered VPCs cannot route to each other and EKS needs subnets in two zones. Fix the CIDRs in global.clusters.<env>.vpcs.',
  needs: 'cluster',
  check(_manifests, ctx) {
    const cluster = ctx.cluster!;
    const out: RuleFinding[] = [];
    const vpcsPath: FieldPath = [...ctx.clusterPath, 'vpcs'];
    const vpcs = Array.isArray(cluster.vpcs) ? cluster.vpcs : [];
    const parsed: ParsedVpc[] = [];
    const eks = cluster.provider === 'eks';

    const parseAt = (text: unknown, path: FieldPath, what: string): Cidr | undefined => {
      const r = parseCidr(text);
      if (r.ok) return r.cidr;
      out.push({ valuePath: path, message: `${what} ${shown(text)} ${r.problem}` });
      // With host bits set the block meant is clear: keep checking with it.
      return r.network;
    };

    vpcs.forEach((vpc, i) => {
      if (!vpc || typeof vpc !== 'object') return;
      const blocks: Block[] = [];
      const add = (text: unknown, path: FieldPath) => {
        const cidr = parseAt(text, path, `${vpcLabel(vpc)}: CIDR`);
        if (!cidr) return;
        if (blocks.some((b) => sameCidr(b.cidr, cidr))) return;
        if (
          eks &&
          cidr.family === 4 &&
          (cidr.prefix < AWS_VPC_PREFIX.min || cidr.prefix > AWS_VPC_PREFIX.max)
        ) {
          out.push({
            valuePath: path,
            message: `${vpcLabel(vpc)}: ${text} is a /${cidr.prefix}; AWS accepts IPv4 VPC blocks from /${AWS_VPC_PREFIX.min} to /${AWS_VPC_PREFIX.max}`,
          });
        }
        for (const b of blocks) {
          if (cidrOverlaps(b.cidr, cidr)) {
            out.push({
              valuePath: path,
              message: `${vpcLabel(vpc)}: block ${text} overlaps its own block ${b.text}; the blocks of a VPC must be disjoint`,
            });
          }
        }
        blocks.push({ cidr, text: String(text), path });
      };
      add(vpc.cidr, [...vpcsPath, i, 'cidr']);
      if (Array.isArray(vpc.cidrs))
        vpc.cidrs.forEach((c, j) => add(c, [...vpcsPath, i, 'cidrs', j]));
      parsed.push({ vpc, index: i, blocks });
    });

    // Peered VPCs (and in fact any two declared VPCs) must not share addresses.
    for (let a = 0; a < parsed.length; a++) {
      for (let b = a + 1; b < parsed.length; b++) {
        for (const x of parsed[a].blocks) {
          for (const y of parsed[b].blocks) {
            if (!cidrOverlaps(x.cidr, y.cidr)) continue;
            out.push({
              valuePath: y.path,
              message: `${vpcLabel(parsed[b].vpc)} ${y.text} overlaps ${vpcLabel(parsed[a].vpc)} ${x.text}; VPCs joined by peering must not overlap: give each its own range (e.g. 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16)`,
            });
          }
        }
      }
    }

    for (const p of parsed) out.push(...checkSubnets(p, vpcsPath));

    if (eks) out.push(...checkPrivateSubnets(parsed, cluster.vpc, ctx.clusterPath, vpcsPath));
    return out;
  },
};

function checkSubnets(p: ParsedVpc, vpcsPath: FieldPath): RuleFinding[] {
  const out: RuleFinding[] = [];
  const subnets: Subnet[] = Array.isArray(p.vpc.subnets) ? p.vpc.subnets : [];
  if (subnets.length === 0) return out;
  const base: FieldPath = [...vpcsPath, p.index, 'subnets'];
  const seen: { subnet: Subnet; cidr: Cidr }[] = [];
  subnets.forEach((s, j) => {
    if (!s || typeof s !== 'object') return;
    const path: FieldPath = [...base, j, 'cidr'];
    const r = parseCidr(s.cidr);
    if (!r.ok) {
      out.push({
        valuePath: path,
        message: `subnet ${s.name} of ${vpcLabel(p.vpc)}: CIDR ${shown(s.cidr)} ${r.problem}`,
      });
      if (!r.network) return;
    }
    const cidr = r.ok ? r.cidr : r.network!;
    if (p.blocks.length > 0 && !p.blocks.some((b) => cidrContains(b.cidr, cidr))) {
      out.push({
        valuePath: path,
        message: `subnet ${s.name} ${s.cidr} lies outside ${vpcLabel(p.vpc)} (${p.blocks.map((b) => b.text).join(', ')}): choose a range inside the VPC`,
      });
    }
    const min = MIN_SUBNET[cidr.family];
    if (cidr.prefix > min) {
      out.push({
        valuePath: path,
        message: `subnet ${s.name} ${s.cidr} is smaller than a /${min}; make it a /${min} or larger`,
      });
    }
    for (const other of seen) {
      if (cidrOverlaps(other.cidr, cidr)) {
        out.push({
          valuePath: path,
          message: `subnet ${s.name} ${s.cidr} overlaps subnet ${other.subnet.name} ${formatCidr(other.cidr)} in ${vpcLabel(p.vpc)}: subnets must not share addresses`,
        });
      }
    }
    seen.push({ subnet: s, cidr });
  });
  const zones = [
    ...new Set(
      subnets
        .map((s) => s?.availabilityZone)
        .filter((z): z is string => typeof z === 'string' && z !== ''),
    ),
  ].sort();
  if (zones.length < 3) {
    const where =
      zones.length === 0
        ? 'no availability zone'
        : `${zones.length} availability zone${zones.length > 1 ? 's' : ''} (${zones.join(', ')})`;
    out.push({
      valuePath: base,
      severity: zones.length < 2 ? 'error' : 'warning',
      message: `${vpcLabel(p.vpc)} has subnets in ${where}; ${zones.length < 2 ? 'at least 2 are required, ' : ''}3 availability zones are recommended: add subnets in other zones`,
    });
  }
  return out;
}

function checkPrivateSubnets(
  parsed: ParsedVpc[],
  clusterVpc: string | undefined,
  clusterPath: FieldPath,
  vpcsPath: FieldPath,
): RuleFinding[] {
  const out: RuleFinding[] = [];
  let targets: ParsedVpc[];
  if (clusterVpc) {
    const named = parsed.filter((p) => p.vpc.name === clusterVpc);
    if (named.length === 0) {
      out.push({
        valuePath: [...clusterPath, 'vpc'],
        message: `the cluster's vpc "${clusterVpc}" is not declared in vpcs (${parsed.map((p) => p.vpc.name).join(', ') || 'none'})`,
      });
      return out;
    }
    targets = named;
  } else {
    targets = parsed.filter((p) => Array.isArray(p.vpc.subnets) && p.vpc.subnets.length > 0);
  }
  for (const p of targets) {
    const subnets = Array.isArray(p.vpc.subnets) ? p.vpc.subnets : [];
    if (subnets.some((s) => s?.type === 'private')) continue;
    out.push({
      valuePath: subnets.length > 0 ? [...vpcsPath, p.index, 'subnets'] : [...vpcsPath, p.index],
      severity: 'warning',
      message: `${vpcLabel(p.vpc)} has no private subnet; EKS worker nodes belong in private subnets (with a NAT gateway to pull images): add private subnets in 2 or more zones`,
    });
  }
  return out;
}
