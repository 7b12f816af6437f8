// floating-base-tag (hadolint DL3006 for no tag, DL3007 for :latest)
//
// What: a FROM whose image has no tag (which means `latest`) or the tag `latest`. A version tag such as
// node:20 is not floating for this rule; a digest (@sha256:...) pins any reference.
// Why: `latest` moves whenever the publisher pushes. The same Dockerfile then builds a different image on
// another machine or after `--pull`, a cache miss on every step of the stage follows, and a major-version jump
// (node 20 -> 22, debian 12 -> 13) breaks a build that nobody changed. A cache and reproducibility rule: every
// stage.
// Fix: name the version you build on (node:20-bookworm-slim), or pin a digest. There is no mechanical fix:
// which version is right is the author's call.

import { tagOf } from '../cache';
import type { Rule } from './rule';

export const floatingBaseTag: Rule = {
  id: 'floating-base-tag',
  hadolint: 'DL3006',
  severity: 'warning',
  description: 'FROM without a tag or with :latest: the base moves under you and builds stop being reproducible.',
  check({ model }) {
    const out: ReturnType<Rule['check']> = [];
    for (const stage of model.stages) {
      const ref = stage.from.trim();
      if (
        stage.baseStage !== null ||
        ref === '' ||
        ref.toLowerCase() === 'scratch' ||
        ref.includes('$') ||
        ref.includes('@')
      )
        continue;
      const tag = tagOf(ref);
      if (tag !== null && tag !== 'latest') continue;
      out.push({
        line: stage.line,
        endLine: model.steps[stage.steps[0]].endLine,
        message:
          tag === null
            ? `${ref} has no tag, so it means ${ref}:latest, which moves whenever a new version is pushed; name a version (for example ${ref}:<version>) or pin a digest.`
            : `${ref} floats: "latest" moves whenever a new version is pushed, so rebuilds miss the cache and may break; name a version or pin a digest.`,
        ...(tag === 'latest' ? { hadolint: 'DL3007' } : {}),
        fixes: [],
      });
    }
    return out;
  },
};
