// copy-source-missing (no hadolint equivalent: hadolint does not read the build context)
//
// What: a COPY/ADD source path (no wildcard) that matches nothing in the build context, after .dockerignore, in a
// stage the build runs (the target and the stages it depends on: BuildKit builds only those).
// Why: Docker stops the build there ("failed to compute cache key: ... not found" with BuildKit, "COPY failed:
// file not found in build context" with the legacy builder). The usual causes are an artifact built outside
// `docker build` (dist/, target/*.jar) not built yet, a git submodule not checked out, or a file .dockerignore
// excludes. A wildcard that matches nothing is not reported: BuildKit copies nothing for it and goes on
// (`COPY yarn.lock* ./` is a common way to copy a file that may be absent).
// One finding per COPY, naming its missing sources. When every missing source lies in one top folder the context
// lacks entirely while other sources are there, the message says that folder is missing (a git submodule not
// checked out). When most sources are absent otherwise, the folder read is probably not the build context at all:
// build-context-mismatch says that once, and this rule stays quiet (../contextSources.ts decides).
// No fix: what is missing is outside the Dockerfile.

import { atKeyword, checkContextSources, looksLikeAnotherContext, missingFolder, quoted } from '../contextSources';
import type { Step } from '../model';
import type { Rule } from './rule';

export const copySourceMissing: Rule = {
  id: 'copy-source-missing',
  severity: 'warning',
  description: 'A COPY/ADD source that is not in the build context: Docker stops the build at that step.',
  check({ model, facts }) {
    const context = facts.context;
    const check = checkContextSources(model, context);
    if (!context || !check || check.absent.length === 0 || looksLikeAnotherContext(check, context)) return [];
    const folder = missingFolder(check, context);
    const ignored = context.hasDockerignore;
    // one finding per step, naming its missing sources
    const bySteps = new Map<Step, string[]>();
    for (const { step, source } of check.absent) bySteps.set(step, [...(bySteps.get(step) ?? []), quoted(source.raw)]);
    return [...bySteps].map(([step, names]) => {
      const what = `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not in the build context${ignored ? ' (after .dockerignore)' : ''}`;
      const why =
        folder !== null
          ? `The folder ${quoted(folder + '/')} is missing from the context altogether: a git submodule not checked out (\`git submodule update --init\`), or a folder another step of your build makes?`
          : `Is it an artifact built outside \`docker build\` that is not built yet, a git submodule not checked out${ignored ? ', a path .dockerignore excludes' : ''}, or does the build use another context folder?`;
      return {
        ...atKeyword(step),
        message: `${what}: Docker stops the build at this step ("not found"). ${why}`,
        fixes: [],
      };
    });
  },
};
