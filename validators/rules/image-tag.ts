import type { Rule, RuleContext, RuleFinding, Severity } from '../types.js';
import { parseImageRef } from '../model/images.js';

/** An error in production (env `prd`, or an EKS cluster), a warning elsewhere. */
function severityIn(ctx: Pick<RuleContext, 'env' | 'cluster'>): Severity {
  return ctx.env === 'prd' || ctx.cluster?.provider === 'eks' ? 'error' : 'warning';
}

/**
 * Every container image (init and ephemeral containers too) names a version: a tag other than
 * `latest`, or a digest. Without one, nodes run whatever the tag points to at pull time and a new
 * build rolls no new pods (severityIn).
 */
export const imageTagRule: Rule = {
  id: 'image-tag',
  description: 'Images are pinned: no missing or `latest` tag (a digest is fine); an error in prd',
  severity: 'error',
  docs: "Every container image names a version (a tag other than latest, or a digest). Without one, nodes run whatever the tag points to at pull time, and MxTransporter's guide warns that a rebuilt image under the same tag creates no new pods. An error in production, a warning elsewhere. Pin the tag in values.",
  scope: 'object',
  reads: { context: severityIn },
  check(manifests, ctx) {
    const severity = severityIn(ctx);
    const out: RuleFinding[] = [];
    for (const { manifest, container, path } of ctx.model.images) {
      const ref = parseImageRef(container.image);
      const name = container.name ?? '(unnamed)';
      if (!ref) {
        out.push({
          manifest,
          path,
          severity,
          message: `container ${name}: image "${container.image}" is not a valid image reference`,
        });
        continue;
      }
      if (ref.digest) continue;
      if (!ref.tag || ref.tag === 'latest') {
        out.push({
          manifest,
          path,
          severity,
          message: `container ${name}: image ${container.image} ${ref.tag ? 'uses the tag latest' : 'has no tag (so it pulls latest)'}; pin a version tag (e.g. ${ref.host === 'docker.io' ? ref.path.replace(/^library\//, '') : `${ref.host}/${ref.path}`}:1.2.3) or a digest (@sha256:...)`,
        });
      }
    }
    return out;
  },
};
