import { describe, expect, it } from 'vitest';
import type { ClusterDeclaration } from '../types.js';
import { cidrContains, cidrOverlaps, formatCidr, parseCidr, type Cidr } from '../cluster/cidr.js';
import { networkCidrRule } from './network-cidr.js';
import { lineOf, valuesFromYaml } from '../testing/helpers.js';
import { exactly, testRule, type RuleCase } from '../testing/rule-tester.js';

/** A values file declaring one cluster, the way values/shared/global.yaml does. */
function clusterValues(vpcs: string): string {
  return `global:
  clusters:
    prd:
      provider: eks
      name: shop-prd
      kubernetesVersion: "1.31"
      vpc: ledger
      nodeGroups:
        - { name: general, instanceType: m5.large, minSize: 1, desiredSize: 1, maxSize: 1 }
      vpcs:
${vpcs}`;
}

/** A case of the cluster declared by a values file (values-level findings, located in it). */
function declared(text: string): Pick<RuleCase, 'context' | 'valueOrigins'> {
  const { values, origins } = valuesFromYaml(text);
  const cluster = (values.global as { clusters: Record<string, ClusterDeclaration> }).clusters.prd;
  return {
    context: { cluster, clusterPath: ['global', 'clusters', 'prd'], env: 'prd' },
    valueOrigins: origins,
  };
}

const good = `        - name: ledger
          role: ledger
          cidr: 10.1.0.0/16
          subnets:
            - { name: a, cidr: 10.1.0.0/20, availabilityZone: ap-northeast-1a, type: private }
            - { name: c, cidr: 10.1.16.0/20, availabilityZone: ap-northeast-1c, type: private }
            - { name: d, cidr: 10.1.32.0/20, availabilityZone: ap-northeast-1d, type: private }
        - name: auditor
          role: auditor
          cidr: 10.2.0.0/16
          cidrs: [fd00:2::/56]
          subnets:
            - { name: a, cidr: 10.2.0.0/24, availabilityZone: ap-northeast-1a, type: private }
            - { name: c, cidr: 10.2.1.0/24, availabilityZone: ap-northeast-1c, type: private }
            - { name: d6, cidr: "fd00:2:0:1::/64", availabilityZone: ap-northeast-1d, type: private }
        - name: client
          role: client
          cidr: 10.3.0.0/16
`;

const broken = clusterValues(`        - name: ledger
          role: ledger
          cidr: 10.1.0.1/16
          subnets:
            - { name: a, cidr: 10.1.0.0/20, availabilityZone: ap-northeast-1a, type: private }
            - { name: b, cidr: 10.1.8.0/24, availabilityZone: ap-northeast-1a, type: private }
            - { name: tiny, cidr: 10.1.64.0/26, availabilityZone: ap-northeast-1a, type: private }
            - { name: far, cidr: 10.9.0.0/24, availabilityZone: ap-northeast-1a, type: private }
        - name: auditor
          role: auditor
          cidr: 10.1.128.0/17
        - name: client
          role: client
          cidr: 10.3.0.0/16
          subnets:
            - { name: a, cidr: 10.3.0.0/20, availabilityZone: ap-northeast-1a, type: public }
            - { name: c, cidr: 10.3.16.0/20, availabilityZone: ap-northeast-1c, type: public }
`);

const VPCS = 'global.clusters.prd.vpcs';

