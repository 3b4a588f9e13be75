import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import type { Finding } from '../types.js';
import type { CheckedResource } from '../validate.js';
import { formatFindings } from './index.js';
import { formatJunit } from './junit.js';

const rules = RULES.filter((r) => r.id === 'schema' || r.id === 'resources');

const checked: CheckedResource[] = [
  {
    resource: 'Deployment/shop/web',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    file: 'release/prd/app/shop/deployment-web.yaml',
    line: 1,
  },
  {
    resource: 'Service/shop/web',
    apiVersion: 'v1',
    kind: 'Service',
    file: 'release/prd/app/shop/service-web.yaml',
    line: 1,
  },
  {
    resource: 'ConfigMap/shop/web',
    apiVersion: 'v1',
    kind: 'ConfigMap',
    file: 'release/prd/app/shop/service-web.yaml',
    line: 12,
  },
];

const error = (path: string, message: string): Finding => ({
  ruleId: 'schema',
  severity: 'error',
  resource: 'Deployment/shop/web',
  path,
  message,
  location: { file: 'release/prd/app/shop/deployment-web.yaml', line: 9 },
});

describe('junit report', () => {
  it('has one test case per resource, passing ones too, in a suite per file', () => {
    const findings: Finding[] = [
      error('spec.replicas', 'expected integer, got "a <b>"'),
      error('spec.paused', 'expected boolean'),
      {
        ruleId: 'resources',
        severity: 'warning',
        resource: 'Deployment/shop/web',
        path: 'spec.template.spec.containers[0].resources',
        message: 'no cpu limit',
        location: { file: 'release/prd/app/shop/deployment-web.yaml', line: 20 },
      },
      {
        ruleId: 'schema',
        severity: 'error',
        resource: 'values',
        path: 'global.clusters.prd.vpcs[0].cidr',
        message: 'host bits set',
        location: { file: 'values/shared/global.yaml', line: 40 },
      },
    ];
    expect(formatJunit(findings, rules, { checked })).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="manifests validate" tests="4" failures="2">',
        '  <testsuite name="release/prd/app/shop/deployment-web.yaml" tests="1" failures="1">',
        '    <testcase name="Deployment/shop/web" classname="Deployment@apps/v1" file="release/prd/app/shop/deployment-web.yaml">',
        '      <failure message="schema spec.replicas: expected integer, got &quot;a &lt;b&gt;&quot; (and 1 more)" type="schema">' +
          'release/prd/app/shop/deployment-web.yaml:9 [schema] spec.replicas: expected integer, got &quot;a &lt;b&gt;&quot;\n' +
          'release/prd/app/shop/deployment-web.yaml:9 [schema] spec.paused: expected boolean</failure>',
        '      <system-out>warning: release/prd/app/shop/deployment-web.yaml:20 [resources] spec.template.spec.containers[0].resources: no cpu limit</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="release/prd/app/shop/service-web.yaml" tests="2" failures="0">',
        '    <testcase name="Service/shop/web" classname="Service@v1" file="release/prd/app/shop/service-web.yaml"/>',
        '    <testcase name="ConfigMap/shop/web" classname="ConfigMap@v1" file="release/prd/app/shop/service-web.yaml"/>',
        '  </testsuite>',
        '  <testsuite name="values/shared/global.yaml" tests="1" failures="1">',
        '    <testcase name="values" classname="schema" file="values/shared/global.yaml">',
        '      <failure message="schema global.clusters.prd.vpcs[0].cidr: host bits set" type="schema">values/shared/global.yaml:40 [schema] global.clusters.prd.vpcs[0].cidr: host bits set</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('a clean run still counts every resource', () => {
    const xml = formatFindings('junit', [], rules, { checked });
    expect(xml).toContain('<testsuites name="manifests validate" tests="3" failures="0">');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).not.toContain('<failure');
  });

  it('a resource with only warnings passes', () => {
    const warning: Finding = { ...error('spec', 'careful'), severity: 'warning' };
    const xml = formatJunit([warning], rules, { checked });
    expect(xml).toContain('tests="3" failures="0"');
    expect(xml).toContain('<system-out>warning: ');
  });
});
