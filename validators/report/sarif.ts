import type { Finding, Rule } from '../types.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, every rule with its description, each result at
 * the rendered file and line (or the values file and line for values-level rules). `uriPrefix` is the
 * path of the files relative to the repository root (e.g. `release/prd/`).
 */
export function formatSarif(
  findings: Finding[],
  rules: Rule[],
  opts: {
    uriPrefix?: (file: string) => string;
    version: string;
    informationUri: string;
    skipped?: string[];
  },
): string {
  const uri = opts.uriPrefix ?? ((f: string) => f);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'manifests',
            informationUri: opts.informationUri,
            version: opts.version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase()),
              shortDescription: { text: r.description },
              fullDescription: { text: r.docs },
              help: { text: r.docs, markdown: `**${r.description}**\n\n${r.docs}` },
              helpUri: `${opts.informationUri.replace(/#.*$/, '')}#rule-${r.id}`,
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolConfigurationNotifications: (opts.skipped ?? []).map((id) => ({
              level: 'note',
              descriptor: { id },
              message: { text: `skipped: ${id} (validation.yaml)` },
            })),
          },
        ],
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: LEVEL[f.severity],
          message: { text: `${f.message} (${f.resource}${f.path ? ` ${f.path}` : ''})` },
          locations: f.location
            ? [
                {
                  physicalLocation: {
                    artifactLocation: { uri: uri(f.location.file) },
                    region: { startLine: f.location.line ?? 1 },
                  },
                  logicalLocations: [
                    {
                      name: f.resource,
                      fullyQualifiedName: `${f.resource}${f.path ? `#${f.path}` : ''}`,
                    },
                  ],
                },
              ]
            : [],
          partialFingerprints: { primaryLocationLineHash: `${f.ruleId}:${f.resource}:${f.path}` },
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
