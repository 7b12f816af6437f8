// floating-base-tag (hadolint DL3006 for no tag, DL3007 for :latest)
//
// What: a FROM whose image has no tag (which means `latest`) or the tag `latest`. Other tags that float (a partial
// version such as node:20, a named tag such as debian:bookworm-slim) are not flagged here: they are a deliberate
// choice (follow a release line and get its security fixes) that most Dockerfiles make, and the cache model already
// marks every step of such a stage medium with the reason (imageRef.ts tagPin is the one rule for what floats). A
// digest (@sha256:...) pins any reference; a stage built FROM another stage, scratch, and a FROM naming a variable
// without a value (the image is chosen at build time) are not flagged.
// Why: `latest` moves whenever the publisher pushes. The same Dockerfile then builds a different image on
// another machine or after `--pull`, a cache miss on every step of the stage follows, and a major-version jump
// (node 20 -> 22, debian 12 -> 13) breaks a build that nobody changed. A cache and reproducibility rule: every
// stage.
// Fix: name the version you build on (node:20-bookworm-slim), or pin a digest. There is no mechanical fix:
// which version is right is the author's call.

import { stagePin } from '../imageRef';
import type { Rule } from './rule';

export const floatingBaseTag: Rule = {
  id: 'floating-base-tag',
  hadolint: 'DL3006',
  severity: 'warning',
  description: 'FROM without a tag or with :latest: the base moves under you and builds stop being reproducible.',
  check({ model }) {
    const out: ReturnType<Rule['check']> = [];
    for (const stage of model.stages) {
      const pin = stagePin(stage, model.globalArgs);
      if (pin !== 'none' && pin !== 'latest') continue;
      const ref = stage.from.trim();
      out.push({
        line: stage.line,
        endLine: model.steps[stage.steps[0]].endLine,
        message:
          pin === 'none'
            ? `${ref} has no tag, so it means ${ref}:latest, which moves whenever a new version is pushed; name a version (for example ${ref}:<version>) or pin a digest.`
            : `${ref} floats: "latest" moves whenever a new version is pushed, so rebuilds miss the cache and may break; name a version or pin a digest.`,
        ...(pin === 'latest' ? { hadolint: 'DL3007' } : {}),
        fixes: [],
      });
    }
    return out;
  },
};