testRule(networkCidrRule, {
  valid: [
    {
      name: 'disjoint VPCs with subnets inside them in three zones (IPv4 and IPv6)',
      ...declared(clusterValues(good)),
    },
  ],
  invalid: [
    {
      name: 'host bits, overlapping VPCs, stray and overlapping subnets, small subnets and too few zones',
      ...declared(broken),
      errors: [
        {
          severity: 'error',
          resource: 'values',
          path: `${VPCS}[0].cidr`,
          file: 'values/shared/global.yaml',
          line: lineOf(broken, 'cidr: 10.1.0.1/16'),
          message: exactly(
            'VPC ledger (role ledger): CIDR 10.1.0.1/16 has host bits set; use 10.1.0.0/16',
          ),
        },
        {
          severity: 'error',
          path: `${VPCS}[0].subnets`,
          message: exactly(
            'VPC ledger (role ledger) has subnets in 1 availability zone (ap-northeast-1a); at least 2 are required, 3 availability zones are recommended: add subnets in other zones',
          ),
        },
        {
          severity: 'error',
          path: `${VPCS}[0].subnets[1].cidr`,
          message: exactly(
            'subnet b 10.1.8.0/24 overlaps subnet a 10.1.0.0/20 in VPC ledger (role ledger): subnets must not share addresses',
          ),
        },
        {
          severity: 'error',
          path: `${VPCS}[0].subnets[2].cidr`,
          message: exactly(
            'subnet tiny 10.1.64.0/26 is smaller than a /24; make it a /24 or larger',
          ),
        },
        {
          severity: 'error',
          path: `${VPCS}[0].subnets[3].cidr`,
          message: exactly(
            'subnet far 10.9.0.0/24 lies outside VPC ledger (role ledger) (10.1.0.1/16): choose a range inside the VPC',
          ),
        },
        {
          severity: 'error',
          path: `${VPCS}[1].cidr`,
          message: exactly(
            'VPC auditor (role auditor) 10.1.128.0/17 overlaps VPC ledger (role ledger) 10.1.0.1/16; VPCs joined by peering must not overlap: give each its own range (e.g. 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16)',
          ),
        },
        {
          severity: 'warning',
          path: `${VPCS}[2].subnets`,
          message: exactly(
            'VPC client (role client) has subnets in 2 availability zones (ap-northeast-1a, ap-northeast-1c); 3 availability zones are recommended: add subnets in other zones',
          ),
        },
      ],
    },
    {
      name: 'unreadable CIDRs, and a warning when the EKS cluster VPC has no private subnet',
      ...declared(
        clusterValues(`        - name: ledger
          role: ledger
          cidr: 10.1.0.0/16
          cidrs: ["10.300.0.0/16", "fd00::/129"]
          subnets:
            - { name: a, cidr: 10.1.0.0/24, availabilityZone: z1, type: public }
            - { name: b, cidr: 10.1.1.0/24, availabilityZone: z2, type: public }
            - { name: c, cidr: 10.1.2.0, availabilityZone: z3, type: public }
`),
      ),
      errors: [
        {
          severity: 'error',
          path: `${VPCS}[0].cidrs[0]`,
          message: exactly(
            'VPC ledger (role ledger): CIDR 10.300.0.0/16 is not a valid IPv4 block: 300 is larger than 255',
          ),
        },
        {
          severity: 'error',
          path: `${VPCS}[0].cidrs[1]`,
          message: exactly(
            'VPC ledger (role ledger): CIDR fd00::/129 has prefix /129, longer than the 128 bits of an IPv6 address',
          ),
        },
        {
          severity: 'warning',
          path: `${VPCS}[0].subnets`,
          message: exactly(
            'VPC ledger (role ledger) has no private subnet; EKS worker nodes belong in private subnets (with a NAT gateway to pull images): add private subnets in 2 or more zones',
          ),
        },
        {
          severity: 'error',
          path: `${VPCS}[0].subnets[2].cidr`,
          message: exactly(
            'subnet c of VPC ledger (role ledger): CIDR 10.1.2.0 has no prefix length (e.g. /16)',
          ),
        },
      ],
    },
  ],
});

describe('CIDR arithmetic', () => {
  const c = (s: string): Cidr => {
    const r = parseCidr(s);
    if (!r.ok) throw new Error(r.problem);
    return r.cidr;
  };
  it('parses and formats IPv4 and IPv6 blocks', () => {
    expect(formatCidr(c('10.1.0.0/16'))).toBe('10.1.0.0/16');
    expect(formatCidr(c('2001:DB8:0:0:0:0:0:0/32'))).toBe('2001:db8::/32');
    expect(formatCidr(c('::ffff:10.0.0.0/104'))).toBe('::ffff:a00:0/104');
    expect(parseCidr('2001:db8::1/64')).toMatchObject({
      ok: false,
      problem: 'has host bits set; use 2001:db8::/64',
      suggestion: '2001:db8::/64',
    });
    expect(parseCidr('010.1.0.0/16').ok).toBe(false);
    expect(parseCidr('1::2::3/64').ok).toBe(false);
    expect(parseCidr('10.0.0.0/08').ok).toBe(false);
  });
  it('never lets blocks of different families overlap', () => {
    expect(cidrOverlaps(c('10.0.0.0/8'), c('10.200.0.0/16'))).toBe(true);
    expect(cidrContains(c('10.200.0.0/16'), c('10.0.0.0/8'))).toBe(false);
    expect(cidrOverlaps(c('0.0.0.0/0'), c('::/0'))).toBe(false);
    expect(cidrOverlaps(c('fd00::/8'), c('fd00:1::/32'))).toBe(true);
  });
});
