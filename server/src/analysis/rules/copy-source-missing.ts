// copy-source-missing (no hadolint equivalent: hadolint does not read the build context)
//
// What: a COPY/ADD source path (no wildcard) that matches nothing in the build context, after .dockerignore, in a
// stage the build runs (the target and the stages it depends on: BuildKit builds only those).
// Why: Docker stops the build there ("failed to compute cache key: ... not found" with BuildKit, "COPY failed:
// file not found in build context" with the legacy builder). The usual causes are an artifact built outside
// `docker build` (dist/, target/*.jar) not built yet, a git submodule not checked out, or a file .dockerignore
// excludes. A wildcard that matches nothing is not reported: BuildKit copies nothing for it and goes on
// (`COPY yarn.lock* ./` is a common way to copy a file that may be absent).
// When most sources are absent, the folder read is probably not the build context at all: build-context-mismatch
// says that once, and this rule stays quiet (../contextSources.ts decides).
// No fix: what is missing is outside the Dockerfile.

import { atKeyword, checkContextSources, looksLikeAnotherContext, quoted } from '../contextSources';
import type { Rule } from './rule';

export const copySourceMissing: Rule = {
  id: 'copy-source-missing',
  severity: 'warning',
  description: 'A COPY/ADD source that is not in the build context: Docker stops the build at that step.',
  check({ model, facts }) {
    const check = checkContextSources(model, facts.context);
    if (!check || check.absent.length === 0 || looksLikeAnotherContext(check)) return [];
    const ignored = facts.context?.hasDockerignore === true;
    return check.absent.map(({ step, source }) => ({
      ...atKeyword(step),
      message: `${quoted(source.raw)} is not in the build context${ignored ? ' (after .dockerignore)' : ''}: Docker stops the build at this step ("not found"). Is it an artifact built outside \`docker build\` that is not built yet, a git submodule not checked out${ignored ? ', a path .dockerignore excludes' : ''}, or does the build use another context folder?`,
      fixes: [],
    }));
  },
};
